"""The tracked link of a reward (``/r/<token>/``): record the request, then
send the visitor on to the reward's own page. The destination is always the
one stored on the reward, never anything from the request, so the link can
never be turned into an open redirect."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe

from followups.incentives.tracking import link_follow
from surveys.views import client_address

logger = logging.getLogger(__name__)


def _over_budget(request: HttpRequest) -> bool:
    """Whether this address has had more recorded requests this minute than
    ``NPS_LINK_CLICKS_PER_MINUTE``. Fails open: a cache down loses no visitor."""
    key = f"followups:link:{client_address(request) or 'unknown'}:{int(time.time() // 60)}"
    try:
        cache.add(key, 0, timeout=90)
        count = cache.incr(key)
    except Exception:
        logger.warning("Link throttling is off: the cache did not answer.", exc_info=True)
        return False
    return count > settings.NPS_LINK_CLICKS_PER_MINUTE


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    language = translation.get_language()
    response = render(request, "surveys/not_found.html", status=404)
    response["Content-Language"] = language
    return _private(response)


@require_safe
def reward_link(request: HttpRequest, token: str) -> HttpResponse:
    if _over_budget(request):
        target = link_follow(token=token, method="HEAD", user_agent="", record=False)
    else:
        target = link_follow(
            token=token,
            method=request.method or "GET",
            user_agent=request.headers.get("User-Agent", "")[:500],
        )
    if target is None:
        return _not_found(request)
    return _private(HttpResponseRedirect(target))
