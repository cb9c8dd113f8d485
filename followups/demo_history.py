"""Six months of loop history for the demo: each seeded answer is routed by
the real routing code, then its case, grant and email are dated as if the
loop had run when the answer came in, and older cases are worked and closed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from followups import roles
from followups.cases import sla, timeline
from followups.cases.workflow import person_name
from followups.models import (
    CaseEvent,
    FollowUpCase,
    GrantStatus,
    ImprovementAction,
    OfferGrant,
    OutboundMessage,
    RewardGrant,
    RootCause,
)
from followups.routing import response_route
from surveys.departments import sees_department

ROOT_CAUSES = {
    "Slow delivery": "Orders or shipments arrived late.",
    "Billing error": "Wrong invoice, double charge or unclear pricing on the bill.",
    "Product defect": "The product broke or did not work as described.",
    "Support experience": "Long waits, unhelpful or repeated contacts with support.",
    "Price": "Perceived as too expensive for the value.",
    "Missing feature": "Something the customer needs is not offered.",
    "Onboarding": "Hard to get started or set up.",
}
KEYWORDS = {
    "deliver": "Slow delivery",
    "ship": "Slow delivery",
    "late": "Slow delivery",
    "invoice": "Billing error",
    "bill": "Billing error",
    "charge": "Billing error",
    "broke": "Product defect",
    "bug": "Product defect",
    "crash": "Product defect",
    "support": "Support experience",
    "wait": "Support experience",
    "price": "Price",
    "expensive": "Price",
    "feature": "Missing feature",
    "setup": "Onboarding",
    "onboard": "Onboarding",
}
SUMMARIES = [
    "Called the customer, apologised and explained the fix; customer satisfied.",
    "Refunded the difference and corrected the account.",
    "Escalated to the product team; workaround shared with the customer.",
    "Replaced the item at no cost.",
    "Walked the customer through the setup on a call.",
]


def ensure_root_causes() -> list[RootCause]:
    for name, description in ROOT_CAUSES.items():
        RootCause.objects.get_or_create(name=name, defaults={"description": description})
    return list(RootCause.objects.filter(name__in=ROOT_CAUSES))


def _root_cause_for(comment: str, causes: dict[str, RootCause], rng: random.Random) -> RootCause:
    lowered = comment.lower()
    for keyword, name in KEYWORDS.items():
        if keyword in lowered:
            return causes[name]
    return rng.choice(list(causes.values()))


def write_history(responses, *, rng: random.Random, now: datetime) -> int:
    """Route ``responses`` and backdate what routing made. Returns how many."""
    causes = {cause.name: cause for cause in ensure_root_causes()}
    staff = list(
        get_user_model()
        .objects.filter(groups__name=roles.SERVICE_STAFF, is_active=True)
        .order_by("username")
    )
    routed = 0
    for response in responses.select_related("survey").order_by("submitted_at").iterator():
        with transaction.atomic():
            outcome, _ = response_route(response_id=response.pk)
            if outcome != "routed":
                continue
            category = response.category
            routed += 1
            opened = response.submitted_at + timedelta(minutes=2)
            OutboundMessage.objects.filter(response=response).update(
                created_at=opened,
                next_attempt_at=opened,
                status=OutboundMessage.Status.SENT,
                attempts=1,
                sent_at=opened + timedelta(minutes=1),
            )
            if category == "detractor":
                _work_case(response, opened, now, staff, causes, rng)
            else:
                _age_grant(response, opened, now, rng)
    return routed


def _age_grant(response, opened: datetime, now: datetime, rng: random.Random) -> None:
    for model in (OfferGrant, RewardGrant):
        grant = model.objects.filter(response=response).first()
        if grant is None:
            continue
        grant.expires_at = opened + (grant.expires_at - grant.created_at)
        grant.created_at = opened
        grant.sent_at = opened + timedelta(minutes=1)
        grant.status = GrantStatus.SENT
        if grant.code and rng.random() < 0.35:
            redeemed = opened + timedelta(days=rng.uniform(0.5, 20))
            if redeemed < min(now, grant.expires_at):
                grant.status, grant.redeemed_at = GrantStatus.REDEEMED, redeemed
        if grant.status == GrantStatus.SENT and grant.expires_at <= now:
            grant.status = GrantStatus.EXPIRED
        grant.save()


def _work_case(response, opened, now, staff, causes, rng) -> None:
    case = FollowUpCase.objects.get(response=response)
    case.created_at = opened
    deadlines = sla.case_deadlines(response.survey, opened)
    case.due_at, case.resolution_due_at = deadlines["due_at"], deadlines["resolution_due_at"]
    age = now - opened
    events = []
    CaseEvent.objects.filter(case=case).update(created_at=opened)
    # The newest cases (the last day and a half) wait in the unassigned
    # queue; a case two days old has an owner, one in between now and then.
    # Only the staff of the case's department may own it.
    staff = [user for user in staff if sees_department(user, response.survey.department_id)]
    if staff and (age > timedelta(days=2) or (age > timedelta(hours=36) and rng.random() < 0.35)):
        case.owner = staff[case.pk % len(staff)]
        assigned = {"owner_id": case.owner.pk, "owner_name": person_name(case.owner)}
        events.append(
            (CaseEvent.Kind.ASSIGNED, opened + timedelta(minutes=20), case.owner, assigned)
        )

    sla_hours = response.survey.detractor_sla_hours
    if timedelta(days=1) < age <= timedelta(days=3) and case.owner and rng.random() < 0.5:
        # Reached within the SLA; now waiting for the customer to send something.
        case.first_contact_at = opened + timedelta(hours=sla_hours * rng.uniform(0.2, 0.9))
        case.status = FollowUpCase.Status.WAITING
        events += _contact_history(case, FollowUpCase.Status.WAITING)
    elif age > timedelta(days=3) and case.owner:
        # 80% contacted within the SLA, the rest late.
        share = rng.uniform(0.1, 0.95) if rng.random() < 0.8 else rng.uniform(1.1, 2.5)
        case.first_contact_at = opened + timedelta(hours=sla_hours * share)
        case.status = FollowUpCase.Status.IN_PROGRESS
        events += _contact_history(case, FollowUpCase.Status.IN_PROGRESS)
        if age > timedelta(days=10) or rng.random() < 0.4:
            events += _resolve_history(case, response, age, causes, rng)
        elif rng.random() < 0.5:
            case.status = FollowUpCase.Status.WAITING
    events += _escalate_history(case, now)
    case.save()
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            kind=event[0],
            created_at=event[1],
            actor=event[2],
            data=event[3],
        )
        for event in events
    )


def _contact_history(case: FollowUpCase, status: str) -> list[tuple]:
    """The call that was the case's first contact, and the status it led to."""
    at, owner = case.first_contact_at, case.owner
    call = {
        "outcome": CaseEvent.CallOutcome.REACHED.value,
        "phone": case.customer.phone or "",
        "note": "",
    }
    moved = {"previous": FollowUpCase.Status.NEW.value, "status": status}
    return [
        (CaseEvent.Kind.CALL_LOGGED, at, owner, call),
        (CaseEvent.Kind.STATUS_CHANGED, at, owner, moved),
    ]


