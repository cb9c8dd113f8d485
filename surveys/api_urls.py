"""REST API routes of the surveys app (mounted at /api/v1/)."""

urlpatterns: list = []
