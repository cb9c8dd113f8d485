from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from surveys.api_access import PUBLIC, HasApiScope

from .health import healthz

admin.site.site_header = "NPS loop"
admin.site.site_title = "NPS loop"
admin.site.index_title = "Answers, cases and follow-ups"


class PublicDocs:
    # The schema and its two viewers are public: they describe the API, hold
    # no data, and let an integrator read them before having a key.
    permission_classes = [HasApiScope]
    required_scopes = {"GET": PUBLIC}


class SchemaView(PublicDocs, SpectacularAPIView):
    pass


class SwaggerView(PublicDocs, SpectacularSwaggerView):
    pass


class RedocView(PublicDocs, SpectacularRedocView):
    pass


api_v1 = [
    path("", include("surveys.api_urls")),
    path("", include("followups.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("followups.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("surveys.urls")),
]

handler404 = "nps_project.api.not_found"
