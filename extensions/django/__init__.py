"""Django integration: middleware, authentication backend, views/urls, DRF authentication.

settings.py::

    MIDDLEWARE = [..., "django.contrib.auth.middleware.AuthenticationMiddleware",
                  "keycloak_sdk.extensions.django.AuthenticationMiddleware", ...]
    AUTHENTICATION_BACKENDS = ["keycloak_sdk.extensions.django.backend.KeycloakBackend"]
    KEYCLOAK_SERVER_URL / KEYCLOAK_REALM / KEYCLOAK_CLIENT_ID / KEYCLOAK_CLIENT_SECRET
    KEYCLOAK_CALLBACK_URL, KEYCLOAK_LOGIN_REDIRECT_URI, KEYCLOAK_LOGOUT_REDIRECT_URI,
    KEYCLOAK_LOGOUT_URI, KEYCLOAK_PUBLIC_PATHS, KEYCLOAK_API_PATHS, ...
"""

from keycloak_sdk.extensions.django.middleware import AuthenticationMiddleware

__all__ = ["AuthenticationMiddleware"]
