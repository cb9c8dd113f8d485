"""CSV exports of answers and cases: what they contain, that they show what the
list shows to whom may see it, and that they stream in flat memory."""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followups.cases.exports import case_csv_lines
from followups.models import FollowUpCase, RootCause
from surveys import exports, services
from surveys.models import DriverChoice, Response
from surveys.stats import classify
from tests.factories import (
    CustomerFactory,
    ResponseFactory,
    SurveyFactory,
    UserFactory,
    manager,
    staff_member,
)
from tests.followups.cases import open_case
from tests.surveys.api.conftest import client_with, grant, key_for, make_token

pytestmark = pytest.mark.django_db

RESPONSES_ADMIN = reverse("admin:surveys_response_changelist")
RESPONSES_ADMIN_EXPORT = reverse("admin:surveys_response_export")
CASES_ADMIN = reverse("admin:followups_followupcase_changelist")
CASES_ADMIN_EXPORT = reverse("admin:followups_followupcase_export")
RESPONSES_API_EXPORT = "/api/v1/responses/export/"
CASES_API_EXPORT = "/api/v1/cases/export/"

RESPONSE_HEADER = [
    "id",
    "submitted_at",
    "survey",
    "score",
    "category",
    "comment",
    "driver",
    "driver_label",
    "segment",
    "locale",
    "channel",
    "customer_id",
    "customer_email",
    "exclusion_reason",
    "routed_at",
    "theme_id",
    "theme",
]
CASE_HEADER = [
    "id",
    "status",
    "priority",
    "score",
    "comment",
    "survey",
    "segment",
    "customer_email",
    "owner",
    "created_at",
    "due_at",
    "resolution_due_at",
    "first_contact_at",
    "resolved_at",
    "closed_at",
    "root_cause",
    "suggested_root_cause",
    "suggestion_confidence",
    "suggestion_model_version",
    "escalation_level",
    "resolution_summary",
    "theme_id",
    "theme",
]
NON_ASCII = "Zażółć gęślą jaźń — 很好 👍 Спасибо"


def body(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def table(response) -> list[list[str]]:
    return parse(body(response).decode("utf-8-sig"))


def ids(response) -> list[int]:
    return [int(row[0]) for row in table(response)[1:]]


def api_reader():
    client = client_with(make_token("reporting", "read"))
    grant("reporting", "surveys.export_response")  # the admin's export permission
    return client


def api_user(user):
    return client_with(key_for(user, "reports:read", "cases:read"))


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_superuser=True))
    return client


@pytest.fixture
def people():
    return {"owner": staff_member("owner"), "other": staff_member("other"), "manager": manager()}


def bulk_answers(count: int, *, survey=None, score: int = 9, comment: str = "") -> None:
    """Many answers in one insert: the export cares about rows, not how they came."""
    survey = survey or SurveyFactory(slug="bulk")
    customer = CustomerFactory()
    Response.objects.bulk_create(
        Response(
            survey=survey,
            customer=customer,
            score=score,
            category=classify(score),
            comment=comment or f"answer number {n}, with a few words to look real",
            segment="retail",
            locale="en",
        )
        for n in range(count)
    )


# --- What is in the file -------------------------------------------------------


def test_response_export_names_the_driver_chosen_by_key_and_label():
    survey = SurveyFactory(slug="checkout", driver_question="What mattered most?")
    choice = DriverChoice.objects.create(survey=survey, key="price", label="=Price")
    ResponseFactory(survey=survey, score=4, driver=choice)

    rows = parse("".join(exports.response_csv_lines(Response.objects.all())))

    driver = RESPONSE_HEADER.index("driver")
    assert rows[1][driver : driver + 2] == ["price", "'=Price"]


