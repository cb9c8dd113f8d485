"""CSV exports: a queryset as streamed CSV lines, in flat memory at any size.

Rows come from one query read in chunks (``iterator``) as plain tuples
(``values_list``, related columns joined in the same SELECT): never model
instances, never a query per row, so a million rows cost what one chunk costs.
Cells a spreadsheet would run as a formula are neutralised, since comments,
names and segments are customer input: every CSV the product writes goes
through ``csv_writer`` (the admin's customer export, whose files tablib
writes, runs its cells through the same ``safe_cell``). The followups app
builds its case export and ``nps_report --csv`` from these helpers.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime

from django.conf import settings
from django.db.models import Case, CharField, Expression, F, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from nps_project.replica import pinned

# Rows fetched per round trip. Read at call time, so tests can make it small.
CHUNK_SIZE = 2000
# About this much CSV text per write to the server: fewer, larger writes than one per line.
BLOCK_SIZE = 64 * 1024

# Excel reads a file as UTF-8 only when it starts with this mark.
BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel and LibreOffice.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# (header, column): a values_list field path or an expression.
Column = tuple[str, str | Expression]


def email_unless_erased(customer: str) -> Case:
    """The email of the customer at the path ``customer``; blank once erased."""
    return Case(
        When(**{f"{customer}__erased_at__isnull": True}, then=F(f"{customer}__email")),
        default=Value(""),
        output_field=CharField(),
    )


RESPONSE_COLUMNS: tuple[Column, ...] = (
    ("id", "pk"),
    ("submitted_at", "submitted_at"),
    ("survey", "survey__slug"),
    ("score", "score"),
    ("category", "category"),
    ("comment", "comment"),
    ("driver", "driver__key"),
    ("driver_label", "driver__label"),
    ("segment", "segment"),
    ("locale", "locale"),
    ("channel", "channel"),
    ("customer_id", "customer_id"),
    ("customer_email", email_unless_erased("customer")),
    ("exclusion_reason", "exclusion_reason"),
    ("routed_at", "routed_at"),
)


def safe_cell(value) -> str | int:
    """A value as a CSV cell: ISO 8601 times, blanks for NULL, and text that
    a spreadsheet would evaluate prefixed with a quote so it stays text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` with every cell passed through ``safe_cell``."""

    def __init__(self, file):
        self._writer = csv.writer(file)

    def writerow(self, row: Iterable) -> str:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file) -> SafeCsvWriter:
    """The one CSV writer of the product: formulas in cells stay text."""
    return SafeCsvWriter(file)


class _Echo:
    """A file whose ``write`` hands back the line: csv.writer without a buffer."""

    def write(self, line: str) -> str:
        return line


def csv_lines(queryset: QuerySet, columns: Sequence[Column], *, bom: bool = False) -> Iterator[str]:
    """The header, then one CSV line per row of ``queryset``. The rows are
    read later, while the response streams: the database they come from (the
    replica, in an export marked ``replica_reads``) is fixed now."""
    rows = pinned(queryset.values_list(*(column for _, column in columns)))
    return _csv_lines(rows, [name for name, _ in columns], bom=bom)


def _csv_lines(rows: QuerySet, header: list[str], *, bom: bool) -> Iterator[str]:
    writer = csv_writer(_Echo())
    first = writer.writerow(header)
    yield BOM + first if bom else first
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield writer.writerow(row)


# The comment theme of each answer (README, "Comment themes"), by the reverse
# relation's name: what the followups app learned, joined in the same SELECT
# without importing it.
THEME_COLUMNS: tuple[Column, ...] = (
    ("theme_id", "theme_assignment__theme_id"),
    (
        "theme",
        Coalesce(
            NullIf("theme_assignment__theme__name", Value("")),
            "theme_assignment__theme__words_label",
        ),
    ),
)


def blanked(columns: Sequence[Column], names: Collection[str] | None = None) -> tuple[Column, ...]:
    """``columns`` with those named (all of them without ``names``) always
    empty: a feature turned off keeps its columns, so a script reading an
    export by position or by header keeps working, and finds no values."""
    return tuple(
        (name, Value("") if names is None or name in names else source) for name, source in columns
    )


def response_columns() -> tuple[Column, ...]:
    """The answers' export columns, their themes' last: empty while themes are turned off."""
    themes = THEME_COLUMNS if settings.NPS_THEMES_ENABLED else blanked(THEME_COLUMNS)
    return RESPONSE_COLUMNS + themes


def response_csv_lines(queryset: QuerySet, *, bom: bool = False) -> Iterator[str]:
    return csv_lines(queryset, response_columns(), bom=bom)


def _blocks(lines: Iterable[str]) -> Iterator[bytes]:
    block: list[str] = []
    size = 0
    for line in lines:
        block.append(line)
        size += len(line)
        if size >= BLOCK_SIZE:
            yield "".join(block).encode()
            block, size = [], 0
    if block:
        yield "".join(block).encode()


def csv_response(rows: Iterable[str], filename: str) -> StreamingHttpResponse:
    """A download of the CSV ``rows``, sent while they are being read."""
    response = StreamingHttpResponse(_blocks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response
