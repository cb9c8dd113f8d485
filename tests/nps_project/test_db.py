"""nps_project.db: ``__any`` finds exactly what ``__in`` finds, RowMaker makes
exactly the instances keyword construction makes, and ArrayTextDumper writes
exactly the array literals psycopg's own dumper writes."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Lower
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from psycopg.adapt import PyFormat
from psycopg.types.array import ListDumper

from nps_project.db import ArrayTextDumper, RowMaker, TimestamptzLoader
from surveys.models import Customer, Response, Survey
from tests.factories import CustomerFactory, SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers():
    return [
        CustomerFactory(email="Ann@Example.com", external_id="a-1"),
        CustomerFactory(email="bob@example.com", external_id=None),
        CustomerFactory(email="zoë@example.com", external_id="z-3"),
    ]


def _ids(queryset):
    return sorted(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "values",
    [
        ["a-1"],
        ["a-1", "z-3", "nobody"],
        ["a-1", None],
        ("z-3", "a-1", "z-3"),
        {"a-1", "z-3"},
        ["nobody"],
    ],
)
def test_any_finds_what_in_finds(customers, values):
    assert _ids(Customer.objects.filter(external_id__any=values)) == _ids(
        Customer.objects.filter(external_id__in=values)
    )


def test_any_on_an_expression_and_in_a_q_with_or(customers):
    emails = ["ann@example.com", "zoë@example.com"]
    annotated = Customer.objects.annotate(email_lower=Lower("email"))
    found = annotated.filter(email_lower__any=emails) | annotated.filter(external_id__any=["x"])
    assert _ids(found) == [customers[0].pk, customers[2].pk]


def test_any_of_nothing_or_only_null_finds_nothing_without_a_query(customers):
    with CaptureQueriesContext(connection) as queries:
        assert list(Customer.objects.filter(external_id__any=[])) == []
        assert list(Customer.objects.filter(external_id__any=[None])) == []
    assert len(queries) == 0


def test_any_takes_a_subquery_and_expressions_as_in_does(customers):
    subquery = Customer.objects.filter(email__startswith="bob").values("pk")
    assert _ids(Customer.objects.filter(pk__any=subquery)) == [customers[1].pk]
    expressions = [Value("a-1"), F("external_id")]
    assert _ids(Customer.objects.filter(external_id__any=expressions)) == _ids(
        Customer.objects.filter(external_id__in=expressions)
    )


@pytest.mark.postgres
def test_any_sends_one_array_parameter_on_postgresql(customers):
    keys = [f"key-{n}" for n in range(500)]
    with CaptureQueriesContext(connection) as queries:
        list(Customer.objects.filter(external_id__any=[*keys, "a-1"]))
    sql = queries[0]["sql"]
    assert "= ANY(" in sql
    assert " IN (" not in sql


def test_row_maker_makes_what_keyword_construction_makes():
    survey = SurveyFactory()
    customer = CustomerFactory()
    now = timezone.now()
    names = ("survey_id", "customer_id", "score", "category", "comment", "submitted_at")
    values = (survey.pk, customer.pk, 3, "detractor", "slow", now)
    made = RowMaker(Response, names).make(values)
    expected = Response(**dict(zip(names, values, strict=True)))
    fields = [field.attname for field in Response._meta.concrete_fields]
    assert [getattr(made, name) for name in fields] == [getattr(expected, name) for name in fields]
    assert made._state.adding
    made.save()
    assert Response.objects.get(pk=made.pk).comment == "slow"


def test_row_maker_calls_callable_defaults_for_each_row():
    maker = RowMaker(Survey, ("slug", "name"))
    first, second = maker.make(("one", "One")), maker.make(("two", "Two"))
    # Survey.translations defaults to dict: each row must get its own.
    assert first.translations == {} == second.translations
    assert first.translations is not second.translations
    assert first.status == Survey._meta.get_field("status").get_default()


def test_row_maker_refuses_unknown_fields_and_wrong_value_counts():
    with pytest.raises(ValueError, match="survey"):
        RowMaker(Response, ("survey", "score"))  # the attname is survey_id
    maker = RowMaker(Response, ("survey_id", "score"))
    with pytest.raises(ValueError):
        maker.make((1,))


# --- ArrayTextDumper ------------------------------------------------------------

# Any text PostgreSQL can hold (no NUL), and the characters arrays quote.
_TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))
_ELEMENTS = st.one_of(
    st.none(),
    _TEXT,
    st.sampled_from(['a "quoted" word', "back\\slash", "{braces}", "a,b", " ", "", "NULL"]),
)


def _dumped(dumper_class, value: list) -> bytes:
    from psycopg.adapt import Transformer

    transformer = Transformer()
    dumper = dumper_class(list, transformer).upgrade(value, PyFormat.TEXT)
    return bytes(dumper.dump(value))


@hypothesis_settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.lists(_ELEMENTS, max_size=8),
        st.lists(st.one_of(st.none(), st.integers(-1000, 1000)), max_size=8),
        st.lists(st.lists(_TEXT, min_size=2, max_size=2), max_size=4),
    )
)
@example(['<a href="https://example.com/x">"Hi"</a>', "C:\\path\\", None, "NULL"])
def test_array_text_dumper_writes_what_psycopgs_own_writes(value):
    assert _dumped(ArrayTextDumper, value) == _dumped(ListDumper, value)


@pytest.mark.postgres
def test_every_new_connection_writes_lists_with_it_and_postgres_reads_them_back():
    fresh = connection.copy()
    try:
        fresh.ensure_connection()
        adapters = fresh.connection.adapters
        assert adapters.get_dumper(list, PyFormat.TEXT) is ArrayTextDumper
        # A ``%s`` placeholder picks the format psycopg's own order gives it.
        assert adapters.get_dumper(list, PyFormat.AUTO) is ArrayTextDumper
        values = ['<p class="x">Zoë "O\'Brien"</p>', "a\\b", "{x,y}", None, "NULL", ""]
        with fresh.cursor() as cursor:
            cursor.execute("SELECT %s::text[]", [values])
            assert cursor.fetchone()[0] == values
    finally:
        fresh.close()


@pytest.mark.postgres
def test_bulk_insert_of_html_bodies_stores_them_as_written():
    from followups.models import OutboundMessage

    bodies = ['<a href="https://example.com/u/x:y/">"Unsubscribe"</a>\\', 'plain "quotes"']
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            dedupe_key=f"dumper-{index}",
            template="offer",
            recipient="ann@example.com",
            subject="S",
            body_text=body,
            body_html=body,
        )
        for index, body in enumerate(bodies)
    )
    stored = OutboundMessage.objects.filter(dedupe_key__startswith="dumper-").order_by("dedupe_key")
    assert [(m.body_text, m.body_html) for m in stored] == [(b, b) for b in bodies]


def _fresh_connection(**settings_dict):
    fresh = connection.copy()
    fresh.settings_dict = {**fresh.settings_dict, **settings_dict}
    fresh.ensure_connection()
    return fresh


@pytest.mark.postgres
@pytest.mark.parametrize("zone", [None, "Europe/Warsaw", "Asia/Shanghai"])
def test_every_new_connection_reads_timestamps_as_djangos_loader_does(zone):
    """The same values, with the very tzinfo Django's own loader gives, on a
    connection in UTC (the default) or in a zone of its own (``TIME_ZONE``
    of the database), through Django's cursor and a server-bound one."""
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader

    from nps_project.db import bound_cursor

    fresh = _fresh_connection(TIME_ZONE=zone)
    try:
        loader = fresh.connection.adapters.get_loader(1184, 0)  # timestamptz, text
        assert issubclass(loader, TimestamptzLoader)
        assert loader.timezone == fresh.timezone
        sql = (
            "SELECT v FROM unnest(%s::timestamptz[]) AS v UNION ALL "
            "SELECT timestamptz '0001-01-02 00:00:00+00' UNION ALL "
            "SELECT timestamptz '9999-12-30 23:59:59.999999+00' UNION ALL "
            "SELECT timestamptz '2026-03-29 01:30:00.5+00' UNION ALL SELECT NULL"
        )
        moments = [timezone.now(), datetime(2026, 10, 25, 0, 59, 59, 999999, tzinfo=UTC)]
        with fresh.cursor() as cursor:
            assert cursor.cursor.adapters.get_loader(1184, 0) is loader  # not Django's again
            cursor.execute(sql, [moments])
            ours = [row[0] for row in cursor.fetchall()]
            django_loader = type("Django", (BaseTzLoader,), {"timezone": fresh.timezone})
            cursor.cursor.adapters.register_loader("timestamptz", django_loader)
            cursor.execute(sql, [moments])
            djangos = [row[0] for row in cursor.fetchall()]
        with bound_cursor(fresh) as cursor:
            cursor.execute(sql, [moments])
            bound = [row[0] for row in cursor.fetchall()]
    finally:
        fresh.close()
    assert ours == djangos == bound
    # In UTC: an aware time in a zone's repeated hour equals no time of another zone.
    assert [value.astimezone(UTC) for value in ours[:2]] == moments
    assert [value and value.tzinfo for value in ours] == [
        value and value.tzinfo for value in djangos
    ]
    assert {type(value.tzinfo) for value in ours if value} == {type(fresh.timezone)}


