"""The single answer's SQL (``surveys.answer_sql``) finds and stores what the
ORM's queries do, and its insert refuses a customer erased or changed since
the look-up, also while an erasure is under way."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import DataError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from surveys import services, stats
from surveys.answer_sql import answer_insert_guarded, answer_lookup
from surveys.ingestion.single import _stored_id_for, _survey_and_stored
from surveys.models import Channel, Customer, Response, Survey
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _values(instance) -> dict | None:
    if instance is None:
        return None
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def _orm(slug, key, client, email, external_id):
    survey, stored_id = _survey_and_stored(slug, key, client)
    if survey is None:
        stored_id = _stored_id_for(key, client)
    customer = services.customer_find(email=email, external_id=external_id)
    return _values(survey), stored_id, _values(customer)


def _sql(slug, key, client, email, external_id):
    found = answer_lookup(
        slug=slug, key=key, api_client=client, email=email, external_id=external_id
    )
    return _values(found.survey), found.stored_id, _values(found.customer)


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


def test_the_lookup_reads_every_column_as_the_orm_reads_it(stored):
    found = answer_lookup(
        slug="checkout",
        key="both",
        api_client=stored["one"],
        email="ada@example.com",
        external_id=None,
    )

    assert _values(found.survey) == _values(Survey.objects.get(slug="checkout"))
    assert _values(found.customer) == _values(stored["by_email"])
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
            assert _values(found.customer) == _values(customer)
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
