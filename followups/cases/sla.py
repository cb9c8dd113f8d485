"""When a case is due and when it escalates: the one place for this logic.

A survey's SLA has two deadlines: first contact within ``detractor_sla_hours``
and resolution within ``detractor_resolution_hours``, both counted from the
answer, in calendar hours or, where the survey says so, in business hours
(``NPS_BUSINESS_DAYS``, ``NPS_BUSINESS_HOURS``, ``NPS_BUSINESS_TIME_ZONE``).
A case escalates when the deadline it is working towards passes: first
contact until the customer is reached, then resolution. (Open, overdue and
due soon are rules about one case: ``FollowUpCase`` and its queryset.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# A year of days without a working hour means the configuration is wrong.
MAX_DAYS_SEARCHED = 366


@dataclass(frozen=True)
class BusinessHours:
    weekdays: frozenset[int]  # ISO: Monday 1 .. Sunday 7
    opens: time
    closes: time
    zone: ZoneInfo

    @classmethod
    def from_settings(cls) -> BusinessHours:
        try:
            weekdays = frozenset(int(day) for day in settings.NPS_BUSINESS_DAYS)
            opens_text, closes_text = settings.NPS_BUSINESS_HOURS.split("-")
            opens, closes = time.fromisoformat(opens_text), time.fromisoformat(closes_text)
            zone = ZoneInfo(settings.NPS_BUSINESS_TIME_ZONE or settings.TIME_ZONE)
        except (ValueError, LookupError) as exc:
            raise ImproperlyConfigured(f"Business hours are misconfigured: {exc}") from exc
        if not weekdays <= set(range(1, 8)) or not weekdays or opens >= closes:
            raise ImproperlyConfigured(
                "NPS_BUSINESS_DAYS needs ISO weekdays (1-7) and NPS_BUSINESS_HOURS "
                "an opening time before the closing time, e.g. 09:00-17:00."
            )
        return cls(weekdays, opens, closes, zone)

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's working hours in UTC, or None on a day off."""
        if day.isoweekday() not in self.weekdays:
            return None
        opens = datetime.combine(day, self.opens, self.zone).astimezone(UTC)
        closes = datetime.combine(day, self.closes, self.zone).astimezone(UTC)
        return opens, closes

    def add(self, start: datetime, hours: float) -> datetime:
        """``start`` plus ``hours`` of working time."""
        remaining = timedelta(hours=hours)
        moment = start.astimezone(UTC)
        day = moment.astimezone(self.zone).date()
        for _ in range(MAX_DAYS_SEARCHED + int(hours)):
            window = self.window(day)
            day += timedelta(days=1)
            if window is None or moment >= window[1]:
                continue
            moment = max(moment, window[0])
            available = window[1] - moment
            if remaining <= available:
                return moment + remaining
            remaining -= available
        raise ImproperlyConfigured("No working hours found in a year: check NPS_BUSINESS_DAYS.")


def deadline(start: datetime, *, hours: float, business_hours: bool = False) -> datetime:
    """``hours`` after ``start``, in calendar or business hours."""
    if business_hours:
        return BusinessHours.from_settings().add(start, hours)
    return start + timedelta(hours=hours)


def due_at(start: datetime, *, hours: int, business_hours: bool = False) -> datetime:
    """The time by which a detractor opened at ``start`` must be contacted."""
    return deadline(start, hours=hours, business_hours=business_hours)


def case_deadlines(survey, start: datetime) -> dict[str, datetime]:
    """The first-contact and resolution deadlines of a case opened at ``start``."""
    business = survey.sla_business_hours
    return {
        "due_at": deadline(start, hours=survey.detractor_sla_hours, business_hours=business),
        "resolution_due_at": deadline(
            start, hours=survey.detractor_resolution_hours, business_hours=business
        ),
    }


def next_escalation_at(case) -> datetime:
    """When the case escalates to its next level if nothing happens.

    The first escalation comes at the deadline the case works towards (first
    contact, then resolution), or sooner (after a share of the contact SLA)
    while nobody owns an uncontacted case. A case already escalated escalates
    again no sooner than one repeat interval later.
    """
    threshold = case.deadline
    # Counted as the SLA is: in business hours where the survey says so, so
    # that a night or a weekend never escalates a case by itself.
    business = case.survey.sla_business_hours
    if case.owner_id is None and case.first_contact_at is None:
        share = settings.NPS_UNOWNED_ESCALATION_SHARE
        if business:
            hours = case.survey.detractor_sla_hours * share
            unowned = deadline(case.created_at, hours=hours, business_hours=True)
        else:
            unowned = case.created_at + (case.due_at - case.created_at) * share
        threshold = min(threshold, unowned)
    if case.escalated_at is not None:
        repeat = deadline(
            case.escalated_at,
            hours=settings.NPS_ESCALATION_REPEAT_HOURS,
            business_hours=business,
        )
        threshold = max(threshold, repeat)
    return threshold


def phase_level(case) -> int:
    """The escalation level reached for the deadline the case works towards
    now: none yet when its last escalation was for another deadline."""
    if case.escalation_phase and case.escalation_phase != case.deadline_kind:
        return 0
    return case.escalation_level


def can_escalate(case) -> bool:
    """An open case below the highest level (``NPS_ESCALATION_MAX_LEVEL``) for
    the deadline it works towards: the cap stops the repeats for one deadline,
    it does not silence the next one (resolution after first contact)."""
    return case.is_open and phase_level(case) < settings.NPS_ESCALATION_MAX_LEVEL


def should_escalate(case, now: datetime) -> bool:
    return can_escalate(case) and now >= next_escalation_at(case)
