"""Handwritten layer of keycloak-sdk: flow helpers and framework integrations."""
