"""The case workflow: assign, change status, add notes, email the customer,
escalate. Each change locks the case row, checks the rule and the state the
person saw, writes the change and its timeline event in one transaction."""

from __future__ import annotations

import logging
from datetime import datetime
from types import EllipsisType

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from followups.cases import access, sla, timeline
from followups.invitations.emails import invitation_send
from followups.models import CaseEvent, FollowUpCase, OutboundMessage, RootCause, StaffProfile
from followups.outbox.language import customer_language
from followups.outbox.messages import email_queue, render
from followups.outbox.reply_address import reply_address, sender_name
from followups.publish import messages_enqueue
from followups.webhooks.emit import Event, webhook_event_emit

logger = logging.getLogger(__name__)

NOTE_MAX_LENGTH = 10_000


class StaleCase(ValidationError):
    """Someone else changed the case after this person loaded it."""


def _lock(case: FollowUpCase) -> FollowUpCase:
    return (
        FollowUpCase.objects.select_for_update(of=("self",))
        .select_related("customer", "response", "survey")
        .get(pk=case.pk)
    )


def _event(case, kind, actor, message="", *, at: datetime | None = None, **data) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        message=message,
        data=data,
        created_at=at or timezone.now(),
    )


def person_name(user) -> str:
    """How people appear everywhere: their full name, else their user name."""
    if user is None:
        return _("nobody")
    return user.get_full_name() or user.get_username()


_name = person_name


def case_assign(
    *,
    case: FollowUpCase,
    owner,
    actor,
    verify_owner: bool = False,
    expected_owner_id: int | None = None,
):
    """Give the case to ``owner`` (None: back to the unassigned queue).

    Managers assign anyone; service staff may only take an unassigned case for
    themselves. With ``verify_owner``, ``expected_owner_id`` is the owner the
    person saw (None: unassigned): if the case changed hands meanwhile,
    nothing happens and they are told.
    """
    with transaction.atomic():
        case = _lock(case)
        if not access.can_assign_to(actor, case, owner):
            raise PermissionDenied(_("You may only take unassigned cases for yourself."))
        if verify_owner and case.owner_id != expected_owner_id:
            raise StaleCase(
                _("Case #%(id)s was assigned to %(owner)s meanwhile; nothing was changed.")
                % {"id": case.pk, "owner": _name(case.owner)}
            )
        if owner is not None and not (owner.is_active and owner.is_staff):
            raise ValidationError(_("Cases can only be assigned to active staff members."))
        if owner is not None and not access.may_own(owner, case):
            raise ValidationError(
                _("%(owner)s does not work for this case's department.") % {"owner": _name(owner)}
            )
        if case.owner_id == (owner.pk if owner else None):
            return case
        previous = case.owner
        case.owner = owner
        case.save(update_fields=["owner", "updated_at"])
        event = _event(
            case,
            CaseEvent.Kind.ASSIGNED,
            actor,
            owner_id=owner.pk if owner else None,
            owner_name=_name(owner) if owner else None,
            previous_owner_id=previous.pk if previous else None,
            previous_owner_name=_name(previous) if previous else None,
        )
        _webhook(case, event, "case.assigned", previous_owner=previous)
    return case


def _webhook(case: FollowUpCase, event: CaseEvent, name: str, **objects) -> None:
    """Report the change ``event`` recorded on ``case`` to the webhooks wanting ``name``."""
    webhook_event_emit(
        Event(
            name,
            f"caseevent:{event.pk}",
            event.created_at,
            {"case": case, **objects},
            response_id=case.response_id,
            case_id=case.pk,
            survey_id=case.survey_id,
        )
    )


def cases_assign(*, cases, owner, actor) -> int:
    """Bulk assignment by a manager; returns how many cases changed hands."""
    if not access.is_manager(actor):
        raise PermissionDenied(_("Only managers can assign cases in bulk."))
    if owner is not None and any(not access.may_own(owner, case) for case in cases):
        # All or none: checked before the first case changes hands.
        raise ValidationError(
            _("%(owner)s does not work for the department of every selected case.")
            % {"owner": _name(owner)}
        )
    changed = 0
    for case in cases:
        before = case.owner_id
        after = case_assign(case=case, owner=owner, actor=actor)
        changed += after.owner_id != before
    return changed


