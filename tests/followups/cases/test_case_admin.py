"""The case admin: who may do what (enforced on the server), what the pages
show, and that a page costs the same queries at 5 cases or 50; the list's
filters, date hierarchy and indexes, which must not read every case."""

import html
import re
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followups.cases.admin import CUSTOMER_SEGMENTS_SQL
from followups.models import CaseEvent, FollowUpCase, OutboundMessage, RootCause, StaffProfile
from surveys.models import DriverChoice, Response
from tests.factories import CustomerFactory, UserFactory, manager, staff_member
from tests.followups.cases import open_case

pytestmark = pytest.mark.django_db

LIST = reverse("admin:followups_followupcase_changelist")


def page(case):
    return reverse("admin:followups_followupcase_change", args=[case.pk])


def operation(case, name):
    return reverse("admin:followups_followupcase_operation", args=[case.pk, name])


@pytest.fixture
def people():
    return {
        "owner": staff_member("owner"),
        "other": staff_member("other"),
        "manager": manager("boss"),
    }


@pytest.fixture
def case(people):
    return open_case(owner=people["owner"], comment="Parcel late")


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


# --- The permission matrix --------------------------------------------------

VIEW = {"owner": True, "other": False, "manager": True, None: False}
WORK = {"owner": True, "other": False, "manager": True, None: False}
ASSIGN = {"owner": False, "other": False, "manager": True, None: False}


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_list_shows_each_person_only_the_cases_they_may_see(client, people, case, who):
    unassigned = open_case()
    response = login(client, people.get(who)).get(LIST)
    if who is None:
        assert response.status_code == 302  # to the login page
        return
    shown = set(response.context["cl"].result_list.values_list("pk", flat=True))
    assert (case.pk in shown) == VIEW[who]
    assert unassigned.pk in shown  # the unassigned queue is everyone's


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_case_page_opens_only_for_those_who_may_see_it(client, people, case, who):
    response = login(client, people.get(who)).get(page(case))
    if who is None:
        assert response.status_code == 302
    elif VIEW[who]:
        assert response.status_code == 200
        assert b"Parcel late" in response.content
    else:
        assert response.status_code == 302  # "does not exist" back to the list
        assert FollowUpCase.objects.get().pk == case.pk


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_status_change_is_allowed_only_to_the_owner_and_managers(client, people, case, who):
    login(client, people.get(who)).post(
        operation(case, "transition"), {"to_status": "in_progress", "expected_status": "new"}
    )
    case.refresh_from_db()
    assert (case.status == "in_progress") == WORK[who]


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_assigning_is_allowed_only_to_managers(client, people, case, who):
    login(client, people.get(who)).post(
        operation(case, "assign"),
        {"owner": people["other"].pk, "expected_owner": people["owner"].pk},
    )
    case.refresh_from_db()
    assert (case.owner == people["other"]) == ASSIGN[who]


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_emailing_the_customer_is_allowed_only_to_the_owner_and_managers(client, people, case, who):
    login(client, people.get(who)).post(
        operation(case, "email"), {"subject": "Hello", "body": "We are on it", "draft_id": "x1"}
    )
    assert OutboundMessage.objects.filter(template="case_message").exists() == WORK[who]


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_bulk_assign_action_is_refused_to_everyone_but_managers(client, people, case, who):
    login(client, people.get(who)).post(
        LIST,
        {
            "action": "assign_cases",
            "_selected_action": [case.pk],
            "apply": "1",
            "owner": people["other"].pk,
        },
    )
    case.refresh_from_db()
    assert (case.owner == people["other"]) == ASSIGN[who]


def test_staff_take_an_unassigned_case_from_the_list(client, people):
    unassigned = open_case()
    login(client, people["other"]).post(
        LIST, {"action": "take_cases", "_selected_action": [unassigned.pk]}
    )
    unassigned.refresh_from_db()
    assert unassigned.owner == people["other"]


def test_a_get_to_an_operation_changes_nothing(client, people, case):
    response = login(client, people["owner"]).get(operation(case, "transition"))
    assert response.status_code == 405


# --- Working a case through the page ----------------------------------------


