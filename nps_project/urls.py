"""The site's URLs: the admin, the API and its docs, the survey pages, each app's by include."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from .health import healthz

# "NPS loop" is the product's name, the same in every language; the index's
# title is words, in the reader's.
admin.site.site_header = "NPS loop"
admin.site.site_title = "NPS loop"
admin.site.index_title = _("Answers, cases and follow-ups")


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
    path("api/", include("surveys.api_docs_urls")),
    path(
        "api/delighted/", include(("followups.delighted.urls", "delighted"), namespace="delighted")
    ),
    path("", include("surveys.urls")),
]

handler404 = "nps_project.api.not_found"
