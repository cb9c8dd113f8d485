"""Routing: a recorded answer becomes its case, offer or reward, in batches.

Every function here can run twice, concurrently, and still produce one
outcome and one email: the response rows are locked and checked before
routing, the outcome tables hold one row per response by constraint, and the
emails are published only after the routing transaction has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone

from followups import roles
from followups.cases import sla
from followups.cases.workflow import person_name
from followups.chat.emit import chat_alerts_queue
from followups.incentives.tracking import tracked_url, tracking_fields
from followups.insights.suggestions import suggestions_request
from followups.invitations.bonus import bonus_answers_record
from followups.models import (
    CaseEvent,
    FollowUpCase,
    Offer,
    OfferGrant,
    OutboundMessage,
    Reward,
    RewardGrant,
    StaffProfile,
    SurveyIncentive,
)
from followups.outbox.branding import branding_version
from followups.outbox.language import (
    DatesWritten,
    customer_language,
    customer_zone,
)
from followups.outbox.messages import MergedRenderer
from followups.publish import messages_enqueue
from followups.webhooks.emit import Event, WebhookEmitter
from nps_project.db import rows_insert
from surveys import stats
from surveys.departments import users_seeing
from surveys.models import Channel, Response
from surveys.sms import sms_outcome_text
from surveys.text import single_line

logger = logging.getLogger(__name__)


class NothingToGrant(Exception):
    """No active offer or reward is configured for the survey, nor a default."""


@dataclass
class RoutingResult:
    routed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)  # skipped: excluded or erased
    failed: list[int] = field(default_factory=list)
    email_ids: list[int] = field(default_factory=list)


def owner_pick(*, now: datetime, department_id: int | None = None):
    """Round-robin among active service staff who are not away and see the
    case's department: the person whose last automatic assignment is oldest
    gets the case."""
    user_model = get_user_model()
    staff = user_model.objects.filter(is_active=True, groups__name=roles.SERVICE_STAFF).exclude(
        staff_profile__is_away=True
    )
    candidates = list(users_seeing(department_id, staff).values_list("pk", flat=True))
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


def response_route(*, response_id: int) -> tuple[str, int | None]:
    """Route one answer: ("routed" | "skipped" | "already routed", email id).
    Raises NothingToGrant when no offer or reward is configured for it."""
    _outcome_renderers_refresh()
    result = _route_batch([response_id])
    if result.failed:
        raise NothingToGrant(f"No active offer or reward for response {response_id}.")
    if result.routed:
        return "routed", (result.email_ids[0] if result.email_ids else None)
    return ("skipped" if result.excluded else "already routed"), None


def responses_route(*, response_ids: Iterable[int]) -> RoutingResult:
    """Route a batch in one transaction with a handful of bulk queries, then
    publish the batch's emails in one message.

    Rows another worker holds are skipped, not waited for (it routes them); if
    the batch hits a constraint (a concurrent router on a database without row
    locks), each answer is routed on its own instead.
    """
    ids = list(response_ids)
    _outcome_renderers_refresh()
    try:
        result = _route_batch(ids)
    except IntegrityError:
        logger.info("Batch of %d collided with a concurrent router; one by one.", len(ids))
        result = _route_one_by_one(ids)
    messages_enqueue(message_ids=result.email_ids)
    return result


def recent_responses_route(*, since: datetime) -> RoutingResult:
    """Route every routable answer recorded at or after ``since``, in batches
    of NPS_ROUTING_BATCH_SIZE (each as ``responses_route``), at most
    NPS_SWEEP_LIMIT of them: the coalesced run single answers are handed to.
    Older answers are the sweeper's. Answers another run holds are skipped,
    never waited for; one that cannot be routed is tried once per run."""
    total = RoutingResult()
    cursor = 0
    size = settings.NPS_ROUTING_BATCH_SIZE
    while len(total.routed) + len(total.skipped) + len(total.failed) < settings.NPS_SWEEP_LIMIT:
        ids = list(
            Response.objects.routable(timezone.now())
            .filter(created_at__gte=since, pk__gt=cursor)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            break
        result = responses_route(response_ids=ids)
        for name in ("routed", "skipped", "excluded", "failed", "email_ids"):
            getattr(total, name).extend(getattr(result, name))
        cursor = ids[-1]
        if len(ids) < size:
            break
    return total


def _route_one_by_one(ids: list[int]) -> RoutingResult:
    result = RoutingResult()
    for response_id in ids:
        try:
            outcome, email_id = response_route(response_id=response_id)
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
            self._defaults[key] = model.active_default()
        return self._defaults[key]

    def offer(self, survey_id) -> Offer | None:
        incentive = self.by_survey.get(survey_id)
        chosen = incentive.offer if incentive and incentive.offer else None
        return chosen if chosen and chosen.is_active else self._default(Offer)

    def reward(self, survey_id) -> Reward | None:
        incentive = self.by_survey.get(survey_id)
        chosen = incentive.reward if incentive and incentive.reward else None
        return chosen if chosen and chosen.is_active else self._default(Reward)


@dataclass
class _Batch:
    """The outcomes of one routing transaction: built one answer at a time in
    memory, then saved with one bulk insert per table."""

    now: datetime
    catalogue: _Catalogue
    done: set[int] = field(default_factory=set)
    failed: set[int] = field(default_factory=set)
    cases: list[FollowUpCase] = field(default_factory=list)
    offer_grants: list[OfferGrant] = field(default_factory=list)
    reward_grants: list[RewardGrant] = field(default_factory=list)
    outcomes: list[tuple[Response, object]] = field(default_factory=list)
    when: DatesWritten = field(default_factory=DatesWritten)

    def add(self, response: Response) -> None:
        if response.is_excluded or response.customer.is_erased:
            self.done.add(response.pk)
            return
        outcome: FollowUpCase | OfferGrant | RewardGrant | None
        if response.category == stats.DETRACTOR:
            outcome = self._case(response)
        elif response.category == stats.PASSIVE:
            outcome = self._offer_grant(response)
        else:
            outcome = self._reward_grant(response)
        if outcome is None:
            self.failed.add(response.pk)
            return
        self.outcomes.append((response, outcome))
        self.done.add(response.pk)

    def _case(self, response: Response) -> FollowUpCase:
        survey = response.survey
        case = FollowUpCase(
            response=response,
            survey=survey,
            customer=response.customer,
            priority=FollowUpCase.priority_for_score(response.score),
            owner=(
                owner_pick(now=self.now, department_id=survey.department_id)
                if survey.auto_assign
                else None
            ),
            created_at=self.now,
            **sla.case_deadlines(survey, self.now),
        )
        self.cases.append(case)
        return case

    def _grant_fields(self, response: Response, incentive) -> dict:
        return {
            "response": response,
            "survey_id": response.survey_id,
            "customer": response.customer,
            "code": incentive.grant_code(),
            "created_at": self.now,
            "expires_at": incentive.grant_expires_at(self.now),
        }

    def _offer_grant(self, response: Response) -> OfferGrant | None:
        offer = self.catalogue.offer(response.survey_id)
        if offer is None:
            return None
        grant = OfferGrant(offer=offer, **self._grant_fields(response, offer))
        self.offer_grants.append(grant)
        return grant

    def _reward_grant(self, response: Response) -> RewardGrant | None:
        reward = self.catalogue.reward(response.survey_id)
        if reward is None:
            return None
        grant = RewardGrant(
            reward=reward, **self._grant_fields(response, reward), **tracking_fields(reward)
        )
        self.reward_grants.append(grant)
        return grant

    def save(self, responses: list[Response]) -> list[OutboundMessage]:
        """Write every outcome, its timeline and its email; mark the answers
        routed. Returns the queued emails."""
        # As bulk_create would, with plain values sent as they are (rows_insert).
        rows_insert(self.cases)
        rows_insert(self.offer_grants)
        rows_insert(self.reward_grants)
        rows_insert(_opening_events(self.cases, self.now))
        outbox = [
            _outcome_sms(response, outcome, now=self.now, when=self.when)
            if _by_sms(response)
            else _outcome_email(response, outcome, when=self.when)
            for response, outcome in self.outcomes
            if _by_sms(response) or response.customer.is_reachable
        ]
        rows_insert(outbox)
        # A reminder's bonus, beside (never instead of) the outcome above.
        routed = [r for r in responses if r.pk in self.done]
        outbox += bonus_answers_record(responses=routed, now=self.now)
        _webhooks_emit(self.outcomes, self.now)
        chat_alerts_queue(self.outcomes, now=self.now)
        _link_resurvey_answers([r for r in responses if r.invitation_id], self.now)
        Response.objects.filter(pk__in=self.done).update(routed_at=self.now)
        return outbox


def _route_batch(ids: list[int]) -> RoutingResult:
    now = timezone.now()
    with transaction.atomic():
        responses = list(
            # Historical answers are stored routed, and one its customer may
            # still change waits (``routable``); refusing them here too keeps a
            # hand-made one (or a bug) from reaching a customer.
            Response.objects.routable(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("survey", "customer", "driver")
            .filter(pk__in=set(ids))
            .order_by("pk")
        )
        batch = _Batch(now=now, catalogue=_Catalogue({r.survey_id for r in responses}))
        for response in responses:
            batch.add(response)
        outbox = batch.save(responses)
        # One suggestion task for the run's new cases, on commit, only when a
        # model exists (a cached check).
        suggestions_request(case_ids=[case.pk for case in batch.cases])
    for pk in batch.failed:
        logger.error("Response %s cannot be routed: no active offer or reward configured.", pk)
    result = _batch_result(ids, responses, batch)
    result.email_ids = [email.pk for email in outbox]
    return result


def _batch_result(ids: list[int], responses: list[Response], batch: _Batch) -> RoutingResult:
    """What became of each id asked for, in the order asked."""
    result = RoutingResult()
    done = set(batch.done)
    by_id = {r.pk: r for r in responses}
    for response_id in ids:
        if response_id in batch.failed:
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
    return result


def _webhooks_emit(outcomes: list[tuple[Response, object]], now: datetime) -> None:
    """The routed answers' webhook events, in the routing transaction: each
    answer is routed once, so each event is reported once."""
    emitter = WebhookEmitter()
    if not emitter.endpoints:
        return
    for response, outcome in outcomes:
        customer = response.customer
        emitter.add(
            Event(
                "response.recorded",
                f"response:{response.pk}",
                now,
                {"response": response, "customer": customer},
                response_id=response.pk,
                survey_id=response.survey_id,
            )
        )
        if isinstance(outcome, FollowUpCase):
            objects = {"case": outcome, "response": response, "customer": customer}
            ids = {
                "response_id": response.pk,
                "case_id": outcome.pk,
                "survey_id": outcome.survey_id,
            }
            emitter.add(Event("case.opened", f"case:{outcome.pk}", now, objects, **ids))
            if outcome.owner is not None:
                assigned = {"case": outcome, "previous_owner": None}
                key = f"case:{outcome.pk}:automatic"
                emitter.add(Event("case.assigned", key, now, assigned, **ids))
        elif isinstance(outcome, OfferGrant | RewardGrant):
            key = f"{outcome._meta.model_name}:{outcome.pk}"
            objects = {"grant": outcome, "customer": customer}
            ids = {"response_id": response.pk, "survey_id": response.survey_id}
            emitter.add(Event("grant.issued", key, now, objects, **ids))
    emitter.save()


def _opening_events(cases: list[FollowUpCase], now: datetime) -> list[CaseEvent]:
    events = []
    for case in cases:
        events.append(
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.CREATED,
                created_at=now,
                data={"score": case.response.score, "due_at": case.due_at.isoformat()},
            )
        )
        if case.owner is not None:
            events.append(
                CaseEvent(
                    case=case,
                    kind=CaseEvent.Kind.ASSIGNED,
                    created_at=now,
                    data={
                        "owner_id": case.owner.pk,
                        "owner_name": person_name(case.owner),
                        "automatic": True,
                    },
                )
            )
    return events


def _outcome_context(response: Response, outcome, when: DatesWritten) -> dict:
    language, zone = customer_language(response), customer_zone(response.customer)
    if isinstance(outcome, FollowUpCase):
        owner = outcome.owner
        return {
            "contact_name": (owner.first_name or owner.get_username()) if owner else "",
            "due": when(outcome.due_at, language, zone),
            "case_id": outcome.pk,
        }
    if isinstance(outcome, OfferGrant):
        return {
            "offer": outcome.offer.description_in(language),
            "code": outcome.code,
            "expires": when(outcome.expires_at, language, zone),
        }
    reward = outcome.reward
    return {
        "reward": reward.description_in(language),
        "kind": reward.kind,
        "points": reward.points,
        "link": tracked_url(outcome) if outcome.link_token else "",
        "referral_code": outcome.referral_code or "",
        "code": outcome.code,
        "expires": when(outcome.expires_at, language, zone) if reward.has_code else "",
    }


def _outcome_renderers_refresh() -> None:
    """A brand or email text a manager changed applies from the next batch."""
    version = branding_version()
    for renderer in _OUTCOME_RENDERERS.values():
        renderer.version_set(version)


def _comment_html(comment: str) -> str:
    return linebreaksbr(comment, autoescape=True)


# Rendering three templates per email was most of routing's time; each
# variant of an outcome email is rendered once per worker process instead.
_OUTCOME_RENDERERS = {
    template: MergedRenderer(template, html_filters={"comment": _comment_html})
    for template in OUTCOME_TEMPLATES.values()
}
# Context values that choose between texts rather than being printed.
_CHOOSING_FIELDS = ("kind", "points")


def _outcome_email(response: Response, outcome, *, when: DatesWritten) -> OutboundMessage:
    """The outbox row for an outcome, rendered in the customer's language."""
    template = OUTCOME_TEMPLATES[response.category]
    language = customer_language(response)
    merged = {
        **_outcome_context(response, outcome, when),
        # Clean again: a row stored before names were cleaned may hold a
        # line break, which would forge a line of the email.
        "customer_name": single_line(response.customer.name),
        "survey_name": response.survey.name,
        "score": response.score,
        "comment": response.comment,
    }
    fixed = {name: merged.pop(name) for name in _CHOOSING_FIELDS if name in merged}
    rendered = _OUTCOME_RENDERERS[template].render(language, merged, fixed)
    return OutboundMessage(
        dedupe_key=f"response:{response.pk}:{template}",
        template=template,
        language=language,
        recipient=response.customer.email,  # type: ignore[misc]  # NULL only once erased (check constraint)
        customer=response.customer,
        response=response,
        survey_id=response.survey_id,
        case=outcome if isinstance(outcome, FollowUpCase) else None,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
    )


def _by_sms(response: Response) -> bool:
    """An answer given by text is followed up by text, while the customer may be texted."""
    return response.channel == Channel.SMS and not response.customer.sms_block


def _outcome_sms(
    response: Response, outcome, *, now: datetime, when: DatesWritten
) -> OutboundMessage:
    """The outcome as a text, under the email's template and dedupe key: one
    or the other, and a grant is "sent" when its text is. Due no sooner than
    the end of the customer's quiet hours (the sweeper sends it then)."""
    template = OUTCOME_TEMPLATES[response.category]
    language = customer_language(response)
    text = sms_outcome_text(
        template=template, language=language, context=_outcome_context(response, outcome, when)
    )
    message = OutboundMessage(
        dedupe_key=f"response:{response.pk}:{template}",
        template=template,
        language=language,
        channel=OutboundMessage.Channel.SMS,
        recipient=response.customer.phone or "",
        customer=response.customer,
        response=response,
        survey_id=response.survey_id,
        case=outcome if isinstance(outcome, FollowUpCase) else None,
        body_text=text,
        created_at=now,
    )
    message.next_attempt_at = message.due_at(now)
    return message


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
            data={"response_id": r.pk, "score": r.score},
        )
        for r in responses
        if r.invitation_id in cases
    )
