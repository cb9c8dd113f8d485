"""The customer-facing pages: answering a survey by its link, and unsubscribing.

A GET never writes: mail scanners and link previews fetch every link in an
email, so only a POST records anything: the page's own script, which posts the
score chosen in the email as the page opens (a person's browser runs it; a
scanner that fetches the link does not), or a person pressing the button.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import links, scanners, services
from .forms import CHOOSE_A_DRIVER, SCORES, CommentForm, ScoreForm, score_from_query
from .models import Brand, Channel, Customer, Invitation, Response, Survey, hash_token

logger = logging.getLogger(__name__)

# A customer who pressed "send" just before the link expired may still finish
# the follow-up question.
COMMENT_GRACE = timedelta(hours=1)
ANSWERABLE = (Survey.Status.ACTIVE, Survey.Status.PAUSED)


# --- Headers, throttling, language --------------------------------------------


def _content_security_policy() -> str:
    sources = "'self'"
    static = urlsplit(settings.STATIC_URL)
    if static.scheme and static.netloc:
        sources += f" {static.scheme}://{static.netloc}"
    return (
        f"default-src 'none'; style-src {sources}; script-src {sources}; img-src {sources}; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


def _private_page(view):
    """The link token (or signed id) is in the URL and the page shows personal
    data: no caching anywhere, no Referer to other sites, no indexing.

    "same-origin", not "no-referrer": under "no-referrer" browsers send
    ``Origin: null`` with the page's own form POST, and Django's CSRF check
    rightly refuses it. Other sites get no Referer either way.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Content-Security-Policy"] = _content_security_policy()
        return response

    return wrapped


def client_ip(request: HttpRequest) -> str:
    """The client's address: the one that reached us or, behind
    NPS_TRUSTED_PROXY_COUNT proxies, the one the outermost proxy saw."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.NPS_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        forwarded = [hop.strip() for hop in forwarded if hop.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    return address


def client_address(request: HttpRequest) -> str:
    """Who is asking, for throttles and login limits: ``client_ip``, with an
    IPv6 client as the first address of its /64 (one host usually has a whole
    /64 to pick from, so counting single addresses would count nothing).
    django-axes counts failed logins by it too."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # none, or not an address: as django-axes expects it
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def _too_many_posts(request: HttpRequest) -> bool:
    """Count this POST against its sender's budget for the current minute.

    Fails open: when the cache is down, an answer matters more than a limit.
    """
    limit = settings.NPS_PAGE_POSTS_PER_MINUTE
    key = f"surveys:posts:{client_address(request) or 'unknown'}:{int(time.time() // 60)}"
    try:
        cache.add(key, 0, timeout=90)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=90)
            count = 1
    except Exception:
        logger.warning("Page throttling is off: the cache did not answer.", exc_info=True)
        return False
    return count > limit


def _rate_limited(request: HttpRequest) -> HttpResponse:
    response = _render(request, "surveys/rate_limited.html", status=429)
    response["Retry-After"] = "60"
    return response


