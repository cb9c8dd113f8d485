"""nps_project.db: ``__any`` finds exactly what ``__in`` finds, and RowMaker makes
exactly the instances keyword construction makes."""

import pytest
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Lower
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nps_project.db import RowMaker
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