@pytest.mark.postgres
def test_a_timestamp_python_cannot_hold_is_the_same_clear_error():
    from django.db import DataError

    fresh = _fresh_connection(TIME_ZONE="Asia/Shanghai")
    try:
        with fresh.cursor() as cursor, pytest.raises(DataError, match="too large"):
            cursor.execute("SELECT timestamptz '9999-12-31 23:59:59+00'")
            cursor.fetchone()
    finally:
        fresh.close()


_MOMENT = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


def _outbox_rows(prefix, customer, survey):
    from django.db.models.functions import Now
    from django.utils.translation import gettext_lazy

    from followups.models import OutboundMessage

    def row(index, **fields):
        values = {
            "template": "offer",
            "recipient": "ann@example.com",
            "subject": "S",
            "body_text": '<a href="x">"q"</a>\\',
            "next_attempt_at": _MOMENT,
        }
        return OutboundMessage(dedupe_key=f"{prefix}-{index}", **{**values, **fields})

    return [
        row(0, customer=customer, survey=survey),  # foreign keys by object
        row(1, customer_id=customer.pk, survey_id=survey.pk, language="pl"),
        row(2, channel=OutboundMessage.Channel.SMS, sent_at=_MOMENT),
        row(3, subject=gettext_lazy("Yes")),  # a lazy string: prepared by its field
        row(4, attempts=3, sent_at=None, last_error="421"),
        row(5, created_at=Now()),  # an expression: bulk_create's own path
    ]


