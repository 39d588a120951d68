"""Runs a real Keycloak server for tests, examples, benchmarks and `make keycloak-up`."""

from harness.keycloak import KeycloakServer, KeycloakStartError, default_version

__all__ = ["KeycloakServer", "KeycloakStartError", "default_version"]
