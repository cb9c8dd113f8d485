"""Workflows of the loop: route an answer to its outcome, send the outbox,
and sweep up whatever a lost message left behind.

Every function here can run twice, concurrently, and still produce one
outcome and one email: the response row is locked and checked before routing,
the outcome tables have one row per response by constraint, emails are
claimed by a conditional update before the mail server is contacted, and no
transaction stays open while it is.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone, translation

from surveys import stats
from surveys.models import Response

from . import emails, roles, sla
from .models import (
    CaseEvent,
    FollowUpCase,
    GrantStatus,
    Offer,
    OfferGrant,
    OutboundEmail,
    Reward,
    RewardGrant,
    StaffProfile,
    SurveyIncentive,
    new_code,
)

logger = logging.getLogger(__name__)


class NothingToGrant(Exception):
    """No active offer or reward is configured for the survey, nor a default."""


# --- Routing ----------------------------------------------------------------


@dataclass
class RoutingResult:
    routed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    email_ids: list[int] = field(default_factory=list)


def customer_language(response: Response) -> str:
    return (
        response.customer.locale
        or response.locale
        or response.survey.default_locale
        or settings.LANGUAGE_CODE
    )


def format_when(moment: datetime, language: str) -> str:
    with translation.override(language):
        local = timezone.localtime(moment)
        return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def pick_owner(*, now: datetime):
    """Round-robin among active service staff who are not away: the person
    whose last automatic assignment is oldest gets the case."""
    user_model = get_user_model()
    candidates = list(
        user_model.objects.filter(is_active=True, groups__name=roles.SERVICE_STAFF)
        .exclude(staff_profile__is_away=True)
        .values_list("pk", flat=True)
    )
    if not candidates:
        return None
    StaffProfile.objects.bulk_create(
        [StaffProfile(user_id=pk) for pk in candidates], ignore_conflicts=True
    )
    profile = (
        StaffProfile.objects.select_for_update(skip_locked=True)
        .select_related("user")
        .filter(user_id__in=candidates)
        .order_by(F("last_assigned_at").asc(nulls_first=True), "user_id")
        .first()
    )
    if profile is None:  # every candidate is being assigned right now
        return None
    profile.last_assigned_at = now
    profile.save(update_fields=["last_assigned_at"])
    return profile.user


def _open_case(response: Response, now: datetime) -> tuple[FollowUpCase, dict]:
    survey = response.survey
    owner = pick_owner(now=now) if survey.auto_assign else None
    case = FollowUpCase.objects.create(
        response=response,
        survey=survey,
        customer=response.customer,
        priority=FollowUpCase.priority_for_score(response.score),
        owner=owner,
        created_at=now,
        due_at=sla.due_at(now, hours=survey.detractor_sla_hours),
    )
    events = [
        CaseEvent(
            case=case,
            kind=CaseEvent.Kind.CREATED,
            created_at=now,
            message=f"Opened for a score of {response.score}.",
            data={"score": response.score, "due_at": case.due_at.isoformat()},
        )
    ]
    if owner is not None:
        events.append(
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.ASSIGNED,
                created_at=now,
                message=f"Assigned automatically to {owner.get_username()}.",
                data={"owner_id": owner.pk, "automatic": True},
            )
        )
    CaseEvent.objects.bulk_create(events)
    language = customer_language(response)
    context = {
        "contact_name": (owner.first_name or owner.get_username()) if owner else "",
        "due": format_when(case.due_at, language),
        "case_id": case.pk,
    }
    return case, context


def _incentive(response: Response) -> SurveyIncentive | None:
    return SurveyIncentive.objects.filter(survey_id=response.survey_id).first()


def _grant_offer(response: Response, now: datetime) -> tuple[OfferGrant, dict]:
    incentive = _incentive(response)
    offer = incentive.offer if incentive and incentive.offer and incentive.offer.is_active else None
    offer = offer or Offer.objects.filter(is_default=True, is_active=True).first()
    if offer is None:
        raise NothingToGrant("No active offer for this survey and no default offer.")
    grant = OfferGrant.objects.create(
        response=response,
        customer=response.customer,
        offer=offer,
        code=new_code(offer.code_prefix),
        created_at=now,
        expires_at=now + timedelta(days=offer.valid_days),
    )
    language = customer_language(response)
    context = {
        "offer": offer.description,
        "code": grant.code,
        "expires": format_when(grant.expires_at, language),
    }
    return grant, context


def _grant_reward(response: Response, now: datetime) -> tuple[RewardGrant, dict]:
    incentive = _incentive(response)
    reward = (
        incentive.reward if incentive and incentive.reward and incentive.reward.is_active else None
    )
    reward = reward or Reward.objects.filter(is_default=True, is_active=True).first()
    if reward is None:
        raise NothingToGrant("No active reward for this survey and no default reward.")
    grant = RewardGrant.objects.create(
        response=response,
        customer=response.customer,
        reward=reward,
        code=new_code(reward.code_prefix) if reward.has_code else None,
        created_at=now,
        expires_at=now + timedelta(days=reward.valid_days),
    )
    language = customer_language(response)
    context = {
        "reward": reward.description,
        "kind": reward.kind,
        "points": reward.points,
        "link": reward.link,
        "code": grant.code,
        "expires": format_when(grant.expires_at, language) if reward.has_code else "",
    }
    return grant, context


OUTCOME_TEMPLATES = {
    stats.DETRACTOR: "apology",
    stats.PASSIVE: "offer",
    stats.PROMOTER: "reward",
}


def route_response(response_id: int) -> tuple[str, int | None]:
    """Give one answer its outcome. Returns (what happened, email id or None).

    The response row is locked, and routed only while ``routed_at`` is empty;
    the outcome, the outbox row and ``routed_at`` commit together.
    """
    with transaction.atomic():
        response = (
            Response.objects.select_for_update(of=("self",))
            .select_related("survey", "customer")
            .filter(pk=response_id, routed_at__isnull=True)
            .first()
        )
        if response is None:
            return "already routed", None
        now = timezone.now()
        customer = response.customer
        if response.is_excluded or customer.is_erased:
            Response.objects.filter(pk=response.pk).update(routed_at=now)
            return "skipped", None

        case_id = None
        if response.category == stats.DETRACTOR:
            case, context = _open_case(response, now)
            case_id = case.pk
        elif response.category == stats.PASSIVE:
            _, context = _grant_offer(response, now)
        else:
            _, context = _grant_reward(response, now)

        email = None
        if customer.is_reachable:
            template = OUTCOME_TEMPLATES[response.category]
            email = emails.email_queue(
                template=template,
                dedupe_key=f"response:{response.pk}:{template}",
                to_email=customer.email,
                language=customer_language(response),
                context={
                    **context,
                    "customer_name": customer.name,
                    "survey_name": response.survey.name,
                    "score": response.score,
                    "comment": response.comment,
                },
                customer=customer,
                response_id=response.pk,
                case_id=case_id,
            )
        if response.invitation_id:
            _link_resurvey_answer(response, now)
        Response.objects.filter(pk=response.pk).update(routed_at=now)
    return response.category, (email.pk if email else None)


def _link_resurvey_answer(response: Response, now: datetime) -> None:
    """An answer to a closed case's re-survey goes on that case's timeline."""
    case = FollowUpCase.objects.filter(resurvey_invitation_id=response.invitation_id).first()
    if case is not None:
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.RESURVEYED,
            created_at=now,
            message=f"The customer answered the re-survey: {response.score}/10.",
            data={"response_id": response.pk, "score": response.score},
        )


def route_responses(response_ids: Iterable[int]) -> RoutingResult:
    """Route a batch, each answer in its own transaction, then publish the
    batch's emails in one message."""
    result = RoutingResult()
    for response_id in response_ids:
        try:
            outcome, email_id = route_response(response_id)
        except NothingToGrant as exc:
            # Stays unrouted: the sweeper routes it once an offer or reward exists.
            logger.error("Response %s cannot be routed: %s", response_id, exc)
            result.failed.append(response_id)
            continue
        except IntegrityError:
            # A concurrent run created the outcome first; ours rolled back whole.
            logger.info("Response %s was routed concurrently.", response_id)
            result.skipped.append(response_id)
            continue
        if outcome in ("already routed", "skipped"):
            result.skipped.append(response_id)
        else:
            result.routed.append(response_id)
        if email_id is not None:
            result.email_ids.append(email_id)
    enqueue_sending(result.email_ids)
    return result