def test_resolving_without_a_root_cause_shows_the_reason_and_changes_nothing(client, people, case):
    login(client, people["owner"])
    client.post(
        operation(case, "transition"), {"to_status": "in_progress", "expected_status": "new"}
    )
    response = client.post(
        operation(case, "transition"),
        {"to_status": "resolved", "expected_status": "in_progress", "resolution_summary": ""},
        follow=True,
    )
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert "Choose the root cause" in response.content.decode()


def test_the_case_page_shows_the_timeline_and_the_customer(client, people, case):
    cause = RootCause.objects.create(name="Carrier")
    login(client, people["owner"])
    client.post(operation(case, "note"), {"text": "Called the customer"})
    client.post(
        operation(case, "transition"), {"to_status": "in_progress", "expected_status": "new"}
    )
    client.post(
        operation(case, "transition"),
        {
            "to_status": "resolved",
            "expected_status": "in_progress",
            "root_cause": cause.pk,
            "resolution_summary": "Reshipped",
        },
    )
    html = client.get(page(case)).content.decode()
    assert "Called the customer" in html
    assert "Reshipped" in html
    assert case.customer.email in html
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [CaseEvent.Kind.CREATED, "note", "status_changed", "status_changed"]


def test_customer_text_is_escaped_on_the_list_and_the_case_page(client, people):
    evil = open_case(
        owner=people["owner"],
        comment='<script>alert("x")</script>',
        name="<img src=x onerror=alert(1)>",
    )
    login(client, people["owner"])
    for url in (LIST, page(evil)):
        html = client.get(url).content.decode()
        assert '<script>alert("x")</script>' not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;" in html


# --- Query counts -------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_case_list_queries_do_not_grow_with_the_number_of_cases(client, people, who):
    login(client, people[who])
    for _ in range(5):
        open_case(owner=people["owner"])
    few = _queries(client, LIST)
    for _ in range(45):
        open_case(owner=people["owner"])
    assert _queries(client, LIST) == few


def test_case_page_queries_do_not_grow_with_its_history(client, people, case):
    login(client, people["owner"])
    few = _queries(client, page(case))
    for n in range(30):
        CaseEvent.objects.create(case=case, kind="note", actor=people["owner"], message=f"n{n}")
        open_case(email=f"again{n}@example.com")
    assert _queries(client, page(case)) == few


# --- The list's filters -------------------------------------------------------


def shown(response):
    """The cases on the list page."""
    return set(response.context["cl"].result_list.values_list("pk", flat=True))


def filter_spec(response, name, *, shown=True):
    """The list filter for a parameter (simple filters) or a field (field
    filters); the admin leaves out a filter with nothing to choose."""
    specs = [
        spec
        for spec in response.context["cl"].filter_specs
        if name in (getattr(spec, "parameter_name", None), getattr(spec, "field_path", None))
    ]
    assert len(specs) == int(shown), f"list filter {name!r}: {specs}"
    return specs[0] if specs else None


def test_segment_filter_lists_the_customers_segments_once_each_in_order(client, people):
    # Segments whose order is the same in every collation (lowercase ASCII).
    for segment in ("retail", "enterprise", "retail", "", "smb", "enterprise"):
        open_case(segment=segment)
    CustomerFactory(segment="partner")  # a segment with no case yet is still a segment
    CustomerFactory(segment="")
    response = login(client, people["manager"]).get(LIST)
    spec = filter_spec(response, "segment")
    assert spec.lookup_choices == [
        ("enterprise", "enterprise"),
        ("partner", "partner"),
        ("retail", "retail"),
        ("smb", "smb"),
    ]


def test_segment_filter_is_left_out_when_no_customer_has_a_segment(client, people):
    open_case(segment="")
    response = login(client, people["manager"]).get(LIST)
    assert response.status_code == 200
    filter_spec(response, "segment", shown=False)


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_filtering_by_segment_shows_only_that_segments_cases(client, people, who):
    retail = {open_case(segment="retail").pk, open_case(segment="retail", owner=people["owner"]).pk}
    others = {open_case(segment="enterprise").pk, open_case(segment="").pk}
    login(client, people[who])
    assert shown(client.get(LIST, {"segment": "retail"})) == retail
    assert shown(client.get(LIST)) == retail | others


