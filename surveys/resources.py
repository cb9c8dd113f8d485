"""Customers as a spreadsheet: the admin's export (django-import-export).
Imports have their own rules and run in the background: surveys/imports.py."""

from __future__ import annotations

from import_export import resources

from .exports import safe_cell
from .imports import COLUMNS
from .models import Customer


class CustomerResource(resources.ModelResource):
    """The columns an import reads, so an exported file imports back as is."""

    class Meta:
        model = Customer
        fields = COLUMNS
        export_order = COLUMNS

    def export_resource(self, instance, selected_fields=None, **kwargs):
        # tablib writes the admin's export files: its cells get the same
        # formula neutralising as every other CSV (surveys.exports).
        row = super().export_resource(instance, selected_fields=selected_fields, **kwargs)
        return [safe_cell(value) for value in row]
