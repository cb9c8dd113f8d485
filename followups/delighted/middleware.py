"""Errors answered before (or instead of) a view of the Delighted-compatible
API, in Delighted's shape: a NUL byte refused by the project's middleware, a
path that matches no route. The views answer in that shape themselves."""

from __future__ import annotations

import json

from django.http import JsonResponse

from .access import delighted_error

PREFIX = "/api/delighted/v1/"


class DelightedErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(PREFIX)
            or response.get("Content-Type") != "application/json"
            or getattr(response, "streaming", False)
        ):
            return response
        try:
            error = json.loads(response.content)["error"]
        except (ValueError, KeyError, TypeError):
            return response  # already Delighted's shape (a view's own answer)
        status, body = delighted_error(error)
        reshaped = JsonResponse(body, status=status)
        for header in ("Retry-After", "WWW-Authenticate"):
            if header in response:
                reshaped[header] = response[header]
        return reshaped
