"""keycloak-sdk: placeholder until the generator writes this package."""
