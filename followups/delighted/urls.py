"""Routes of Delighted's API (mounted at /api/delighted/: the docs page, the
OpenAPI document, and the API under v1/, whose routes are ``v1_urls``)."""

from django.urls import include, path

from . import schema, views
from .v1_urls import urlpatterns as v1

urlpatterns = [
    path("", views.DocsView.as_view(), name="docs"),
    path("v1/openapi.json", schema.DelightedSchemaView.as_view(), name="openapi"),
    path("v1/", include(v1)),
]
