"""``/healthz``: is the database answering, and is the broker?

Anyone may ask (load balancers do, without a login), so an anonymous answer
is only ``{"status": "ok"}`` or ``{"status": "degraded"}``: host names and
error text would map the network for an attacker. Staff see each check.
"""

from __future__ import annotations

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_broker() -> str:
    from nps_project.celery import app

    if app.conf.task_always_eager:
        return "in-process"
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


CHECKS = {"database": _check_database, "broker": _check_broker}


@never_cache
@require_GET
def healthz(request):
    results, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:
            healthy = False
            results[name] = f"unavailable ({type(exc).__name__}: {exc})"
    body = {"status": "ok" if healthy else "degraded"}
    if request.user.is_active and request.user.is_staff:
        body["checks"] = results
    return JsonResponse(body, status=200 if healthy else 503)
