"""Every number of the dashboard is a link to the admin list of the rows it
counts: followed, each list holds exactly that many."""

import html
import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from followups.models import LinkClick, ReminderBonusAssignment
from surveys.departments import in_departments
from surveys.models import Survey

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a href="([^"]+)" data-count="(\d+)"')


def _linked_numbers(client, url: str) -> list[tuple[str, int]]:
    page = client.get(url)
    assert page.status_code == 200
    return [(html.unescape(href), int(count)) for href, count in LINK.findall(page.text)]


def _listed(client, href: str) -> int:
    listing = client.get(href)
    assert listing.status_code == 200, href
    return listing.context["cl"].result_count


def _kinds(links) -> set[str]:
    return {urlsplit(href).path.rstrip("/").rsplit("/", 1)[-1] for href, _ in links}


# Who looks, and at what: a manager's whole loop, a segment by week, and a
# staff member's own cases.
VIEWS = [("manager", "by=month"), ("manager", "by=week&segment=smb"), ("staff1", "by=month")]


def test_every_number_leads_to_a_list_of_as_many_rows(client):
    from django.contrib.auth import get_user_model

    call_command("seed_demo", "--force", stdout=io.StringIO())
    surveys = Survey.objects.exclude(status=Survey.Status.DRAFT).filter(kind=Survey.Kind.CUSTOMER)
    for user, params in VIEWS:
        reader = get_user_model().objects.get(username=user)
        client.force_login(reader)
        # Every survey of the departments the reader sees.
        for survey in in_departments(reader, surveys):
            _check_links(client, survey, params)


def _check_links(client, survey: Survey, params: str) -> None:
    links = _linked_numbers(client, f"/admin/dashboard/?survey={survey.slug}&{params}")
    # Answers, scores and segments; cases; invitations; both kinds of grants,
    # on every survey. The tracked rewards' link clicks and referral uses where
    # the survey's rewards carry a link.
    kinds = _kinds(links)
    always = {"response", "followupcase", "invitation", "offergrant", "rewardgrant"}
    assert always <= kinds, survey.slug
    tracked = {"linkclick", "referraluse"}
    if LinkClick.objects.filter(grant__survey=survey).exists():
        assert tracked <= kinds, survey.slug
    # The bonus for non-responders' panel, on the survey whose reminders had one.
    bonus = {"reminderbonusassignment"}
    if ReminderBonusAssignment.objects.filter(survey=survey).exists():
        assert bonus <= kinds, survey.slug
    assert kinds <= always | tracked | bonus, survey.slug
    assert len(links) >= 20, survey.slug  # the walk found the page's numbers
    for href, count in links:
        assert _listed(client, href) == count, href


def test_the_all_surveys_overview_links_each_survey_and_its_numbers(client):
    from django.contrib.auth import get_user_model

    call_command("seed_demo", "--force", stdout=io.StringIO())
    for user in ("manager", "staff1"):
        reader = get_user_model().objects.get(username=user)
        client.force_login(reader)
        page = client.get("/admin/dashboard/?survey=*&by=month")
        rows = page.context["overview"]
        # Every survey of the departments the reader sees (the demo's staff1
        # works for Support only).
        assert [row["survey"].slug for row in rows] == list(
            in_departments(reader, Survey.objects.exclude(status=Survey.Status.DRAFT))
            .filter(kind=Survey.Kind.CUSTOMER)
            .order_by("name")
            .values_list("slug", flat=True)
        )
        links = _linked_numbers(client, "/admin/dashboard/?survey=*")
        assert _kinds(links) == {"response", "followupcase"}
        assert len(links) == 3 * len(rows)
        for href, count in links:
            assert _listed(client, href) == count, (user, href)
        # Each survey's own dashboard is one click away.
        for row in rows:
            assert f'href="?survey={row["survey"].slug}&amp;from=' in page.text