def _stored(queryset, exclude=("id", "dedupe_key", "created_at")):
    if not queryset.query.order_by:
        queryset = queryset.order_by("dedupe_key")
    return [
        {name: value for name, value in row.items() if name not in exclude}
        for row in queryset.values()
    ]


@pytest.mark.postgres
@pytest.mark.parametrize("rows", [slice(0, 5), slice(0, 6)], ids=["plain", "with-expression"])
def test_rows_insert_stores_what_bulk_create_stores(rows):
    from followups.models import OutboundMessage
    from nps_project.db import rows_insert

    customer, survey = CustomerFactory(), SurveyFactory()
    theirs = OutboundMessage.objects.bulk_create(_outbox_rows("bulk", customer, survey)[rows])
    ours = rows_insert(_outbox_rows("rows", customer, survey)[rows])

    assert _stored(OutboundMessage.objects.filter(dedupe_key__startswith="rows")) == _stored(
        OutboundMessage.objects.filter(dedupe_key__startswith="bulk")
    )
    assert [row.pk for row in ours] == sorted(row.pk for row in ours)  # in the order given
    for row in ours:
        assert not row._state.adding
        assert OutboundMessage.objects.get(pk=row.pk).dedupe_key == row.dedupe_key
    assert [(o.customer_id, o.survey_id) for o in ours] == [
        (t.customer_id, t.survey_id) for t in theirs
    ]


@pytest.mark.postgres
def test_rows_insert_sends_one_prepared_statement_and_refuses_what_bulk_create_refuses():
    from followups.models import OutboundMessage
    from nps_project.db import rows_insert

    customer, survey = CustomerFactory(), SurveyFactory()
    with CaptureQueriesContext(connection) as queries:
        rows_insert(_outbox_rows("one", customer, survey)[:5])
    [insert] = [q["sql"] for q in queries if q["sql"].startswith("INSERT")]
    assert "UNNEST" in insert
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    for batch in range(threshold):
        rows_insert(_outbox_rows(f"again{batch}", customer, survey)[:5])
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        assert any("followups_outboundmessage" in row[0] for row in cursor.fetchall())

    unsaved = _outbox_rows("unsaved", Customer(email="new@example.com"), survey)[:1]
    with pytest.raises(ValueError, match="unsaved related object 'customer'"):
        rows_insert(unsaved)
    # Given before it was saved, the customer is stored by its id since.
    later = Customer(email="later@example.com")
    [row] = _outbox_rows("later", later, survey)[:1]
    later.save()
    rows_insert([row])
    assert OutboundMessage.objects.get(pk=row.pk).customer_id == later.pk
    assert rows_insert([]) == []
    assert not OutboundMessage.objects.filter(dedupe_key__startswith="unsaved").exists()


@pytest.mark.postgres
def test_rows_insert_stores_json_and_choices_as_bulk_create_does():
    from nps_project.db import rows_insert
    from surveys.models import Channel, Invitation

    customer, survey = CustomerFactory(), SurveyFactory()

    def invitations(prefix):
        rows = [
            Invitation(survey=survey, customer=customer, channel=Channel.SMS, properties=value)
            for value in ({"plan": "pro", "seats": [1, 2]}, {}, "text", [])
        ]
        for index, row in enumerate(rows):
            row.nonce = f"{prefix}{index}"
            row.token_hash = f"{prefix}-hash-{index}"
            row.expires_at = timezone.now()
        return rows

    Invitation.objects.bulk_create(invitations("bulk"))
    rows_insert(invitations("rows"))

    def stored(prefix):
        return _stored(
            Invitation.objects.filter(nonce__startswith=prefix).order_by("nonce"),
            exclude=("id", "nonce", "token_hash", "created_at", "expires_at"),
        )

    assert stored("rows") == stored("bulk")
    assert [row["properties"] for row in stored("rows")] == [
        {"plan": "pro", "seats": [1, 2]},
        {},
        "text",
        [],
    ]
