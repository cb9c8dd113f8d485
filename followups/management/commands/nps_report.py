"""manage.py nps_report <slug> [--from D] [--to D] [--by month|week|segment] [--bonus] [--csv]"""

from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date

from followups.reporting import reports
from followups.reporting.bonus import reminder_bonus_comparison
from nps_project.replica import replica_reads
from surveys.audit import Action, audit_record
from surveys.exports import csv_writer
from surveys.models import Survey

COLUMNS = [
    "group",
    "answers",
    "promoters",
    "passives",
    "detractors",
    "nps",
    "ci_low",
    "ci_high",
    "note",
]

BONUS_COLUMNS = [
    "group",
    "with_reminded",
    "with_answered",
    "with_pct",
    "with_ci_low",
    "with_ci_high",
    "without_reminded",
    "without_answered",
    "without_pct",
    "without_ci_low",
    "without_ci_high",
    "difference",
    "diff_ci_low",
    "diff_ci_high",
    "granted",
]


class Command(BaseCommand):
    help = "NPS with its 95% interval for a survey, by month, week or segment, as a table or CSV."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--from", dest="start", help="First day, YYYY-MM-DD (default: 1 year ago)."
        )
        parser.add_argument("--to", dest="end", help="Last day, YYYY-MM-DD (default: today).")
        parser.add_argument("--by", choices=["month", "week", "segment"], default="month")
        parser.add_argument("--segment", default="", help="Only this segment.")
        parser.add_argument(
            "--bonus",
            action="store_true",
            help="Instead of NPS: the response rate of reminders with and without the bonus "
            "for non-responders, per wave reminded in the period and in all.",
        )
        parser.add_argument(
            "--csv", dest="as_csv", action="store_true", help="CSV on standard output."
        )

    def _day(self, value, name, default):
        if value is None:
            return default
        try:
            day = parse_date(value)  # ValueError for a well-formed impossible day
        except ValueError:
            day = None
        if day is None:
            raise CommandError(f"--{name} must be a date like 2026-01-31, not {value!r}.")
        try:
            return reports.day_start(day)
        except ValueError as exc:
            raise CommandError(f"--{name}: {exc}") from None

    @replica_reads()
    def handle(self, *args, slug, start, end, by, segment, as_csv, bonus=False, **options):
        survey = Survey.objects.filter(slug=slug).first()
        if survey is None:
            known = ", ".join(Survey.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No survey '{slug}'. Known surveys: {known}.")
        today = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
        begin = self._day(start, "from", today - timedelta(days=365))
        finish = self._day(end, "to", today) + timedelta(days=1)
        if begin >= finish:
            raise CommandError("--from must not be after --to.")
        selection = reports.Selection(survey, begin, finish, segment)
        columns = COLUMNS
        if bonus:
            columns = BONUS_COLUMNS
            rows = [self._bonus_row(c) for c in reminder_bonus_comparison(selection)]
        else:
            rows = self._nps_rows(selection, by)
        if as_csv:
            self._csv(columns, rows)
            audit_record(
                action=Action.EXPORT,
                via="command",
                objects=[survey],
                details={
                    "command": "nps_report",
                    "format": "csv",
                    "from": begin.date().isoformat(),
                    "to": (finish - timedelta(days=1)).date().isoformat(),
                    "by": "bonus" if bonus else by,
                    "segment": segment,
                    "rows": len(rows),
                },
            )
        else:
            self._table(columns, rows)

    def _nps_rows(self, selection, by):
        if by == "segment":
            groups = [(name or "—", s) for name, s in reports.by_segment(selection)]
        else:
            fmt = "%Y-%m" if by == "month" else "%Y-%m-%d"
            groups = [(period.strftime(fmt), s) for period, s in reports.trend(selection, by=by)]
        groups.append(("total", reports.nps_panel(selection).current))
        return [self._row(name, summary) for name, summary in groups]

    @staticmethod
    def _bonus_row(comparison):
        def side(rate):
            low, high = rate.confidence_interval or (None, None)
            return [rate.n, rate.hits, _num(rate.pct), _num(low), _num(high)]

        difference = comparison.difference
        return [
            comparison.label,
            *side(comparison.with_bonus),
            *side(comparison.without_bonus),
            _num(difference["points"]),
            _num(difference["low"]),
            _num(difference["high"]),
            comparison.granted,
        ]

    @staticmethod
    def _row(name, summary):
        low, high = summary.confidence_interval or (None, None)

        def num(value):
            # A number, not text: the CSV writer would quote "-12.5" as a formula.
            return None if value is None else round(value, 1)

        return [
            name,
            summary.total,
            summary.promoters,
            summary.passives,
            summary.detractors,
            num(summary.nps),
            num(low),
            num(high),
            "too few answers" if summary.is_sample_too_small else "",
        ]

    def _csv(self, columns, rows):
        writer = csv_writer(self.stdout)
        writer.writerow(columns)
        writer.writerows(rows)

    def _table(self, columns, rows):
        table = [columns, *[["" if cell is None else str(cell) for cell in row] for row in rows]]
        widths = [max(len(row[i]) for row in table) for i in range(len(columns))]
        for row in table:
            self.stdout.write(
                "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            )


def _num(value):
    # A number, not text: the CSV writer would quote "-12.5" as a formula.
    return None if value is None else round(value, 1)
