"""Employee NPS, over every report, export, API route and admin page at once:
an employee survey answered by teams of 3, 5 and 6 (the minimum is 5), then
every GET the URL registries know (every route under /api/, every registered
admin list and change page, every extra admin page, each dashboard panel and
its CSV) is read by a superuser, by session and by an all-scopes API key.

No body may hold an employee's email or the small team's comments, and every
figure of the small team (and of the team hidden so that it cannot be worked
out by subtraction) is suppressed. Nor may any other table of the database
hold an employee's email or comment: an answer is joined to no one.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory, TestCase
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from followups.invitations.employees import employee_invitations_send
from followups.models import OutboundMessage
from followups.reporting.panel_exports import PANELS
from followups.routing import responses_route
from surveys.api_keys import api_key_create
from surveys.models import ApiScope, EmployeeAnswer, EmployeeInvitation, Response
from tests.enps import SMALL_SECRET, TEAMS, employee_email, enps_survey_answered
from tests.factories import (
    InvitationFactory,
    OfferGrantFactory,
    ResponseFactory,
    SurveyFactory,
    UserFactory,
)
from tests.followups.cases import open_case
from tests.surveys.api.conftest import client_with
from tests.test_admin_permissions import URL_CALLS, URLS
from tests.test_scope_matrix import declared_routes

pytestmark = pytest.mark.django_db

HIDDEN_TEAMS = ("Small", "Mid")  # Mid: else total - Mid - Large = Small
EMAILS = [employee_email(team, n) for team, scores in TEAMS.items() for n in range(len(scores))]


@pytest.fixture
def world(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    rates.update(anon="100000/min", ingest="100000/min", read="100000/min", user="100000/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    customers = SurveyFactory(slug="checkout")
    response = ResponseFactory(survey=customers)
    with TestCase.captureOnCommitCallbacks(execute=True):
        responses_route(response_ids=[ResponseFactory(survey=customers, score=2).pk])
    survey = enps_survey_answered()
    # Their invitations emailed, as in production: the outbox then names who was asked.
    with TestCase.captureOnCommitCallbacks(execute=False):
        employee_invitations_send(survey=survey)
    return {
        "survey": survey,
        "responses": response.pk,
        "customers": response.customer_id,
        "cases": open_case().pk,
        "invitations": InvitationFactory(
            survey=customers, sent_at=None, scheduled_at=timezone.now()
        ).pk,
        "grants": OfferGrantFactory(response__survey=customers).code,
        "surveys": survey.slug,
    }


def _figures_hidden(data, where: str) -> list[str]:
    """Every JSON object naming a hidden team shows no figure."""
    wrong = []
    if isinstance(data, dict):
        if data.get("team") in HIDDEN_TEAMS and "suppressed" in data:
            shown = {
                k: v for k, v in data.items() if k not in ("team", "suppressed") and v is not None
            }
            if not data["suppressed"] or shown:
                wrong.append(f"{where}: {data}")
        for value in data.values():
            wrong += _figures_hidden(value, where)
    elif isinstance(data, list):
        for value in data:
            wrong += _figures_hidden(value, where)
    return wrong


def _html_hidden(body: str, where: str) -> list[str]:
    """In the dashboard's tables a hidden team's cells say so and hold no number."""
    wrong = []
    for team in HIDDEN_TEAMS:
        for row in re.findall(rf'<tr data-team="{team}">(.*?)</tr>', body, flags=re.S):
            if "data-suppressed" not in row or re.search(r"<td[^>]*>\s*-?\d", row):
                wrong.append(f"{where}: {team} row {row!r}")
        for cell in re.findall(rf'<td[^>]*data-team="{team}"[^>]*>.*?</td>', body, flags=re.S):
            if "data-suppressed" not in cell or re.search(r">\s*-?\d", cell):
                wrong.append(f"{where}: {team} cell {cell!r}")
    return wrong


def _csv_hidden(body: str, where: str) -> list[str]:
    wrong = []
    for row in csv.DictReader(io.StringIO(body.lstrip("\ufeff"))):
        if row.get("team") in HIDDEN_TEAMS and (row.get("suppressed") != "True" or row["answers"]):
            wrong.append(f"{where}: {row}")
    return wrong


# Only a superuser (the walk's reader) sees the employee emails in the outbox
# (tests/followups/invitations: staff do not): their recipient, never a
# working link, which no page anywhere may show.
SUPERUSER_SEES_RECIPIENTS = "admin GET /admin/followups/outboundmessage/"


def _tokens() -> list[str]:
    return [invitation.token for invitation in EmployeeInvitation.objects.all()]


def _leaks(where: str, reply) -> list[str]:
    assert reply.status_code < 500, f"{where}: {reply.status_code}"
    raw = b"".join(reply.streaming_content) if reply.streaming else reply.content
    body = raw.decode("utf-8", "replace")
    names_ok = where.startswith(SUPERUSER_SEES_RECIPIENTS)
    found = [f"{where}: {email}" for email in EMAILS if email in body and not names_ok]
    found += [f"{where}: an employee's working link" for token in _tokens() if token in body]
    found += [f"{where}: the small team's comment"] if SMALL_SECRET in body else []
    content_type = reply.get("Content-Type", "")
    if "json" in content_type:
        found += _figures_hidden(json.loads(body), where)
    elif "csv" in content_type:
        found += _csv_hidden(body, where)
    else:
        found += _html_hidden(body, where)
    return found


def _api_paths(world) -> list[str]:
    paths = []
    for method, path, _entry in declared_routes(world):
        if method == "GET":
            paths += [path, f"{path}?survey={world['surveys']}&trend={world['surveys']}"]
    return paths


def _admin_paths(world) -> list[str]:
    paths = []
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        paths += [
            changelist,
            f"{changelist}?q=staff",
            f"{changelist}?survey__id__exact={world['survey'].pk}",
        ]
        for pk in model_admin.get_queryset(_request()).values_list("pk", flat=True)[:3]:
            paths.append(reverse("admin:{}_{}_change".format(*info), args=[pk]))
    for name, _callback, _model_admin in URLS:
        call = URL_CALLS.get(name)
        if call is not None and call.method == "get":
            paths.append(reverse(name, kwargs=call.kwargs()))
    dashboard = reverse("nps-dashboard")
    slug = world["surveys"]
    paths += [f"{dashboard}?survey={slug}", f"{dashboard}?survey={slug}&export=enps"]
    paths += [f"{dashboard}?survey={slug}&export={panel}" for panel in PANELS]
    paths += [f"{dashboard}?survey=*", f"{dashboard}?survey=*&export=overview"]
    paths += [f"{dashboard}?survey=checkout&export={panel}" for panel in PANELS]
    return paths


def _request():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(username="lister", is_superuser=True)
    return request


@pytest.mark.parametrize("delighted_survey", ["checkout", "staff-pulse"])
def test_no_endpoint_shows_a_small_group_or_joins_an_employee_to_an_answer(
    world, settings, delighted_survey
):
    settings.NPS_DELIGHTED_SURVEY = delighted_survey
    root = APIClient()
    root.force_login(_request().user)
    issued = api_key_create(
        user=_request().user, name="all", scopes=list(ApiScope.values), via="test"
    )
    keyed = client_with(issued.secret)

    leaks, read = [], 0
    for path in _api_paths(world):
        for name, client in (("session", root), ("key", keyed)):
            leaks += _leaks(f"{name} GET {path}", client.get(path))
            read += 1
    for path in _admin_paths(world):
        leaks += _leaks(f"admin GET {path}", root.get(path))
        read += 1

    assert leaks == []
    assert read > 150  # the walk found the registries, not nothing


def test_the_enps_views_do_show_the_large_team(world, client):
    """The suppression above is not an empty page: the team of six shows."""
    api = APIClient()
    api.force_login(_request().user)

    report = api.get(reverse("api:survey-enps", args=[world["surveys"]])).json()
    page = api.get(reverse("nps-dashboard"), {"survey": world["surveys"]}).content.decode()

    teams = {row["team"]: row for row in report["teams"]}
    assert teams["Large"]["answers"] == 6 and teams["Small"]["suppressed"] is True
    assert '<tr data-team="Large">' in page and "Large comment 0" in page
    assert "fewer than 5 answers" in page


def test_no_other_table_holds_an_employee_or_their_comment(world):
    """Beyond what endpoints show: apart from who was asked (EmployeeInvitation)
    and the anonymous answers, no row anywhere (responses, customers, the
    outbox beyond the invitation emails, webhooks, the audit trail) holds an
    employee's email or comment."""
    found, tokens = [], _tokens()
    assert len(tokens) == len(EMAILS)
    for model in apps.get_models():
        if model in (EmployeeInvitation, EmployeeAnswer) or model._meta.proxy:
            continue
        rows = model.objects.all()
        if model is OutboundMessage:  # the invitation emails name who was asked
            assert rows.filter(template="employee_invitation").count() == len(EMAILS)
            assert SMALL_SECRET not in str(list(rows.values()))
            # ... but hold no working link: whoever reads it could answer for them.
            everything = str(list(rows.values()))
            found += [f"{model._meta.label}: link" for t in tokens if t in everything]
            rows = rows.exclude(template="employee_invitation")
        text = str(list(rows.values()))
        found += [f"{model._meta.label}: link" for t in tokens if t in text]
        found += [f"{model._meta.label}: {email}" for email in EMAILS if email in text]
        found += [f"{model._meta.label}: comment"] if SMALL_SECRET in text else []
    assert found == []
    assert not Response.objects.filter(survey=world["survey"]).exists()