def test_owner_filter_offers_managers_everyone_who_can_own_a_case_or_still_owns_one(client, people):
    staff_member("away", away=True)  # away for now, but cases can still be given to them
    staff_member("gone", is_active=False)
    left = staff_member("left", is_active=False)
    open_case(owner=left)  # left the company; their case needs a new owner
    staff_member("no-admin", is_staff=False)
    UserFactory(username="outsider")  # staff without a case role
    UserFactory(username="root", is_superuser=True)  # no case role either
    manager("chief", first_name="Ada")
    response = login(client, people["manager"]).get(LIST)
    choices = filter_spec(response, "owner").lookup_choices
    # forms.assignable_users (active staff in the service staff or managers
    # group) and whoever still owns a case, by first name, then username.
    assert [label for _, label in choices] == ["away", "boss", "left", "other", "owner", "Ada"]
    assert shown(client.get(LIST, {"owner__id__exact": left.pk})) == {
        case.pk for case in FollowUpCase.objects.filter(owner=left)
    }


def test_owner_filter_offers_a_staff_member_only_themselves(client, people):
    open_case(owner=people["other"])
    response = login(client, people["owner"]).get(LIST)
    assert filter_spec(response, "owner").lookup_choices == [
        (people["owner"].pk, str(people["owner"]))
    ]


def test_filtering_by_owner_shows_only_their_cases(client, people):
    mine = {open_case(owner=people["owner"]).pk, open_case(owner=people["owner"]).pk}
    theirs = {open_case(owner=people["other"]).pk}
    unassigned = {open_case().pk}
    login(client, people["manager"])
    assert shown(client.get(LIST, {"owner__id__exact": people["owner"].pk})) == mine
    assert shown(client.get(LIST, {"owner__id__exact": people["other"].pk})) == theirs
    assert shown(client.get(LIST, {"owner__isnull": "True"})) == unassigned
    login(client, people["owner"])
    assert shown(client.get(LIST, {"owner__id__exact": people["owner"].pk})) == mine
    # Filtering by someone else shows a staff member none of their cases.
    assert shown(client.get(LIST, {"owner__id__exact": people["other"].pk})) == set()


@pytest.mark.parametrize(
    "value, levels", [("0", {0}), ("1", {1}), ("2", {2}), ("3+", {3, 4, 5}), (None, set(range(6)))]
)
def test_escalation_filter_selects_each_level(client, people, value, levels):
    by_level = {}
    for level in range(6):
        case = open_case()
        FollowUpCase.objects.filter(pk=case.pk).update(escalation_level=level)
        by_level[level] = case.pk
    query = {} if value is None else {"escalation": value}
    response = login(client, people["manager"]).get(LIST, query)
    assert shown(response) == {by_level[level] for level in levels}


def test_escalation_filter_offers_fixed_levels(client, people):
    response = login(client, people["owner"]).get(LIST)
    spec = filter_spec(response, "escalation")
    assert [(value, str(label)) for value, label in spec.lookup_choices] == [
        ("0", "Not escalated"),
        ("1", "Level 1"),
        ("2", "Level 2"),
        ("3+", "Level 3 or more"),
    ]
    page_text = response.content.decode()
    for text in ("By escalation level", "Not escalated", "Level 1", "Level 2", "Level 3 or more"):
        assert text in page_text


# --- The date hierarchy ---------------------------------------------------------

TOPLINKS = re.compile(r'<nav class="toplinks">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]*)"( class="date-back")?>([^<]*)</a>')


def hierarchy(response):
    """The date hierarchy's links: (back link or None, [(href, title), ...])."""
    assert response.status_code == 200
    nav = TOPLINKS.search(response.content.decode())
    if nav is None:
        return None, []
    back, choices = None, []
    for href, is_back, title in LINK.findall(nav.group(1)):
        link = (html.unescape(href), html.unescape(title).lstrip("\u2039 ").strip())
        if is_back:
            back = link
        else:
            choices.append(link)
    return back, choices


def titles(response):
    return [title for _, title in hierarchy(response)[1]]


def at(year, month=6, day=15, hour=12, minute=0):
    """A moment in the current time zone (settings.TIME_ZONE)."""
    return datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


