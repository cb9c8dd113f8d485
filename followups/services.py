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
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import formats, timezone, translation

from surveys import stats
from surveys.models import Response, Wave, WaveChunk
from surveys.text import single_line

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
    excluded: list[int] = field(default_factory=list)  # skipped: excluded or erased
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


OUTCOME_TEMPLATES = {
    stats.DETRACTOR: "apology",
    stats.PASSIVE: "offer",
    stats.PROMOTER: "reward",
}


def route_response(response_id: int) -> tuple[str, int | None]:
    """Route one answer: ("routed" | "skipped" | "already routed", email id).
    Raises NothingToGrant when no offer or reward is configured for it."""
    result = _route_batch([response_id])
    if result.failed:
        raise NothingToGrant(f"No active offer or reward for response {response_id}.")
    if result.routed:
        return "routed", (result.email_ids[0] if result.email_ids else None)
    return ("skipped" if result.excluded else "already routed"), None


def route_responses(response_ids: Iterable[int]) -> RoutingResult:
    """Route a batch in one transaction with a handful of bulk queries, then
    publish the batch's emails in one message.

    Rows another worker holds are skipped, not waited for (it routes them); if
    the batch hits a constraint (a concurrent router on a database without row
    locks), each answer is routed on its own instead.
    """
    ids = list(response_ids)
    try:
        result = _route_batch(ids)
    except IntegrityError:
        logger.info("Batch of %d collided with a concurrent router; one by one.", len(ids))
        result = _route_one_by_one(ids)
    enqueue_sending(result.email_ids)
    return result


def _route_one_by_one(ids: list[int]) -> RoutingResult:
    result = RoutingResult()
    for response_id in ids:
        try:
            outcome, email_id = route_response(response_id)
        except NothingToGrant as exc:
            # Stays unrouted: the sweeper routes it once an offer or reward exists.
            logger.error("Response %s cannot be routed: %s", response_id, exc)
            result.failed.append(response_id)
            continue
        except IntegrityError:
            # A concurrent run created the outcome first; ours rolled back whole.
            result.skipped.append(response_id)
            continue
        if outcome == "routed":
            result.routed.append(response_id)
        else:
            result.skipped.append(response_id)
        if email_id is not None:
            result.email_ids.append(email_id)
    return result


class _Catalogue:
    """The offer and reward each survey grants, read once per batch."""

    def __init__(self, survey_ids) -> None:
        self.by_survey = {
            i.survey_id: i
            for i in SurveyIncentive.objects.filter(survey_id__in=survey_ids).select_related(
                "offer", "reward"
            )
        }
        self._defaults: dict[str, object] = {}

    def _default(self, model):
        key = model.__name__
        if key not in self._defaults:
            self._defaults[key] = model.objects.filter(is_default=True, is_active=True).first()
        return self._defaults[key]

    def offer(self, survey_id) -> Offer | None:
        incentive = self.by_survey.get(survey_id)
        chosen = incentive.offer if incentive and incentive.offer else None
        return chosen if chosen and chosen.is_active else self._default(Offer)

    def reward(self, survey_id) -> Reward | None:
        incentive = self.by_survey.get(survey_id)
        chosen = incentive.reward if incentive and incentive.reward else None
        return chosen if chosen and chosen.is_active else self._default(Reward)


