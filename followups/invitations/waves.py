"""Waves: a survey sent to every customer due, planned with its throttle, split
into chunks the workers send, and repeated on the survey's schedule.

A wave started from the admin or a repeating survey's schedule is a ``Wave``
row; a scheduler task splits its customers into primary-key ranges
(``WaveChunk`` rows) and publishes one small task per chunk. The rows say
what is left, so the sweeper finds a lost message again, and a chunk run
twice invites nobody twice: its row is locked and marked done in the same
transaction as its invitations, the throttle skips whoever this wave already
asked, and one invitation per customer per wave is a database constraint.

A wave goes by email or by SMS (``Wave.channel``): an SMS wave's
invitations are SMS invitations as the invitation API makes them (a short
link, a text in the outbox due after the customer's quiet hours), and it
skips the customers who may not be texted rather than those who may not be
emailed.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, gettext_lazy, ngettext

from followups.invitations.emails import (
    TEMPLATE,
    _context_for,
    _dedupe_key,
    _email_context,
    language_for,
)
from followups.models import OutboundMessage
from followups.outbox.language import customer_zone, format_when
from followups.outbox.messages import Rendered, Variant, render, variant_fill
from followups.outbox.sms import invitation_sms_message, sms_due_enqueue
from followups.publish import (
    SCHEDULE_WAVE,
    SEND_WAVE_CHUNK,
    messages_enqueue,
    tasks_publish_on_commit,
)
from nps_project.db import RowMaker, rows_insert
from surveys.audit import SYSTEM, Action, audit_record
from surveys.links import unsubscribe_url
from surveys.models import (
    MAIL_BLOCKS,
    NO_PHONE,
    SMS_BLOCKS,
    WAVE_CHANNELS,
    WITHOUT_PHONE,
    Channel,
    Customer,
    CustomerList,
    CustomerQuerySet,
    Invitation,
    Response,
    SavedFilter,
    Survey,
    Wave,
    WaveChunk,
)

logger = logging.getLogger(__name__)


# Why a customer due is not invited: the plan's keys, and their words. The
# blocks are ``MAIL_BLOCKS``' and ``SMS_BLOCKS``' keys and ``NO_PHONE``
# (``Invitation.SkipReason`` values).
THROTTLED = "throttled"
OVER_THE_LIMIT = "over the limit"
SKIP_REASONS = {
    "erased": gettext_lazy("erased"),
    "unsubscribed": gettext_lazy("unsubscribed"),
    "complained": gettext_lazy("marked as spam"),
    "bounced": gettext_lazy("bounced"),
    NO_PHONE: gettext_lazy("no phone number"),
    OVER_THE_LIMIT: gettext_lazy("over the limit"),
}


def wave_channel_check(channel: str) -> None:
    """Raise ``ValueError`` for a channel a wave cannot go by."""
    if channel not in WAVE_CHANNELS:
        raise ValueError(f"A wave goes by email or sms; the '{channel}' channel is not supported.")


def _block_conditions(channel: str) -> list[tuple[str, Q]]:
    """Why a customer may not be asked on ``channel``, each reason with the
    condition that says so, in the order they are told apart."""
    if channel == Channel.SMS:
        blocks = [(reason, Q(**{f"{column}__isnull": False})) for reason, column in SMS_BLOCKS]
        return [*blocks, (NO_PHONE, WITHOUT_PHONE)]
    return [(reason, Q(**{f"{column}__isnull": False})) for reason, column in MAIL_BLOCKS]


def reachable_on(customers: CustomerQuerySet, channel: str) -> CustomerQuerySet:
    """Those of ``customers`` who may be asked on ``channel``."""
    return customers.textable() if channel == Channel.SMS else customers.reachable()


@dataclass(frozen=True)
class Audience:
    """Who a wave is for: a segment, an uploaded list, a saved filter (each
    narrowing the others), or, with none of them, every customer."""

    segment: str = ""
    customer_list: CustomerList | None = None
    saved_filter: SavedFilter | None = None

    def customers(self) -> QuerySet[Customer]:
        return Customer.objects.in_audience(
            segment=self.segment,
            customer_list_id=self.customer_list.pk if self.customer_list else None,
            saved_filter=self.saved_filter,
        )

    def __str__(self) -> str:
        if self.customer_list is not None:
            return gettext("the list “%(name)s”") % {"name": self.customer_list.name}
        if self.saved_filter is not None:
            return gettext("the saved filter “%(name)s”") % {"name": self.saved_filter.name}
        if self.segment:
            return gettext("the segment “%(name)s”") % {"name": self.segment}
        return gettext("every customer")


@dataclass
class WavePlan:
    """Who a wave would reach, and who it skips and why."""

    survey: Survey
    channel: str = Channel.EMAIL
    to_send: list[int] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    # The customers ``to_send`` was read from (unevaluated; ignores ``limit``).
    due: QuerySet[Customer] | None = None
    # A few of the customers skipped for each reason (when asked for).
    samples: dict[str, list[Customer]] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """ "3 to invite; 1 skipped: erased", in the active language."""
        parts = [gettext("%(count)d to invite") % {"count": len(self.to_send)}]
        parts += [
            gettext("%(count)d skipped: %(reason)s")
            % {"count": count, "reason": self.reason_text(reason)}
            for reason, count in sorted(self.skipped.items())
        ]
        return "; ".join(parts)

    @property
    def customers_to_send(self) -> QuerySet[Customer]:
        """The customers of ``to_send`` as a query: the first of ``due`` by
        primary key, as many as ``to_send`` holds."""
        if self.due is None:
            raise ValueError("A plan made by wave_plan knows its customers due.")
        if not self.to_send:
            return self.due.none()
        return self.due.filter(pk__lte=self.to_send[-1])

    def reason_text(self, reason: str) -> str:
        if reason == THROTTLED:
            days = self.survey.throttle_days
            return ngettext(
                "asked or answered within %(days)d day",
                "asked or answered within %(days)d days",
                days,
            ) % {"days": days}
        return str(SKIP_REASONS[reason])


def _with_throttle(customers: QuerySet, *, survey: Survey, now: datetime) -> QuerySet:
    """``customers`` marked with whether they were asked, or answered any
    survey, within the survey's throttle days before ``now``. An invitation
    cancelled or skipped never went out: it asked nobody."""
    cutoff = now - timedelta(days=survey.throttle_days)
    return customers.annotate(
        recently_invited=Exists(
            Invitation.objects.filter(
                customer=OuterRef("pk"),
                created_at__gte=cutoff,
                cancelled_at__isnull=True,
                skip_reason="",
            )
        ),
        recently_answered=Exists(
            Response.objects.filter(customer=OuterRef("pk"), submitted_at__gte=cutoff)
        ),
    )


def _skip_groups(annotated: QuerySet, channel: str) -> tuple[dict[str, QuerySet], QuerySet]:
    """The customers skipped for each reason (each once, under the first
    reason that holds, in the channel's order of blocks, then the
    throttle), and those left: the customers due."""
    conditions = _block_conditions(channel)
    conditions.append((THROTTLED, Q(recently_invited=True) | Q(recently_answered=True)))
    groups = {}
    none_before = Q()
    for reason, condition in conditions:
        groups[reason] = annotated.filter(none_before & condition)
        none_before &= ~condition
    return groups, annotated.filter(none_before)


def wave_plan(
    *,
    survey: Survey,
    segment: str | None = None,
    customers: QuerySet | None = None,
    audience: Audience | None = None,
    limit: int | None = None,
    now: datetime | None = None,
    samples: int = 0,
    channel: str = Channel.EMAIL,
) -> WavePlan:
    """Decide who to invite: customers reachable on ``channel`` (of the
    audience, if given) not asked or answering any survey within the
    survey's throttle days. With ``samples``, keep that many of the
    customers skipped per reason."""
    survey.for_customers_check()
    wave_channel_check(channel)
    now = now or timezone.now()
    base = Customer.objects.all() if customers is None else customers
    if audience is not None:
        base = base & audience.customers()
    if segment:
        base = base.filter(segment=segment)
    groups, due = _skip_groups(_with_throttle(base, survey=survey, now=now), channel)
    plan = WavePlan(survey=survey, channel=channel)
    for reason, skipped in groups.items():
        plan.skipped[reason] = skipped.count()
        if samples and plan.skipped[reason]:
            plan.samples[reason] = list(skipped.order_by("pk")[:samples])
    due = due.order_by("pk")
    due_ids = due.values_list("pk", flat=True)
    ids: list[int] = list(due_ids[:limit] if limit else due_ids)
    if limit is not None:
        plan.skipped[OVER_THE_LIMIT] = due.count() - len(ids)
    plan.to_send = ids
    plan.due = due
    plan.skipped = +plan.skipped  # drop the reasons nobody was skipped for
    return plan


# A wave's email rows, made positionally (``RowMaker``): half the cost of
# keyword construction, for tens of thousands of rows.
_EMAIL_ROW = RowMaker(
    OutboundMessage,
    (
        "dedupe_key",
        "template",
        "language",
        "recipient",
        "customer_id",
        "survey_id",
        "subject",
        "body_text",
        "body_html",
    ),
)


# A wave's invitations, made positionally too, with their survey and customer
# put in the cache that ``invitation.survey`` and ``.customer`` read.
_INVITATION_ROW = RowMaker(Invitation, ("survey_id", "customer_id", "channel", "wave_id"))
_SURVEY_OF = Invitation._meta.get_field("survey")
_CUSTOMER_OF = Invitation._meta.get_field("customer")


class _WaveEmails:
    """The first invitation emails of a wave, each exactly what ``render``
    makes of its ``_context_for``, at a small fraction of the cost.

    Rendering three templates and reversing twelve URLs per email would be
    nearly all of a wave's work (milliseconds per customer), yet the emails of
    one wave differ only in the customer's name, the link token, the
    unsubscribe link and the expiry. So each variant (a language, with or
    without a name to greet) is rendered once with a marker in place of each
    of those, and an email is its variant with the customer's values put in,
    HTML-escaped in the HTML part as the template would, and the result
    normalized as ``render`` normalizes it. This holds while the
    invitation templates print those four values as they are (no filter,
    no condition on their content beyond the name being empty or not).
    Before a variant is used, it is compared with a full rendering for a
    probe customer with awkward values, which catches most templates that
    break that rule (a filter on the name, say): that variant is then rendered
    in full for every customer, and a warning says so.
    """

    channel = Channel.EMAIL
    FIELDS = ("name", "token", "unsubscribe", "expires")
    PROBE_NAME = 'Zoë  O\'Brien & <Sons> "Ltd"'

    def __init__(self, survey: Survey) -> None:
        self.survey = survey
        # Random per wave, so no survey text can contain a marker by chance.
        self.tag = f"nps{secrets.token_hex(8)}"
        self.pattern = re.compile(f"{self.tag}({'|'.join(self.FIELDS)})x")
        self.variants: dict[tuple[str, bool], Variant | None] = {}
        self.expiry_texts: dict[tuple[datetime, str, str], str] = {}

    def _marker(self, name: str) -> str:
        return f"{self.tag}{name}x"

    def _expires(self, moment: datetime, language: str, customer: Customer) -> str:
        # The customer's zone, as ``_context_for`` writes it.
        key = (moment, language, customer.time_zone)
        if key not in self.expiry_texts:
            self.expiry_texts[key] = format_when(moment, language, customer_zone(customer))
        return self.expiry_texts[key]

    def _values(self, invitation: Invitation, language: str, unsubscribe: str) -> dict[str, str]:
        return {
            "name": invitation.customer.name,
            "token": invitation.token,
            "unsubscribe": unsubscribe,
            "expires": self._expires(invitation.expires_at, language, invitation.customer),
        }

    def _variant(self, language: str, named: bool, now: datetime) -> Variant | None:
        key = (language, named)
        if key not in self.variants:
            self.variants[key] = self._compile(language, named, now)
        return self.variants[key]

    def _compile(self, language: str, named: bool, now: datetime) -> Variant | None:
        answer_url = settings.PUBLIC_BASE_URL + reverse(
            "surveys:answer", args=[self._marker("token")]
        )
        rendered = render(
            TEMPLATE,
            language,
            _email_context(
                survey=self.survey,
                language=language,
                customer_name=self._marker("name") if named else "",
                score_links=[(score, f"{answer_url}?score={score}") for score in range(11)],
                expires=self._marker("expires"),
                unsubscribe_link=self._marker("unsubscribe"),
                reminder=False,
            ),
        )
        variant = (
            self.pattern.split(rendered.subject),
            self.pattern.split(rendered.body_text),
            self.pattern.split(rendered.body_html),
        )
        probe = Invitation(  # never saved
            survey=self.survey,
            customer=Customer(
                pk=2_147_483_647,
                email="probe@example.com",
                name=self.PROBE_NAME if named else "",
                locale=language,
            ),
            channel=Channel.EMAIL,
        )
        probe.prepare_token(now=now)
        _, context = _context_for(probe, reminder=False)
        expected = render(TEMPLATE, language, context)
        # The very link the full rendering used: it is signed with the time, to
        # the second, so making it again could give another one.
        values = self._values(probe, language, context["unsubscribe_url"])
        if self._fill(variant, values) != expected:
            logger.warning(
                "The invitation email in %s (%s) cannot be merged; this wave renders "
                "each of these emails in full.",
                language,
                "greeting by name" if named else "without a name",
            )
            return None
        return variant

    @staticmethod
    def _fill(variant: Variant, values: dict[str, str]) -> Rendered:
        escaped = {name: escape(value) for name, value in values.items()}
        return variant_fill(variant, values, escaped)

    def email(self, invitation: Invitation, now: datetime) -> OutboundMessage:
        """The outbox row (unsaved) of a saved invitation's first email."""
        customer = invitation.customer
        language = language_for(customer, self.survey)
        variant = self._variant(language, bool(customer.name), now)
        if variant is None:
            rendered = render(TEMPLATE, language, _context_for(invitation, reminder=False)[1])
        else:
            values = self._values(invitation, language, unsubscribe_url(customer))
            rendered = self._fill(variant, values)
        return _EMAIL_ROW.make(
            (
                _dedupe_key(invitation.pk, reminder=False),
                TEMPLATE,
                language,
                customer.email,  # NULL only once erased (check constraint)
                customer.pk,
                invitation.survey_id,
                rendered.subject,
                rendered.body_text,
                rendered.body_html,
            )
        )

    def store(self, invitations: list[Invitation], now: datetime) -> None:
        """Store the first emails of new invitations, published on commit."""
        # New invitations have no email yet: no dedupe lookup is needed.
        outbox = rows_insert([self.email(invitation, now) for invitation in invitations])
        messages_enqueue(message_ids=[email.pk for email in outbox])


