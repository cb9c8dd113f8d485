"""REST API routes of the followups app (mounted at /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import CaseViewSet
from .report_api import KpiView

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")

urlpatterns = [
    path("reports/kpis/", KpiView.as_view(), name="report-kpis"),
    *router.urls,
]
