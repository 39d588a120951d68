"""Flask example: KeycloakFlask extension, decorators, UMA enforcer."""
