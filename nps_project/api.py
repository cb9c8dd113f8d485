"""What every REST API error looks like, whichever app raised it.

Every 4xx answer has one shape, so a client needs one error parser::

    {"error": {"status": 400, "code": "invalid", "message": "score: ...",
               "fields": {"score": ["..."], "customer.email": ["..."]}}}

``fields`` maps a dotted path into the request body (``customer.email``,
``responses.3.score``) to its messages; it is empty when the error is not about
the input.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def field_errors(error: DjangoValidationError, prefix: str = "") -> dict[str, list[str]]:
    """A Django ``ValidationError`` as ``{dotted field path: [messages]}``.

    Errors about the whole object (``__all__``, or a message without a field)
    go to ``prefix``, or to ``non_field_errors`` at the top level.
    """
    whole = prefix or api_settings.NON_FIELD_ERRORS_KEY
    if not hasattr(error, "error_dict"):
        return {whole: list(error.messages)}
    errors: dict[str, list[str]] = {}
    for field, messages in error.message_dict.items():
        key = whole if field == NON_FIELD_ERRORS else f"{prefix}.{field}" if prefix else field
        errors.setdefault(key, []).extend(messages)
    return errors


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as ``{dotted path: [messages]}``."""
    whole = prefix or api_settings.NON_FIELD_ERRORS_KEY
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            key = str(key)
            if key in (api_settings.NON_FIELD_ERRORS_KEY, NON_FIELD_ERRORS):
                path = whole
            else:
                path = f"{prefix}.{key}" if prefix else key
            for path_, messages in flatten_errors(value, path).items():
                flat.setdefault(path_, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            if detail:
                flat[whole] = [str(item) for item in detail]
        else:
            # A list of per-item errors (a ListField or many=True): index the path.
            for index, item in enumerate(detail):
                for path_, messages in flatten_errors(item, f"{prefix}.{index}").items():
                    flat.setdefault(path_, []).extend(messages)
    else:
        flat[whole] = [str(detail)]
    return flat


class Conflict(exceptions.ValidationError):
    """409: the input contradicts stored data; ``fields`` names where."""

    status_code = 409
    default_code = "conflict"


def _error_code(exc: exceptions.APIException) -> str:
    if isinstance(exc, Conflict):
        return Conflict.default_code
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def _message(exc: exceptions.APIException, fields: dict[str, list[str]]) -> str:
    if not isinstance(exc, exceptions.ValidationError):
        return str(exc.detail)
    if not fields:
        return "Invalid input."
    path, messages = next(iter(fields.items()))
    more = f" (and {len(fields) - 1} more field errors)" if len(fields) > 1 else ""
    if path == api_settings.NON_FIELD_ERRORS_KEY:
        return f"{messages[0]}{more}"
    return f"{path}: {messages[0]}{more}"


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is larger than this server accepts."
    default_code = "too_large"


def exception_handler(exc, context):
    """DRF's handler (status, WWW-Authenticate, Retry-After, rollback), with
    the body rewritten into the one error shape. A Django ``ValidationError``
    that escaped a view is a 400 too, never a 500."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(field_errors(exc))
    elif isinstance(exc, RequestDataTooBig):
        # Django's own answer would be an HTML 400 page.
        exc = PayloadTooLarge(
            f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
        )

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    fields = flatten_errors(exc.detail) if isinstance(exc, exceptions.ValidationError) else {}
    response.data = {
        "error": {
            "status": response.status_code,
            "code": _error_code(exc),
            "message": _message(exc, fields),
            "fields": fields,
        }
    }
    return response


def json_error(status: int, code: str, message: str) -> JsonResponse:
    """The one error shape, for answers given outside a DRF view."""
    body = {"error": {"status": status, "code": code, "message": message, "fields": {}}}
    return JsonResponse(body, status=status)


def not_found(request, exception=None):
    """404 for the whole site: the API's JSON error shape under /api/, the
    usual page elsewhere."""
    if request.path.startswith("/api/"):
        return json_error(404, "not_found", "There is nothing at this address.")
    return page_not_found(request, exception)
