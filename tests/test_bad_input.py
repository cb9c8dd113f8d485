"""Input no browser sends (a NUL byte, a date at the end of the calendar, a
letter where an id goes) gets a clear 4xx or a page that says what was wrong,
never a 500, on the managers' dashboard and the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ResponseFactory, SurveyFactory, UserFactory, manager
from tests.followups.cases import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(client):
    client.force_login(manager("boss"))
    return client


@pytest.fixture
def root(client):
    client.force_login(UserFactory(username="root", is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"to": "9999-12-31"}, "is out of the range"),
        ({"from": "0001-01-01"}, "is out of the range"),
        ({"from": "0001-01-01", "to": "9999-12-31"}, "is out of the range"),
    ],
)
def test_dashboard_with_a_date_at_the_end_of_the_calendar_says_so(boss, params, message):
    ResponseFactory(survey=SurveyFactory(slug="rel", status="active"))

    reply = boss.get("/admin/dashboard/", params)

    assert reply.status_code == 200
    assert message in reply.content.decode()


@pytest.mark.parametrize("param", ["survey", "segment", "from", "to", "by"])
def test_dashboard_with_a_nul_byte_in_a_parameter_is_a_400(boss, param):
    SurveyFactory(slug="rel", status="active")

    reply = boss.get("/admin/dashboard/", {param: "a\x00b"})

    assert reply.status_code == 400


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:surveys_customer_changelist",
        "admin:surveys_response_changelist",
        "admin:followups_followupcase_changelist",
    ],
)
def test_admin_changelist_filtered_by_a_segment_with_a_nul_byte_is_a_400(root, changelist):
    reply = root.get(reverse(changelist), {"segment": "\x00"})

    assert reply.status_code == 400


def test_admin_search_with_a_nul_byte_is_a_400(root):
    reply = root.get(reverse("admin:surveys_customer_changelist"), {"q": "x\x00"})

    assert reply.status_code == 400


@pytest.mark.parametrize("id_like", ["abc", "\u00b2", "\u2460", "\u0663", "99999999999999999999"])
def test_case_operation_on_a_non_numeric_id_is_a_404(boss, id_like):
    open_case()

    reply = boss.post(f"/admin/followups/followupcase/{id_like}/workflow/take/")

    assert reply.status_code == 404
    assert b"is not one you can see" in reply.content


@pytest.mark.parametrize("level", ["\u00b2", "\u2460", "\u0663", "99999999999999999999", "-1"])
def test_case_list_filtered_by_an_escalation_level_that_is_no_plain_number_lists_all(root, level):
    # "²" is a digit to str.isdigit but no number to int: the filter is ignored.
    case = open_case()

    reply = root.get("/admin/followups/followupcase/", {"escalation": level})

    assert reply.status_code == 200
    assert [row.pk for row in reply.context["cl"].result_list] == [case.pk]


@pytest.mark.parametrize(
    "drill_down",
    [
        {"created_at__year": "99999999999999999999"},
        {"created_at__year": "9999"},
        {"created_at__year": "9999", "created_at__month": "12"},
    ],
)
def test_admin_date_drill_down_outside_the_calendar_is_explained_not_a_500(root, drill_down):
    reply = root.get(reverse("admin:surveys_customer_changelist"), drill_down)

    assert reply.status_code == 302
    assert reply["Location"].endswith("?e=1")