def _route_batch(ids: list[int]) -> RoutingResult:
    result = RoutingResult()
    with transaction.atomic():
        responses = list(
            Response.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("survey", "customer")
            .filter(pk__in=set(ids), routed_at__isnull=True)
            .order_by("pk")
        )
        now = timezone.now()
        catalogue = _Catalogue({r.survey_id for r in responses})
        done: set[int] = set()
        failed: set[int] = set()
        cases, offer_grants, reward_grants, outcomes = [], [], [], []
        for response in responses:
            customer = response.customer
            if response.is_excluded or customer.is_erased:
                done.add(response.pk)
                continue
            if response.category == stats.DETRACTOR:
                survey = response.survey
                owner = pick_owner(now=now) if survey.auto_assign else None
                case = FollowUpCase(
                    response=response,
                    survey=survey,
                    customer=customer,
                    priority=FollowUpCase.priority_for_score(response.score),
                    owner=owner,
                    created_at=now,
                    due_at=sla.due_at(now, hours=survey.detractor_sla_hours),
                )
                cases.append(case)
                outcomes.append((response, case))
            elif response.category == stats.PASSIVE:
                offer = catalogue.offer(response.survey_id)
                if offer is None:
                    failed.add(response.pk)
                    continue
                grant = OfferGrant(
                    response=response,
                    survey_id=response.survey_id,
                    customer=customer,
                    offer=offer,
                    code=new_code(offer.code_prefix),
                    created_at=now,
                    expires_at=now + timedelta(days=offer.valid_days),
                )
                offer_grants.append(grant)
                outcomes.append((response, grant))
            else:
                reward = catalogue.reward(response.survey_id)
                if reward is None:
                    failed.add(response.pk)
                    continue
                grant = RewardGrant(
                    response=response,
                    survey_id=response.survey_id,
                    customer=customer,
                    reward=reward,
                    code=new_code(reward.code_prefix) if reward.has_code else None,
                    created_at=now,
                    expires_at=now + timedelta(days=reward.valid_days),
                )
                reward_grants.append(grant)
                outcomes.append((response, grant))
            done.add(response.pk)

        FollowUpCase.objects.bulk_create(cases)
        OfferGrant.objects.bulk_create(offer_grants)
        RewardGrant.objects.bulk_create(reward_grants)
        CaseEvent.objects.bulk_create(_opening_events(cases, now))

        outbox = [
            _outcome_email(response, outcome)
            for response, outcome in outcomes
            if response.customer.is_reachable
        ]
        OutboundEmail.objects.bulk_create(outbox)
        _link_resurvey_answers([r for r in responses if r.invitation_id], now)
        Response.objects.filter(pk__in=done).update(routed_at=now)

    for pk in failed:
        logger.error("Response %s cannot be routed: no active offer or reward configured.", pk)
    by_id = {r.pk: r for r in responses}
    for response_id in ids:
        if response_id in failed:
            result.failed.append(response_id)
        elif response_id in done:
            response = by_id[response_id]
            if response.is_excluded or response.customer.is_erased:
                result.skipped.append(response_id)
                result.excluded.append(response_id)
            else:
                result.routed.append(response_id)
            done.discard(response_id)  # a repeated id in the batch is "already routed"
        else:
            result.skipped.append(response_id)
    result.email_ids = [email.pk for email in outbox]
    return result


def _opening_events(cases: list[FollowUpCase], now: datetime) -> list[CaseEvent]:
    events = []
    for case in cases:
        events.append(
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.CREATED,
                created_at=now,
                message=f"Opened for a score of {case.response.score}.",
                data={"score": case.response.score, "due_at": case.due_at.isoformat()},
            )
        )
        if case.owner is not None:
            events.append(
                CaseEvent(
                    case=case,
                    kind=CaseEvent.Kind.ASSIGNED,
                    created_at=now,
                    message=f"Assigned automatically to {case.owner.get_username()}.",
                    data={"owner_id": case.owner.pk, "automatic": True},
                )
            )
    return events


def _outcome_context(response: Response, outcome) -> dict:
    language = customer_language(response)
    if isinstance(outcome, FollowUpCase):
        owner = outcome.owner
        return {
            "contact_name": (owner.first_name or owner.get_username()) if owner else "",
            "due": format_when(outcome.due_at, language),
            "case_id": outcome.pk,
        }
    if isinstance(outcome, OfferGrant):
        return {
            "offer": outcome.offer.description,
            "code": outcome.code,
            "expires": format_when(outcome.expires_at, language),
        }
    reward = outcome.reward
    return {
        "reward": reward.description,
        "kind": reward.kind,
        "points": reward.points,
        "link": reward.link,
        "code": outcome.code,
        "expires": format_when(outcome.expires_at, language) if reward.has_code else "",
    }