# --- Sending ----------------------------------------------------------------


def enqueue_sending(email_ids: Sequence[int], countdown: float | None = None) -> None:
    """Publish a send task after the current transaction commits. A broker
    failure is logged, not raised: the rows are queued and the sweeper finds them."""
    if not email_ids:
        return
    from .tasks import send_emails

    ids = list(email_ids)

    def publish():
        try:
            send_emails.apply_async((ids,), countdown=countdown)
        except Exception:
            logger.warning("Could not publish %d email(s); the sweeper will.", len(ids))

    transaction.on_commit(publish)


def retry_delay(attempts: int) -> float:
    """Exponential backoff with jitter, capped."""
    base = settings.NPS_EMAIL_RETRY_BASE_SECONDS
    ceiling = min(settings.NPS_EMAIL_RETRY_MAX_SECONDS, base * 2 ** max(attempts - 1, 0))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


def _claim(email_ids: Sequence[int], now: datetime) -> list[int]:
    claimed = []
    for email_id in email_ids:
        took = OutboundEmail.objects.filter(
            pk=email_id, status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now
        ).update(status=OutboundEmail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
        if took:
            claimed.append(email_id)
    return claimed


def _mark_sent(email: OutboundEmail) -> None:
    now = timezone.now()
    with transaction.atomic():
        took = OutboundEmail.objects.filter(
            pk=email.pk, status=OutboundEmail.Status.SENDING
        ).update(status=OutboundEmail.Status.SENT, sent_at=now, last_error="")
        if not took:
            return
        if email.response_id:
            for grant_model in (OfferGrant, RewardGrant):
                grant_model.objects.filter(
                    response_id=email.response_id, status=GrantStatus.ISSUED
                ).update(status=GrantStatus.SENT, sent_at=now)
        if email.case_id:
            CaseEvent.objects.create(
                case_id=email.case_id,
                kind=CaseEvent.Kind.EMAIL_SENT,
                actor_id=email.created_by_id,
                created_at=now,
                message=f"Email sent to {email.to_email}: {email.subject}",
                data={"email_id": email.pk, "template": email.template},
            )


def _mark_failed(email: OutboundEmail, reason: str) -> None:
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING).update(
        status=OutboundEmail.Status.FAILED, last_error=reason[:2000]
    )
    logger.warning("Email %s failed for good: %s", email.pk, reason)