class _WaveTexts:
    """The first texts of an SMS wave, each what the invitation API's
    ``invitation_sms_queue`` stores, in bulk: due now, or at the end of the
    customer's quiet hours (then the sweeper publishes it)."""

    channel = Channel.SMS

    def __init__(self, survey: Survey) -> None:
        self.survey = survey

    def store(self, invitations: list[Invitation], now: datetime) -> None:
        """Store the first texts of new invitations; publish those due now on commit."""
        # New invitations have no text yet: no dedupe lookup is needed.
        texts = OutboundMessage.objects.bulk_create(
            [
                invitation_sms_message(
                    invitation=invitation,
                    language=language_for(invitation.customer, self.survey),
                    now=now,
                )
                for invitation in invitations
            ]
        )
        sms_due_enqueue(texts, now=now)


def _wave_messages(survey: Survey, channel: str) -> _WaveEmails | _WaveTexts:
    """What makes the first messages of a wave of ``survey`` on ``channel``."""
    return _WaveTexts(survey) if channel == Channel.SMS else _WaveEmails(survey)


def wave_send(
    plan: WavePlan,
    *,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> int:
    """Create the planned invitations in bulk and queue their emails (or
    texts), one batch at a time (so a wave of any size holds one batch of
    rows in memory). Each batch commits on its own; its messages are
    published once it has. Customers who may no longer be asked on the
    plan's channel (unsubscribed, erased, ...) since the plan are skipped."""
    survey = plan.survey
    survey.for_customers_check()
    if survey.status != Survey.Status.ACTIVE:
        raise ValueError(
            f"The survey '{survey.slug}' is {survey.status}: only an active survey is sent."
        )
    messages = _wave_messages(survey, plan.channel)
    sent = 0
    for start in range(0, len(plan.to_send), batch_size):
        chunk = plan.to_send[start : start + batch_size]
        with transaction.atomic():
            invited = _invite(chunk, messages=messages, now=now or timezone.now())
        sent += invited
        if progress:
            progress(invited)
    return sent


def _invite(
    customer_ids: list[int],
    *,
    messages: _WaveEmails | _WaveTexts,
    now: datetime,
    wave: Wave | None = None,
) -> int:
    """Invite these customers (those still reachable on the messages'
    channel) and queue their emails or texts, published once the caller's
    transaction commits. Returns how many."""
    customers = reachable_on(Customer.objects.all(), messages.channel).in_bulk(customer_ids)
    invitations = []
    for customer_id in customer_ids:
        customer = customers.get(customer_id)
        if customer is None:
            continue
        invitation = _INVITATION_ROW.make(
            (messages.survey.pk, customer.pk, messages.channel, wave.pk if wave else None)
        )
        _SURVEY_OF.set_cached_value(invitation, messages.survey)
        _CUSTOMER_OF.set_cached_value(invitation, customer)
        invitation.prepare_token(now=now)
        invitation.sent_at = now
        invitations.append(invitation)
    rows_insert(invitations)
    messages.store(invitations, now)
    return len(invitations)


def _wave_customers(wave: Wave) -> QuerySet:
    return reachable_on(wave.customers(), wave.channel)


def wave_start(
    *,
    survey: Survey,
    segment: str = "",
    audience: Audience | None = None,
    started_by=None,
    now: datetime | None = None,
    confirm_token: str | None = None,
    channel: str = Channel.EMAIL,
    via: str = SYSTEM,
) -> Wave:
    """Record a wave of ``survey`` to every customer due (of ``segment``, or
    of ``audience``) by ``channel`` and have it split and sent by the
    workers, once the transaction commits. A saved filter's criteria are
    copied onto the wave; ``confirm_token`` (unique) is the preview's, sent
    once. The audit trail says who sent it, to whom and by what channel."""
    survey.for_customers_check()
    wave_channel_check(channel)
    if survey.status != Survey.Status.ACTIVE:
        raise ValueError(
            f"The survey '{survey.slug}' is {survey.status}: only an active survey is sent."
        )
    now = now or timezone.now()
    audience = audience or Audience(segment=segment or "")
    wave = Wave.objects.create(
        survey=survey,
        segment=audience.segment,
        customer_list=audience.customer_list,
        saved_filter=audience.saved_filter,
        audience_criteria=audience.saved_filter.criteria() if audience.saved_filter else None,
        confirm_token=confirm_token or None,
        started_by=started_by,
        started_at=now,
        progressed_at=now,
        chunk_size=settings.NPS_WAVE_CHUNK_SIZE,
        channel=channel,
    )
    audit_record(
        action=Action.SURVEY_SENT,
        actor=started_by,
        via=via,
        objects=[wave],
        details={"survey": survey.slug, "channel": channel, **_audience_details(audience)},
    )
    tasks_publish_on_commit(SCHEDULE_WAVE, [(wave.pk,)], what="wave scheduler task")
    logger.info("Wave %s of %s (%s) started.", wave.pk, survey.slug, channel)
    return wave


def _audience_details(audience: Audience) -> dict:
    """Whom a wave is for, for the audit trail: the segment, the list's or
    the saved filter's id (no customer's data)."""
    details: dict = {"segment": audience.segment} if audience.segment else {}
    if audience.customer_list is not None:
        details["customer_list"] = audience.customer_list.pk
    if audience.saved_filter is not None:
        details["saved_filter"] = audience.saved_filter.pk
    return details


def _chunk_ranges(customers: QuerySet, size: int) -> Iterable[tuple[int, int]]:
    """(first, last) primary keys of consecutive runs of ``size`` customers,
    found by walking the primary key index, one query per chunk."""
    ids = customers.order_by("pk").values_list("pk", flat=True)
    first = ids.first()
    last_of_all = ids.last()
    while first is not None:
        following = list(ids.filter(pk__gte=first)[size : size + 1])
        if not following:
            yield first, last_of_all  # type: ignore[misc]  # not None: a first row exists
            return
        yield first, following[0] - 1
        first = following[0]


def wave_schedule(*, wave_id: int) -> int:
    """Split a wave into chunks (once) and publish a task for each chunk not
    yet done. Safe to run again: returns how many chunks it published."""
    with transaction.atomic():
        wave = Wave.objects.select_for_update().filter(pk=wave_id, finished_at=None).first()
        if wave is None:
            return 0
        if wave.scheduled_at is None:
            now = timezone.now()
            chunks = [
                WaveChunk(wave=wave, number=number, first_customer_id=lo, last_customer_id=hi)
                for number, (lo, hi) in enumerate(
                    _chunk_ranges(_wave_customers(wave), wave.chunk_size)
                )
            ]
            WaveChunk.objects.bulk_create(chunks, batch_size=1000)
            wave.scheduled_at = wave.progressed_at = now
            wave.chunk_count = len(chunks)
            wave.finished_at = None if chunks else now
            wave.save(update_fields=["scheduled_at", "progressed_at", "chunk_count", "finished_at"])
        pending = list(
            wave.chunks.filter(done_at=None).order_by("number").values_list("pk", flat=True)
        )
        tasks_publish_on_commit(
            SEND_WAVE_CHUNK, [(pk,) for pk in pending], what="wave chunk task(s)"
        )
    return len(pending)


def wave_chunk_send(*, chunk_id: int) -> int:
    """Invite the customers of one chunk who are due, and mark it done, in one
    transaction. A chunk done, gone, or being sent by another worker is left
    alone. Returns how many it invited."""
    with transaction.atomic():
        chunk = (
            WaveChunk.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("wave__survey", "wave__saved_filter")
            .filter(pk=chunk_id, done_at=None)
            .first()
        )
        if chunk is None:
            return 0
        wave, now = chunk.wave, timezone.now()
        in_range = _wave_customers(wave).filter(
            pk__gte=chunk.first_customer_id, pk__lte=chunk.last_customer_id
        )
        # Throttled from the wave's start: whoever this wave asked is skipped too.
        due = _with_throttle(in_range, survey=wave.survey, now=wave.started_at).filter(
            recently_invited=False, recently_answered=False
        )
        ids = list(due.order_by("pk").values_list("pk", flat=True))
        messages = _wave_messages(wave.survey, wave.channel)
        invited = _invite(ids, messages=messages, now=now, wave=wave)
        WaveChunk.objects.filter(pk=chunk.pk).update(done_at=now, invited=invited)
        Wave.objects.filter(pk=wave.pk).update(
            chunks_done=F("chunks_done") + 1, invited=F("invited") + invited, progressed_at=now
        )
        Wave.objects.filter(pk=wave.pk, chunks_done=F("chunk_count"), finished_at=None).update(
            finished_at=now
        )
    return invited


def due_waves_start(*, now: datetime | None = None) -> dict[str, int]:
    """Start each repeating survey's next wave when its interval has passed.
    Returns {survey slug: wave id}."""
    now = now or timezone.now()
    started = {}
    repeating = Survey.objects.filter(status=Survey.Status.ACTIVE).exclude(recurrence="")
    for survey in repeating.exclude(kind=Survey.Kind.EMPLOYEE):
        interval = survey.wave_interval
        if survey.last_wave_at and interval and survey.last_wave_at + interval > now:
            continue
        # Claim the wave so that two schedulers cannot both send it.
        claimed = Survey.objects.filter(pk=survey.pk, last_wave_at=survey.last_wave_at).update(
            last_wave_at=now
        )
        if not claimed:
            continue
        started[survey.slug] = wave_start(survey=survey, now=now).pk
    return started


def survey_wave_start(*, survey_id: int, segment: str = "") -> Wave | None:
    """Start a wave of the survey if it is (still) active; None if not."""
    survey = (
        Survey.objects.filter(pk=survey_id, status=Survey.Status.ACTIVE)
        .exclude(kind=Survey.Kind.EMPLOYEE)
        .first()
    )
    return None if survey is None else wave_start(survey=survey, segment=segment)
