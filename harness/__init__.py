"""Runs a real Keycloak server for tests, examples, benchmarks and `make keycloak-up`."""

from harness.keycloak import KeycloakServer, KeycloakStartError, default_version
from harness.redis import RedisServer, RedisStartError

__all__ = [
    "KeycloakServer",
    "KeycloakStartError",
    "RedisServer",
    "RedisStartError",
    "default_version",
]