def test_response_export_has_the_header_and_the_values_of_each_answer():
    routed = datetime(2025, 11, 20, 14, 5, tzinfo=UTC)
    answer = ResponseFactory(
        survey=SurveyFactory(slug="checkout"),
        customer=CustomerFactory(email="ada@example.com", segment="enterprise"),
        score=3,
        comment='Late, "again", and rude',
        locale="pl",
        channel="email",
        submitted_at=datetime(2025, 11, 20, 14, 3, tzinfo=UTC),
        exclusion_reason=Response.ExclusionReason.TEST,
        routed_at=routed,
    )

    rows = parse("".join(exports.response_csv_lines(Response.objects.all())))

    assert rows == [
        RESPONSE_HEADER,
        [
            str(answer.pk),
            "2025-11-20T14:03:00+00:00",
            "checkout",
            "3",
            "detractor",
            'Late, "again", and rude',
            "",
            "",
            "enterprise",
            "pl",
            "email",
            str(answer.customer_id),
            "ada@example.com",
            "test",
            "2025-11-20T14:05:00+00:00",
            "",
            "",
        ],
    ]


def test_case_export_has_the_header_and_the_values_of_each_case(people):
    case = open_case(owner=people["owner"], score=2, comment="Parcel late", email="bo@example.com")
    FollowUpCase.objects.filter(pk=case.pk).update(
        root_cause=RootCause.objects.create(name="Courier"),
        escalation_level=1,
        resolution_summary="Refunded the shipping",
    )

    rows = parse("".join(case_csv_lines(FollowUpCase.objects.all())))

    assert rows == [
        CASE_HEADER,
        [
            str(case.pk),
            "new",
            str(FollowUpCase.Priority.HIGH),
            "2",
            "Parcel late",
            case.survey.slug,
            "retail",
            "bo@example.com",
            "owner",
            case.created_at.isoformat(),
            case.due_at.isoformat(),
            case.resolution_due_at.isoformat(),
            "",
            "",
            "",
            "Courier",
            "",
            "",
            "",
            "1",
            "Refunded the shipping",
            "",
            "",
        ],
    ]


def test_an_erased_customer_has_a_blank_email_in_both_exports():
    case = open_case(email="gone@example.com")
    services.customer_erase(customer=case.customer)

    answers = parse("".join(exports.response_csv_lines(Response.objects.all())))
    cases = parse("".join(case_csv_lines(FollowUpCase.objects.all())))

    assert answers[1][RESPONSE_HEADER.index("customer_email")] == ""
    assert cases[1][CASE_HEADER.index("customer_email")] == ""


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Great service = happy", "Great service = happy"),
    ],
)
def test_a_comment_a_spreadsheet_would_run_as_a_formula_stays_text(given, written):
    ResponseFactory(comment=given)

    rows = parse("".join(exports.response_csv_lines(Response.objects.all())))

    assert rows[1][RESPONSE_HEADER.index("comment")] == written


def test_non_ascii_text_survives_the_api_export():
    ResponseFactory(comment=NON_ASCII, segment="średni")

    response = api_reader().get(RESPONSES_API_EXPORT)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    row = parse(body(response).decode("utf-8"))[1]
    assert row[RESPONSE_HEADER.index("comment")] == NON_ASCII
    assert row[RESPONSE_HEADER.index("segment")] == "średni"


def test_the_admin_export_is_an_attachment_marked_utf8_for_excel(superuser_client):
    ResponseFactory(comment=NON_ASCII)

    response = superuser_client.get(RESPONSES_ADMIN_EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="responses-')
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbfid,submitted_at,")
    assert parse(content.decode("utf-8-sig"))[1][RESPONSE_HEADER.index("comment")] == NON_ASCII


# --- The admin: exactly what the list shows -----------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "category__exact=detractor",
        "q=parcel",
        "submitted_at__year=2024",
        "o=-4",  # by score, descending
        "category__exact=detractor&q=parcel&p=2",  # any page: the export has them all
    ],
)
def test_admin_response_export_has_the_rows_the_list_shows_in_its_order(superuser_client, query):
    survey = SurveyFactory(slug="checkout")
    for n, (score, comment, year) in enumerate(
        [(2, "Parcel lost", 2024), (9, "parcel early", 2024), (4, "Rude", 2025), (6, "", 2024)]
    ):
        ResponseFactory(
            survey=survey,
            score=score,
            comment=comment,
            submitted_at=datetime(year, 3, 1 + n, 12, tzinfo=UTC),
        )

    listed = superuser_client.get(f"{RESPONSES_ADMIN}?{query}").context["cl"].queryset
    exported = superuser_client.get(f"{RESPONSES_ADMIN_EXPORT}?{query}")

    assert ids(exported) == list(listed.values_list("pk", flat=True))


