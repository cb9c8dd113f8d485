"""manage.py import_customers file.csv [--dry-run]"""

from pathlib import Path

import tablib
from django.core.management.base import BaseCommand, CommandError

from surveys.resources import COLUMNS, CustomerResource


class Command(BaseCommand):
    help = (
        "Import customers from a CSV file with the columns "
        f"{', '.join(COLUMNS)} (only email is required). Matching is by external id, "
        "else by email whatever its case. Malformed rows are reported with their line "
        "number and skipped; the valid rows are imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check only; save nothing.")

    def handle(self, *args, path: Path, dry_run: bool, **options):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text; save it as CSV UTF-8.") from None
        try:
            dataset = tablib.Dataset().load(text, format="csv")
        except Exception as exc:
            raise CommandError(f"{path} is not a readable CSV file: {exc}") from None
        headers = [h.strip().lower() for h in dataset.headers or []]
        if "email" not in headers:
            raise CommandError(
                f"{path} has no 'email' column. Expected columns: {', '.join(COLUMNS)}."
            )
        unknown = sorted(set(headers) - set(COLUMNS))
        if unknown:
            raise CommandError(
                f"Unknown column(s) {', '.join(unknown)}. Expected: {', '.join(COLUMNS)}."
            )
        dataset.headers = headers
        result = CustomerResource().import_data(
            dataset, dry_run=dry_run, raise_errors=False, use_transactions=True
        )
        problems = 0
        for invalid in result.invalid_rows:
            problems += 1
            reasons = "; ".join(
                f"{field}: {' '.join(messages)}"
                for field, messages in invalid.field_specific_errors.items()
            ) or "; ".join(invalid.non_field_specific_errors)
            self.stderr.write(f"line {invalid.number + 1}: {reasons}")
        for number, row in result.row_errors():
            problems += 1
            self.stderr.write(f"line {number + 1}: {row[0].error}")
        totals = result.totals
        summary = (
            f"{totals['new']} created, {totals['update']} updated, "
            f"{totals['skip']} unchanged, {problems} rejected"
        )
        self.stdout.write(("Dry run: " if dry_run else "") + summary + ".")
