"""Pages of the followups app outside the REST API (mounted at the site root)."""

from django.contrib import admin
from django.urls import path

from followups.reporting.dashboard import dashboard

urlpatterns = [
    path("admin/dashboard/", admin.site.admin_view(dashboard), name="nps-dashboard"),
]