def test_admin_response_export_has_every_page_of_a_filtered_list(superuser_client):
    bulk_answers(130, score=1)
    bulk_answers(20, score=10, survey=SurveyFactory(slug="other"))

    exported = table(superuser_client.get(f"{RESPONSES_ADMIN_EXPORT}?category__exact=detractor"))

    assert len(exported) == 1 + 130  # more than one list page of 100
    assert {row[RESPONSE_HEADER.index("category")] for row in exported[1:]} == {"detractor"}


def test_the_list_links_to_the_export_with_its_filters(superuser_client, people):
    responses = superuser_client.get(f"{RESPONSES_ADMIN}?category__exact=detractor&q=late")
    cases = superuser_client.get(f"{CASES_ADMIN}?queue=unassigned")

    assert f'href="{RESPONSES_ADMIN_EXPORT}?category__exact=detractor&amp;q=late"' in (
        responses.content.decode()
    )
    assert f'href="{CASES_ADMIN_EXPORT}?queue=unassigned"' in cases.content.decode()


def test_admin_case_export_follows_the_list_filters(client, people):
    unassigned = open_case()
    open_case(owner=people["owner"])
    client.force_login(people["manager"])

    exported = client.get(f"{CASES_ADMIN_EXPORT}?queue=unassigned")

    assert ids(exported) == [unassigned.pk]


@pytest.mark.parametrize("who", ["owner", "other", "manager"])
def test_admin_case_export_has_only_the_cases_the_user_may_see(client, people, who):
    mine = open_case(owner=people["owner"])
    unassigned = open_case()
    client.force_login(people[who])

    exported = set(ids(client.get(CASES_ADMIN_EXPORT)))

    expected = {mine.pk, unassigned.pk} if who in ("owner", "manager") else {unassigned.pk}
    assert exported == expected


@pytest.mark.parametrize("url", [RESPONSES_ADMIN_EXPORT, CASES_ADMIN_EXPORT])
def test_admin_export_sends_anonymous_visitors_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("url", [RESPONSES_ADMIN_EXPORT, CASES_ADMIN_EXPORT])
def test_admin_export_needs_the_view_permission(client, url):
    open_case()
    client.force_login(UserFactory(username="no-perms"))

    assert client.get(url).status_code == 403


def test_admin_export_with_a_bad_filter_goes_back_to_the_list(superuser_client):
    response = superuser_client.get(f"{RESPONSES_ADMIN_EXPORT}?no_such_field=1")

    assert response.status_code == 302
    assert response["Location"] == f"{RESPONSES_ADMIN}?no_such_field=1"


# --- The API: the list's filters and rules ----------------------------------------


def test_api_response_export_applies_the_list_filters():
    checkout = SurveyFactory(slug="checkout")
    wanted = ResponseFactory(survey=checkout, score=2)
    ResponseFactory(survey=checkout, score=9)
    ResponseFactory(survey=SurveyFactory(slug="support"), score=2)

    exported = api_reader().get(f"{RESPONSES_API_EXPORT}?survey=checkout&category=detractor")

    assert ids(exported) == [wanted.pk]