def case_transition(
    *,
    case: FollowUpCase,
    to_status: str,
    actor,
    expected_status: str | None = None,
    root_cause: RootCause | None = None,
    resolution_summary: str = "",
    resurvey: bool = False,
) -> FollowUpCase:
    """Move the case along its workflow (see ``FollowUpCase.TRANSITIONS``)."""
    Status = FollowUpCase.Status
    with transaction.atomic():
        case = _lock(case)
        if not access.can_work(actor, case):
            raise PermissionDenied(_("Only the case's owner or a manager can change it."))
        if expected_status is not None and case.status != expected_status:
            raise StaleCase(
                _("Case #%(id)s is already %(status)s (changed meanwhile); nothing was changed.")
                % {"id": case.pk, "status": case.get_status_display()}
            )
        _check_transition(case, to_status)
        previous = case.status
        recorded = _set_transition_fields(
            case, to_status, now=timezone.now(), root_cause=root_cause, summary=resolution_summary
        )
        case.status = to_status
        case.save(update_fields=["status", "updated_at", *recorded])
        event = _event(
            case,
            CaseEvent.Kind.STATUS_CHANGED,
            actor,
            previous=previous,
            status=to_status,
        )
        _webhook(case, event, "case.status_changed", previous_status=previous)
        if to_status == Status.RESOLVED:
            _webhook(case, event, "case.resolved")
        if to_status == Status.CLOSED and resurvey:
            _send_resurvey(case, actor)
    return case


def _check_transition(case: FollowUpCase, to_status: str) -> None:
    """Refuse a move the workflow does not allow, naming the ones it does."""
    if case.can_transition_to(to_status):
        return
    Status = FollowUpCase.Status
    allowed = ", ".join(str(Status(s).label) for s in case.allowed_transitions())
    raise ValidationError(
        _("A %(current)s case cannot become %(target)s; it can become: %(allowed)s.")
        % {
            "current": case.get_status_display(),
            "target": Status(to_status).label if to_status in Status.values else to_status,
            "allowed": allowed or _("nothing"),
        }
    )


def _set_transition_fields(case, to_status, *, now, root_cause, summary) -> list[str]:
    """Set what entering ``to_status`` records on the case (resolution, first
    contact, closing time); returns the fields it changed."""
    Status = FollowUpCase.Status
    if to_status == Status.RESOLVED:
        errors = {}
        if root_cause is None:
            errors["root_cause"] = _("Choose the root cause to resolve the case.")
        elif not root_cause.is_active:
            errors["root_cause"] = _("This root cause is no longer in use.")
        if not summary.strip():
            errors["resolution_summary"] = _("Summarise how the case was resolved.")
        if errors:
            raise ValidationError(errors)
        case.root_cause = root_cause
        case.resolution_summary = summary.strip()
        case.resolved_at = now
        return ["root_cause", "resolution_summary", "resolved_at"]
    fields = []
    # First contact is an email or a call that reached the customer
    # (``_record_first_contact``), not a status someone picks.
    if to_status == Status.IN_PROGRESS:
        if case.status in (Status.RESOLVED, Status.CLOSED):
            case.resolved_at = case.closed_at = None
            # Reopened: the escalation levels count again from the start.
            case.escalation_level, case.escalation_phase = 0, ""
            fields += ["resolved_at", "closed_at", "escalation_level", "escalation_phase"]
    elif to_status == Status.CLOSED:
        case.closed_at = now
        fields.append("closed_at")
    return fields


def _send_resurvey(case: FollowUpCase, actor) -> None:

    if not case.customer.is_reachable:
        _event(case, CaseEvent.Kind.NOTE, actor, reason=timeline.RESURVEY_UNREACHABLE)
        return
    invitation = invitation_send(
        survey=case.survey, customer=case.customer, reason=f"case:{case.pk}:resurvey"
    )
    case.resurvey_invitation = invitation
    case.save(update_fields=["resurvey_invitation", "updated_at"])
    _event(
        case,
        CaseEvent.Kind.RESURVEYED,
        actor,
        invitation_id=invitation.pk,
    )