def test_date_hierarchy_lists_the_years_with_cases_and_skips_empty_ones(client, people):
    first = open_case(created_at=at(2023, 2))
    march = open_case(created_at=at(2025, 3))
    october = open_case(created_at=at(2025, 10))
    last = open_case(created_at=at(2026, 1))
    login(client, people["manager"])
    back, years = hierarchy(client.get(LIST))
    assert back is None
    assert years == [(f"?created_at__year={year}", str(year)) for year in (2023, 2025, 2026)]

    # A year's link opens Django's own level: that year's months and cases.
    year_2025 = client.get(LIST + years[1][0])
    back, months = hierarchy(year_2025)
    assert back is not None and back[1] == "All dates"
    assert [title for _, title in months] == ["March 2025", "October 2025"]
    assert shown(year_2025) == {march.pk, october.pk}
    assert shown(client.get(LIST + years[0][0])) == {first.pk}
    assert shown(client.get(LIST + years[2][0])) == {last.pk}


def test_date_hierarchy_years_are_those_of_the_cases_the_person_may_see(client, people):
    open_case(owner=people["owner"], created_at=at(2023))
    open_case(owner=people["other"], created_at=at(2024))
    open_case(created_at=at(2025))
    open_case(owner=people["owner"], created_at=at(2026))
    open_case(owner=people["other"], created_at=at(2027))
    assert titles(login(client, people["owner"]).get(LIST)) == ["2023", "2025", "2026"]
    assert titles(login(client, people["manager"]).get(LIST)) == [
        "2023",
        "2024",
        "2025",
        "2026",
        "2027",
    ]
    # And those of the filtered list.
    assert titles(client.get(LIST, {"owner__id__exact": people["other"].pk})) == ["2024", "2027"]


def test_date_hierarchy_opens_the_months_when_every_case_is_in_one_year(client, people):
    open_case(created_at=at(2025, 1, 1, 0, 5))
    open_case(created_at=at(2025, 7))
    open_case(created_at=at(2025, 12, 31, 23, 55))
    back, months = hierarchy(login(client, people["manager"]).get(LIST))
    assert back is not None and back[1] == "All dates"
    assert [title for _, title in months] == ["January 2025", "July 2025", "December 2025"]


def test_date_hierarchy_with_two_adjacent_years_lists_both(client, people):
    open_case(created_at=at(2024, 12, 31, 23, 55))
    open_case(created_at=at(2025, 1, 1, 0, 5))
    assert titles(login(client, people["manager"]).get(LIST)) == ["2024", "2025"]


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_date_hierarchy_without_cases_shows_no_dates(client, people, who):
    response = login(client, people[who]).get(LIST)
    assert response.status_code == 200
    assert hierarchy(response) == (None, [])
    assert shown(response) == set()


@pytest.mark.parametrize("zone", [None, "America/New_York", "Asia/Shanghai"])
def test_date_hierarchy_counts_years_in_the_projects_time_zone(client, people, settings, zone):
    """None is the project's own TIME_ZONE; New York is behind UTC (its last
    half hour of 2025 is 2026 in UTC), Shanghai ahead (its first half hour of
    2024 is 2023 in UTC)."""
    if zone is not None:
        settings.TIME_ZONE = zone
    login(client, people["manager"])
    first = open_case(created_at=at(2023))
    new_years_eve = open_case(created_at=at(2025, 12, 31, 23, 30))
    # The last case's year: the list's newest case.
    assert titles(client.get(LIST)) == ["2023", "2025"]
    # A year between the first and the last: the probes.
    new_years_day = open_case(created_at=at(2024, 1, 1, 0, 30))
    last = open_case(created_at=at(2027))
    assert titles(client.get(LIST)) == ["2023", "2024", "2025", "2027"]
    # Each year's link shows the cases of that year, in the same time zone.
    for year, cases in {
        2023: {first},
        2024: {new_years_day},
        2025: {new_years_eve},
        2026: set(),
        2027: {last},
    }.items():
        response = client.get(LIST, {"created_at__year": str(year)})
        assert shown(response) == {case.pk for case in cases}, year
    months = titles(client.get(LIST, {"created_at__year": "2025"}))
    assert months == ["December 2025"]


