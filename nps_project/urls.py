from django.contrib import admin
from django.urls import include, path

from .health import healthz

admin.site.site_header = "NPS loop"
admin.site.site_title = "NPS loop"
admin.site.index_title = "Answers, cases and follow-ups"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
