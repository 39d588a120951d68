"""Settings of the Django example. Keycloak's URL and this app's public URL come from the
environment ($KEYCLOAK_URL, $DJANGO_EXAMPLE_PUBLIC_URL), set by `__main__` or the tests."""

from __future__ import annotations

import os
import secrets

from examples import (
    API_PATHS,
    DOCUMENT_PERMISSIONS,
    ENFORCEMENT_MODE,
    EXAMPLE_CLIENT_ID,
    EXAMPLE_CLIENT_SECRET,
    EXAMPLE_REALM,
    PUBLIC_PATHS,
)

PUBLIC_URL = os.environ.get("DJANGO_EXAMPLE_PUBLIC_URL", "http://127.0.0.1:8000")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(40)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "examples.django_app.urls"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
]
# Django's defaults, CSRF protection included, and Keycloak's middleware last (as
# keycloak-client's example has it). Logging out is a POST that carries the CSRF token.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "keycloak_sdk.extensions.django.AuthenticationMiddleware",
]
AUTHENTICATION_BACKENDS = ["keycloak_sdk.extensions.django.backend.KeycloakBackend"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DJANGO_EXAMPLE_DB", "django-example.sqlite3"),
        # Many threads (and worker processes) write users and sessions at once: take the
        # write lock at BEGIN and wait for it, rather than fail with "database is locked"
        # when two readers both try to upgrade to writers.
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        },
    }
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["keycloak_sdk.extensions.django.drf.KeycloakAuthentication"],
    "UNAUTHENTICATED_USER": None,
}

KEYCLOAK_SERVER_URL = os.environ.get("KEYCLOAK_URL", "http://127.0.0.1:8080")
KEYCLOAK_REALM = EXAMPLE_REALM
KEYCLOAK_CLIENT_ID = EXAMPLE_CLIENT_ID
KEYCLOAK_CLIENT_SECRET = EXAMPLE_CLIENT_SECRET
KEYCLOAK_SCOPES = "profile email"
# keycloak-client's four settings:
KEYCLOAK_CALLBACK_URL = f"{PUBLIC_URL}/kc/callback"
KEYCLOAK_LOGIN_REDIRECT_URI = "/"
KEYCLOAK_LOGOUT_REDIRECT_URI = "/"
KEYCLOAK_LOGOUT_URI = "/kc/logout"
KEYCLOAK_PUBLIC_PATHS = PUBLIC_PATHS
KEYCLOAK_API_PATHS = API_PATHS
KEYCLOAK_STAFF_ROLES = ("admin",)
KEYCLOAK_ENFORCER_PATHS = DOCUMENT_PERMISSIONS
KEYCLOAK_ENFORCEMENT_MODE = ENFORCEMENT_MODE

# Where logged-in sessions live with several workers: Redis (KEYCLOAK_REDIS_URL, read by the
# SDK), or Django's own session framework (DJANGO_EXAMPLE_SESSION_STORE=db: the database above;
# =cache: Django's Redis cache at KEYCLOAK_REDIS_URL).
_DJANGO_SESSIONS = os.environ.get("DJANGO_EXAMPLE_SESSION_STORE")
if _DJANGO_SESSIONS:
    KEYCLOAK_SESSION_STORE = "keycloak_sdk.extensions.django.sessions.DjangoSessionStore"
    if _DJANGO_SESSIONS == "cache":
        CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": os.environ["KEYCLOAK_REDIS_URL"],
                "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
            }
        }
        SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    elif _DJANGO_SESSIONS == "db":
        SESSION_ENGINE = "django.contrib.sessions.backends.db"
    else:
        raise ValueError("DJANGO_EXAMPLE_SESSION_STORE is 'db' or 'cache'")