def _record_first_contact(case: FollowUpCase, actor, now: datetime) -> None:
    """The customer was reached (an email, or a call that got through): record
    the first contact, and a new case is now in progress. ``case`` is locked."""
    Status = FollowUpCase.Status
    fields = []
    if case.first_contact_at is None:
        case.first_contact_at = now
        fields.append("first_contact_at")
    if case.status == Status.NEW:
        case.status = Status.IN_PROGRESS
        fields.append("status")
    if not fields:
        return
    case.save(update_fields=[*fields, "updated_at"])
    if "status" in fields:
        _back_to_work(case, actor, Status.NEW, now)


def _back_to_work(case: FollowUpCase, actor, previous: str, now: datetime) -> None:
    """Record that ``case`` went from ``previous`` to in progress because of
    what happened (first contact, the customer's reply), not a chosen status."""
    Status = FollowUpCase.Status
    event = _event(
        case,
        CaseEvent.Kind.STATUS_CHANGED,
        actor,
        at=now,
        previous=str(previous),
        status=Status.IN_PROGRESS,
    )
    _webhook(case, event, "case.status_changed", previous_status=str(previous))


def case_log_call(*, case: FollowUpCase, actor, outcome: str, note: str = "") -> CaseEvent:
    """Record a phone call to the customer by ``actor``. A call that reached
    them is first contact; voicemail, no answer or a wrong number is an attempt
    on the timeline, and the first-contact deadline still runs."""
    Outcome = CaseEvent.CallOutcome
    note = (note or "").strip()
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose how the call went.")})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": _("A note can be at most 10,000 characters.")})
    with transaction.atomic():
        case = _lock(case)
        if not access.can_work(actor, case):
            raise PermissionDenied(_("Only the case's owner or a manager can log a call."))
        now = timezone.now()
        event = _event(
            case,
            CaseEvent.Kind.CALL_LOGGED,
            actor,
            at=now,
            outcome=outcome,
            phone=case.customer.phone or "",
            note=note,
        )
        if outcome == Outcome.REACHED:
            _record_first_contact(case, actor, now)
    return event


def case_add_note(*, case: FollowUpCase, actor, text: str) -> CaseEvent:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("A note cannot be empty.")})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError({"text": _("A note can be at most 10,000 characters.")})
    if not access.can_work(actor, case):
        raise PermissionDenied(_("Only the case's owner or a manager can add notes."))
    return _event(case, CaseEvent.Kind.NOTE, actor, text)


def case_root_cause_set(
    *,
    case: FollowUpCase,
    root_cause: RootCause | None,
    actor,
    expected_root_cause_id: int | EllipsisType | None = ...,
) -> FollowUpCase:
    """Set or change a case's root cause by hand; confirming a suggestion is
    setting the suggested one. The case then teaches the next training of
    the suggestion model. On the timeline, with the suggestion it confirmed
    or overrode. ``expected_root_cause_id``: the root cause the person saw
    (None: none); if someone changed it meanwhile, StaleCase and nothing changes."""
    if not access.can_work(actor, case):
        raise PermissionDenied(_("Only the case's owner or a manager can set its root cause."))
    if root_cause is None:
        raise ValidationError({"root_cause": _("Choose a root cause.")})
    if not root_cause.is_active:
        raise ValidationError({"root_cause": _("This root cause is no longer in use.")})
    with transaction.atomic():
        case = _lock(case)
        previous = case.root_cause
        if expected_root_cause_id is not ... and case.root_cause_id != expected_root_cause_id:
            raise StaleCase(
                _(
                    "Case #%(id)s's root cause is already %(cause)s (changed meanwhile); "
                    "nothing was changed."
                )
                % {"id": case.pk, "cause": previous or _("not set")}
            )
        if previous is not None and previous.pk == root_cause.pk:
            return case
        case.root_cause = root_cause
        case.save(update_fields=["root_cause", "updated_at"])
        suggested = case.suggested_root_cause
        _event(
            case,
            CaseEvent.Kind.ROOT_CAUSE_SET,
            actor,
            root_cause_id=root_cause.pk,
            root_cause_name=root_cause.name,
            previous_name=previous.name if previous else None,
            suggested_name=suggested.name if suggested else None,
            confirmed=suggested is not None and suggested.pk == root_cause.pk,
        )
    return case


