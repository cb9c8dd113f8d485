"""Routes of the API's schema and viewers (mounted at /api/, names without a namespace)."""

from django.urls import path

from surveys.api_docs import RedocView, SchemaView, SwaggerView

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