def test_api_response_export_refuses_a_bad_filter_in_the_api_error_shape():
    response = api_reader().get(f"{RESPONSES_API_EXPORT}?customer=abc")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["fields"]["customer"]


def test_api_export_answers_a_client_that_accepts_only_csv():
    answer = ResponseFactory()
    client = api_reader()

    exported = client.get(RESPONSES_API_EXPORT, HTTP_ACCEPT="text/csv")
    refused = client.get(f"{RESPONSES_API_EXPORT}?customer=abc", HTTP_ACCEPT="text/csv")

    assert ids(exported) == [answer.pk]
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/json"
    assert refused.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("url", [RESPONSES_API_EXPORT, CASES_API_EXPORT])
def test_api_export_refuses_anonymous_clients(url):
    assert client_with(None).get(url).status_code == 401


def test_api_response_export_needs_the_read_scope():
    response = client_with(make_token("shop", "ingest")).get(RESPONSES_API_EXPORT)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("who", ["owner", "other", "manager"])
def test_api_case_export_has_only_the_cases_the_user_may_see(people, who):
    mine = open_case(owner=people["owner"])
    unassigned = open_case()

    exported = set(ids(api_user(people[who]).get(CASES_API_EXPORT)))

    expected = {mine.pk, unassigned.pk} if who in ("owner", "manager") else {unassigned.pk}
    assert exported == expected


def test_api_case_export_applies_the_list_filters(people):
    open_case(owner=people["owner"])
    unassigned = open_case()

    exported = api_user(people["manager"]).get(f"{CASES_API_EXPORT}?unassigned=true")

    assert ids(exported) == [unassigned.pk]


# --- Streaming, in flat memory ------------------------------------------------------


def test_export_runs_one_query_while_the_body_is_read(monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 100)
    bulk_answers(5000)
    client = api_reader()

    with CaptureQueriesContext(connection) as before_the_body:
        response = client.get(RESPONSES_API_EXPORT)
    with CaptureQueriesContext(connection) as first_block:
        first = next(iter(response.streaming_content))
    with CaptureQueriesContext(connection) as the_rest:
        rest = b"".join(response.streaming_content)

    assert isinstance(response, StreamingHttpResponse)
    # Before the body: only the audit trail's questions about the rows, no row
    # read: how many (COUNT), and whose business they are (whether one has no
    # survey, and at most three distinct departments).
    reads = [q["sql"] for q in before_the_body.captured_queries if "surveys_response" in q["sql"]]
    assert [sql.split(" FROM ")[0] for sql in reads] == [
        'SELECT COUNT(*) AS "__count"',
        'SELECT 1 AS "a"',
        'SELECT DISTINCT "surveys_survey"."department_id" AS "survey__department"',
    ], reads
    assert reads[1].endswith("LIMIT 1") and reads[2].endswith("LIMIT 3"), reads
    assert len(first_block.captured_queries) == 1  # 50 chunks, one SELECT
    assert 1 < first.count(b"\n") < 5000  # sent before the last rows were read
    assert the_rest.captured_queries == []
    assert (first + rest).count(b"\n") == 1 + 5000


def _peak_memory_reading(response) -> tuple[int, int]:
    tracemalloc.start()
    try:
        lines = sum(block.count(b"\n") for block in response.streaming_content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return lines, peak


def test_export_memory_does_not_grow_with_the_number_of_rows(monkeypatch):
    # Several chunks in both runs, so both hold the same (one or two) at a time.
    monkeypatch.setattr(exports, "CHUNK_SIZE", 500)
    bulk_answers(2000)
    client = api_reader()
    small_lines, small_peak = _peak_memory_reading(client.get(RESPONSES_API_EXPORT))
    bulk_answers(18000)
    large_lines, large_peak = _peak_memory_reading(client.get(RESPONSES_API_EXPORT))

    assert (small_lines, large_lines) == (1 + 2000, 1 + 20000)
    # Reading every row at once would take about ten times the memory.
    assert large_peak < 3 * small_peak, (small_peak, large_peak)


@pytest.mark.parametrize(
    ("url", "user"),
    [(RESPONSES_ADMIN_EXPORT, "superuser"), (CASES_ADMIN_EXPORT, "manager")],
)
def test_admin_export_queries_do_not_grow_with_rows(client, people, monkeypatch, url, user):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 5)
    client.force_login(
        people["manager"] if user == "manager" else UserFactory(username="root", is_superuser=True)
    )

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            body(client.get(url))
        return len(context.captured_queries)

    for _ in range(3):
        open_case()
    queries()  # each key's first use records it (once a minute): not counted
    few = queries()
    for _ in range(27):
        open_case()
    assert queries() == few