def case_email_draft(*, case: FollowUpCase, actor) -> tuple[str, str]:
    """A subject and body to start from, in the customer's language."""
    rendered = render(
        "case_draft",
        customer_language(case.response),
        {"customer_name": case.customer.name, "staff_name": _name(actor), "case_id": case.pk},
    )
    return rendered.subject, rendered.body_text


def case_email_customer(
    *, case: FollowUpCase, actor, subject: str, body: str, draft_id: str
) -> OutboundMessage:
    """Queue an email to the customer through the outbox. ``draft_id`` comes
    from the form the person filled: submitting it twice sends one email."""
    if not access.can_work(actor, case):
        raise PermissionDenied(_("Only the case's owner or a manager can email the customer."))
    errors = {}
    if not subject.strip():
        errors["subject"] = _("The email needs a subject.")
    if not body.strip():
        errors["body"] = _("The email needs a message.")
    if errors:
        raise ValidationError(errors)
    customer = case.customer
    if not customer.is_reachable:
        raise ValidationError(
            _(
                "This customer gets no email: they unsubscribed, their address bounced, "
                "they marked our email as spam, or they were erased."
            )
        )
    with transaction.atomic():
        # An email to the customer is first contact. The case's lock orders
        # this with a reassignment in flight: who may work it is asked again
        # of the locked row, as the reassignment left it.
        locked = _lock(case)
        if not access.can_work(actor, locked):
            raise PermissionDenied(_("Only the case's owner or a manager can email the customer."))
        now = timezone.now()
        _record_first_contact(locked, actor, now)
        language = customer_language(case.response)
        with translation.override(language):
            from_name = sender_name(_name(actor))
        email = email_queue(
            template="case_message",
            dedupe_key=f"case:{case.pk}:message:{draft_id}",
            recipient=customer.email,  # type: ignore[arg-type]  # NULL only once erased (check constraint)
            language=language,
            context={"subject": subject.strip(), "body": body.strip()},
            customer=customer,
            response_id=case.response_id,
            case_id=case.pk,
            survey_id=case.survey_id,
            created_by=actor,
            # The customer's answer comes back to this case (followups.replies).
            from_name=from_name,
            reply_to=reply_address(case.pk, now=now),
        )
        messages_enqueue(message_ids=[email.pk])
    return email


# --- Replies from the customer ------------------------------------------------


def case_reply_record(
    *,
    case: FollowUpCase,
    text: str,
    attachments: list[str],
    source: str,
    from_customer: bool = True,
) -> CaseEvent | None:
    """Put the customer's emailed reply on the case's timeline, tell whoever
    works the case, and hand a case waiting on the customer back to its owner
    (in progress). A resolved or closed case is not reopened: the reply is
    recorded and the owner told, and they decide. A reply sent from another
    address than the customer's (``from_customer`` False) is recorded and
    told as such but moves nothing. Nothing is recorded (None) once the
    customer is erased: their words must not come back."""
    Status = FollowUpCase.Status
    with transaction.atomic():
        case = _lock(case)
        if case.customer.is_erased:
            return None
        now = timezone.now()
        # The customer's own words; the rest is worded when read (timeline.py).
        event = _event(
            case,
            CaseEvent.Kind.CUSTOMER_REPLIED,
            None,
            text.strip(),
            at=now,
            source=source,
            attachments=attachments,
            from_customer=from_customer,
        )
        waited = from_customer and case.status == Status.WAITING
        if waited:
            case.status = Status.IN_PROGRESS
            case.save(update_fields=["status", "updated_at"])
            _back_to_work(case, None, Status.WAITING, now)
        messages_enqueue(message_ids=_notify_reply(case, event, back_in_progress=waited))
    return event


