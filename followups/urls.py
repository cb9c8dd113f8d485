"""Pages of the followups app outside the REST API (mounted at the site root)."""

from django.contrib import admin
from django.urls import path

from followups.incentives.views import reward_link
from followups.reporting.dashboard import dashboard

urlpatterns = [
    path("admin/dashboard/", admin.site.admin_view(dashboard), name="nps-dashboard"),
    path("r/<str:token>/", reward_link, name="reward-link"),
]
