"""REST API routes of the followups app (mounted at /api/v1/)."""

urlpatterns: list = []
