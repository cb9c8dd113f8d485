"""The Delighted-compatible API's routes at their full path, as its OpenAPI
document reads them (named by string in ``schema.DelightedSchemaView``, so the
schema module imports no routes and the routes' views may import it)."""

from django.urls import include, path

urlpatterns = [path("api/delighted/v1/", include("followups.delighted.v1_urls"))]
