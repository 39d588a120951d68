from __future__ import annotations

from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from examples.django_app import views

urlpatterns = [
    path("", views.home),
    path("public", views.public),
    path("profile", views.profile),
    path("howdy", views.howdy),
    path("api/me", views.api_me),
    path("api/admin", views.api_admin),
    path("api/reader", views.api_reader),
    path("api/email", views.api_email),
    path("api/extra", views.api_extra),
    # Bearer-only and enforced by the middleware; no browser form posts here.
    path("documents/<str:doc_id>", csrf_exempt(views.document)),
    path("kc/", include("keycloak_sdk.extensions.django.urls")),
]
