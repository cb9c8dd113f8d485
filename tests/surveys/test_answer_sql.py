"""The single answer's SQL (``surveys.answer_sql``) finds and stores what the
ORM's queries do, and its insert refuses a customer erased or changed since
the look-up, also while an erasure is under way."""

from __future__ import annotations

import threading

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.db import DataError, OperationalError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from surveys import answer_sql, services, stats
from surveys.answer_sql import (
    CUSTOMER_READ,
    SURVEY_READ,
    answer_insert_guarded,
    answer_lookup,
)
from surveys.ingestion.single import _stored_id_for, _survey_and_stored
from surveys.models import ApiScope, Channel, Customer, DriverChoice, Response, Survey
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory
from tests.surveys.api.conftest import client_with, make_token

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _values(instance, names: tuple[str, ...] | None = None) -> dict | None:
    """The instance's column values (``names``: those only)."""
    if instance is None:
        return None
    fields = type(instance)._meta.concrete_fields
    return {
        f.attname: getattr(instance, f.attname)
        for f in fields
        if f.attname in (names or [f.attname])
    }


def _read(instance) -> dict | None:
    """The columns the look-up reads of a survey or a customer."""
    return _values(instance, SURVEY_READ if isinstance(instance, Survey) else CUSTOMER_READ)


def _orm(slug, key, client, email, external_id):
    survey, stored_id = _survey_and_stored(slug, key, client)
    if survey is None:
        stored_id = _stored_id_for(key, client)
    customer = services.customer_find(email=email, external_id=external_id)
    return _read(survey), stored_id, _read(customer)


def _sql(slug, key, client, email, external_id):
    found = answer_lookup(
        slug=slug, key=key, api_client=client, email=email, external_id=external_id
    )
    return _read(found.survey), found.stored_id, _read(found.customer)


@pytest.fixture
def stored():
    """Two clients, a survey with a driver question, customers found by
    email, by external id and by each of two, answers under keys: the
    client's own, another client's, one stored before keys were per client."""
    one, other = (get_user_model().objects.create(username=name) for name in ("one", "other"))
    survey = SurveyFactory(slug="checkout", driver_question="Why?", status=Survey.Status.PAUSED)
    by_email = CustomerFactory(email="Ada@Example.com", external_id=None, time_zone="Europe/Warsaw")
    by_id = CustomerFactory(email="bob@example.com", external_id="crm-2")
    for key, client in [("own", one), ("others", other), ("legacy", None), ("both", None)]:
        ResponseFactory(survey=survey, customer=by_id, idempotency_key=key, api_client=client)
    ResponseFactory(survey=survey, customer=by_id, idempotency_key="both", api_client=one)
    return {"one": one, "survey": survey, "by_email": by_email, "by_id": by_id}


@pytest.mark.parametrize("slug", ["checkout", "unknown"])
@pytest.mark.parametrize("key", [None, "own", "others", "legacy", "both", "never"])
@pytest.mark.parametrize(
    ("email", "external_id"),
    [
        ("ada@example.com", None),
        ("ADA@EXAMPLE.COM", "crm-new"),
        (None, "crm-2"),
        ("ada@example.com", "crm-2"),  # two customers: the external id's wins
        ("nobody@example.com", None),
        (None, None),
    ],
)
def test_the_lookup_finds_what_the_orm_finds(stored, slug, key, email, external_id):
    args = (slug, key, stored["one"], email, external_id)

    assert _sql(*args) == _orm(*args)


def test_the_lookup_reads_its_columns_as_the_orm_reads_them_and_defers_the_rest(stored):
    found = answer_lookup(
        slug="checkout",
        key="both",
        api_client=stored["one"],
        email="ada@example.com",
        external_id=None,
    )

    assert _read(found.survey) == _read(Survey.objects.get(slug="checkout"))
    assert _read(found.customer) == _read(stored["by_email"])
    for instance, read in [(found.survey, SURVEY_READ), (found.customer, CUSTOMER_READ)]:
        columns = {f.attname for f in type(instance)._meta.concrete_fields}
        assert instance.get_deferred_fields() == columns - set(read)
    # A column left out is read on first use, as QuerySet.only leaves it.
    assert found.customer.unsubscribe_key == stored["by_email"].unsubscribe_key
    assert (
        found.stored_id == Response.objects.get(idempotency_key="both", api_client=stored["one"]).pk
    )


