"""manage.py import_customers file.csv [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys import imports
from surveys.models import CustomerImport

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        f"Import customers from a UTF-8 CSV file with the columns {', '.join(imports.COLUMNS)} "
        "(only email is required). Every row is checked first: if any line is bad, nothing "
        "is imported and every bad line is listed. Rows are then written in chunks, with "
        "progress on stderr; matching is by external id, else by email whatever its case, "
        "so running the same file again changes nothing. The run is the admin's import, "
        "done here and now (no worker needed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row only; save nothing."
        )

    def handle(self, *args, path: Path, dry_run: bool, **options):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        try:
            if dry_run:
                return self.dry_run(data)
            job = imports.customer_import_create(data=data, file_name=path.name)
        except imports.ImportFileError as exc:
            raise CommandError(f"{path}: {exc}") from None
        imports.customer_import_run(job_id=job.pk, on_progress=self.progress)
        self.stderr.write("")
        job.refresh_from_db()
        if job.status != CustomerImport.Status.DONE:
            self.report(job.errors)
            raise CommandError(job.summary)
        # Only now: every chunk has committed.
        self.stdout.write(job.summary)

    def dry_run(self, data: bytes) -> None:
        check = imports.rows_check(data=data)
        if check.errors:
            self.report(check.errors)
            lines = len({error["line"] for error in check.errors})
            verb = "line has" if lines == 1 else "lines have"
            raise CommandError(
                f"Dry run: {lines} {verb} errors; importing this file would import nothing."
            )
        self.stdout.write(
            f"Dry run: {len(check.rows)} valid rows: {check.created} would be created, "
            f"{check.updated} updated, {check.unchanged} unchanged. Nothing was saved."
        )

    def report(self, errors: list[dict]) -> None:
        for error in errors:
            where = f"line {error['line']}: " if error["line"] else ""
            self.stderr.write(f"{where}{error['message']}")

    def progress(self, job: CustomerImport) -> None:
        if job.status == CustomerImport.Status.VALIDATING:
            return
        done = BAR_WIDTH * job.rows_processed // job.rows_total if job.rows_total else 0
        bar = "#" * done + "-" * (BAR_WIDTH - done)
        self.stderr.write(f"\rImporting [{bar}] {job.rows_processed}/{job.rows_total}", ending="")
        self.stderr.flush()