def _outcome_email(response: Response, outcome) -> OutboundEmail:
    """The outbox row for an outcome, rendered in the customer's language."""
    template = OUTCOME_TEMPLATES[response.category]
    language = customer_language(response)
    rendered = emails.render(
        template,
        language,
        {
            **_outcome_context(response, outcome),
            # Clean again: a row stored before names were cleaned may hold a
            # line break, which would forge a line of the email.
            "customer_name": single_line(response.customer.name),
            "survey_name": response.survey.name,
            "score": response.score,
            "comment": response.comment,
        },
    )
    return OutboundEmail(
        dedupe_key=f"response:{response.pk}:{template}",
        template=template,
        language=language,
        to_email=response.customer.email,
        customer=response.customer,
        response=response,
        case=outcome if isinstance(outcome, FollowUpCase) else None,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
    )


def _link_resurvey_answers(responses: list[Response], now: datetime) -> None:
    """Answers to a closed case's re-survey go on that case's timeline."""
    if not responses:
        return
    cases = dict(
        FollowUpCase.objects.filter(
            resurvey_invitation_id__in=[r.invitation_id for r in responses]
        ).values_list("resurvey_invitation_id", "pk")
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case_id=cases[r.invitation_id],
            kind=CaseEvent.Kind.RESURVEYED,
            created_at=now,
            message=f"The customer answered the re-survey: {r.score}/10.",
            data={"response_id": r.pk, "score": r.score},
        )
        for r in responses
        if r.invitation_id in cases
    )


# --- Sending ----------------------------------------------------------------


def enqueue_sending(email_ids: Sequence[int], countdown: float | None = None) -> None:
    """Publish send tasks, NPS_EMAIL_BATCH_SIZE emails each (so several email
    workers share a burst), after the current transaction commits. A broker
    failure is logged, not raised: the rows are queued and the sweeper finds them."""
    if not email_ids:
        return
    from .tasks import send_emails

    ids = list(email_ids)

    def publish():
        try:
            for chunk in _chunks(ids, settings.NPS_EMAIL_BATCH_SIZE):
                send_emails.apply_async((chunk,), countdown=countdown)
        except Exception:
            logger.warning("Could not publish %d email(s); the sweeper will.", len(ids))

    transaction.on_commit(publish)


def retry_delay(attempts: int) -> float:
    """Exponential backoff with jitter, capped."""
    base = settings.NPS_EMAIL_RETRY_BASE_SECONDS
    ceiling = min(settings.NPS_EMAIL_RETRY_MAX_SECONDS, base * 2 ** max(attempts - 1, 0))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


