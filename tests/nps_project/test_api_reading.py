"""``ShapeReader`` reads exactly what the serializer itself reads: the same
data, the same error detail, item after item in one batch (where it
remembers verdicts), and it refuses serializers whose rules it would skip."""

from __future__ import annotations

import itertools
from datetime import UTC

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from nps_project.api_reading import ShapeReader
from surveys.ingestion.parsing import CUSTOMER_ID_REFUSED, ResponseInSerializer


def outcome(read, data):
    """``("ok", data)`` or ``("error", detail)``, with error codes, so that
    two readers can be compared on both."""
    try:
        return "ok", read(data)
    except serializers.ValidationError as exc:
        return "error", exc.get_full_details()


def drf(serializer_class):
    return lambda data: serializer_class().run_validation(data)


# --- The answer's shape, every kind of input ------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=13),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["8", "8.0", " 7 ", "", " ", "\x00", "\ud800", "a@example.com", "x" * 300]),
    st.sampled_from(["2026-11-30T10:00:00Z", "2026-11-30", "2026-02-30T00:00", "yesterday"]),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=2),
    st.dictionaries(st.text(max_size=3), SCALARS, max_size=2),
)
CUSTOMER = st.one_of(
    VALUES,
    st.fixed_dictionaries(
        {},
        optional={
            key: st.one_of(
                SCALARS, st.sampled_from(["c@example.com", "C@Example.com", "not-an-email"])
            )
            for key in ("email", "name", "external_id", "segment", "locale", "id")
        },
    ),
)
ANSWER = st.one_of(
    VALUES,
    st.fixed_dictionaries(
        {},
        optional={
            "survey": st.one_of(SCALARS, st.just("welcome")),
            "customer": CUSTOMER,
            "score": st.one_of(SCALARS, st.integers(min_value=0, max_value=10)),
            "comment": SCALARS,
            "submitted_at": SCALARS,
            "idempotency_key": SCALARS,
            "unknown": SCALARS,
        },
    ),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(ANSWER, min_size=1, max_size=8))
def test_a_batch_reads_as_the_serializer_reads_each_answer(batch):
    reader = ShapeReader(ResponseInSerializer)  # one reader: verdicts are remembered
    for data in batch + batch:  # every value at least twice
        if data is None:
            continue  # a null item: see below
        assert outcome(reader.read, data) == outcome(drf(ResponseInSerializer), data)


def test_a_null_item_is_not_an_object():
    with pytest.raises(serializers.ValidationError) as caught:
        ShapeReader(ResponseInSerializer).read(None)
    assert caught.value.detail == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got NoneType."]
    }


def test_a_customer_named_by_database_id_is_refused_beside_other_errors():
    data = {"survey": "welcome", "customer": {"id": 7, "email": "nope"}, "score": 11}
    kind, detail = outcome(ShapeReader(ResponseInSerializer).read, data)
    assert kind == "error"
    assert detail["customer"]["id"][0]["message"] == CUSTOMER_ID_REFUSED
    assert set(detail) == {"customer", "score"}
    assert set(detail["customer"]) == {"id", "email"}


@pytest.mark.parametrize(
    "customer", [{"email": "c@example.com"}, {"email": "c@example.com", "id": None}]
)
def test_an_absent_or_null_customer_id_is_no_field_of_the_data(customer):
    read = ShapeReader(ResponseInSerializer).read(
        {"survey": "welcome", "customer": customer, "score": 9}
    )
    assert read["customer"] == {"email": "c@example.com"}


# --- Remembering, and what it must not share ------------------------------


class Splits(serializers.Field):
    """Turns text into a list: a result that items must not share."""

    calls = 0

    def to_internal_value(self, data):
        Splits.calls += 1
        return data.split(",")


class Counted(serializers.CharField):
    calls = 0

    def to_internal_value(self, data):
        Counted.calls += 1
        return super().to_internal_value(data)


class Plain(serializers.Serializer):
    tag = Counted(max_length=3)
    parts = Splits(required=False)
    moved = serializers.IntegerField(source="inner.number", required=False)


def test_a_repeated_value_is_judged_once_per_batch_and_again_in_the_next():
    Counted.calls = 0
    reader = ShapeReader(Plain)
    for _ in range(5):
        assert reader.read({"tag": "ab"}) == {"tag": "ab"}
        assert outcome(reader.read, {"tag": "abcd"})[0] == "error"
    assert Counted.calls == 2
    ShapeReader(Plain).read({"tag": "ab"})
    assert Counted.calls == 3


