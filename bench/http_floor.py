"""The floor of ``ingest.single_post``: the same server, middleware and
production settings as the API, serving one plain Django view that stores an
answer with one INSERT and nothing else: no authentication, permission,
throttle, validation, customer lookup, idempotency check or hand-off to
routing. Served by gunicorn with ``DJANGO_SETTINGS_MODULE=bench.http_floor_settings``.
"""

from __future__ import annotations

import json

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from surveys.models import Channel, Response


@csrf_exempt  # a token-authenticated API is exempt from CSRF too
@require_POST
def store_response(request):
    """``{"survey": <id>, "customer": <id>, "score", "comment",
    "idempotency_key"}`` -> 201 ``{"id": ...}``, trusting every value."""
    data = json.loads(request.body)
    row = Response.objects.create(
        survey_id=data["survey"],
        customer_id=data["customer"],
        score=data["score"],
        comment=data["comment"],
        channel=Channel.API,
        idempotency_key=data["idempotency_key"],
    )
    return JsonResponse({"id": row.pk}, status=201)


urlpatterns = [path("floor/responses/", store_response, name="floor-response")]
