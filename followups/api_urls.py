"""REST API routes of the followups app (mounted at /api/v1/)."""

from rest_framework.routers import SimpleRouter

from .api import CaseViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")

urlpatterns = router.urls
