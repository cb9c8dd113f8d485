"""A wave's progress and results, each number with the admin list of exactly
the rows it counts (as the dashboard's numbers are: ``reporting.links``).

Invited, answered and the answers are rows of the surveys app; sent,
bounced and waiting are the wave's first invitation emails (an SMS wave's:
texts) in the outbox (an invitation's message is found by its dedupe key).
The same query builds a count here and the list its link opens, so the two
cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from followups.invitations.emails import _dedupe_key
from followups.models import MailEvent, OutboundMessage
from followups.outbox.sms import invitation_sms_key
from surveys.models import Channel, Invitation, Locale, Response, Wave
from surveys.stats import NpsSummary

WAVE_PARAMETER = "wave"  # the outbox list's filter by wave
# How long after its last invitation a wave's page keeps asking for answers.
POLL_AFTER_FINISH = timedelta(days=1)


def _first_message_keys(invitations: QuerySet, channel: str) -> QuerySet:
    """The dedupe keys of the invitations' first email, or text."""
    if channel == Channel.SMS:
        prefix, suffix = invitation_sms_key(0, reminder=False).split("0")
    else:
        prefix, suffix = _dedupe_key(0, reminder=False).split("0")
    return invitations.annotate(
        key=Concat(Value(prefix), Cast("pk", CharField()), Value(suffix), output_field=CharField())
    ).values("key")


def wave_emails(wave_id: int, channel: str | None = None) -> QuerySet[OutboundMessage]:
    """The first invitation emails (an SMS wave's: texts) of the wave's
    invitations. ``channel``: the wave's, when the caller knows it."""
    if channel is None:
        channel = Wave.objects.filter(pk=wave_id).values_list("channel", flat=True).first()
    return OutboundMessage.objects.filter(
        dedupe_key__in=_first_message_keys(
            Invitation.objects.filter(wave_id=wave_id), channel or Channel.EMAIL
        )
    )


BOUNCED = Q(status=OutboundMessage.Status.FAILED) | Q(
    Exists(
        MailEvent.objects.filter(
            outbound_message=OuterRef("pk"),
            kind=MailEvent.Kind.BOUNCE,
            bounce_type=MailEvent.BounceType.PERMANENT,
        )
    )
)
OUTCOMES = {
    "sent": Q(status=OutboundMessage.Status.SENT) & ~BOUNCED,
    "bounced": BOUNCED,
    # Not out yet: held for the customer's quiet hours, or to be tried again.
    "waiting": Q(status=OutboundMessage.Status.QUEUED),
}


def wave_emails_with_outcome(
    wave_id: int, outcome: str, channel: str | None = None
) -> QuerySet[OutboundMessage]:
    """The wave's emails (or texts) sent (and not bounced since), bounced
    (refused while sending, or reported by the mail server as bounced for
    good), or waiting to go."""
    return wave_emails(wave_id, channel).filter(OUTCOMES[outcome])


def _changelist(model: str, params: dict) -> str:
    return reverse(f"admin:{model}_changelist") + "?" + urlencode(params)


