"""How Delighted's clients authenticate and what their errors look like.

Delighted's clients send the key as the user name of HTTP Basic
authentication, with an empty password: ``key:`` from curl, and ``key``
without the colon from the official Python client. The key is one of this
product's API keys, with its scopes. Errors have Delighted's shape,
``{"status": 422, "message": "...", "errors": [...]}``, and its status codes
(invalid input is a 422, not a 400).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework import authentication, exceptions
from rest_framework.parsers import BaseParser, FormParser
from rest_framework.views import APIView

from nps_project.api import exception_handler
from nps_project.parsers import JSONParser
from surveys.api import api_throttles
from surveys.api_access import HasApiScope, caller_has_scope
from surveys.api_keys import api_key_find
from surveys.api_schema import ScopedAutoSchema
from surveys.audit import bind_request_actor
from surveys.departments import sees_department
from surveys.models import ApiKey, Survey

if TYPE_CHECKING:
    from rest_framework.authentication import BaseAuthentication
    from rest_framework.permissions import _PermissionClass

NO_SURVEY = (
    "No survey answers the Delighted API: set NPS_DELIGHTED_SURVEY to a survey's slug, "
    "or pass trend=<survey slug>."
)
UNKNOWN_SURVEY = "No survey with the slug '{slug}' (from {source})."


CROSS_SITE = (
    "A request sent by a browser from another site is refused: the API key must not be "
    "usable by pages a staff member visits."
)


class DelightedKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Basic base64(key)`` or ``base64(key:)``.

    Delighted's clients send the key with every request, unasked. A browser
    sends Basic credentials by itself once someone typed them into its prompt,
    also with forms other sites post: so no 401 here asks for Basic (which
    would make the browser prompt), and a request the browser marks as
    cross-site is refused."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"basic":
            return None
        if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
            raise exceptions.AuthenticationFailed(CROSS_SITE)
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the API key as the Basic user name.")
        try:
            decoded = base64.b64decode(parts[1], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise exceptions.AuthenticationFailed("Invalid API key.") from None
        key, _colon, password = decoded.partition(":")
        if password:
            raise exceptions.AuthenticationFailed(
                "Send the API key as the user name, with an empty password."
            )
        api_key = api_key_find(secret=key)
        if api_key is None:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        bind_request_actor(api_key.label)
        return api_key.user, api_key

    def authenticate_header(self, request):
        # A scheme browsers do not prompt for (see the class's docstring).
        return 'Key realm="Delighted API"'


class DelightedAutoSchema(ScopedAutoSchema):
    """Each path is served with and without ``.json``: one operation id each."""

    def get_operation_id(self):
        return super().get_operation_id().replace(".json", "_json")


def delighted_error(error: dict) -> tuple[int, dict]:
    """The project's error (``{"status", "code", "message", "fields"}``) as
    Delighted's: its status (invalid input is a 422) and body."""
    status = 422 if error["status"] == 400 else error["status"]
    body: dict = {"status": status, "message": error["message"]}
    if error.get("fields"):
        body["errors"] = [
            {"field": field, "message": message}
            for field, messages in error["fields"].items()
            for message in messages
        ]
    return status, body


def delighted_exception_handler(exc, context):
    """The project's handler (status codes, Retry-After, rollback), with the
    body in Delighted's shape."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    response.status_code, response.data = delighted_error(response.data["error"])
    return response


class DelightedView(APIView):
    # What every view of the compatible API shares. (Not a docstring: a
    # subclass without one would show it.)
    authentication_classes: Sequence[type[BaseAuthentication]] = [
        DelightedKeyAuthentication,
        *APIView.authentication_classes,
    ]
    permission_classes: Sequence[_PermissionClass] = [HasApiScope]
    parser_classes: Sequence[type[BaseParser]] = [JSONParser, FormParser]
    required_scopes: dict[str, str] = {}
    # Described in its own OpenAPI document (followups.delighted.schema), left
    # out of the product's own (main_schema_endpoints).
    schema = DelightedAutoSchema()

    def get_throttles(self):
        return api_throttles(super().get_throttles())

    def get_exception_handler(self):
        return delighted_exception_handler


def calling_key(request) -> ApiKey | None:
    """The API key of the request (None for a signed-in staff member)."""
    return request.auth if isinstance(request.auth, ApiKey) else None


def scope_require(request, scope: str, why: str) -> None:
    """Refuse (403) a request that needs ``scope`` beyond its method's."""
    if not caller_has_scope(request, scope):
        raise exceptions.PermissionDenied(f"{why} needs the '{scope}' API scope.")


def delighted_survey(trend: str | None = None, *, reader=None) -> Survey:
    """The survey a Delighted call works on: ``trend`` (a survey's slug) when
    given, else the ``NPS_DELIGHTED_SURVEY`` setting. Delighted had one
    survey per project; its trends were slices of it, here surveys. For a
    read, ``reader`` (the key's user) must see the survey's department: to
    them a survey of another department does not exist."""
    slug = (trend or "").strip()
    source = "trend"
    if not slug:
        slug, source = settings.NPS_DELIGHTED_SURVEY, "NPS_DELIGHTED_SURVEY"
    if not slug:
        raise exceptions.ValidationError({"trend": [NO_SURVEY]})
    survey = Survey.objects.filter(slug=slug).first()
    if survey is None or (reader is not None and not sees_department(reader, survey.department_id)):
        raise exceptions.ValidationError(
            {"trend": [UNKNOWN_SURVEY.format(slug=slug, source=source)]}
        )
    return survey
