"""manage.py record_bounce FILE [FILE ...]: record bounce or complaint reports
saved as files (a DSN or an abuse report, as the mail client saves it, .eml);
"-" reads one from standard input."""

import sys
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from followups.outbox.bounces import OUTCOMES, mail_reports_record
from followups.outbox.dsn import MAX_REPORT_BYTES, ReportInvalid, reports_from_message


class Command(BaseCommand):
    help = (
        "Record bounce (RFC 3464) or spam complaint (RFC 5965) reports saved as files: "
        "a permanent bounce or a complaint stops email to the customer with that address. "
        "Recording a report again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help='Report files (.eml); "-" for stdin.')

    def handle(self, *args, files, **options):
        # Every file is read and checked before anything is recorded.
        reports, ignored = [], 0
        for name in files:
            found, not_bounces = self._read(name)
            reports += found
            ignored += not_bounces
        outcomes = mail_reports_record(reports=reports)
        for report, outcome in zip(reports, outcomes, strict=True):
            kind = report.bounce_type or report.kind
            self.stdout.write(f"{outcome}: {kind} {report.status_code} {report.email}".strip())
        counts = Counter(outcomes)
        summary = ", ".join(f"{counts[name]} {name}" for name in OUTCOMES)
        self.stderr.write(f"{summary}; {ignored} not a bounce.")

    def _read(self, name: str):
        try:
            raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(f"{name}: {exc.strerror}.") from exc
        if len(raw) > MAX_REPORT_BYTES:
            raise CommandError(f"{name}: a report is at most {MAX_REPORT_BYTES // 1024} KiB.")
        try:
            return reports_from_message(raw)
        except ReportInvalid as exc:
            raise CommandError(f"{name}: {exc}") from exc