def _notify_reply(case: FollowUpCase, event: CaseEvent, *, back_in_progress: bool) -> list[int]:
    """Email the owner (nobody owns it, or the owner cannot be emailed: the
    managers) that the customer replied. The email links to the case and does
    not quote the reply: the customer's words stay in one place, which
    erasure empties."""
    owner = case.owner
    if owner is not None and owner.is_active and owner.email:
        recipients = [owner]
    else:
        recipients = list(access.department_managers(case))
    languages = dict(
        StaffProfile.objects.filter(user__in=[user.pk for user in recipients]).values_list(
            "user_id", "language"
        )
    )
    ids = []
    for user in recipients:
        if not user.email:
            continue
        email = email_queue(
            template="case_reply",
            dedupe_key=f"case:{case.pk}:reply:{event.pk}:{user.pk}",
            recipient=user.email,
            language=languages.get(user.pk) or settings.LANGUAGE_CODE,
            context={
                "case_id": case.pk,
                "back_in_progress": back_in_progress,
                "closed": not case.is_open,
                "owned": owner is not None and owner.pk == user.pk,
                "unowned": owner is None or not owner.is_active,
                "from_customer": event.data.get("from_customer", True),
                "url": f"{settings.PUBLIC_BASE_URL}/admin/followups/followupcase/{case.pk}/change/",
            },
            case_id=case.pk,
            survey_id=case.survey_id,
        )
        ids.append(email.pk)
    return ids


# --- Escalation -------------------------------------------------------------


def due_cases_escalate(*, now: datetime | None = None) -> int:
    """Raise the escalation level of every open case past its next threshold,
    record it on the timeline and tell the owner and the managers. Rows being
    escalated by another worker are skipped, not waited for."""
    now = now or timezone.now()
    # A superset of the cases ``sla.should_escalate`` picks: the threshold is
    # never before the current deadline, except for an uncontacted case
    # nobody owns.
    unowned = FollowUpCase.open_q() & Q(owner__isnull=True, first_contact_at__isnull=True)
    # Below the highest level, or last escalated for another deadline.
    contact = Q(first_contact_at__isnull=True) | Q(resolution_due_at__isnull=True)
    other_phase = (contact & Q(escalation_phase="resolution")) | (
        ~contact & Q(escalation_phase="contact")
    )
    candidates = FollowUpCase.objects.filter(
        FollowUpCase.overdue_q(now) | unowned,
        Q(escalation_level__lt=settings.NPS_ESCALATION_MAX_LEVEL) | other_phase,
    ).values_list("pk", flat=True)
    escalated = 0
    for case_id in list(candidates):
        email_ids = []
        with transaction.atomic():
            case = (
                FollowUpCase.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("owner", "response", "survey")
                .filter(pk=case_id)
                .first()
            )
            if case is None or not sla.should_escalate(case, now):
                continue
            case.escalation_level = sla.phase_level(case) + 1
            case.escalation_phase = case.deadline_kind
            case.escalated_at = now
            case.save(
                update_fields=[
                    "escalation_level",
                    "escalation_phase",
                    "escalated_at",
                    "updated_at",
                ]
            )
            data = timeline.escalation_data(case, now=now)
            event = _event(case, CaseEvent.Kind.ESCALATED, None, **data)
            with translation.override(settings.LANGUAGE_CODE):  # the emails' language
                email_ids = _notify_escalation(case, event, timeline.escalation_reason(data))
            messages_enqueue(message_ids=email_ids)
        escalated += 1
    return escalated


def _notify_escalation(case: FollowUpCase, event: CaseEvent, reason: str) -> list[int]:
    recipients = {user.pk: user for user in access.department_managers(case)}
    if case.owner and case.owner.email:
        recipients[case.owner.pk] = case.owner
    ids = []
    for user in recipients.values():
        email = email_queue(
            template="escalation",
            # Per escalation: a level is reached again for a later deadline.
            dedupe_key=f"case:{case.pk}:escalation:{event.pk}:{user.pk}",
            recipient=user.email,
            language=settings.LANGUAGE_CODE,
            context={
                "case_id": case.pk,
                "level": case.escalation_level,
                "reason": reason,
                "owner": _name(case.owner) if case.owner else "",
                "score": case.response.score,
                "survey": case.survey.name,
                "url": f"{settings.PUBLIC_BASE_URL}/admin/followups/followupcase/{case.pk}/change/",
            },
            case_id=case.pk,
            survey_id=case.survey_id,
        )
        ids.append(email.pk)
    return ids