def _requeue(email: OutboundEmail, reason: str) -> float | None:
    """Put a temporarily failed email back, or fail it once the cap is reached.
    Returns the delay before the next attempt, or None when it gave up."""
    if email.attempts >= settings.NPS_EMAIL_MAX_ATTEMPTS:
        _mark_failed(email, f"Gave up after {email.attempts} attempts. Last error: {reason}")
        return None
    delay = retry_delay(email.attempts)
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING).update(
        status=OutboundEmail.Status.QUEUED,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        last_error=reason[:2000],
        claimed_at=None,
    )
    return delay


def emails_send(email_ids: Sequence[int]) -> dict[int, float]:
    """Send a batch of queued emails over one SMTP connection.

    Returns {email id: delay in seconds} for those to try again later.
    """
    claimed = _claim(email_ids, timezone.now())
    if not claimed:
        return {}
    batch = OutboundEmail.objects.select_related("customer").in_bulk(claimed)
    retry: dict[int, float] = {}
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:
        for email in batch.values():
            if (delay := _requeue(email, emails.describe(exc))) is not None:
                retry[email.pk] = delay
        return retry
    try:
        for email in batch.values():
            try:
                emails.build_message(email, connection).send()
            except Exception as exc:
                reason = emails.describe(exc)
                if emails.is_permanent(exc):
                    _mark_failed(email, reason)
                elif (delay := _requeue(email, reason)) is not None:
                    retry[email.pk] = delay
            else:
                _mark_sent(email)
    finally:
        try:
            connection.close()
        except Exception:
            logger.debug("Closing the SMTP connection failed.", exc_info=True)
    return retry


# --- Sweeping ---------------------------------------------------------------


@dataclass
class SweepResult:
    responses: int = 0
    emails: int = 0
    unstuck: int = 0


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def sweep(*, now: datetime | None = None) -> SweepResult:
    """Re-publish work that the broker may have lost: responses still unrouted
    and emails still queued past a grace time, and emails stuck in "sending"
    (a worker died mid-send) long enough that their sender is surely gone."""
    from .tasks import route_responses, send_emails

    now = now or timezone.now()
    grace = timedelta(seconds=settings.NPS_SWEEP_GRACE_SECONDS)
    limit = settings.NPS_SWEEP_LIMIT
    result = SweepResult()

    stuck = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING,
        claimed_at__lt=now - timedelta(seconds=settings.NPS_EMAIL_STUCK_SECONDS),
    )
    stuck_ids = list(stuck.values_list("pk", flat=True)[:limit])
    # Conditional: a sender that finishes meanwhile keeps its result.
    result.unstuck = stuck.filter(pk__in=stuck_ids).update(
        status=OutboundEmail.Status.QUEUED, next_attempt_at=now, claimed_at=None
    )

    response_ids = list(
        Response.objects.filter(routed_at__isnull=True, created_at__lt=now - grace)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for chunk in _chunks(response_ids, settings.NPS_ROUTING_BATCH_SIZE):
        route_responses.delay(chunk)
    result.responses = len(response_ids)

    email_ids = list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.QUEUED, next_attempt_at__lt=now - grace
        )
        .exclude(pk__in=stuck_ids)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    # Emails just released are due at once, not after the grace time.
    email_ids += stuck_ids
    for chunk in _chunks(email_ids, settings.NPS_EMAIL_BATCH_SIZE):
        send_emails.delay(chunk)
    result.emails = len(email_ids)
    if result.responses or result.emails or result.unstuck:
        logger.info(
            "Sweep re-published %d response(s), %d email(s); %d stuck email(s) released.",
            result.responses,
            result.emails,
            result.unstuck,
        )
    return result
