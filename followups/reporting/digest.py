"""The weekly digest for managers: how NPS moved, what needs attention."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from followups.cases import access
from followups.insights.themes import digest_themes
from followups.models import FollowUpCase, StaffProfile
from followups.outbox.messages import email_queue
from followups.publish import messages_enqueue
from followups.reporting import reports
from surveys.departments import department_filter, departments_of, in_departments
from surveys.models import Survey


def digest_recipients():
    """Active managers with an email address who did not opt out."""
    return access.managers().exclude(staff_profile__wants_digest=False)


def digest_context(*, now: datetime, user=None) -> dict:
    """The digest's content; with ``user``, only what their departments hold
    (surveys.departments): a manager of one department reads only its news."""
    week_ago = now - timedelta(days=7)
    # Customer NPS only: an employee survey's figures are its eNPS report's,
    # with small groups hidden, never a plain NPS panel.
    active = Survey.objects.filter(status=Survey.Status.ACTIVE, kind=Survey.Kind.CUSTOMER).order_by(
        "name"
    )
    cases = FollowUpCase.objects.filter(survey__kind=Survey.Kind.CUSTOMER)
    if user is not None:
        active = in_departments(user, active)
        cases = cases.filter(department_filter(user, "survey__department"))
    surveys = []
    for survey in active:
        panel = reports.nps_panel(reports.Selection(survey, week_ago, now))
        surveys.append({"survey": survey, "panel": panel})
    open_cases = cases.open()
    counts = cases.aggregate(
        new_detractors=Count("pk", filter=Q(created_at__gte=week_ago)),
        overdue=Count("pk", filter=FollowUpCase.overdue_q(now)),
        unassigned=Count("pk", filter=FollowUpCase.open_q() & Q(owner__isnull=True)),
    )
    causes = list(
        cases.filter(created_at__gte=now - timedelta(days=30), root_cause__isnull=False)
        .values("root_cause__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "root_cause__name")[:5]
    )
    return {
        "surveys": surveys,
        **counts,
        "open": open_cases.count(),
        "root_causes": causes,
        "themes": digest_themes(now=now, reader=user),
        "dashboard_url": f"{settings.PUBLIC_BASE_URL}/admin/dashboard/",
        "overdue_url": f"{settings.PUBLIC_BASE_URL}/admin/followups/followupcase/?queue=overdue",
        "week_start": week_ago,
        "week_end": now,
    }


def digest_send(*, now: datetime | None = None) -> int:
    """Queue this week's digest for every manager, once per ISO week."""
    now = now or timezone.now()
    year, week, _ = now.isocalendar()
    contexts: dict[frozenset[int] | None, dict] = {}  # one per distinct department scope
    languages = dict(
        StaffProfile.objects.filter(user__in=digest_recipients()).values_list("user_id", "language")
    )
    ids = []
    with transaction.atomic():
        for user in digest_recipients():
            scope = departments_of(user)
            if scope not in contexts:
                contexts[scope] = digest_context(now=now, user=user)
            context = contexts[scope]
            email = email_queue(
                template="digest",
                dedupe_key=f"digest:{user.pk}:{year}-W{week:02d}",
                recipient=user.email,
                language=languages.get(user.pk) or settings.LANGUAGE_CODE,
                context={**context, "name": user.first_name or user.get_username()},
            )
            ids.append(email.pk)
        messages_enqueue(message_ids=ids)
    return len(ids)
