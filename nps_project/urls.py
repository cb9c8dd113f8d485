from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from followups.dashboard import dashboard

from .health import healthz

admin.site.site_header = "NPS loop"
admin.site.site_title = "NPS loop"
admin.site.index_title = "Answers, cases and follow-ups"

api_v1 = [
    path("", include("surveys.api_urls")),
    path("", include("followups.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/dashboard/", admin.site.admin_view(dashboard), name="nps-dashboard"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("surveys.urls")),
]

handler404 = "nps_project.api.not_found"
