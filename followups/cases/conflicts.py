"""When a case changed under someone who had its page open: what to tell them,
and the text they typed, so that nothing they wrote is lost."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from followups.cases.forms import (
    AssignForm,
    CallForm,
    EmailForm,
    NoteForm,
    RootCauseForm,
    TransitionForm,
)
from followups.cases.workflow import person_name
from followups.models import CaseEvent, FollowUpCase

# The fields of the case page's forms where people type text, with their labels.
TYPED_FIELDS = ("text", "note", "subject", "body", "resolution_summary")


def case_version(case: FollowUpCase) -> str:
    """What the page was built from: the case's last change, sent back with every form."""
    return case.updated_at.isoformat()


def _version_time(version: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(version or "")
    except ValueError:
        return None


def _hhmm(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "TIME_FORMAT")


def _last_assignment_since(case: FollowUpCase, since: datetime) -> CaseEvent | None:
    return (
        case.events.filter(kind=CaseEvent.Kind.ASSIGNED, created_at__gt=since)
        .order_by("-created_at", "-pk")
        .first()
    )


def changed_meanwhile(case: FollowUpCase, user, version: str | None) -> str:
    """What happened to ``case`` since the person loaded it (their ``version``),
    as a message; empty if nothing did."""
    seen = _version_time(version)
    if seen is None or case.updated_at <= seen:
        return ""
    assignment = _last_assignment_since(case, seen)
    if assignment is not None:
        return _(
            "This case was reassigned to %(owner)s at %(time)s while you had it open; "
            "nothing was saved, and what you typed is kept below."
        ) % {"owner": person_name(case.owner), "time": _hhmm(assignment.created_at)}
    return _(
        "This case changed at %(time)s while you had it open (it is now %(status)s, "
        "owner %(owner)s); nothing was saved, and what you typed is kept below."
    ) % {
        "time": _hhmm(case.updated_at),
        "status": case.get_status_display(),
        "owner": person_name(case.owner),
    }


def out_of_reach_reason(case: FollowUpCase | None, user, object_id: str) -> str:
    """Why the person can no longer see the case. Who has it now is told only
    to the person it was taken from."""
    assignment = (
        case.events.filter(kind=CaseEvent.Kind.ASSIGNED).order_by("-created_at", "-pk").first()
        if case is not None
        else None
    )
    if assignment is not None and assignment.data.get("previous_owner_id") == user.pk:
        return _(
            "Case #%(id)s was reassigned to %(owner)s at %(time)s while you had it open, "
            "so you can no longer work on it; nothing was saved."
        ) % {
            "id": case.pk,  # type: ignore[union-attr]  # an event implies its case
            "owner": person_name(case.owner),  # type: ignore[union-attr]
            "time": _hhmm(assignment.created_at),
        }
    return _(
        "Case #%(id)s is not one you can see (it was reassigned, or does not exist); "
        "nothing was saved."
    ) % {"id": object_id}


def bound_form(operation: str, data, case: FollowUpCase):
    """The form of ``operation`` filled in with what was sent (None: it has no form)."""
    match operation:
        case "transition":
            return TransitionForm(data, case=case)
        case "assign":
            return AssignForm(data)
        case "note":
            return NoteForm(data)
        case "email":
            return EmailForm(data)
        case "call":
            return CallForm(data)
        case "root_cause":
            return RootCauseForm(data)
    return None


def typed_texts(data) -> list[str]:
    """The non-empty texts the person typed, to give back to them."""
    return [data[field] for field in TYPED_FIELDS if (data.get(field) or "").strip()]