@dataclass(frozen=True)
class Number:
    value: int | float | None
    url: str = ""

    def as_dict(self) -> dict:
        return {"value": self.value, "url": self.url}


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _nps(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _languages(wave: Wave) -> list[dict]:
    """Invited, answered, response rate and NPS per language the invitations
    were written in (the customer's, else the survey's default).

    Grouped by the customer's language now, by the rule the invitation email
    used (``emails.language_for``), not by the language stored on each email
    (``OutboundMessage.language``): every number links to the invitation or
    response list narrowed to those customers, and those lists, of the
    surveys app, can filter by a customer's language but know no outbox. The
    two groupings differ only for a customer whose language (or a survey
    whose default) changed after the email went out; such a customer is
    counted under the new language."""
    fallback = wave.survey.default_locale or settings.LANGUAGE_CODE
    language = Coalesce(NullIf("customer__locale", Value("")), Value(fallback))
    rows = (
        Invitation.objects.filter(wave_id=wave.pk)
        .annotate(language=language)
        .values("language")
        .annotate(invited=Count("pk"), answered=Count("responded_at"))
        .order_by("language")
    )
    labels = dict(Locale.choices)
    found = []
    for row in rows:
        locales = [row["language"], *([""] if row["language"] == fallback else [])]
        invitations = {"wave__id__exact": wave.pk, "customer__locale__in": ",".join(locales)}
        answers = Response.objects.counted().filter(
            invitation__wave_id=wave.pk, customer__locale__in=locales
        )
        found.append(
            {
                "language": row["language"],
                "label": str(labels.get(row["language"], row["language"])),
                "invited": Number(
                    row["invited"], _changelist("surveys_invitation", invitations)
                ).as_dict(),
                "answered": Number(
                    row["answered"],
                    _changelist("surveys_invitation", {**invitations, "responded_at__isempty": 0}),
                ).as_dict(),
                "response_rate": _rate(row["answered"], row["invited"]),
                "nps": Number(
                    _nps(answers.nps_summary().nps),
                    _changelist(
                        "surveys_response",
                        {
                            "invitation__wave__id__exact": wave.pk,
                            "customer__locale__in": ",".join(locales),
                            "exclusion_reason__exact": "",
                        },
                    ),
                ).as_dict(),
            }
        )
    return found


def wave_results(wave: Wave) -> dict:
    """Everything the wave page shows, as plain data (its JSON too)."""
    invitations = {"wave__id__exact": wave.pk}
    counts = Invitation.objects.filter(wave_id=wave.pk).aggregate(
        invited=Count("pk"), answered=Count("responded_at")
    )
    emails = {WAVE_PARAMETER: wave.pk}
    answers = {"invitation__wave__id__exact": wave.pk, "exclusion_reason__exact": ""}
    summary = Response.objects.counted().filter(invitation__wave_id=wave.pk).nps_summary()
    numbers = {
        "invited": Number(counts["invited"], _changelist("surveys_invitation", invitations)),
        **{
            outcome: Number(
                wave_emails_with_outcome(wave.pk, outcome, wave.channel).count(),
                _changelist("followups_outboundmessage", {**emails, "outcome": outcome}),
            )
            for outcome in OUTCOMES
        },
        "answered": Number(
            counts["answered"],
            _changelist("surveys_invitation", {**invitations, "responded_at__isempty": 0}),
        ),
        "response_rate": Number(_rate(counts["answered"], counts["invited"])),
        "nps": Number(_nps(summary.nps), _changelist("surveys_response", answers)),
    }
    for category in ("promoters", "passives", "detractors"):
        numbers[category] = Number(
            getattr(summary, category),
            _changelist("surveys_response", {**answers, "category__exact": category[:-1]}),
        )
    return {
        "wave": wave.pk,
        "channel": wave.channel,
        "finished": wave.finished_at is not None,
        # Whether the page should keep asking: until a day after the last chunk.
        "poll": wave.finished_at is None or wave.finished_at > timezone.now() - POLL_AFTER_FINISH,
        "chunks_done": wave.chunks_done,
        "chunk_count": wave.chunk_count,
        "numbers": {name: number.as_dict() for name, number in numbers.items()},
        "interval": _interval_text(summary),
        "warning": _warning(summary),
        "languages": _languages(wave),
    }


def _interval_text(summary: NpsSummary) -> str:
    """The NPS's 95% interval, in the active language ("" before any answer)."""
    if summary.confidence_interval is None:
        return ""
    low, high = (number_format(value, 1) for value in summary.confidence_interval)
    return gettext("95%% interval: %(low)s to %(high)s") % {"low": low, "high": high}


def _warning(summary: NpsSummary) -> str:
    """The dashboard's words for an NPS from too few answers to act on."""
    if not summary.total or not summary.is_sample_too_small:
        return ""
    return ngettext(
        "Only %(total)s answer: fewer than %(minimum)s, so this NPS is too uncertain to act "
        "on; read the interval, not the score.",
        "Only %(total)s answers: fewer than %(minimum)s, so this NPS is too uncertain to act "
        "on; read the interval, not the score.",
        summary.total,
    ) % {"total": summary.total, "minimum": summary.min_sample}
