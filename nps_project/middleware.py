"""Requests refused before any view sees them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBadRequest
from django.utils.translation import gettext as _

from .api import json_error


class RejectNulBytesMiddleware:
    """A NUL byte in the path or the query string is a 400.

    No browser or client sends one on purpose, PostgreSQL refuses it in any
    text value (a 500 in every filter, search box and report parameter), and
    cleaning it view by view would miss the next view. Form and JSON fields
    already refuse it (Django's and DRF's CharField validators).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = _("A request parameter contains a NUL character.")
            if request.path.startswith("/api/"):
                return json_error(400, "invalid", message)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
