"""Where each number of the dashboard leads: the admin list of exactly the rows
it counts, filtered by the same survey, period and segment.

Each function mirrors one query of ``reports``: ``answers`` is
``Selection.responses()``, ``cases`` is ``Selection.cases()``, ``invitations``
is ``response_rate``'s and ``grants`` is ``reports.grants``'. The filters are
the admin's own URL parameters (its list filters, or lookups on the model's
own columns, which the admin accepts), so a list shows the rows the number
counted, and a test follows every link and compares the counts.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from followups.reporting.reports import Selection


def _changelist(model: str, params: dict) -> str:
    return reverse(f"admin:{model}_changelist") + "?" + urlencode(params)


def _period(field: str, selection: Selection) -> dict:
    return {
        f"{field}__gte": selection.start.isoformat(),
        f"{field}__lt": selection.end.isoformat(),
    }


def answers(selection: Selection, **filters) -> str:
    """The counted answers of the selection (``Selection.responses``)."""
    params = {
        "survey__id__exact": selection.survey.pk,
        **_period("submitted_at", selection),
        "exclusion_reason__exact": "",
    }
    if selection.segment:
        params["segment__exact"] = selection.segment
    return _changelist("surveys_response", params | filters)


def cases(selection: Selection, **filters) -> str:
    """The cases opened in the selection (``Selection.cases``); ``queue``
    (open, overdue), ``owner__id__exact`` or ``root_cause__id__exact`` narrow
    them as the dashboard's panels do."""
    params = {"survey__id__exact": selection.survey.pk, **_period("created_at", selection)}
    if selection.segment:
        params["segment"] = selection.segment  # the case list's segment filter
    return _changelist("followups_followupcase", params | filters)


def invitations(selection: Selection, **filters) -> str:
    """The invitations of the period (``reports.response_rate``)."""
    params = {"survey__id__exact": selection.survey.pk, **_period("created_at", selection)}
    if selection.segment:
        params["customer__segment"] = selection.segment
    return _changelist("surveys_invitation", params | filters)


def grants(kind: str, selection: Selection, **filters) -> str:
    """Offer (``kind`` "offers") or reward grants of the period (``reports.grants``)."""
    model = {"offers": "followups_offergrant", "rewards": "followups_rewardgrant"}[kind]
    params = {"survey__id__exact": selection.survey.pk, **_period("created_at", selection)}
    if selection.segment:
        params["response__segment"] = selection.segment
    return _changelist(model, params | filters)


def reward_rows(model: str, selection: Selection, **filters) -> str:
    """Link clicks (``model`` "linkclick") or referral uses ("referraluse") of
    the period's reward grants (``reports.reward_tracking``)."""
    params = {
        "grant__survey__id__exact": selection.survey.pk,
        "grant__created_at__gte": selection.start.isoformat(),
        "grant__created_at__lt": selection.end.isoformat(),
    }
    if selection.segment:
        params["grant__response__segment"] = selection.segment
    return _changelist(f"followups_{model}", params | filters)


def bonus_reminders(selection: Selection, wave_id: int | None, *, total: bool, **filters) -> str:
    """The reminders under a bonus of the period (``reminder_bonus_comparison``),
    of one wave (or of none, for reminders outside a wave; every one for the
    total); ``arm``, ``answered`` and ``granted`` narrow them as the panel counts."""
    params: dict = {"survey__id__exact": selection.survey.pk, **_period("reminded_at", selection)}
    if not total:
        params.update({"wave__id__exact": wave_id} if wave_id else {"wave__isnull": "True"})
    if selection.segment:
        params["customer__segment"] = selection.segment
    return _changelist("followups_reminderbonusassignment", params | filters)