def test_a_reader_that_remembers_nothing_judges_every_value_each_time():
    Counted.calls = 0
    reader = ShapeReader(Plain, remember=False)
    for _ in range(5):
        assert reader.read({"tag": "ab"}) == {"tag": "ab"}
        assert outcome(reader.read, {"tag": "abcd"}) == outcome(drf(Plain), {"tag": "abcd"})
    assert Counted.calls == 5 * 3  # twice by the reader and once by DRF, each round


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(ANSWER, min_size=1, max_size=8))
def test_one_answer_after_another_reads_as_the_serializer_reads_it(answers):
    # As the single answer's endpoint reads them: one reader for the process.
    reader = ShapeReader(ResponseInSerializer, remember=False)
    for data in answers + answers:
        if data is None:
            continue  # the endpoint hands DRF whatever is not an object
        assert outcome(reader.read, data) == outcome(drf(ResponseInSerializer), data)


def test_a_remembered_error_is_the_same_error():
    reader = ShapeReader(Plain)
    first = outcome(reader.read, {"tag": "abcd"})
    assert outcome(reader.read, {"tag": "abcd"}) == first == outcome(drf(Plain), {"tag": "abcd"})


def test_a_mutable_result_is_made_anew_for_each_item():
    Splits.calls = 0
    reader = ShapeReader(Plain)
    one = reader.read({"tag": "a", "parts": "x,y"})
    one["parts"].append("changed")
    assert reader.read({"tag": "a", "parts": "x,y"})["parts"] == ["x", "y"]
    assert Splits.calls == 2


def test_values_equal_in_python_but_of_other_types_are_judged_apart():
    reader = ShapeReader(Plain)
    assert reader.read({"tag": "a", "moved": 1})["inner"] == {"number": 1}
    assert outcome(reader.read, {"tag": "a", "moved": True}) == outcome(
        drf(Plain), {"tag": "a", "moved": True}
    )
    assert reader.read({"tag": "a", "moved": 1.0})["inner"] == {"number": 1}


class Stamped(serializers.Serializer):
    tag = serializers.CharField()
    seen = serializers.IntegerField(required=False, default=itertools.count().__next__)


def test_a_default_for_a_missing_key_is_taken_anew_for_each_item():
    reader = ShapeReader(Stamped)
    assert [reader.read({"tag": "a"})["seen"] for _ in range(3)] == [0, 1, 2]
    assert reader.read({"tag": "a", "seen": 7})["seen"] == 7


def test_a_dotted_source_is_set_as_the_serializer_sets_it():
    assert ShapeReader(Plain).read({"tag": "a", "moved": "4"}) == drf(Plain)(
        {"tag": "a", "moved": "4"}
    )


def test_form_input_is_read_through_the_fields_own_get_value():
    form = QueryDict("tag=ab&moved=")
    assert outcome(ShapeReader(Plain).read, form) == outcome(drf(Plain), form)


class DjangoErrors(serializers.Field):
    def to_internal_value(self, data):
        raise DjangoValidationError("Django says no.", code="no")


class WithDjangoErrors(serializers.Serializer):
    value = DjangoErrors()


def test_a_django_validation_error_reads_as_drf_reports_it():
    assert outcome(ShapeReader(WithDjangoErrors).read, {"value": 1}) == outcome(
        drf(WithDjangoErrors), {"value": 1}
    )


class Nested(serializers.Serializer):
    inner = Plain(required=False, allow_null=True)
    when = serializers.DateTimeField(default_timezone=UTC)


@pytest.mark.parametrize(
    "data",
    [
        {"when": "2026-11-30T10:00"},
        {"inner": None, "when": "2026-11-30T10:00"},
        {"inner": "text", "when": "2026-11-30T10:00"},
        {"inner": {"tag": "toolong"}, "when": "nope"},
        {"inner": {"tag": "ok", "moved": 3}, "when": "2026-11-30T10:00:00+02:00"},
        [],
        "text",
    ],
)
def test_nested_serializers_read_as_drf_reads_them(data):
    reader = ShapeReader(Nested)
    assert outcome(reader.read, data) == outcome(drf(Nested), data)
    assert outcome(reader.read, data) == outcome(drf(Nested), data)  # remembered


# --- Serializers it would not read faithfully -----------------------------


class Validates(serializers.Serializer):
    a = serializers.CharField()

    def validate(self, attrs):
        return attrs


class ValidatesField(serializers.Serializer):
    a = serializers.CharField()

    def validate_a(self, value):
        return value


class OwnInternalValue(serializers.Serializer):
    a = serializers.CharField()

    def to_internal_value(self, data):
        return super().to_internal_value(data)


class WithValidators(serializers.Serializer):
    a = serializers.CharField()

    class Meta:
        validators = [lambda attrs: None]


class HoldsAValidatingChild(serializers.Serializer):
    child = ValidatesField()


@pytest.mark.parametrize(
    ("serializer_class", "named"),
    [
        (Validates, "validate"),
        (ValidatesField, "validate_a"),
        (OwnInternalValue, "to_internal_value"),
        (WithValidators, "validators"),
        (HoldsAValidatingChild, "validate_a"),
    ],
)
def test_a_serializer_with_rules_beyond_its_fields_is_refused(serializer_class, named):
    with pytest.raises(ImproperlyConfigured, match=named):
        ShapeReader(serializer_class)