def _throttled(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST" and _too_many_posts(request):
            return _rate_limited(request)
        return view(request, *args, **kwargs)

    return wrapped


def _supported(language: str | None) -> str | None:
    if not language:
        return None
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        return None


def _survey_language(invitation: Invitation) -> str:
    return (
        _supported(invitation.customer.locale)
        or _supported(invitation.survey.default_locale)
        or settings.LANGUAGE_CODE
    )


def _render(request, template, context=None, *, language=None, status=200) -> HttpResponse:
    """Render in ``language`` (the customer's), or in the request's language."""
    language = language or translation.get_language()
    context = {**(context or {}), "brand": Brand.current()}
    with translation.override(language):
        response = render(request, template, context, status=status)
    response["Content-Language"] = language
    return response


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _not_found(request) -> HttpResponse:
    # One page for every link we cannot serve, so it reveals nothing about why.
    return _render(request, "surveys/not_found.html", status=404)


# --- The short link of an SMS ---------------------------------------------------

_CROCKFORD_READINGS = str.maketrans("oil", "011")


@_private_page
@require_safe
def short_link(request, code: str):
    """An SMS invitation's short link: a 302 to its survey page, which then
    shows what the full link would (the question, the answer, or that the
    survey closed). An unknown code gets the page of a bad survey link. Only
    GETs reach it, so there is nothing the survey pages' POST throttle would
    count; a code of 60 bits is not found by trying."""
    # Read as Crockford's base32 is read: a code copied by hand with an O
    # for the 0, or an I or L for the 1, is the same code.
    code = code.lower().translate(_CROCKFORD_READINGS)
    invitation = (
        Invitation.objects.filter(
            short_code_hash=hash_token(code), customer__erased_at__isnull=True
        )
        .only("nonce")
        .first()
        if len(code) == Invitation.SHORT_CODE_LENGTH
        else None
    )
    if invitation is None:
        return _not_found(request)
    return HttpResponseRedirect(invitation.get_absolute_url())


# --- The survey page ----------------------------------------------------------


class _Link:
    """What a survey link leads to: its invitation and, once answered, the answer."""

    def __init__(self, invitation: Invitation, response: Response | None):
        self.invitation = invitation
        self.response = response
        self.token = invitation.token
        self.language = _survey_language(invitation)
        self.question, self.follow_up_question = invitation.survey.text_for(self.language)
        self.driver_question = invitation.survey.driver_question_for(self.language)

    @property
    def drivers(self) -> list[tuple[str, str]]:
        """The driver question's choices as (key, label) in the customer's
        language; none when the survey asks none or the answer has one."""
        if not self.driver_question or (self.response and self.response.driver_id):
            return []
        return [
            (choice.key, choice.label_for(self.language))
            for choice in self.invitation.survey.drivers.active()
        ]

    def comment_form(self, data=None) -> CommentForm:
        return CommentForm(data, drivers=self.drivers)

    @property
    def closed(self) -> bool:
        """Closed for a new answer."""
        return self.invitation.is_expired() or self.invitation.survey.status not in ANSWERABLE

    @property
    def changeable(self) -> bool:
        return self.response is not None and self.response.is_changeable(timezone.now())

    @property
    def takes_comment(self) -> bool:
        if self.response is None or self.response.comment:
            return False
        return (
            not self.invitation.is_expired()
            or timezone.now() - self.response.submitted_at < COMMENT_GRACE
        )

    def url(self, name: str) -> str:
        return reverse(f"surveys:{name}", args=[self.token])


def _open_link(token: str) -> _Link | None:
    invitation = (
        Invitation.objects.select_related("survey", "customer")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None or invitation.customer.is_erased:
        return None
    response = Response.objects.filter(invitation=invitation).first()
    return _Link(invitation, response)


def _page(request, link: _Link, template: str, status: int = 200, **context) -> HttpResponse:
    customer = link.invitation.customer
    context = {
        "token": link.token,
        "question": link.question,
        "follow_up_question": link.follow_up_question,
        "driver_question": link.driver_question,
        "customer_name": customer.name,
        "response": link.response,
        "unsubscribe_link": None if customer.unsubscribed_at else links.unsubscribe_path(customer),
        # Unsubscribing stops texts too: whoever came from one is not asked
        # about "survey emails".
        "asked_by_sms": link.invitation.channel == Channel.SMS,
        **context,
    }
    return _render(request, template, context, language=link.language, status=status)


def _closed(request, link: _Link) -> HttpResponse:
    return _page(request, link, "surveys/closed.html", status=410)


def _answered(request, link: _Link) -> HttpResponse:
    if link.changeable:
        return _changeable_page(request, link, link.comment_form())
    comment_form = link.comment_form() if link.takes_comment else None
    return _page(request, link, "surveys/answered.html", comment_form=comment_form)


def _score_page(request, link: _Link, form: ScoreForm, selected: str | None) -> HttpResponse:
    return _page(
        request,
        link,
        "surveys/answer.html",
        form=form,
        scores=SCORES,
        selected=selected,
        record_url=link.url("record"),
        # Shown by the page's script once it has recorded the score.
        comment_form=link.comment_form(),
    )


def _changeable_page(request, link: _Link, comment_form: CommentForm) -> HttpResponse:
    """The answer recorded as the page opened: its score still changeable,
    the follow-up question below it."""
    assert link.response is not None  # noqa: S101 - only called for a recorded answer
    return _page(
        request,
        link,
        "surveys/answer.html",
        form=ScoreForm(),
        scores=SCORES,
        selected=str(link.response.score),
        record_url=link.url("record"),
        recorded_message=_recorded_message(link.response.score),
        comment_form=comment_form,
    )


def _recorded_message(score: int) -> str:
    return gettext(
        "Thank you — your score of %(score)s is recorded. You may change it or add a comment."
    ) % {"score": score}


def _link_opened(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )


def _record(link: _Link, score: int, *, changeable: bool) -> Response | None:
    """Record the answer of this link; None when it can no longer be."""
    invitation = link.invitation
    _link_opened(invitation)
    seconds = settings.NPS_ANSWER_CHANGE_SECONDS if changeable else 0
    try:
        recorded = services.response_record(
            survey=invitation.survey,
            customer=invitation.customer,
            score=score,
            channel=invitation.channel,
            invitation=invitation,
            locale=link.language,
            changeable_for=timedelta(seconds=seconds) if seconds > 0 else None,
        )
    except ValidationError:
        # The survey closed or the customer was erased since the page loaded.
        return None
    return recorded.response if recorded.created else None


@_private_page
@_throttled
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request, token: str):
    link = _open_link(token)
    if link is None:
        return _not_found(request)
    if link.response is not None:
        if request.method == "POST":
            return _answer_again(request, link)
        return _answered(request, link)
    if link.closed:
        return _closed(request, link)

    if request.method != "POST":
        return _score_page(request, link, ScoreForm(), score_from_query(request.GET.get("score")))

    form = ScoreForm(request.POST)
    if not form.is_valid():
        return _score_page(request, link, form, score_from_query(request.POST.get("score")))
    if _record(link, form.cleaned_data["score"], changeable=False) is None:
        link = _open_link(token) or link
        if link.response is None:
            return _closed(request, link)
        return _see_other(link.url("answer"))
    return _see_other(link.url("follow_up"))


def _answer_again(request, link: _Link) -> HttpResponse:
    """The score form sent for an answer already stored: a change while it may
    be changed, and otherwise nothing (the page says so)."""
    form = ScoreForm(request.POST)
    if link.changeable and form.is_valid():
        assert link.response is not None  # noqa: S101 - link.changeable says so
        services.response_score_change(response=link.response, score=form.cleaned_data["score"])
    return _see_other(link.url("answer"))


def _not_a_person(request, link: _Link) -> bool:
    """Whether the page's script ran in a scanner rather than for the customer."""
    return scanners.automated_agent(request.headers.get("User-Agent", "")) or scanners.too_soon(
        link.invitation.sent_at, timezone.now()
    )


def _score_json(link: _Link, *, status: int = 200, message: str = "") -> JsonResponse:
    response = link.response
    with translation.override(link.language):
        if response is not None and not message:
            message = (
                _recorded_message(response.score)
                if link.changeable
                else gettext(
                    "You gave us a score of %(score)s. There is nothing more you need to do."
                )
                % {"score": response.score}
            )
        data = {
            "score": response.score if response is not None else None,
            "changeable": link.changeable,
            "message": str(message),
        }
    return JsonResponse(data, status=status)


@_private_page
@_throttled
@require_POST
def record(request, token: str):
    """The page's script: the score chosen in the email, recorded as the page
    opens, and changed while it may be. Answers in JSON; the page works without
    it (the form posts to ``answer``)."""
    link = _open_link(token)
    if link is None:
        return JsonResponse({"message": ""}, status=404)
    form = ScoreForm(request.POST)
    if not form.is_valid():
        with translation.override(link.language):
            message = str(form.errors["score"][0])
        return _score_json(link, status=400, message=message)
    score = form.cleaned_data["score"]
    if link.response is None and _not_a_person(request, link):
        # A scanner that runs script, or one at the receiving server as the
        # email arrives: nothing is recorded, and the page's button still is.
        return JsonResponse({"score": None, "changeable": False, "message": ""}, status=202)
    if link.response is None and not link.closed:
        link.response = _record(link, score, changeable=True)
        link = _open_link(token) or link  # this call's answer, or the one that won the race
    if link.response is None:
        return JsonResponse({"message": ""}, status=410)
    if services.response_score_change(response=link.response, score=score):
        return _score_json(link)
    return _score_json(link, status=409)


@_private_page
@_throttled
@require_http_methods(["GET", "HEAD", "POST"])
def follow_up(request, token: str):
    link = _open_link(token)
    if link is None:
        return _not_found(request)
    if link.response is None:
        return _see_other(link.url("answer"))
    if not link.takes_comment:
        return _see_other(link.url("thanks"))

    if request.method != "POST":
        return _page(request, link, "surveys/follow_up.html", comment_form=link.comment_form())

    form = link.comment_form(request.POST)
    if form.is_valid() and not _driver_saved(link, form):
        form.add_error("driver", CHOOSE_A_DRIVER)
    if not form.is_valid():
        if link.changeable and request.POST.get("from") == "answer":
            return _changeable_page(request, link, form)
        template = "surveys/follow_up.html"
        if request.POST.get("from") == "answered":
            template = "surveys/answered.html"
        return _page(request, link, template, comment_form=form)
    services.response_comment_add(response=link.response, comment=form.cleaned_data["comment"])
    # The customer is done: an answer recorded as the page opened is final now.
    services.response_settle(response=link.response)
    return _see_other(link.url("thanks"))


def _driver_saved(link: _Link, form: CommentForm) -> bool:
    """Store the reason chosen, if any; False when it is no longer offered
    (deactivated since the page loaded)."""
    key = form.cleaned_data.get("driver")
    if not key:
        return True
    assert link.response is not None  # noqa: S101 - the follow-up needs an answer
    try:
        choice = services.driver_choice_find(survey=link.invitation.survey, value=key)
    except ValidationError:
        return False
    if choice is not None:
        services.response_driver_set(response=link.response, driver=choice)
    return True


@_private_page
@require_safe
def thanks(request, token: str):
    link = _open_link(token)
    if link is None:
        return _not_found(request)
    if link.response is None:
        return _see_other(link.url("answer"))
    return _page(request, link, "surveys/thanks.html")


# --- Unsubscribing ------------------------------------------------------------


def _mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


def _csrf_rejection(request: HttpRequest) -> HttpResponse | None:
    """Django's CSRF check, run by hand for a view that must also accept the
    token-less one-click POST of mail clients."""
    # Neither the response getter nor the view callback is ever called here:
    # only the checks run.
    check = CsrfViewMiddleware(lambda request: None)  # type: ignore[arg-type]
    check.process_request(request)
    return check.process_view(request, None, (), {})  # type: ignore[arg-type]


# Mail clients POST "List-Unsubscribe=One-Click" without any CSRF token
# (RFC 8058); the signed link itself proves the request is about this customer,
# and that one body is the only thing accepted without the page's token. Nor is
# it throttled: those POSTs come from a few mail providers' servers, and a lost
# unsubscribe is worse than the cost of checking a signature.
@csrf_exempt
@_private_page
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, signed: str):
    one_click = request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click"
    if request.method == "POST" and not one_click and _too_many_posts(request):
        return _rate_limited(request)
    customer = links.customer_for_unsubscribe_token(signed)
    if customer is None or customer.is_erased:
        return _not_found(request)
    language = _supported(customer.locale) or translation.get_language()

    if request.method == "POST":
        if not one_click:
            rejection = _csrf_rejection(request)
            if rejection is not None:
                return rejection
        services.customer_unsubscribe(customer=customer)
        if not one_click:
            return _see_other(request.path)
    return _unsubscribe_page(request, customer, language)


