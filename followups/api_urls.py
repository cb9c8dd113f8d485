"""REST API routes of the followups app (mounted at /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from followups.cases.api import CaseViewSet
from followups.reporting.api import KpiView

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")

urlpatterns = [
    path("reports/kpis/", KpiView.as_view(), name="report-kpis"),
    *router.urls,
]