def _resolve_history(case, response, age, causes, rng) -> list[tuple]:
    """A contacted case resolved some days later (and closed after two weeks):
    its fields set, and the timeline events of that."""
    events: list[tuple] = []
    case.resolved_at = case.first_contact_at + timedelta(days=rng.uniform(0.2, 6))
    case.status = FollowUpCase.Status.RESOLVED
    case.root_cause = _root_cause_for(response.comment, causes, rng)
    case.resolution_summary = rng.choice(SUMMARIES)
    events.append(
        (
            CaseEvent.Kind.STATUS_CHANGED,
            case.resolved_at,
            case.owner,
            {"previous": FollowUpCase.Status.IN_PROGRESS.value, "status": case.status},
        )
    )
    if age > timedelta(days=14):
        case.closed_at = case.resolved_at + timedelta(days=1)
        case.status = FollowUpCase.Status.CLOSED
        events.append(
            (
                CaseEvent.Kind.STATUS_CHANGED,
                case.closed_at,
                case.owner,
                {"previous": FollowUpCase.Status.RESOLVED.value, "status": case.status},
            )
        )
    return events


def ensure_demo_actions(surveys: dict, *, now: datetime) -> None:
    """Two improvement actions that came out of recurring root causes."""
    owner = get_user_model().objects.filter(groups__name=roles.MANAGERS).first()
    if owner is None:
        return
    causes = {cause.name: cause for cause in ensure_root_causes()}
    specs = [
        ("Express courier for every order", "Slow delivery", "consumer", 75, "done"),
        ("Clearer invoices with line items", "Billing error", "smb", 40, "in_progress"),
    ]
    for survey in surveys.values():
        for title, cause, segment, days_ago, status in specs:
            ImprovementAction.objects.get_or_create(
                title=title,
                survey=survey,
                defaults={
                    "root_cause": causes[cause],
                    "owner": owner,
                    "target_segment": segment,
                    "effective_from": now - timedelta(days=days_ago),
                    "status": status,
                    "description": f"Cases with the root cause '{cause}' keep coming back.",
                },
            )


# The escalation job runs every few minutes: a case past a threshold was
# escalated then, one level per threshold up to the highest, as
# ``due_cases_escalate`` does.


def _escalate_history(case: FollowUpCase, now: datetime) -> list[tuple]:
    """Raise an open case's escalation level as the job would have, dated
    when it would have: the Escalated queue shows them, with their timeline."""
    events: list[tuple] = []
    while sla.can_escalate(case):
        at = sla.next_escalation_at(case)
        if at > now:
            break
        case.escalation_level = sla.phase_level(case) + 1
        case.escalation_phase = case.deadline_kind
        case.escalated_at = at
        events.append((CaseEvent.Kind.ESCALATED, at, None, timeline.escalation_data(case, now=at)))
    return events