def _unsaved(customer, survey, key="new", client=None) -> Response:
    return Response(
        survey=survey,
        customer=customer,
        score=3,
        category=stats.classify(3),
        comment="Slow",
        channel=Channel.API,
        segment=customer.segment,
        locale="pl",
        idempotency_key=key,
        api_client=client,
        properties={"order": 7},
    )


def test_the_guarded_insert_stores_what_save_stores(stored):
    customer, survey = stored["by_email"], stored["survey"]
    inserted, saved = _unsaved(customer, survey, "a"), _unsaved(customer, survey, "b")

    assert answer_insert_guarded(inserted, matched=customer)
    saved.save()

    assert inserted.pk is not None and not inserted._state.adding
    got, expected = (_values(Response.objects.get(pk=r.pk)) for r in (inserted, saved))
    for varying in ("id", "idempotency_key", "created_at", "submitted_at"):
        got.pop(varying), expected.pop(varying)
    assert got == expected
    assert Response.objects.get(pk=inserted.pk).created_at == inserted.created_at


def test_the_guarded_insert_takes_no_key_stored_already(stored):
    customer = stored["by_id"]

    taken = _unsaved(customer, stored["survey"], "own", stored["one"])

    assert not answer_insert_guarded(taken, matched=customer)
    assert taken.pk is None
    assert Response.objects.filter(idempotency_key="own").count() == 1


@pytest.mark.parametrize(
    "since",
    [
        lambda c: services.customer_erase(customer=c),
        lambda c: Customer.objects.filter(pk=c.pk).update(email="ada@elsewhere.example"),
        lambda c: Customer.objects.filter(pk=c.pk).update(external_id="crm-9"),
    ],
    ids=["erased", "another email", "an external id"],
)
def test_the_guarded_insert_refuses_a_customer_changed_since_the_lookup(stored, since):
    customer = stored["by_email"]
    matched = Customer.objects.get(pk=customer.pk)
    since(customer)

    assert not answer_insert_guarded(_unsaved(matched, stored["survey"]), matched=matched)
    assert not Response.objects.filter(customer=customer).exists()


@pytest.mark.django_db(transaction=True)
def test_an_answer_waiting_for_an_erasure_under_way_is_refused_once_it_commits():
    customer, survey = CustomerFactory(email="ada@example.com"), SurveyFactory(slug="checkout")
    erasing, waiting, outcome = threading.Event(), threading.Event(), []

    def erase():
        try:
            with transaction.atomic():
                services.customer_erase(customer=customer)  # holds the row's lock
                erasing.set()
                waiting.wait(timeout=30)
        finally:
            connections.close_all()

    eraser = threading.Thread(target=erase)
    eraser.start()
    erasing.wait(timeout=30)
    inserter = threading.Thread(
        target=lambda: (
            outcome.append(answer_insert_guarded(_unsaved(customer, survey), matched=customer)),
            connections.close_all(),
        )
    )
    inserter.start()
    _blocked_on_a_lock(inserter)
    waiting.set()
    eraser.join()
    inserter.join()

    assert outcome == [False]
    assert not Response.objects.exists()


def _blocked_on_a_lock(inserter: threading.Thread) -> None:
    """Until another session of this database waits for a lock (the insert,
    for the erasure's): as long as the insert runs."""
    with connection.cursor() as cursor:
        while inserter.is_alive():
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
    raise AssertionError("The insert finished without waiting for the erasure.")


def _prepared_on_this_connection() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE from_sql IS FALSE")
        return [statement for (statement,) in cursor.fetchall()]


