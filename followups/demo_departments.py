"""The demo's departments: support, sales and delivery, each with its survey
and its people, so the dashboard can put them side by side. Kept apart from
``seed_demo`` so that other demo additions merge without touching it.

Idempotent like the rest of the seed: everything is found by its natural key
(department name, username, survey slug, answer idempotency key)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from followups import roles
from surveys import stats
from surveys.models import Channel, Customer, Department, Invitation, Response, Survey

SUPPORT, SALES, DELIVERY = "Support", "Sales", "Delivery"
DELIVERY_SLUG = "delivery-nps"
DELIVERY_ANSWERS = 260
# Which demo survey belongs to which department (seed_demo makes the first two).
SURVEY_DEPARTMENTS = {"support-nps": SUPPORT, "relationship-nps": SALES, DELIVERY_SLUG: DELIVERY}
# Demo people placed in departments; the ones made here have the staff password.
MEMBERS = {"staff1": (SUPPORT,), "staff2": (SALES,), "staff3": (DELIVERY,)}
NEW_STAFF = {"staff3": ("Tomek", "Zając")}
# A manager of two departments, to show a manager's narrower view.
DEPARTMENT_MANAGER = ("manager2", "Rosa", "Ortiz", (SALES, DELIVERY))

DELIVERY_COMMENTS = {
    stats.DETRACTOR: (
        "The parcel arrived four days late.",
        "Delivery was late and nobody told me.",
        "The courier left the box in the rain.",
        "Wrong item delivered, and the return took weeks.",
    ),
    stats.PASSIVE: ("Arrived on time, the tracking could be better.", ""),
    stats.PROMOTER: ("Next-day delivery, as promised.", "The courier was very friendly."),
}


def ensure_demo_departments(
    *, rng: random.Random, now: datetime, history_days: int, staff_password: str
) -> tuple[list[tuple[str, str, str]], int, int]:
    """Departments, their surveys (the delivery survey with its answers, which
    the seed then routes like the others), and their people. Returns the demo
    logins made here as (username, password, role), and how many answers and
    invitations were added (only those missing: a second run adds nothing)."""
    departments = {
        name: Department.objects.get_or_create(name=name)[0] for name in (SUPPORT, SALES, DELIVERY)
    }
    delivery, _ = Survey.objects.get_or_create(
        slug=DELIVERY_SLUG,
        defaults={
            "name": "Delivery NPS (after an order arrives)",
            "status": Survey.Status.ACTIVE,
            "auto_assign": True,
            "detractor_sla_hours": 24,
            "throttle_days": 14,
        },
    )
    for slug, name in SURVEY_DEPARTMENTS.items():
        Survey.objects.filter(slug=slug, department__isnull=True).update(
            department=departments[name]
        )
    logins = _ensure_people(departments, staff_password)
    answered, invited = _ensure_delivery_answers(
        delivery, rng=rng, now=now, history_days=history_days
    )
    return logins, answered, invited


def _ensure_people(departments: dict, staff_password: str) -> list[tuple[str, str, str]]:
    user_model = get_user_model()
    logins = []
    for username, (first, last) in NEW_STAFF.items():
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_staff": True},
        )
        if created:
            user.email = f"{username}@example.com"
            user.set_password(staff_password)
            user.save()
            user.groups.add(Group.objects.get(name=roles.SERVICE_STAFF))
    username, first, last, names = DEPARTMENT_MANAGER
    boss, created = user_model.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "is_staff": True}
    )
    if created:
        boss.email = f"{username}@example.com"
        boss.set_password(staff_password)
        boss.save()
        boss.groups.add(Group.objects.get(name=roles.MANAGERS))
    for name in names:
        departments[name].members.add(boss)
    for member, names_of in MEMBERS.items():
        for person in user_model.objects.filter(username=member):
            for name in names_of:
                departments[name].members.add(person)
    logins.append(("staff3", staff_password, "staff (Delivery)"))
    logins.append((username, staff_password, "manager (Sales, Delivery)"))
    return logins


def _delivery_score(rng: random.Random, progress: float) -> int:
    # Delivery stays clearly below the rest of the company, catching up a little.
    promoters, detractors = 0.28 + 0.06 * progress, 0.44 - 0.06 * progress
    roll = rng.random()
    if roll < promoters:
        return rng.choice((9, 10))
    if roll < 1 - detractors:
        return rng.choice((7, 8))
    return rng.choice((1, 2, 3, 4, 5, 6))


def _delivery_invitation(survey: Survey, customer_id: int, *, submitted_at: datetime) -> Invitation:
    """The emailed invitation a demo answer came through, sent six hours
    before it and opened minutes before."""
    invited_at = submitted_at - timedelta(hours=6)
    invitation = Invitation(
        survey=survey,
        customer_id=customer_id,
        channel=Channel.EMAIL,
        created_at=invited_at,
        sent_at=invited_at,
        opened_at=submitted_at - timedelta(minutes=3),
        responded_at=submitted_at,
    )
    invitation.prepare_token(now=invited_at)
    return invitation


def _ensure_delivery_answers(
    survey: Survey, *, rng: random.Random, now: datetime, history_days: int
) -> tuple[int, int]:
    """The delivery survey's answers, nine in ten from an emailed invitation;
    the same ones on every run (customers by email, a seeded random), so only
    missing ones are added."""
    customers = list(
        Customer.objects.filter(email__endswith="@example.com")
        .order_by("email")
        .values("pk", "email", "segment", "locale")
    )
    if not customers:
        return 0, 0
    specs = []
    ages = sorted(rng.uniform(0.05, history_days - 1) for _ in range(DELIVERY_ANSWERS))
    for n, age in enumerate(reversed(ages), start=1):
        customer = rng.choice(customers)
        score = _delivery_score(rng, 1 - age / history_days)
        category = stats.classify(score)
        comment = rng.choice(DELIVERY_COMMENTS[category]) if rng.random() < 0.6 else ""
        invited = rng.random() < 0.9
        specs.append((f"demo-delivery-{n}", customer, age, score, category, comment, invited))
    done = set(
        Response.objects.filter(idempotency_key__in=[spec[0] for spec in specs]).values_list(
            "idempotency_key", flat=True
        )
    )
    missing = [spec for spec in specs if spec[0] not in done]
    invitations = {
        key: _delivery_invitation(survey, customer["pk"], submitted_at=now - timedelta(days=age))
        for key, customer, age, _score, _category, _comment, invited in missing
        if invited
    }
    Invitation.objects.bulk_create(invitations.values(), batch_size=500)
    rows = [
        Response(
            survey=survey,
            customer_id=customer["pk"],
            invitation=invitations.get(key),
            score=score,
            category=category,  # bulk_create skips save(), which would derive it
            comment=comment,
            channel=Channel.EMAIL if key in invitations else Channel.LINK,
            submitted_at=now - timedelta(days=age),
            segment=customer["segment"],
            locale=customer["locale"],
            idempotency_key=key,
            routed_at=None,  # the seed routes it, dated as the loop would have
        )
        for key, customer, age, score, category, comment, _invited in missing
    ]
    Response.objects.bulk_create(rows, batch_size=500)
    return len(rows), len(invitations)
