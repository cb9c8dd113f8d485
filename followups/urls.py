"""Pages of the followups app outside the REST API (mounted at the site root)."""

from django.contrib import admin
from django.urls import path

from followups.incentives.views import reward_link
from followups.replies.sms_views import http_inbound, http_status, twilio_inbound, twilio_status
from followups.reporting.dashboard import dashboard

urlpatterns = [
    path("admin/dashboard/", admin.site.admin_view(dashboard), name="nps-dashboard"),
    path("r/<str:token>/", reward_link, name="reward-link"),
    path("sms/inbound/twilio/", twilio_inbound, name="sms-inbound-twilio"),
    path("sms/inbound/http/", http_inbound, name="sms-inbound-http"),
    path("sms/status/twilio/", twilio_status, name="sms-status-twilio"),
    path("sms/status/http/", http_status, name="sms-status-http"),
]