def test_both_statements_are_prepared_once_run_often_enough_and_logged_with_their_values(stored):
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    assert threshold == connection.settings_dict["OPTIONS"]["prepare_threshold"] == 5
    customer, survey = stored["by_email"], stored["survey"]

    with CaptureQueriesContext(connection) as captured:
        for index in range(threshold + 1):
            found = answer_lookup(
                slug="checkout",
                key=f"prepared-{index}",
                api_client=stored["one"],
                email="ada@example.com",
                external_id=None,
            )
            assert _read(found.customer) == _read(customer)
            answer = _unsaved(customer, survey, f"prepared-{index}")
            assert answer_insert_guarded(answer, matched=customer)

    prepared = " ".join(_prepared_on_this_connection())
    assert "LEFT JOIN" in prepared and "INSERT INTO" in prepared
    last_lookup, last_insert = (query["sql"] for query in captured.captured_queries[-2:])
    assert f"'prepared-{threshold}'" in last_lookup and "'ada@example.com'" in last_lookup
    assert f"'prepared-{threshold}'" in last_insert and "$1" not in last_insert
    assert Response.objects.filter(idempotency_key__startswith="prepared-").count() == threshold + 1


def test_the_insert_refuses_a_value_too_long_for_its_column_rather_than_cutting_it(stored):
    customer = stored["by_email"]
    answer = _unsaved(customer, stored["survey"])
    answer.locale = "x" * 11  # a varchar(10): full_clean refuses it before any insert

    with pytest.raises(DataError, match="too long"), transaction.atomic():
        answer_insert_guarded(answer, matched=customer)
    assert not Response.objects.filter(customer=customer).exists()


# --- An answer through the API reads no column the look-up left out -----------

_ANSWER = {"survey": "checkout", "customer": {"email": "ada@example.com"}, "score": 3}
_INGEST = [ApiScope.INGEST]


@pytest.fixture
def deferred_reads(monkeypatch):
    """Every read of columns a survey or customer was loaded without."""
    reads = []
    for model in (Survey, Customer):
        original = model.refresh_from_db

        def recorded(self, using=None, fields=None, from_queryset=None, _original=original):
            reads.append((type(self).__name__, fields))
            return _original(self, using=using, fields=fields, from_queryset=from_queryset)

        monkeypatch.setattr(model, "refresh_from_db", recorded)
    return reads


def test_the_probe_records_a_column_read_on_first_use(deferred_reads):
    SurveyFactory(slug="checkout", question="How likely?")
    found = answer_lookup(slug="checkout", key=None, api_client=None, email=None, external_id=None)

    assert found.survey.question == "How likely?"
    assert deferred_reads == [("Survey", ["question"])]


@pytest.mark.parametrize(
    ("scopes", "body", "stored_customer", "survey", "status"),
    [
        pytest.param(_INGEST, _ANSWER, True, {}, 201, id="stored customer, as stored"),
        pytest.param(_INGEST, _ANSWER, False, {}, 201, id="new customer"),
        pytest.param(
            [ApiScope.INGEST, ApiScope.CUSTOMERS_WRITE],
            {**_ANSWER, "customer": {"email": "ada@example.com", "name": "Ada", "locale": "pl"}},
            True,
            {},
            201,
            id="stored customer, updated",
        ),
        pytest.param(
            [ApiScope.INGEST, ApiScope.REPORTS_READ], _ANSWER, True, {}, 201, id="whole answer"
        ),
        pytest.param(
            _INGEST,
            {**_ANSWER, "driver": "price"},
            True,
            {"driver_question": "Why?"},
            201,
            id="a driver",
        ),
        pytest.param(
            _INGEST,
            {**_ANSWER, "driver": "nothing"},
            True,
            {"driver_question": "Why?"},
            400,
            id="an unknown driver",
        ),
        pytest.param(
            _INGEST, _ANSWER, True, {"status": Survey.Status.ARCHIVED}, 400, id="closed survey"
        ),
        pytest.param(
            _INGEST, _ANSWER, True, {"kind": Survey.Kind.EMPLOYEE}, 400, id="employee survey"
        ),
        pytest.param(
            _INGEST,
            {**_ANSWER, "customer": {"email": "ada@example.com", "external_id": "crm-2"}},
            True,
            {},
            409,
            id="another external id",
        ),
    ],
)
def test_an_answer_through_the_api_reads_no_column_the_lookup_left_out(
    deferred_reads, scopes, body, stored_customer, survey, status
):
    created = SurveyFactory(slug="checkout", **survey)
    DriverChoice.objects.create(survey=created, key="price", label="Price", position=0)
    if stored_customer:
        CustomerFactory(email="ada@example.com", external_id="crm-1", segment="smb")
    client = client_with(make_token("integration", scopes))

    reply = client.post("/api/v1/responses/", body, format="json")

    assert reply.status_code == status, reply.json()
    assert deferred_reads == []


