"""Many payloads of one shape read by the shape's own DRF fields, fast enough
for a thousand in a request, with exactly DRF's results and messages.

``Serializer.run_validation`` redoes per call what does not change between
calls (which fields are writable, the root walk for ``partial``, validators
that a plain serializer does not have) and revalidates values it has already
judged. For a bulk endpoint that is most of the cost of reading an item.
``ShapeReader`` walks the serializer's fields once per item and remembers,
for one batch, each leaf field's verdict on a value it has seen: a batch of
answers repeats its survey, score, locale and segment.

It reads plain serializers only: declared fields, nested plain serializers,
no ``validate``, ``validate_<field>``, validators or overridden
``to_internal_value``. It refuses any other when it is built, so a rule added
to the serializer later can never be skipped by the bulk path.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.fields import SkipField, empty, get_error_detail
from rest_framework.settings import api_settings
from rest_framework.utils import html

# Inputs whose verdict is remembered (hashable, and equal only to their kind)
# and results that can be shared between items (nothing can change them).
# ``empty`` (a missing key) is a class: its type is ``type``.
_REMEMBERED_INPUTS = (str, int, float, bool, type(None), type)
_SHAREABLE_RESULTS = (
    str,
    int,
    float,
    bool,
    type(None),
    datetime.date,
    datetime.time,
    datetime.timedelta,
    decimal.Decimal,
    uuid.UUID,
)
_SKIP = object()
_PLAIN_GETS = (serializers.Field.get_value, serializers.Serializer.get_value)


@dataclass(slots=True)
class _Part:
    field: serializers.Field
    name: str
    source_attrs: list[str]
    children: tuple[_Part, ...] | None  # a nested serializer's parts
    # DRF's get_value is a plain ``data.get(name, empty)`` for JSON (not HTML
    # form) input, unless the field class says otherwise.
    plain_get: bool
    # Verdicts by the input's type, then the input: (valid, value or detail).
    verdicts: dict[type, dict[Any, tuple[bool, Any]]] = dataclass_field(init=False)

    def __post_init__(self):
        kinds = list(_REMEMBERED_INPUTS)
        if self.field.default is not empty:
            # A missing key takes the field's default, which may differ per
            # call (``timezone.now``, a context-bound default): never shared.
            kinds.remove(type)
        self.verdicts = {kind: {} for kind in kinds}


def _plain_check(serializer: serializers.Serializer) -> None:
    cls = type(serializer)
    base = serializers.Serializer
    overridden = [
        name
        for name in (
            "run_validation",
            "to_internal_value",
            "validate",
            "run_validators",
            "set_value",
        )
        if getattr(cls, name) is not getattr(base, name)
    ]
    overridden += [
        f"validate_{name}" for name in serializer.fields if hasattr(serializer, f"validate_{name}")
    ]
    if serializer.validators:
        overridden.append("validators")
    if overridden:
        raise ImproperlyConfigured(
            f"{cls.__name__} has {', '.join(overridden)}: ShapeReader reads plain serializers "
            "only, so that it never skips one of their rules. Express the rule as a field."
        )


def _parts(serializer: serializers.Serializer) -> tuple[_Part, ...]:
    _plain_check(serializer)
    parts = []
    for part in serializer._writable_fields:
        children = _parts(part) if isinstance(part, serializers.Serializer) else None
        plain_get = type(part).get_value in _PLAIN_GETS
        name = str(part.field_name)  # bound: the serializer named it
        parts.append(_Part(part, name, part.source_attrs, children, plain_get))
    return tuple(parts)


def _forget_all(parts: tuple[_Part, ...]) -> None:
    for part in parts:
        part.verdicts = {}  # no kind of input remembered
        if part.children is not None:
            _forget_all(part.children)


class ShapeReader:
    """Reads payloads as ``serializer_class().to_internal_value`` would, for
    a plain serializer the whole of ``run_validation``.

    ``read(data)`` returns the validated data or raises DRF's
    ``ValidationError`` with the same detail. A reader remembers verdicts for
    as long as it lives: make one per batch. One made with ``remember=False``
    remembers none and may live as long as the process: it saves one payload
    only the serializer's construction (DRF copies every declared field for
    each serializer made).
    """

    def __init__(self, serializer_class: type[serializers.Serializer], *, remember: bool = True):
        self.shape = serializer_class()
        self.parts = _parts(self.shape)
        if not remember:
            _forget_all(self.parts)

    def read(self, data) -> dict:
        """One payload. A null one is "not an object", as for any other
        non-object (``run_validation`` would say "may not be null", its words
        for a missing body)."""
        return self._object(self.shape, self.parts, data)

    def _object(self, shape: serializers.Serializer, parts: tuple[_Part, ...], data) -> dict:
        """``Serializer.to_internal_value``, step for step."""
        if not isinstance(data, Mapping):
            message = shape.error_messages["invalid"].format(datatype=type(data).__name__)
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [message]}, code="invalid"
            )
        read: dict = {}
        errors: dict = {}
        form = html.is_html_input(data)
        for part in parts:
            if part.plain_get and not form:
                primitive = data.get(part.name, empty)
            else:
                primitive = part.field.get_value(data)
            if part.children is None:
                # A value this field has judged in the batch: its verdict.
                verdicts = part.verdicts.get(type(primitive))
                verdict = verdicts.get(primitive) if verdicts is not None else None
                valid, outcome = verdict or self._leaf(part, primitive, verdicts)
            else:
                valid, outcome = self._nested(part, primitive)
            if not valid:
                errors[part.name] = outcome
            elif outcome is not _SKIP:
                shape.set_value(read, part.source_attrs, outcome)
        if errors:
            raise serializers.ValidationError(errors)
        return read

    def _nested(self, part: _Part, primitive) -> tuple[bool, Any]:
        """A nested plain serializer's ``run_validation``."""
        try:
            is_empty, value = part.field.validate_empty_values(primitive)
            if is_empty:
                return True, value
            return True, self._object(part.field, part.children, primitive)  # type: ignore[arg-type]  # a nested part has children
        except SkipField:
            return True, _SKIP
        except serializers.ValidationError as exc:
            return False, exc.detail

    @staticmethod
    def _leaf(part: _Part, primitive, verdicts: dict | None) -> tuple[bool, Any]:
        """``field.run_validation`` as a verdict, remembered in ``verdicts``
        (when the input's type is remembered and the result can be shared):
        ``(True, value)``, ``(True, _SKIP)`` or ``(False, error detail)``."""
        verdict: tuple[bool, Any]
        try:
            verdict = True, part.field.run_validation(primitive)
        except SkipField:
            verdict = True, _SKIP
        except serializers.ValidationError as exc:
            verdict = False, exc.detail
        except DjangoValidationError as exc:
            verdict = False, get_error_detail(exc)
        if verdicts is not None and (
            not verdict[0] or verdict[1] is _SKIP or isinstance(verdict[1], _SHAREABLE_RESULTS)
        ):
            verdicts[primitive] = verdict
        return verdict
