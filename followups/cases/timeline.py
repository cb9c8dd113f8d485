"""A case's timeline, read in the reader's language.

An event stores what happened as its kind and its data (ids, names, values,
dates in ISO 8601); its line is written when someone reads it, in their
language and date format. ``message`` holds only what a person wrote (a
note), or, for an event stored before its data said enough (or whose old
sentence could not be parsed), the sentence written then: shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from followups.models import CaseEvent, FollowUpCase, OutboundMessage

Data = Mapping[str, Any]

# Why a case escalated (``data["reason"]`` of an escalation event).
UNOWNED, CONTACT, RESOLUTION = "unowned", "contact", "resolution"
# Why a note was written by the product itself (``data["reason"]`` of a note).
RESURVEY_UNREACHABLE = "resurvey_unreachable"


def when(moment: datetime | str) -> str:
    """A moment in the reader's time zone and short date format (the one the
    case page uses for every date)."""
    if isinstance(moment, str):
        parsed = parse_datetime(moment)
        if parsed is None:
            raise ValueError(moment)
        moment = parsed
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _name(name: str | None) -> str:
    return name or _("nobody")


def _created(data: Data) -> str:
    return _("Opened for a score of %(score)s.") % {"score": data["score"]}


def _assigned(data: Data) -> str:
    owner = _name(data["owner_name"])
    if data.get("automatic"):
        return _("Assigned automatically to %(owner)s.") % {"owner": owner}
    return _("Assigned to %(owner)s (was %(previous)s).") % {
        "owner": owner,
        "previous": _name(data.get("previous_owner_name")),
    }


def _status_changed(data: Data) -> str:
    Status = FollowUpCase.Status
    return f"{Status(data['previous']).label} → {Status(data['status']).label}"


def _note(data: Data) -> str:
    if data["reason"] != RESURVEY_UNREACHABLE:
        raise ValueError(data["reason"])
    return _("No re-survey: the customer gets no email.")


def _email_sent(data: Data) -> str:
    values = {
        "channel": OutboundMessage.Channel(data["channel"]).label,
        "recipient": data.get("recipient") or "",
        "subject": data.get("subject") or "",
    }
    if data.get("to_customer"):
        if values["subject"]:
            return _("%(channel)s sent to the customer: %(subject)s") % values
        return _("%(channel)s sent to the customer") % values
    if values["subject"]:
        return _("%(channel)s sent to %(recipient)s: %(subject)s") % values
    return _("%(channel)s sent to %(recipient)s") % values


def _call_logged(data: Data) -> str:
    line = _("Call to %(phone)s: %(outcome)s.") % {
        "phone": data.get("phone") or _("the customer"),
        "outcome": CaseEvent.CallOutcome(data["outcome"]).label,
    }
    note = data["note"]
    return f"{line}\n{note}" if note else line


def escalation_reason(data: Data) -> str:
    """Why a case escalated, from its escalation event's data."""
    reason = data["reason"]
    if reason == UNOWNED:
        return _("nobody has taken it")
    due = when(data["due"])
    if reason == CONTACT:
        return _("the customer was not contacted by %(due)s") % {"due": due}
    if reason == RESOLUTION:
        return _("not resolved by %(due)s") % {"due": due}
    raise ValueError(reason)


def escalation_data(case: FollowUpCase, *, now: datetime) -> dict[str, Any]:
    """What an escalation of ``case`` to its current level at ``now`` records:
    the level, and why (with the deadline it missed)."""
    if now < case.deadline:
        return {"level": case.escalation_level, "reason": UNOWNED}
    reason = CONTACT if case.deadline_kind == "contact" else RESOLUTION
    return {"level": case.escalation_level, "reason": reason, "due": case.deadline.isoformat()}


def _escalated(data: Data) -> str:
    return _("Escalated to level %(level)s: %(reason)s.") % {
        "level": data["level"],
        # A date format may end in a full stop of its own ("6:25 p.m.").
        "reason": escalation_reason(data).rstrip("."),
    }


def _resurveyed(data: Data) -> str:
    if "score" in data:
        return _("The customer answered the re-survey: %(score)s/10.") % {"score": data["score"]}
    if "invitation_id" in data:
        return _("Re-survey sent to the customer.")
    raise KeyError("invitation_id")


def _redeemed(data: Data) -> str:
    values = {
        "code": data["code"],
        "incentive": data.get("incentive") or "",
        "order": data.get("order") or "",
    }
    lines = {
        ("offer", True): _(
            "The customer's offer code %(code)s (%(incentive)s) was redeemed for order %(order)s."
        ),
        ("offer", False): _(
            "The customer's offer code %(code)s (%(incentive)s) was redeemed by hand."
        ),
        ("reward", True): _(
            "The customer's reward code %(code)s (%(incentive)s) was redeemed for order %(order)s."
        ),
        ("reward", False): _(
            "The customer's reward code %(code)s (%(incentive)s) was redeemed by hand."
        ),
    }
    return lines[(data["grant"], bool(values["order"]))] % values


def _customer_replied(text: str, data: Data) -> str:
    """The customer's reply as they wrote it (quoted text stripped), with the
    names of the attachments that were not kept, and whether it came from
    another address than the customer's."""
    line = text or _("(The reply has no text.)")
    if data.get("from_customer") is False:
        line = _("(Sent from another address than the customer's.)") + "\n\n" + line
    attachments = data.get("attachments") or []
    if attachments:
        line += "\n\n" + _("Attachments (not kept): %(names)s") % {
            "names": ", ".join(str(name) for name in attachments)
        }
    return line


def _root_cause_set(data: Data) -> str:
    cause = data["root_cause_name"]
    if data.get("confirmed"):
        return _("Confirmed the suggested root cause: %(cause)s.") % {"cause": cause}
    if data.get("suggested_name"):
        return _("Root cause set to %(cause)s (suggested: %(suggested)s).") % {
            "cause": cause,
            "suggested": data["suggested_name"],
        }
    return _("Root cause set to %(cause)s.") % {"cause": cause}


LINES: dict[str, Callable[[Data], str]] = {
    CaseEvent.Kind.CREATED: _created,
    CaseEvent.Kind.ASSIGNED: _assigned,
    CaseEvent.Kind.STATUS_CHANGED: _status_changed,
    CaseEvent.Kind.NOTE: _note,
    CaseEvent.Kind.EMAIL_SENT: _email_sent,
    CaseEvent.Kind.CALL_LOGGED: _call_logged,
    CaseEvent.Kind.ESCALATED: _escalated,
    CaseEvent.Kind.RESURVEYED: _resurveyed,
    CaseEvent.Kind.REDEEMED: _redeemed,
    CaseEvent.Kind.ROOT_CAUSE_SET: _root_cause_set,
}


def event_line(event: CaseEvent) -> str:
    """What ``event`` says, in the active language: written from its data, or
    its stored text where the data does not say enough (a person's note, an
    event kept from before)."""
    line = LINES.get(event.kind)
    data = event.data if isinstance(event.data, Mapping) else {}
    if event.kind == CaseEvent.Kind.CUSTOMER_REPLIED:
        return _customer_replied(event.message, data)
    if line is None:
        return event.message
    try:
        return line(data)
    except (KeyError, ValueError, TypeError):
        return event.message