def _without_waiting_for_the_disk() -> None:
    """Let the current transaction commit without waiting for PostgreSQL to
    flush its log to disk (``SET LOCAL synchronous_commit = off``: this
    transaction only, whatever pooler sits in between). Used for the sender's
    own bookkeeping (claim, "accepted", "sent"), where waiting would cost a disk
    flush per message, more than sending it. What it risks: if PostgreSQL
    itself crashes, the last fraction of a second of that bookkeeping is
    undone, and those emails go out once more, with the same Message-ID.
    Nothing is lost: the queued rows were committed, durably, by whoever
    queued them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


# A message is at most four round trips to the mail server (MAIL, RCPT, DATA,
# the end of the data), opening a connection at least three (connect and
# greeting, EHLO, STARTTLS or AUTH), each bounded by EMAIL_TIMEOUT.
SMTP_ROUND_TRIPS_PER_MESSAGE = 4
SMTP_ROUND_TRIPS_TO_OPEN = 3
LEASE_MARGIN_SECONDS = 5.0  # the sender's own bookkeeping around the messages


def email_lease_seconds(*, smtp_timeout: float, messages: int, cap: float) -> float:
    """How long a sender holds the emails it claimed before the sweeper takes
    them for lost: time to open a connection and send ``messages`` messages to
    a mail server at its slowest, at most ``cap``; but never less than opening
    and one message need, or a sender could lose an email it is still sending."""
    one_message = smtp_timeout * SMTP_ROUND_TRIPS_PER_MESSAGE
    opening = smtp_timeout * SMTP_ROUND_TRIPS_TO_OPEN
    batch = LEASE_MARGIN_SECONDS + opening + one_message * max(messages, 1)
    return max(min(batch, cap), LEASE_MARGIN_SECONDS + opening + one_message)


def email_lease_running_out(
    *, lease_expires_at: datetime, now: datetime, smtp_timeout: float
) -> bool:
    """Whether the next message might outlast the lease: then it is renewed first."""
    needed = LEASE_MARGIN_SECONDS + smtp_timeout * SMTP_ROUND_TRIPS_PER_MESSAGE
    return lease_expires_at - now < timedelta(seconds=needed)


def _lease_until(now: datetime, messages: int) -> datetime:
    seconds = email_lease_seconds(
        smtp_timeout=settings.EMAIL_TIMEOUT,
        messages=messages,
        cap=settings.NPS_EMAIL_LEASE_MAX_SECONDS,
    )
    return now + timedelta(seconds=seconds)


def _claim(email_ids: Sequence[int], now: datetime) -> list[int]:
    """Take the emails that are still queued and due, so no other sender can,
    for a lease (``email_lease_seconds``). Rows another sender is claiming
    right now are skipped, not waited for."""
    with transaction.atomic():
        _without_waiting_for_the_disk()
        claimable = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk__in=email_ids, status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now)
            .values_list("pk", flat=True)
        )
        OutboundEmail.objects.filter(pk__in=claimable).update(
            status=OutboundEmail.Status.SENDING,
            claimed_at=now,
            lease_expires_at=_lease_until(now, len(claimable)),
            attempts=F("attempts") + 1,
        )
    return claimable


def _renew_lease(email_ids: Sequence[int], claimed_at: datetime) -> tuple[set[int], datetime]:
    """Extend the lease of the emails this sender still holds (claimed at
    ``claimed_at``, not yet sent); returns them and the new expiry. An email
    the sweeper took back meanwhile is another sender's now: not returned."""
    now = timezone.now()
    until = _lease_until(now, len(email_ids))
    held = OutboundEmail.objects.filter(
        pk__in=email_ids,
        status=OutboundEmail.Status.SENDING,
        claimed_at=claimed_at,
        sent_at__isnull=True,
    )
    with transaction.atomic():
        _without_waiting_for_the_disk()
        ids = set(held.select_for_update().values_list("pk", flat=True))
        OutboundEmail.objects.filter(pk__in=ids).update(lease_expires_at=until)
    return ids, until


# What a sent email changes besides its own row, by template.
GRANT_OF_TEMPLATE = {"offer": OfferGrant, "reward": RewardGrant}


def _mark_accepted(email: OutboundEmail) -> None:
    """Record, at once, that the mail server took the message. A worker killed
    between the server's "250 OK" and this commit makes the email go out twice
    (with the same Message-ID); everything else waits for ``_finish_sent``. A
    row "sending" with ``sent_at`` set is never sent again, only finished (see
    ``sweep``)."""
    with transaction.atomic():
        _without_waiting_for_the_disk()
        OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING).update(
            sent_at=timezone.now()
        )


