"""Customers as a spreadsheet: the admin's export (django-import-export).
Imports have their own rules and run in the background: surveys/imports.py."""

from __future__ import annotations

from import_export import resources

from .imports import COLUMNS
from .models import Customer


class CustomerResource(resources.ModelResource):
    """The columns an import reads, so an exported file imports back as is."""

    class Meta:
        model = Customer
        fields = COLUMNS
        export_order = COLUMNS
