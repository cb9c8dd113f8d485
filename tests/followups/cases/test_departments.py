"""Cases stay inside their department: who sees and works them, who they can
be given to, automatic assignment and escalation, and the cases API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from followups.cases import access, workflow
from followups.models import FollowUpCase, OutboundMessage
from followups.routing import responses_route
from surveys.models import ApiScope, Survey
from tests.factories import ResponseFactory, SurveyFactory, department, manager, staff_member
from tests.followups.cases import open_case
from tests.surveys.api.conftest import client_with, key_for

pytestmark = pytest.mark.django_db

OPENED = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def case_in(dept, **kwargs) -> FollowUpCase:
    case = open_case(**kwargs)
    Survey.objects.filter(pk=case.survey_id).update(department=dept)
    return FollowUpCase.objects.select_related("survey").get(pk=case.pk)


@pytest.fixture
def sales():
    return department("Sales")


@pytest.fixture
def delivery():
    return department("Delivery")


def test_staff_see_and_take_only_their_departments_cases_and_the_shared_ones(sales, delivery):
    ann = staff_member("ann")
    sales.members.add(ann)
    ours, theirs, shared = case_in(sales), case_in(delivery), case_in(None)

    visible = set(access.visible_cases(ann).values_list("pk", flat=True))

    assert visible == {ours.pk, shared.pk}
    assert access.can_take(ann, ours) and access.can_take(ann, shared)
    assert not access.can_view(ann, theirs)
    assert not access.can_take(ann, theirs)


def test_staff_in_no_department_see_only_the_shared_cases(sales):
    nobody = staff_member("nobody")
    case_in(sales)
    shared = case_in(None)

    assert list(access.visible_cases(nobody).values_list("pk", flat=True)) == [shared.pk]


def test_the_case_lists_department_rule_names_the_surveys_instead_of_joining_them(sales, delivery):
    # A join to the surveys made PostgreSQL read every visible case for the
    # list's first-and-last date; the survey ids keep the cases' own indexes usable.
    ann = staff_member("ann")
    sales.members.add(ann)
    ours, shared = case_in(sales), case_in(None)
    case_in(delivery)

    visible = access.visible_cases(ann)

    assert set(visible.values_list("pk", flat=True)) == {ours.pk, shared.pk}
    assert "surveys_survey" not in str(visible.query)


def test_a_manager_of_two_departments_sees_both_and_one_of_none_sees_all(sales, delivery):
    support = department("Support")
    both = manager("both")
    sales.members.add(both)
    delivery.members.add(both)
    everyone = manager("everyone")
    cases = {name: case_in(dept) for name, dept in (("s", sales), ("d", delivery), ("x", support))}

    assert set(access.visible_cases(both).values_list("pk", flat=True)) == {
        cases["s"].pk,
        cases["d"].pk,
    }
    assert access.visible_cases(everyone).count() == 3
    assert not access.can_work(both, cases["x"])


def test_a_case_cannot_be_given_to_someone_outside_its_department(sales, delivery):
    boss = manager("boss")
    bob = staff_member("bob")
    delivery.members.add(bob)
    case = case_in(sales)

    with pytest.raises(ValidationError, match="does not work for this case"):
        workflow.case_assign(case=case, owner=bob, actor=boss)

    case.refresh_from_db()
    assert case.owner is None


def test_bulk_assignment_changes_nothing_if_one_case_is_of_another_department(sales, delivery):
    boss = manager("boss")
    ann = staff_member("ann")
    sales.members.add(ann)
    ours, theirs = case_in(sales), case_in(delivery)

    with pytest.raises(ValidationError):
        workflow.cases_assign(cases=[ours, theirs], owner=ann, actor=boss)

    assert FollowUpCase.objects.filter(owner__isnull=False).count() == 0


def test_automatic_assignment_picks_only_staff_of_the_surveys_department(sales, delivery):
    ann, bob = staff_member("ann"), staff_member("bob")
    sales.members.add(ann)
    delivery.members.add(bob)
    survey = SurveyFactory(department=delivery, auto_assign=True)
    answers = [ResponseFactory(survey=survey, score=1) for _ in range(3)]

    with TestCase.captureOnCommitCallbacks(execute=True):
        responses_route(response_ids=[answer.pk for answer in answers])

    owners = set(FollowUpCase.objects.values_list("owner__username", flat=True))
    assert owners == {"bob"}


def test_escalation_tells_the_managers_of_the_cases_department_only(sales, delivery):
    manager("sales_boss", email="sales@example.com").departments.add(sales)
    manager("delivery_boss", email="delivery@example.com").departments.add(delivery)
    manager("head", email="head@example.com")  # no department: the whole company
    case_in(sales, created_at=OPENED)

    with (
        time_machine.travel(OPENED + timedelta(hours=25), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        assert workflow.due_cases_escalate() == 1

    recipients = set(
        OutboundMessage.objects.filter(template="escalation").values_list("recipient", flat=True)
    )
    assert recipients == {"sales@example.com", "head@example.com"}


def test_a_key_of_a_department_reads_and_works_only_its_cases(sales, delivery):
    ann = staff_member("ann")
    sales.members.add(ann)
    ours, theirs = case_in(sales), case_in(delivery)
    client = client_with(key_for(ann, ApiScope.CASES_READ, ApiScope.CASES_WRITE))

    listed = [row["id"] for row in client.get("/api/v1/cases/").json()["results"]]
    took = client.post(f"/api/v1/cases/{theirs.pk}/assign/", {"owner": ann.pk}, format="json")

    assert listed == [ours.pk]
    assert client.get(f"/api/v1/cases/{theirs.pk}/").status_code == 404
    assert took.status_code == 404
    theirs.refresh_from_db()
    assert theirs.owner is None


def test_the_admin_case_list_keeps_to_the_department_by_the_surveys_ids(client, sales, delivery):
    ann = staff_member("ann")
    sales.members.add(ann)
    ours, shared, theirs = case_in(sales), case_in(None), case_in(delivery)
    client.force_login(ann)

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/admin/followups/followupcase/")

    assert page.status_code == 200
    listed = {case.pk for case in page.context["cl"].result_list}
    assert listed == {ours.pk, shared.pk} and theirs.pk not in listed
    sqls = [query["sql"] for query in queries.captured_queries]
    case_reads = [sql for sql in sqls if 'FROM "followups_followupcase"' in sql]
    assert case_reads
    # The rule is the surveys' ids: no case query filters on the survey's department
    # (the page's rows may still join their survey, to show it).
    column = '"surveys_survey"."department_id"'
    by_department = (f"{column} IS NULL", f"{column} IN")
    assert [sql for sql in case_reads if any(test in sql for test in by_department)] == []


def test_a_staff_member_cannot_open_another_departments_case_page(client, sales, delivery):
    ann = staff_member("ann")
    sales.members.add(ann)
    theirs = case_in(delivery)
    client.force_login(ann)

    page = client.get(f"/admin/followups/followupcase/{theirs.pk}/change/")
    took = client.post(f"/admin/followups/followupcase/{theirs.pk}/workflow/take/")

    assert page.status_code == 302
    assert took.status_code in (302, 404)
    theirs.refresh_from_db()
    assert theirs.owner is None


def test_an_improvement_actions_cases_field_accepts_only_cases_the_reader_sees(rf, sales, delivery):
    from django.contrib import admin

    from followups.models import ImprovementAction

    boss = manager("boss")
    sales.members.add(boss)
    ours, theirs = case_in(sales), case_in(delivery)
    request = rf.get("/admin/followups/improvementaction/add/")
    request.user = boss

    form = admin.site._registry[ImprovementAction].get_form(request)
    field = form.base_fields["cases"]

    assert set(field.queryset.values_list("pk", flat=True)) == {ours.pk}
    with pytest.raises(ValidationError):
        field.clean([str(theirs.pk)])


def test_the_answers_driver_filter_offers_the_readers_surveys_choices_named_with_their_survey(
    client, sales, delivery
):
    from surveys.models import DriverChoice

    boss = manager("boss")
    sales.members.add(boss)
    ours = SurveyFactory(name="Shop", department=sales)
    theirs = SurveyFactory(name="Couriers", department=delivery)
    DriverChoice.objects.create(survey=ours, key="price", label="Price")
    DriverChoice.objects.create(survey=theirs, key="price", label="Price")
    client.force_login(boss)

    page = client.get("/admin/surveys/response/")

    (spec,) = [s for s in page.context["cl"].filter_specs if s.field_path == "driver"]
    assert [label for _, label in spec.lookup_choices] == ["Shop · Price"]


def test_the_case_page_shows_the_customers_history_of_the_readers_departments_only(
    client, sales, delivery
):
    from followups.models import OfferGrant
    from tests.factories import OfferGrantFactory

    boss = manager("boss")
    sales.members.add(boss)
    ours = case_in(sales)
    customer = ours.customer
    ours_before = ResponseFactory(survey=ours.survey, customer=customer, score=9)
    theirs = case_in(delivery)
    FollowUpCase.objects.filter(pk=theirs.pk).update(customer=customer)
    theirs_answer = ResponseFactory(survey=theirs.survey, customer=customer, score=8)
    OfferGrantFactory(response=theirs_answer, customer=customer, survey=theirs.survey)
    client.force_login(boss)

    page = client.get(f"/admin/followups/followupcase/{ours.pk}/change/")

    assert page.status_code == 200
    assert [r.pk for r in page.context["past_responses"]] == [ours_before.pk]
    assert list(page.context["past_cases"]) == []
    assert list(page.context["offer_grants"]) == []
    assert OfferGrant.objects.filter(customer=customer).exists()