def test_api_export_queries_do_not_grow_with_rows(people, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 5)
    responses, cases = api_reader(), api_user(people["manager"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            body(responses.get(RESPONSES_API_EXPORT))
            body(cases.get(CASES_API_EXPORT))
        return len(context.captured_queries)

    for _ in range(3):
        open_case()
    queries()  # each key's first use records it (once a minute): not counted
    few = queries()
    for _ in range(27):
        open_case()
    assert queries() == few


# --- Every CSV the product writes neutralises formulas -------------------------


def store_raw(table: str, pk: int, **values) -> None:
    """Write ``values`` as they are, past any cleaning the model fields do."""
    assignments = ", ".join(f"{column} = %s" for column in values)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*values.values(), pk])  # noqa: S608 - names are the test's own


FORMULAS = [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("+1", "'+1"),
    ("-2", "'-2"),
    ("@x", "'@x"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
]


@pytest.mark.parametrize(("given", "written"), FORMULAS)
def test_the_admin_customer_export_neutralises_formulas(given, written):
    from surveys.resources import CustomerResource

    customer = CustomerFactory(email="f@example.com")
    # As stored before names and segments were cleaned of control characters.
    store_raw("surveys_customer", customer.pk, name=given, segment=given, external_id=given)

    rows = list(csv.DictReader(io.StringIO(CustomerResource().export().csv, newline="")))

    assert (rows[0]["name"], rows[0]["segment"], rows[0]["external_id"]) == (written,) * 3
    assert rows[0]["email"] == "f@example.com"


def test_the_admin_customer_export_view_neutralises_formulas(superuser_client):
    CustomerFactory(name='=HYPERLINK("http://x","y")', email="f@example.com")

    reply = superuser_client.post(
        reverse("admin:surveys_customer_export"),
        {
            "format": "0",
            "resource": "0",
            **{f"customerresource_{c}": "on" for c in ("email", "name")},
        },
    )

    assert reply.status_code == 200, reply.content[:500]
    rows = list(csv.DictReader(io.StringIO(reply.content.decode("utf-8-sig"), newline="")))
    assert rows == [{"email": "f@example.com", "name": '\'=HYPERLINK("http://x","y")'}]


@pytest.mark.parametrize(("given", "written"), FORMULAS)
def test_the_nps_report_csv_neutralises_formulas_and_keeps_negative_scores_numbers(given, written):
    from django.core.management import call_command

    survey = SurveyFactory(slug="rel")
    when = datetime(2026, 3, 1, tzinfo=UTC)
    response = ResponseFactory(survey=survey, score=0, submitted_at=when)
    store_raw("surveys_response", response.pk, segment=given)
    out = io.StringIO()

    call_command(
        "nps_report", "rel", "--from", "2026-01-01", "--to", "2026-12-31",
        "--by", "segment", "--csv", stdout=out,
    )  # fmt: skip

    rows = {row["group"]: row for row in csv.DictReader(io.StringIO(out.getvalue(), newline=""))}
    assert set(rows) == {written, "total"}
    assert rows[written]["nps"] == "-100.0"
    assert rows[written]["ci_low"].startswith("-")
