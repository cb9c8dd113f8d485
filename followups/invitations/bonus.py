"""A bonus for non-responders: which reminders promise it, and the one grant
the first answer within the promised window earns.

Each reminder of a survey with an active bonus falls, at random, in the arm
"with" (its email describes the incentive and the date to answer by) or
"without" (the usual reminder), in the survey's stated share. Both arms are
recorded (``ReminderBonusAssignment``), so the report compares like with like.

Routing calls ``bonus_answers_record`` in its transaction. The first answer
after a reminder claims that reminder's row with a conditional update, so
concurrent routers (many answers of one customer at once) grant it once; the
grant table holds one row per reminder by constraint as well.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo

from django.db.models import Q

from followups.models import (
    BonusArm,
    BonusGrant,
    OutboundMessage,
    ReminderBonus,
    ReminderBonusAssignment,
)
from followups.outbox.language import customer_language, customer_zone, format_when
from followups.outbox.messages import email_queue
from followups.webhooks.emit import Event, WebhookEmitter
from surveys.models import Invitation, Response
from surveys.text import single_line

GRANT_TEMPLATE = "bonus"


def reminder_bonus_assign(
    *, invitation: Invitation, now: datetime
) -> ReminderBonusAssignment | None:
    """Put a reminder being sent in an arm (in its claiming transaction);
    None when its survey has no active bonus. Sending it again keeps the arm."""
    bonus = (
        ReminderBonus.objects.filter(survey_id=invitation.survey_id, is_active=True)
        .select_related("offer", "reward")
        .first()
    )
    if bonus is None or bonus.incentive is None or not bonus.incentive.is_active:
        return None
    with_bonus = secrets.randbelow(100) < bonus.share_percent
    assignment, _created = ReminderBonusAssignment.objects.get_or_create(
        invitation=invitation,
        defaults={
            "survey_id": invitation.survey_id,
            "customer_id": invitation.customer_id,
            "wave_id": invitation.wave_id,
            "arm": BonusArm.WITH if with_bonus else BonusArm.WITHOUT,
            "offer": bonus.offer if with_bonus else None,
            "reward": bonus.reward if with_bonus else None,
            "reminded_at": now,
            # Never past the link's own expiry: the customer could not answer then.
            "window_ends_at": min(now + timedelta(days=bonus.window_days), invitation.expires_at),
        },
    )
    return assignment


def reminder_bonus_context(
    assignment: ReminderBonusAssignment | None, language: str, zone: tzinfo | None = None
) -> dict:
    """What a reminder email says of the bonus, in ``language``, its date in
    the customer's time zone ``zone``: nothing unless its reminder is in the
    arm with the bonus."""
    if assignment is None or assignment.arm != BonusArm.WITH or assignment.incentive is None:
        return {}
    return {
        "bonus": assignment.incentive.description_in(language),
        "bonus_until": format_when(assignment.window_ends_at, language, zone),
    }


def bonus_answers_record(*, responses: Iterable[Response], now: datetime) -> list[OutboundMessage]:
    """Routing's part: each reminder's first answer marks it answered, and
    earns its bonus when within the window. Returns the grant emails queued.

    An answer to the reminded invitation counts for it; an answer without an
    invitation (the API) counts for its customer's latest open reminder of the
    survey sent before it. Excluded answers and erased customers count for
    nothing."""
    answers = [
        r
        for r in responses
        if not r.is_excluded and not r.customer.is_erased and r.survey_id is not None
    ]
    if not answers:
        return []
    by_invitation = {r.invitation_id: r for r in answers if r.invitation_id}
    loose = [r for r in answers if not r.invitation_id]
    found = Q(invitation_id__in=by_invitation)
    if loose:
        found |= Q(
            customer_id__in={r.customer_id for r in loose},
            survey_id__in={r.survey_id for r in loose},
            answered_at__isnull=True,
        )
    # In primary-key order: two routers claiming the same rows never wait
    # for each other in a circle.
    assignments = list(
        ReminderBonusAssignment.objects.filter(found)
        .select_related("offer", "reward")
        .order_by("-reminded_at", "pk")
    )
    matched: dict[int, tuple[ReminderBonusAssignment, Response]] = {}
    used: set[int] = set()
    for assignment in assignments:
        response = by_invitation.get(assignment.invitation_id) or _loose_answer(
            assignment, loose, used
        )
        if response is None or response.pk in used:
            continue
        used.add(response.pk)
        matched[assignment.pk] = (assignment, response)
    emails = []
    for pk in sorted(matched):
        assignment, response = matched[pk]
        email = _answer_claim(assignment, response, now)
        if email is not None:
            emails.append(email)
    return emails


def _loose_answer(
    assignment: ReminderBonusAssignment, loose: list[Response], used: set[int]
) -> Response | None:
    """The earliest answer without an invitation that this open reminder
    (the customer's latest, as assignments come newest first) may count."""
    if assignment.answered_at is not None:
        return None
    candidates = [
        r
        for r in loose
        if r.pk not in used
        and r.customer_id == assignment.customer_id
        and r.survey_id == assignment.survey_id
        and r.submitted_at >= assignment.reminded_at
    ]
    return min(candidates, key=lambda r: (r.submitted_at, r.pk), default=None)


def _answer_claim(
    assignment: ReminderBonusAssignment, response: Response, now: datetime
) -> OutboundMessage | None:
    claimed = ReminderBonusAssignment.objects.filter(
        pk=assignment.pk, answered_at__isnull=True
    ).update(answered_at=response.submitted_at, response=response)
    if not claimed or not assignment.earns_bonus(response.submitted_at):
        return None
    incentive = assignment.incentive
    assert incentive is not None  # noqa: S101 - the arm "with" names one (a constraint)
    grant = BonusGrant.objects.create(
        assignment=assignment,
        response=response,
        survey_id=response.survey_id,
        customer=response.customer,
        offer=assignment.offer,
        reward=assignment.reward,
        code=incentive.grant_code(),
        created_at=now,
        expires_at=incentive.grant_expires_at(now),
    )
    _grant_report(grant, now)
    if not response.customer.is_reachable:
        return None
    return _grant_email(grant, response)


def _grant_report(grant: BonusGrant, now: datetime) -> None:
    """``grant.issued`` to the webhooks, as for the routing's grants (its
    ``kind`` is its incentive's), in the granting transaction."""
    emitter = WebhookEmitter()
    if not emitter.wants("grant.issued"):
        return
    objects = {"grant": grant, "customer": grant.customer}
    key = f"bonusgrant:{grant.pk}"
    ids = {"response_id": grant.response_id, "survey_id": grant.survey_id}
    emitter.add(Event("grant.issued", key, now, objects, **ids))
    emitter.save()


def _grant_email(grant: BonusGrant, response: Response) -> OutboundMessage:
    """The grant email, in the customer's language: the offer email's layout
    with words of its own (it thanks for answering, whatever the score)."""
    language = customer_language(response)
    incentive = grant.incentive
    assert incentive is not None  # noqa: S101 - a bonus grant names one (set above)
    return email_queue(
        template=GRANT_TEMPLATE,
        dedupe_key=f"bonus:{grant.assignment_id}",
        recipient=response.customer.email,  # type: ignore[arg-type]  # NULL only once erased
        language=language,
        context={
            "customer_name": single_line(response.customer.name),
            "survey_name": response.survey.name,
            "bonus": incentive.description_in(language),
            "code": grant.code or "",
            "expires": (
                format_when(grant.expires_at, language, customer_zone(response.customer))
                if grant.code
                else ""
            ),
        },
        customer=response.customer,
        response_id=response.pk,
        survey_id=response.survey_id,
    )
