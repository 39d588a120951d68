"""`path("kc/", include("keycloak_sdk.extensions.django.urls"))` gives /kc/login, /kc/callback,
/kc/logout and /kc/backchannel-logout (the engine's default paths)."""

from __future__ import annotations

from django.urls import path
from keycloak_sdk.extensions.django import views

app_name = "keycloak"

urlpatterns = [
    path("login", views.login, name="login"),
    path("callback", views.callback, name="callback"),
    path("logout", views.logout, name="logout"),
    path("backchannel-logout", views.backchannel_logout, name="backchannel-logout"),
]