def _unsubscribe_page(request, customer: Customer, language: str) -> HttpResponse:
    context = {"customer": customer, "email": _mask_email(customer.email or "")}
    return _render(request, "surveys/unsubscribe.html", context, language=language)


# --- Errors -------------------------------------------------------------------


@_private_page
def csrf_failure(request, reason: str = "") -> HttpResponse:
    """A page a customer can act on when a form cannot be accepted (usually a
    browser that blocks cookies, or a page left open for too long). Enabled by
    ``CSRF_FAILURE_VIEW = "surveys.views.csrf_failure"``."""
    return _render(request, "surveys/csrf_failure.html", status=403)


# --- The brand's logo and colours ---------------------------------------------

# Both URLs change with what they serve (the logo's digest, the colours'
# version): a year of caching is safe.
BRAND_CACHE = "public, max-age=31536000, immutable"


@require_safe
def brand_logo(request: HttpRequest, digest: str) -> HttpResponse:
    """The brand's logo, for survey pages and emails: only the current one,
    served as the image type it was proven to be, never sniffed as anything else."""
    brand = Brand.current()
    if not brand.has_logo or digest != brand.logo_digest:
        return HttpResponse(status=404)
    response = HttpResponse(bytes(brand.logo), content_type=brand.logo_content_type)
    response["Cache-Control"] = BRAND_CACHE
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"  # mail clients show it
    return response


@require_safe
def brand_style(request: HttpRequest, version: str) -> HttpResponse:
    """The survey pages' brand colours, as a stylesheet (the pages' policy
    allows no inline style)."""
    brand = Brand.current()
    response = HttpResponse(brand.stylesheet(), content_type="text/css; charset=utf-8")
    if version == brand.style_version:
        response["Cache-Control"] = BRAND_CACHE
    else:  # an old page's link: today's colours, not kept
        response["Cache-Control"] = "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response