# --- Query counts at any size --------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_case_list_queries_are_the_same_at_3_and_30_cases_over_years_segments_owners(
    client, people, who
):
    """The filters' choices and the date hierarchy's years are read in a fixed
    number of queries, however many cases, segments, owners and years there are."""
    owners = [people["owner"], people["other"], None]
    segments = ["retail", "enterprise", "smb", "partner", ""]

    def make(number, year):
        open_case(
            owner=owners[number % len(owners)],
            segment=segments[number % len(segments)],
            created_at=at(year, 1 + number % 12, 1 + number % 28),
        )

    # Both sizes span 2020 to 2026, with years between to probe.
    for number, year in enumerate((2020, 2023, 2026)):
        make(number, year)
    login(client, people[who])
    pages = [
        LIST,
        f"{LIST}?created_at__year=2023",
        f"{LIST}?segment=retail&escalation=3%2B&owner__id__exact={people['owner'].pk}",
    ]
    few = [_queries(client, url) for url in pages]
    years_before = titles(client.get(LIST))
    for number in range(3, 30):
        make(number, 2020 + number % 7)
    open_case(owner=staff_member("newcomer"), segment="public", created_at=at(2022))
    assert [_queries(client, url) for url in pages] == few
    # The cases did spread: more years to list (and to probe) than before.
    assert len(titles(client.get(LIST))) == 7 > len(years_before)


def _kind_of_case_query(sql):
    """What a query of the list page that reads the cases is for."""
    if sql.startswith("SELECT COUNT(*)"):
        return "count"  # the page's "n cases" and its paginator
    if sql.startswith("SELECT MIN(") and "MAX(" in sql:
        return "first and last case"  # the date hierarchy's bounds
    if sql.startswith("SELECT EXISTS ("):
        return "years between"  # the date hierarchy's probes
    if sql.startswith('SELECT "followups_followupcase"."id"') and " ORDER BY " in sql:
        return "page"
    if sql.startswith('SELECT "auth_user"') and 'WHERE U0."owner_id" = ("auth_user"."id")' in sql:
        return "owners"  # the owner filter: one probe of the owner index per person
    return sql


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_the_list_reads_cases_only_for_its_page_count_and_date_bounds(client, people, who):
    """No filter lists its choices, and the date hierarchy does not list its
    years, by reading every case (a DISTINCT over the cases, the owners of
    every case, the distinct years of every case)."""
    for number, year in enumerate((2021, 2023, 2025)):
        case = open_case(owner=people["owner"] if number else None, created_at=at(year))
        FollowUpCase.objects.filter(pk=case.pk).update(escalation_level=number)
    login(client, people[who])
    with CaptureQueriesContext(connection) as context:
        assert client.get(LIST).status_code == 200
    kinds = [
        _kind_of_case_query(query["sql"])
        for query in context.captured_queries
        if '"followups_followupcase"' in query["sql"]
    ]
    expected = ["count", "first and last case", "page", "years between"]
    if who == "manager":
        expected.insert(2, "owners")  # staff are offered only themselves
    assert sorted(kinds) == expected


# --- The list's indexes ----------------------------------------------------------


def test_the_case_list_indexes_exist_after_migrate():
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, FollowUpCase._meta.db_table)
    assert indexes["case_created"]["index"]
    assert indexes["case_created"]["columns"] == ["created_at"]
    assert indexes["case_list_order"]["index"]


def _page_query(client, user):
    """The SQL that read the list's page (the rows shown), as it was sent."""
    login(client, user)
    with CaptureQueriesContext(connection) as context:
        assert client.get(LIST).status_code == 200
    pages = [
        query["sql"]
        for query in context.captured_queries
        if query["sql"].startswith('SELECT "followups_followupcase"."id"')
        and " ORDER BY " in query["sql"]
    ]
    assert len(pages) == 1, [query["sql"][-300:] for query in context.captured_queries]
    return pages[0]


@pytest.mark.postgres
def test_case_list_order_index_has_the_lists_sort_keys():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname = %s",
            [FollowUpCase._meta.db_table, "case_list_order"],
        )
        (definition,) = cursor.fetchone()
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname = %s",
            [FollowUpCase._meta.db_table, "case_created"],
        )
        (created,) = cursor.fetchone()
    # Open first, then due time, priority and newest id: the list's order.
    definition = " ".join(definition.split()).replace("( ", "(")
    assert re.search(
        r"\(\(CASE WHEN \(\(status\)::text = ANY \(\(ARRAY\['new'.*, 'in_progress'.*, "
        r"'waiting'.*\]\)::text\[\]\)\) THEN 0 ELSE 1 END\), due_at, priority, id DESC\)$",
        definition,
    ), definition
    assert created.endswith("(created_at)"), created


