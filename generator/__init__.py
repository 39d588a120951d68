"""keycloak-sdk's generator: turns spec/ into the typed `keycloak_sdk` package."""
