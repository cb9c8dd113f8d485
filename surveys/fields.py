"""Model and form fields for short outside text (names, segments): the value
goes through ``surveys.text.single_line`` on every way in."""

from __future__ import annotations

from django import forms
from django.db import models

from .text import single_line


class SingleLineFormField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        return single_line(value) if isinstance(value, str) else value


class SingleLineCharField(models.CharField):
    """A CharField that is cleaned in validation (forms, ``full_clean``, the
    CSV import) and again on every write, so no path stores a control
    character: ``update()`` and ``bulk_create`` included."""

    def to_python(self, value):
        value = super().to_python(value)
        return single_line(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return single_line(value) if isinstance(value, str) else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SingleLineFormField, **kwargs})

    def deconstruct(self):
        # Behaviour only, no schema: migrations record a plain CharField, so
        # they never import this module and never change when it does.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs
