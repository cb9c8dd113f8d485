"""Customers from CSV (django-import-export): the admin import and
``manage.py import_customers`` share these rules."""

from __future__ import annotations

from import_export import fields, resources, widgets

from .exports import safe_cell
from .models import Customer
from .services import normalize_locale

COLUMNS = ("email", "name", "external_id", "segment", "locale")


class CustomerResource(resources.ModelResource):
    """Columns: email, name, external_id, segment, locale. A row matches an
    existing customer by external id, else by email whatever its case; a row
    that changes nothing is skipped, so importing a file twice changes nothing."""

    # Absent values are NULL, not "": the unique constraints ignore NULLs only.
    email = fields.Field(
        attribute="email", column_name="email", widget=widgets.CharWidget(allow_blank=False)
    )
    external_id = fields.Field(
        attribute="external_id",
        column_name="external_id",
        widget=widgets.CharWidget(allow_blank=False),
    )

    class Meta:
        model = Customer
        fields = COLUMNS
        import_id_fields = ("email",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_bulk = False

    def before_import_row(self, row, **kwargs):
        for column in COLUMNS:
            value = row.get(column)
            row[column] = value.strip() if isinstance(value, str) else (value or "")
        row["locale"] = normalize_locale(row.get("locale")) if row.get("locale") else ""
        for column in ("email", "external_id"):
            row[column] = row[column] or None

    def export_resource(self, instance, selected_fields=None, **kwargs):
        # tablib writes the admin's export files: its cells get the same
        # formula neutralising as every other CSV (surveys.exports).
        row = super().export_resource(instance, selected_fields=selected_fields, **kwargs)
        return [safe_cell(value) for value in row]

    def get_instance(self, instance_loader, row):
        external_id = row.get("external_id")
        if external_id:
            found = Customer.objects.filter(external_id=external_id).first()
            if found is not None:
                return found
        email = row.get("email")
        if not email:
            return None
        return Customer.objects.with_email(email).filter(erased_at__isnull=True).first()

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance.pk and instance.is_erased:
            return True
        return super().skip_row(instance, original, row, import_validation_errors)
