"""manage.py import_answers FILE --format delighted|generic [--survey SLUG] [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys import answer_imports
from surveys.imports import ImportFileError
from surveys.models import AnswerImport, Survey

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Import past answers from a UTF-8 CSV file: a Delighted export (--format delighted) "
        "or the answers CSV described in the README (--format generic). The answers are "
        "historical: they keep their dates and count in reports, and nothing is ever sent "
        "for them. A bad line is listed with its number and left out; the others are "
        "imported. Importing the same file again changes nothing (answers are matched on "
        "the source's response id). The first rows are shown as they will be stored; "
        "--dry-run checks every row and saves nothing. The run is the admin's import, done "
        "here and now (no worker needed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--format", dest="fmt", required=True, choices=[f.value for f in AnswerImport.Format]
        )
        parser.add_argument(
            "--survey", help="Slug of the survey for rows that name none (every Delighted row)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row only; save nothing."
        )

    def handle(self, *args, path: Path, fmt: str, survey: str | None, dry_run: bool, **options):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        target = None
        if survey:
            target = Survey.objects.filter(slug=survey).first()
            if target is None:
                raise CommandError(f"No survey has the slug {survey!r}.")
        try:
            job = answer_imports.answer_import_create(
                data=data, file_name=path.name, fmt=fmt, survey=target
            )
            self.preview(answer_imports.answers_preview(data=data, fmt=fmt, survey=target))
        except ImportFileError as exc:
            raise CommandError(f"{path}: {exc}") from None
        answer_imports.answer_import_confirm(job_id=job.pk, dry_run=dry_run)
        answer_imports.answer_import_run(job_id=job.pk, on_progress=self.progress)
        self.stderr.write("")
        job.refresh_from_db()
        self.report(job.errors)
        if job.status != AnswerImport.Status.DONE:
            raise CommandError(job.summary)
        self.stdout.write(job.summary)

    def preview(self, preview: answer_imports.Preview) -> None:
        self.stdout.write(
            "Columns: " + ", ".join(f"{name} -> {to}" for name, to in preview.columns)
        )
        self.stdout.write("First rows as they will be stored:")
        for row in preview.rows:
            self.stdout.write(
                f"  line {row['line']}: {row['submitted_at']:%Y-%m-%d %H:%M} {row['survey']} "
                f"{row['email']} score {row['score']} ({row['category']}) "
                f"id {row['source_id']} {row['comment'][:60]!r}"
                + (" unsubscribed" if row["unsubscribed_at"] else "")
            )

    def report(self, errors: list[dict]) -> None:
        for error in errors:
            where = f"line {error['line']}: " if error["line"] else ""
            self.stderr.write(f"{where}{error['message']}")

    def progress(self, job: AnswerImport) -> None:
        done = BAR_WIDTH * job.rows_processed // job.rows_total if job.rows_total else 0
        bar = "#" * done + "-" * (BAR_WIDTH - done)
        self.stderr.write(f"\rImporting [{bar}] {job.rows_processed}/{job.rows_total}", ending="")
        self.stderr.flush()