def _finish_sent(email_ids: Sequence[int]) -> int:
    """The bookkeeping of accepted emails, for a whole batch in one transaction:
    the row becomes "sent", an offer or reward becomes "sent" with it, and a
    case gets its "email sent" event. Safe to run twice or concurrently (the
    sweeper finishes what a killed worker left): only rows still "sending"
    are taken, under a row lock. Returns how many it finished."""
    if not email_ids:
        return 0
    with transaction.atomic():
        _without_waiting_for_the_disk()
        accepted = list(
            OutboundEmail.objects.select_for_update()
            .filter(pk__in=email_ids, status=OutboundEmail.Status.SENDING, sent_at__isnull=False)
            .order_by("pk")  # one lock order for the sender and the sweeper
            .values(
                "pk",
                "template",
                "response_id",
                "case_id",
                "created_by_id",
                "customer_id",
                "to_email",
                "subject",
                "sent_at",
            )
        )
        if not accepted:
            return 0
        OutboundEmail.objects.filter(pk__in=[row["pk"] for row in accepted]).update(
            status=OutboundEmail.Status.SENT, last_error=""
        )
        for template, grant_model in GRANT_OF_TEMPLATE.items():
            response_ids = [
                row["response_id"]
                for row in accepted
                if row["template"] == template and row["response_id"]
            ]
            if response_ids:
                # The grant was sent when its email was.
                sent_at = OutboundEmail.objects.filter(
                    response_id=OuterRef("response_id"),
                    template=template,
                    status=OutboundEmail.Status.SENT,
                ).values("sent_at")[:1]
                grant_model.objects.filter(
                    response_id__in=response_ids, status=GrantStatus.ISSUED
                ).update(status=GrantStatus.SENT, sent_at=Subquery(sent_at))
        CaseEvent.objects.bulk_create(
            CaseEvent(
                case_id=row["case_id"],
                kind=CaseEvent.Kind.EMAIL_SENT,
                actor_id=row["created_by_id"],
                created_at=row["sent_at"],
                message=_email_sent_message(row),
                data={"email_id": row["pk"], "template": row["template"]},
            )
            for row in accepted
            if row["case_id"]
        )
    return len(accepted)


def _email_sent_message(row: dict) -> str:
    # The case names its customer; the timeline need not repeat their address.
    recipient = "the customer" if row["customer_id"] else row["to_email"]
    return f"Email sent to {recipient}: {row['subject']}"


def _mark_failed(email: OutboundEmail, reason: str) -> None:
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING).update(
        status=OutboundEmail.Status.FAILED, last_error=reason[:2000]
    )
    # Log lines cannot be erased later: the row's id, never the address (which
    # the mail server's reply often quotes).
    # Replies echo it in any case, often inside <...>.
    logged = (
        re.sub(re.escape(email.to_email), "<recipient>", reason, flags=re.IGNORECASE)
        if email.to_email
        else reason
    )
    logger.warning("Email %s (%s) failed for good: %s", email.pk, email.template, logged)


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
        lease_expires_at=None,
    )
    return delay


def emails_send(email_ids: Sequence[int]) -> dict[int, float]:
    """Send a batch of queued emails over one SMTP connection.

    Each accepted message is recorded at once (``_mark_accepted``); the rest
    of the bookkeeping is done for the whole batch at the end
    (``_finish_sent``). Returns {email id: delay in seconds} for those to try
    again later.
    """
    claimed_at = timezone.now()
    claimed = _claim(email_ids, claimed_at)
    if not claimed:
        return {}
    batch = OutboundEmail.objects.select_related("customer").in_bulk(claimed)
    lease_expires_at = _lease_until(claimed_at, len(claimed))
    retry: dict[int, float] = {}
    smtp = get_connection(fail_silently=False)
    try:
        smtp.open()
    except Exception as exc:
        for email in batch.values():
            if (delay := _requeue(email, emails.describe(exc))) is not None:
                retry[email.pk] = delay
        return retry
    accepted: list[int] = []
    try:
        emails_left = list(batch.values())
        while emails_left:
            email = emails_left[0]
            if email_lease_running_out(
                lease_expires_at=lease_expires_at,
                now=timezone.now(),
                smtp_timeout=settings.EMAIL_TIMEOUT,
            ):
                held, lease_expires_at = _renew_lease([e.pk for e in emails_left], claimed_at)
                emails_left = [e for e in emails_left if e.pk in held]
                continue
            del emails_left[0]
            try:
                emails.build_message(email, smtp).send()
            except Exception as exc:
                reason = emails.describe(exc)
                if emails.is_permanent(exc):
                    _mark_failed(email, reason)
                elif (delay := _requeue(email, reason)) is not None:
                    retry[email.pk] = delay
            else:
                _mark_accepted(email)
                accepted.append(email.pk)
    finally:
        try:
            smtp.close()
        except Exception:
            logger.debug("Closing the SMTP connection failed.", exc_info=True)
        # Also after an error mid-batch: what the server took is recorded as sent.
        _finish_sent(accepted)
    return retry


