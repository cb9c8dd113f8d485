"""Whatever text lands in a query parameter (NUL, controls, any Unicode,
dates at the ends of the calendar, numbers too large for any column), the
dashboard, the report API and every admin list answer below 500.

The parameters come from the code: the API filtersets, and each registered
admin's own filters, search box, date drill-down, ordering and paging.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from surveys.filters import NpsFilter, ResponseFilter
from tests.factories import ResponseFactory, SurveyFactory, UserFactory, manager
from tests.followups.cases import open_case

pytestmark = pytest.mark.django_db

NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "9999-12-31",
            "0001-01-01",
            "2026-02-30",
            "2026-13-01",
            "-1",
            "0",
            "99999999999999999999999",
            "1e309",
            "NaN",
            "true",
            "",
            " ",
            "%",
            "'; --",
            "2026-01-01T25:00",
            "9999-12-31T23:59:59.999999+14:00",
            "\r\nX-Injected: 1",
            "🙂",
            # Digits to str.isdigit that int() cannot read, and digits of
            # another script that it can.
            "\u00b2",
            "1\u00b2",
            "\u2460",
            "\u0663",
        ]
    ),
    st.dates().map(date.isoformat),
    st.datetimes().map(datetime.isoformat),
    st.integers().map(str),
)

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def parameters(names) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({}, optional=dict.fromkeys(names, NASTY))


@pytest.fixture
def data():
    survey = SurveyFactory(slug="rel", status="active")
    ResponseFactory(survey=survey, score=3)
    open_case()
    return survey


def test_dashboard_answers_any_query_below_500(client, data):
    client.force_login(manager("boss"))

    @PROPERTY
    @given(params=parameters(["survey", "from", "to", "segment", "by"]))
    def check(params):
        assert client.get("/admin/dashboard/", params).status_code < 500

    check()


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/api/v1/reports/kpis/", ["survey", "from", "to", "segment"]),
        ("/api/v1/reports/themes/", ["survey", "period"]),
        ("/api/v1/surveys/rel/nps/", sorted(NpsFilter.base_filters)),
        ("/api/v1/responses/", [*ResponseFilter.base_filters, "page", "page_size"]),
        ("/api/v1/responses/export/", sorted(ResponseFilter.base_filters)),
    ],
)
def test_report_api_answers_any_query_below_500(data, path, names):
    client = APIClient()
    client.force_authenticate(UserFactory(username="root", is_superuser=True))
    baseline = client.get(path, {"survey": "rel"})
    assert baseline.status_code == 200, "the property needs a reader who gets answers"

    @PROPERTY
    @given(params=parameters(names))
    def check(params):
        assert client.get(path, params).status_code < 500

    check()


def _changelist_parameters(model_admin, user) -> list[str]:
    """The query parameters the admin list of ``model_admin`` reads."""
    request = RequestFactory().get("/")
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    names = [ORDER_VAR, PAGE_VAR]
    if model_admin.search_fields:
        names.append(SEARCH_VAR)
    for spec in changelist.filter_specs:
        names += spec.expected_parameters()
    if model_admin.date_hierarchy:
        field = model_admin.date_hierarchy
        names += [f"{field}__year", f"{field}__month", f"{field}__day"]
    return names


# Django's date drill-down warns (and then answers) on a year such as 1 whose
# start is not a valid aware time; only a 5xx matters here.
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")
@pytest.mark.parametrize(
    "model_admin",
    [
        model_admin
        for model_admin in admin.site._registry.values()
        if model_admin.list_filter or model_admin.search_fields or model_admin.date_hierarchy
    ],
    ids=lambda model_admin: str(model_admin),
)
def test_admin_list_answers_any_filter_below_500(client, data, model_admin):
    root = UserFactory(username="root", is_superuser=True)
    client.force_login(root)
    opts = model_admin.model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    names = _changelist_parameters(model_admin, root)
    assert names

    @PROPERTY
    @given(params=parameters(names))
    def check(params):
        assert client.get(url, params).status_code < 500

    check()