def test_a_retry_and_an_erased_customer_read_no_column_left_out(deferred_reads):
    SurveyFactory(slug="checkout")
    customer = CustomerFactory(email="ada@example.com", external_id="crm-1")
    client = client_with(make_token("integration", _INGEST))
    post = {**_ANSWER, "idempotency_key": "k"}

    first, retry = (client.post("/api/v1/responses/", post, format="json") for _ in range(2))
    services.customer_erase(customer=customer)
    erased = client.post(
        "/api/v1/responses/", {**_ANSWER, "customer": {"external_id": "crm-1"}}, format="json"
    )

    assert (first.status_code, retry.status_code, erased.status_code) == (201, 200, 400)
    assert deferred_reads == []


# --- The look-up is the request's health check ---------------------------------


def _request_starts() -> None:
    # What Django does at a request's start (the test client leaves it out):
    # a kept connection is due its health check before the first statement.
    connection.close_if_unusable_or_obsolete()
    assert connection.connection is not None and not connection.health_check_done


def _lookup():
    return answer_lookup(
        slug="checkout", key=None, api_client=None, email="ada@example.com", external_id=None
    )


@pytest.fixture
def checked(monkeypatch):
    """Each time Django's health check runs (SELECT 1 on the connection)."""
    calls = []
    usable = connection.is_usable

    def counted():
        calls.append(True)
        return usable()

    monkeypatch.setattr(connection, "is_usable", counted)
    return calls


@pytest.mark.django_db(transaction=True)
def test_the_lookup_goes_instead_of_the_health_check_on_a_live_connection(checked):
    SurveyFactory(slug="checkout")
    CustomerFactory(email="ada@example.com")
    _request_starts()

    found = _lookup()
    Survey.objects.count()  # the ORM's statements after it: checked already

    assert found.survey is not None and found.customer is not None
    assert checked == []


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_dropped_is_replaced_and_the_lookup_sent_again(checked):
    SurveyFactory(slug="checkout")
    connection.ensure_connection()
    dropped = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [dropped])
    _request_starts()

    found = _lookup()

    assert found.survey is not None
    assert connection.connection.info.backend_pid != dropped
    assert checked == [True]  # the failed look-up asked once


@pytest.mark.django_db(transaction=True)
def test_a_statement_error_on_a_live_connection_is_raised_not_sent_again(checked, monkeypatch):
    SurveyFactory(slug="checkout")
    connection.ensure_connection()
    kept = connection.connection.info.backend_pid
    _request_starts()
    sent = []

    def cancelled(db, sql, params):
        sent.append(sql)
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(answer_sql, "_fetched", cancelled)

    with pytest.raises(OperationalError, match="statement timeout"):
        _lookup()
    assert len(sent) == 1 and checked == [True]
    assert connection.connection.info.backend_pid == kept


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_lookup_is_no_health_check(checked):
    SurveyFactory(slug="checkout")
    _request_starts()

    with transaction.atomic():
        _lookup()  # the atomic block's BEGIN went through Django's check

    assert checked == [True]
