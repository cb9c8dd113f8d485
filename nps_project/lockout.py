"""The page django-axes shows a login it refuses (AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.template.response import SimpleTemplateResponse, TemplateResponse


def locked_out(request, original_response, credentials) -> SimpleTemplateResponse:
    """429, in the admin's look and the user's language, saying for how long."""
    context = {
        **admin.site.each_context(request),
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    response = TemplateResponse(request, "admin/locked_out.html", context, status=429)
    return response.render()