@pytest.mark.postgres
def test_the_list_page_is_read_from_the_case_list_order_index_without_sorting(client, people):
    owners = [people["owner"], people["other"], None]
    for number in range(60):  # over a page, so the page is a LIMIT 50 of the list order
        case = open_case(owner=owners[number % 3], created_at=at(2020 + number % 7))
        if number % 4 == 0:
            FollowUpCase.objects.filter(pk=case.pk).update(status=FollowUpCase.Status.CLOSED)
    sql = _page_query(client, people["manager"])
    assert sql.endswith(" LIMIT 50"), sql[-300:]
    with connection.cursor() as cursor:
        # Too few rows for the planner to prefer an index on its own; only in
        # this test's transaction.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row for (row,) in cursor.fetchall())
    assert "Index Scan using case_list_order" in plan, plan
    # The index gives the rows in the list's order: nothing is sorted, not
    # even partly (Incremental Sort), which a key out of step would need.
    assert "Sort" not in plan, plan


@pytest.mark.postgres
def test_the_filters_and_years_are_read_from_indexes(client, people):
    """The segment walk probes the customers' segment index and the year
    probes the case_created index (forced: too few rows to prefer them)."""
    for number, year in enumerate((2021, 2023, 2025)):
        open_case(segment=("retail", "smb", "partner")[number], created_at=at(year))
    login(client, people["manager"])
    with CaptureQueriesContext(connection) as context:
        assert client.get(LIST).status_code == 200
    probes = [q["sql"] for q in context.captured_queries if q["sql"].startswith("SELECT EXISTS")]
    assert len(probes) == 1
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + probes[0])
        years_plan = "\n".join(row for (row,) in cursor.fetchall())
        cursor.execute("EXPLAIN " + CUSTOMER_SEGMENTS_SQL.format(table='"surveys_customer"'))
        segments_plan = "\n".join(row for (row,) in cursor.fetchall())
    assert years_plan.count("Scan using case_created") == 3, years_plan  # 2022 to 2024
    assert "Seq Scan" not in years_plan, years_plan
    assert "Index Only Scan using surveys_customer_segment" in segments_plan, segments_plan
    assert "Seq Scan" not in segments_plan, segments_plan


def test_the_list_index_names_exactly_the_open_statuses():
    """The index spells the open statuses out (a model's Meta cannot read the
    model's own constants): if they drift apart, the list stops using it."""
    index = next(i for i in FollowUpCase._meta.indexes if i.name == "case_list_order")
    open_first = index.expressions[0]
    [when] = open_first.cases
    assert set(dict(when.condition.children)["status__in"]) == set(FollowUpCase.OPEN_STATUSES)
    partial = next(i for i in FollowUpCase._meta.indexes if i.name == "case_open_deadline")
    assert set(dict(partial.condition.children)["status__in"]) == set(FollowUpCase.OPEN_STATUSES)


def test_escalation_filter_follows_the_highest_level(client, people, settings):
    settings.NPS_ESCALATION_MAX_LEVEL = 2
    by_level = {}
    for level in (1, 2, 3):  # 3: reached before the setting was lowered
        case = open_case()
        FollowUpCase.objects.filter(pk=case.pk).update(escalation_level=level)
        by_level[level] = case.pk
    response = login(client, people["manager"]).get(LIST)
    spec = filter_spec(response, "escalation")
    assert [(value, str(label)) for value, label in spec.lookup_choices] == [
        ("0", "Not escalated"),
        ("1", "Level 1"),
        ("2+", "Level 2 or more"),
    ]
    response = client.get(LIST, {"escalation": "2+"})
    assert shown(response) == {by_level[2], by_level[3]}


def test_the_case_page_shows_the_main_reason_in_the_readers_language(client, people, case):
    survey = case.survey
    price = DriverChoice.objects.create(survey=survey, key="price", label="Price", label_pl="Cena")
    Response.objects.filter(pk=case.response_id).update(driver=price)
    StaffProfile.objects.update_or_create(user=people["owner"], defaults={"language": "pl"})
    login(client, people["owner"])

    shown = client.get(page(case), HTTP_ACCEPT_LANGUAGE="pl").content.decode()

    assert re.search(r"<p data-driver>[^<]*: <strong>Cena</strong></p>", shown)


def test_the_case_page_says_nothing_of_a_reason_when_none_was_chosen(client, people, case):
    login(client, people["owner"])
    assert "data-driver" not in client.get(page(case)).content.decode()