# --- Sweeping ---------------------------------------------------------------


@dataclass
class SweepResult:
    responses: int = 0
    emails: int = 0
    unstuck: int = 0
    finished: int = 0  # accepted by the mail server, bookkeeping done by the sweep
    waves: int = 0  # wave scheduler and chunk tasks re-published


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def sweep(*, now: datetime | None = None) -> SweepResult:
    """Re-publish work that the broker may have lost: responses still unrouted
    and emails still queued past a grace time, and emails still "sending"
    past their sender's lease (a worker died mid-send: see ``_claim``).
    Emails the mail server had accepted when their sender died are recorded as
    sent instead, so they do not go out twice."""
    from .tasks import route_responses, send_emails

    now = now or timezone.now()
    grace = timedelta(seconds=settings.NPS_SWEEP_GRACE_SECONDS)
    limit = settings.NPS_SWEEP_LIMIT
    result = SweepResult()

    # Accepted by the mail server, but the sender died before its bookkeeping:
    # finished here, never sent again.
    accepted_ids = list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.SENDING, sent_at__lt=now - grace
        ).values_list("pk", flat=True)[:limit]
    )
    for chunk in _chunks(accepted_ids, settings.NPS_EMAIL_BATCH_SIZE):
        result.finished += _finish_sent(chunk)

    stuck = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING, sent_at__isnull=True, lease_expires_at__lt=now
    )
    stuck_ids = list(stuck.values_list("pk", flat=True)[:limit])
    # Conditional: a sender that finishes meanwhile keeps its result.
    result.unstuck = stuck.filter(pk__in=stuck_ids).update(
        status=OutboundEmail.Status.QUEUED,
        next_attempt_at=now,
        claimed_at=None,
        lease_expires_at=None,
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
    result.waves = _sweep_waves(now=now, grace=grace, limit=limit)
    if result.responses or result.emails or result.unstuck or result.finished or result.waves:
        logger.info(
            "Sweep re-published %d response(s), %d email(s), %d wave task(s); "
            "%d stuck email(s) released, %d accepted email(s) recorded as sent.",
            result.responses,
            result.emails,
            result.waves,
            result.unstuck,
            result.finished,
        )
    return result


def _sweep_waves(*, now: datetime, grace: timedelta, limit: int) -> int:
    """Re-publish the rest of each wave that made no progress for the grace
    time (its scheduler message, or the chunks not done: some message of it
    was lost, or a worker died with it). Claimed by a conditional update of the
    wave's progress time, so a wave is re-published once per grace time, and
    by one sweeper. A chunk published twice does its work once."""
    from .tasks import schedule_wave, send_wave_chunk

    published = 0
    stalled = Wave.objects.filter(finished_at=None, progressed_at__lt=now - grace)
    for wave_id, progressed_at, scheduled_at in stalled.values_list(
        "pk", "progressed_at", "scheduled_at"
    )[:limit]:
        claimed = Wave.objects.filter(pk=wave_id, progressed_at=progressed_at).update(
            progressed_at=now
        )
        if not claimed:
            continue
        if scheduled_at is None:
            schedule_wave.delay(wave_id)
            published += 1
            continue
        pending = WaveChunk.objects.filter(wave_id=wave_id, done_at=None).order_by("number")
        for chunk_id in pending.values_list("pk", flat=True)[: limit - published]:
            send_wave_chunk.delay(chunk_id)
            published += 1
        if published >= limit:
            break
    return published
