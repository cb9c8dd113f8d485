"""Past answers from CSV: a Delighted export or the answers CSV, through one
parser, one set of row rules and one writer for the admin's background import
and ``manage.py import_answers``. The job, its chunks, its progress and its
resumption are the customer import's (``surveys.imports``): the same
``ImportJob`` fields, the same chunk-per-transaction writer and the same beat
task that resumes a lost run.

What differs, on purpose: a bad line is reported with its number and left out,
the other lines are imported (history is imported once, from a file nobody
will fix by hand line by line). Every answer is stored historical
(``Response.is_historical``) and already routed, so no case, grant or email
ever follows it; it keeps the date the file gives it and counts in reports.
Idempotent on the source's response id: ``(source, source_id)`` is unique, so
importing the same file again changes nothing.

Customers are matched by external id, else by email whatever its case. A
customer we already have is never rewritten by an old file (only its
unsubscribe is honoured); the others are created. A person the file marks
unsubscribed is unsubscribed here.

The Delighted export, column by column (header names are matched whatever
their case, with spaces, underscores or dashes alike). Delighted's help center
and API reference document a response as ``id``, ``person``, ``survey_type``,
``score``, ``comment``, ``permalink``, ``created_at``, ``updated_at``,
``person_properties``, ``notes``, ``tags`` and ``additional_answers``, and a
person as ``id``, ``email``, ``name``, ``phone_number``, with unsubscribed and
bounced people listed apart. The export lays these out one column each, and
each person property as a column of its own:

=========================================  ======================================
Delighted column                           stored as
=========================================  ======================================
Response ID (or id)                        ``Response.source_id`` (required)
Score                                      ``Response.score`` (0-10, required)
Comment                                    ``Response.comment``
Created At / Response Timestamp / Date     ``Response.submitted_at`` (required;
                                           ISO 8601, "YYYY-MM-DD HH:MM:SS [UTC]"
                                           or Unix seconds; no zone means UTC)
Email / Person Email                       the customer's email (required)
Name / Person Name                         the customer's name
Phone Number / Person Phone Number         the customer's phone (E.164)
Locale                                     the customer's and answer's language
Unsubscribed / Unsubscribed At             ``Customer.unsubscribed_at`` (a time,
                                           or yes/true/1 for "at import")
Survey Type                                only ``nps`` (or blank) is imported
Person ID / Person                         property ``delighted_person_id``
Permalink, Updated At, Notes,              not imported (Delighted's own links
Additional Answers                         and staff notes)
any other column (a person property,       ``Response.properties[<column>]``
Tags, ...)
=========================================  ======================================
"""

from __future__ import annotations

import csv
import io
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from . import handoff, stats
from .customers import CustomerConflict, customer_identity_check, locale_normalize
from .departments import department_filter, departments_of
from .imports import CHUNK_SIZE, ImportFileError, file_text, import_audit, line_error
from .models import AnswerImport, Channel, Customer, Response, Survey
from .phones import phone_normalize
from .scores import ScoreInvalid, score_parse
from .services import MAX_SUBMISSION_SKEW
from .text import single_line

Format = AnswerImport.Format
Status = AnswerImport.Status

SOURCE_OF_FORMAT = {
    Format.DELIGHTED: Response.Source.DELIGHTED,
    Format.GENERIC: Response.Source.CSV,
}
PREVIEW_ROWS = 10
COMMENT_MAX_LENGTH = 5000  # Response.comment's
SOURCE_ID_MAX_LENGTH = 100  # Response.source_id's
# An unconfirmed upload (its preview never confirmed) is emptied after this.
UNCONFIRMED_KEPT = timedelta(days=1)

# The answers CSV: these columns, plus any number of "property:<name>".
GENERIC_COLUMNS = (
    "survey",
    "email",
    "name",
    "external_id",
    "segment",
    "locale",
    "score",
    "comment",
    "submitted_at",
    "source_id",
)
PROPERTY_PREFIX = "property:"

DELIGHTED_COLUMNS = {
    "response id": "source_id",
    "id": "source_id",
    "score": "score",
    "comment": "comment",
    "created at": "submitted_at",
    "response timestamp": "submitted_at",
    "date": "submitted_at",
    "email": "email",
    "person email": "email",
    "name": "name",
    "person name": "name",
    "phone number": "phone",
    "person phone number": "phone",
    "locale": "locale",
    "unsubscribed": "unsubscribed",
    "unsubscribed at": "unsubscribed",
    "survey type": "survey_type",
}
DELIGHTED_PERSON_ID = {"person id", "person"}
DELIGHTED_IGNORED = {"permalink", "updated at", "notes", "additional answers"}
REQUIRED = ("source_id", "score", "submitted_at", "email")

TRUE_WORDS = {"1", "true", "yes", "y", "unsubscribed"}
FALSE_WORDS = {"", "0", "false", "no", "n"}


@dataclass(frozen=True)
class Layout:
    """What each column of a file means: a field, or a property's name."""

    fields: dict[int, str]
    properties: dict[int, str]

    def meaning(self, header: list[str]) -> list[tuple[str, str]]:
        described = []
        for index, name in enumerate(header):
            if index in self.fields:
                described.append((name, self.fields[index]))
            elif index in self.properties:
                described.append((name, f"properties[{self.properties[index]}]"))
            else:
                described.append((name, _("not imported")))
        return described


@dataclass
class AnswerRow:
    line: int
    survey: str
    customer: dict[str, str | None]
    score: int
    comment: str
    submitted_at: datetime
    source_id: str
    properties: dict[str, str]
    unsubscribed_at: datetime | None


@dataclass
class Parsed:
    header: list[str] = field(default_factory=list)
    layout: Layout = field(default_factory=lambda: Layout({}, {}))
    rows: list[AnswerRow] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def _normalized(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.strip().lower())


def _generic_layout(header: list[str]) -> Layout:
    fields: dict[int, str] = {}
    properties: dict[int, str] = {}
    unknown = []
    for index, raw in enumerate(header):
        name = raw.strip()
        if name.lower().startswith(PROPERTY_PREFIX) and name[len(PROPERTY_PREFIX) :].strip():
            properties[index] = name[len(PROPERTY_PREFIX) :].strip()
        elif name.lower() in GENERIC_COLUMNS:
            fields[index] = name.lower()
        else:
            unknown.append(name or _("(no name)"))
    if unknown:
        raise ImportFileError(
            _("Unknown column(s) %(unknown)s. Expected: %(columns)s, and property:<name>.")
            % {"unknown": ", ".join(unknown), "columns": ", ".join(GENERIC_COLUMNS)}
        )
    return Layout(fields, properties)


def _delighted_layout(header: list[str]) -> Layout:
    fields: dict[int, str] = {}
    properties: dict[int, str] = {}
    for index, raw in enumerate(header):
        name = _normalized(raw)
        if name in DELIGHTED_COLUMNS:
            fields[index] = DELIGHTED_COLUMNS[name]
        elif name in DELIGHTED_PERSON_ID:
            properties[index] = "delighted_person_id"
        elif name and name not in DELIGHTED_IGNORED:
            properties[index] = raw.strip()
    return Layout(fields, properties)


def layout_read(*, fmt: str, header: list[str]) -> Layout:
    """The meaning of each column; ImportFileError when one is missing,
    repeated or (answers CSV) unknown."""
    layout = _delighted_layout(header) if fmt == Format.DELIGHTED else _generic_layout(header)
    repeated = sorted(
        {
            name
            for named in (list(layout.fields.values()), list(layout.properties.values()))
            for name in named
            if named.count(name) > 1
        }
    )
    if repeated:
        raise ImportFileError(
            _("Column(s) %(columns)s appear more than once.") % {"columns": ", ".join(repeated)}
        )
    missing = [name for name in REQUIRED if name not in layout.fields.values()]
    if missing:
        raise ImportFileError(
            _("The file has no %(columns)s column; see the README's “Importing answers”.")
            % {"columns": ", ".join(missing)}
        )
    return layout


def _header(reader, fmt: str) -> tuple[list[str], Layout]:
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    except csv.Error as exc:
        message = _("The header is not readable as CSV: %(error)s") % {"error": exc}
        raise ImportFileError(message) from None
    return header, layout_read(fmt=fmt, header=header)


def file_check(*, data: bytes, fmt: str) -> Layout:
    """The quick check an upload gets: size, encoding and header."""
    return _header(csv.reader(io.StringIO(file_text(data), newline="")), fmt)[1]


# --- One row ------------------------------------------------------------------


def when_parse(value: str) -> datetime:
    """A time as exports write it: ISO 8601 (with or without a zone, "T" or a
    space), a date alone, "... UTC", or Unix seconds. No zone means UTC."""
    text = value.strip()
    if re.fullmatch(r"\d{9,11}(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), tz=UTC)
    text = re.sub(r"\s*(UTC|GMT)$", "+00:00", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+([+-]\d{2}:?\d{2})$", r"\1", text)
    try:
        moment = parse_datetime(text)
        day = None if moment else parse_date(text)
    except ValueError:
        moment = day = None
    if day is not None:
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    if moment is None:
        raise ValueError(value)
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


def _text_checked(column: str, value: str, problems: list[str], *, single: bool) -> str:
    value = single_line(value) if single else value.strip()
    allowed = "" if single else "\n\r\t"
    control = next(
        (ch for ch in value if unicodedata.category(ch) == "Cc" and ch not in allowed), None
    )
    if control is not None:
        problems.append(
            f"{column}: "
            + _("contains a control character (U+%(code)04X).") % {"code": ord(control)}
        )
        return ""
    return value


def _customer_values(cells: dict[str, str], problems: list[str]) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for column in ("email", "name", "external_id", "segment"):
        value = _text_checked(column, cells.get(column, ""), problems, single=True)
        try:
            value = Customer._meta.get_field(column).clean(value, None)  # type: ignore[union-attr]  # a column
        except ValidationError as exc:
            problems.append(f"{column}: {' '.join(exc.messages)}")
            continue
        values[column] = value or (None if column in ("email", "external_id") else "")
    values["locale"] = locale_normalize(cells.get("locale"))
    try:
        values["phone"] = phone_normalize(cells.get("phone"))
    except ValidationError as exc:
        problems.append(f"phone: {' '.join(exc.messages)}")
    if "email" in values and not values["email"]:
        problems.append("email: " + _("A customer needs an email address."))
    return values


def _answer_values(cells: dict[str, str], problems: list[str], now: datetime) -> dict:
    values: dict = {}
    try:
        values["score"] = score_parse(cells.get("score", "").strip())
    except ScoreInvalid as exc:
        problems.append(f"score: {' '.join(exc.messages)}")
    raw_when = cells.get("submitted_at", "")
    try:
        values["submitted_at"] = when_parse(raw_when)
    except ValueError:
        problems.append(
            "submitted_at: " + _("“%(value)s” is not a date and time.") % {"value": raw_when}
        )
    else:
        if values["submitted_at"] > now + MAX_SUBMISSION_SKEW:
            problems.append("submitted_at: " + _("The answer cannot come from the future."))
    values["comment"] = _text_checked("comment", cells.get("comment", ""), problems, single=False)
    if len(values["comment"]) > COMMENT_MAX_LENGTH:
        problems.append(
            "comment: "
            + _("The comment is longer than %(max)d characters.") % {"max": COMMENT_MAX_LENGTH}
        )
    values["source_id"] = _text_checked(
        "source_id", cells.get("source_id", ""), problems, single=True
    )
    if not values["source_id"]:
        problems.append("source_id: " + _("Every answer needs the source's response id."))
    elif len(values["source_id"]) > SOURCE_ID_MAX_LENGTH:
        problems.append(
            "source_id: "
            + _("The response id is longer than %(max)d characters.")
            % {"max": SOURCE_ID_MAX_LENGTH}
        )
    return values


def _unsubscribed_at(value: str, problems: list[str], now: datetime) -> datetime | None:
    word = value.strip().lower()
    if word in FALSE_WORDS:
        return None
    if word in TRUE_WORDS:
        return now
    try:
        return when_parse(value)
    except ValueError:
        problems.append(
            "unsubscribed: "
            + _("“%(value)s” is neither yes/no nor a date and time.") % {"value": value}
        )
        return None


def row_clean(
    line: int, layout: Layout, cells: list[str], *, now: datetime
) -> tuple[AnswerRow | None, list[str]]:
    """One record of the file as it will be stored, or the reasons it will not."""
    problems: list[str] = []
    width = max([*layout.fields, *layout.properties], default=-1) + 1
    if any(cell.strip() for cell in cells[width:]):
        problems.append(
            _("has %(count)d values but the header has %(columns)d columns.")
            % {"count": len(cells), "columns": width}
        )
    named = {name: cells[i] for i, name in layout.fields.items() if i < len(cells)}
    survey_type = named.get("survey_type", "").strip().lower()
    if survey_type not in ("", "nps"):
        problems.append(
            _("only NPS answers are imported (survey type “%(type)s”).") % {"type": survey_type}
        )
    customer = _customer_values(named, problems)
    answer = _answer_values(named, problems, now)
    unsubscribed_at = _unsubscribed_at(named.get("unsubscribed", ""), problems, now)
    properties = {
        name: _text_checked(name, cells[i], problems, single=False)
        for i, name in layout.properties.items()
        if i < len(cells) and cells[i].strip()
    }
    if problems:
        return None, problems
    row = AnswerRow(
        line=line,
        survey=named.get("survey", "").strip(),
        customer=customer,
        properties=properties,
        unsubscribed_at=unsubscribed_at,
        **answer,
    )
    return row, []


def _records(text: str, fmt: str, errors: list[dict]) -> Iterator[tuple[int, Layout, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    _names, layout = _header(reader, fmt)
    start = reader.line_num + 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if any(cell.strip() for cell in cells):
                yield line, layout, cells
    except csv.Error as exc:
        errors.append(line_error(start, _("not readable as CSV (%(error)s).") % {"error": exc}))


def rows_parse(*, data: bytes, fmt: str, limit: int | None = None) -> Parsed:
    """Every record checked on its own (no database): the good rows, and a
    line-numbered entry in ``errors`` for each bad one, including a response
    id the file repeats. Raises ImportFileError for the file as a whole."""
    parsed = Parsed()
    now = timezone.now()
    seen: dict[str, int] = {}
    text = file_text(data)
    parsed.header, parsed.layout = _header(csv.reader(io.StringIO(text, newline="")), fmt)
    for line, layout, cells in _records(text, fmt, parsed.errors):
        if limit is not None and len(parsed.rows) + len(parsed.errors) >= limit:
            break
        row, problems = row_clean(line, layout, cells, now=now)
        if row is not None:
            first = seen.setdefault(row.source_id, line)
            if first != line:
                problems = [
                    "source_id: " + _("the same response id as line %(line)d.") % {"line": first}
                ]
        if problems:
            parsed.errors.extend(line_error(line, problem) for problem in problems)
        else:
            parsed.rows.append(row)  # type: ignore[arg-type]  # not None without problems
    return parsed


# --- Preview --------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    columns: list[tuple[str, str]]
    rows: list[dict]
    errors: list[dict]


def answers_preview(*, data: bytes, fmt: str, survey: Survey | None) -> Preview:
    """The first rows of a file as they will be stored (nothing saved)."""
    parsed = rows_parse(data=data, fmt=fmt, limit=PREVIEW_ROWS)
    slugs = {row.survey for row in parsed.rows if row.survey}
    surveys = {s.slug: s for s in Survey.objects.filter(slug__in=slugs)}
    rows = []
    for row in parsed.rows:
        target = surveys.get(row.survey) if row.survey else survey
        rows.append(
            {
                "line": row.line,
                "survey": target.name if target else _("unknown survey"),
                "email": row.customer["email"],
                "name": row.customer["name"],
                "score": row.score,
                "category": stats.classify(row.score),
                "comment": row.comment,
                "submitted_at": row.submitted_at,
                "source_id": row.source_id,
                "properties": row.properties,
                "unsubscribed_at": row.unsubscribed_at,
            }
        )
    return Preview(parsed.layout.meaning(parsed.header), rows, parsed.errors)


# --- Writing ----------------------------------------------------------------------


@dataclass
class _Chunk:
    """What writing one chunk did (or, in a dry run, would do)."""

    answers: list[Response] = field(default_factory=list)
    new_customers: list[Customer] = field(default_factory=list)
    # By the customer object's id(): new customers have no primary key yet.
    unsubscribes: dict[int, tuple[Customer, datetime]] = field(default_factory=dict)
    unsubscribed: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)


class _Customers:
    """The chunk's customers: those stored, matched by external id, else by
    email whatever its case, and those the chunk creates."""

    def __init__(self, rows: list[AnswerRow]):
        external_ids = [r.customer["external_id"] for r in rows if r.customer["external_id"]]
        emails = [r.customer["email"].lower() for r in rows]  # type: ignore[union-attr]  # required
        self.by_external_id = {
            c.external_id: c for c in Customer.objects.filter(external_id__in=external_ids)
        }
        self.by_email: dict[str, Customer] = {
            c.email_lower: c
            for c in Customer.objects.annotate(email_lower=Lower("email")).filter(
                email_lower__in=emails
            )
        }
        phones = [r.customer["phone"] for r in rows if r.customer["phone"]]
        self.by_phone = {c.phone: c for c in Customer.objects.filter(phone__in=phones)}
        self.created: list[Customer] = []

    def find(self, values: dict[str, str | None]) -> Customer:
        """The customer a row names (created if new); CustomerConflict when its
        identifiers name two people, ValidationError for an erased one."""
        email, external_id = values["email"], values["external_id"]
        by_id = self.by_external_id.get(external_id) if external_id else None
        owner = self.by_email.get(email.lower())  # type: ignore[union-attr]  # required
        if by_id is not None and owner is not None and not _same(owner, by_id):
            raise CustomerConflict({"email": _("another customer already has this email.")})
        customer = by_id or owner
        holder = self.by_phone.get(values["phone"]) if values["phone"] else None
        if holder is not None and (customer is None or not _same(holder, customer)):
            raise CustomerConflict({"phone": _("another customer already has this phone number.")})
        if customer is not None and customer.is_erased:
            raise ValidationError(
                {"customer": _("this customer was erased; their answers are not imported again.")}
            )
        if customer is None:
            return self._create(values)
        customer_identity_check(customer=customer, email=email, external_id=external_id)
        return customer

    def _create(self, values: dict[str, str | None]) -> Customer:
        customer = Customer(**values)
        self.created.append(customer)
        self.by_email[values["email"].lower()] = customer  # type: ignore[union-attr]
        if values["phone"]:
            self.by_phone[values["phone"]] = customer
        if values["external_id"]:
            self.by_external_id[values["external_id"]] = customer
        return customer


def _same(one: Customer, other: Customer) -> bool:
    """The same customer: the same row, or the same one this chunk creates."""
    return one is other or (one.pk is not None and one.pk == other.pk)


def _chunk_plan(job: AnswerImport, rows: list[AnswerRow], now: datetime) -> _Chunk:
    chunk = _Chunk()
    source = SOURCE_OF_FORMAT[job.format]  # type: ignore[index]  # a Format value
    stored = set(
        Response.objects.filter(
            source=source, source_id__in=[r.source_id for r in rows]
        ).values_list("source_id", flat=True)
    )
    surveys = {s.slug: s for s in Survey.objects.filter(slug__in={r.survey for r in rows})}
    customers = _Customers(rows)
    for row in rows:
        survey = surveys.get(row.survey) if row.survey else job.survey
        if survey is None:
            message = (
                _("no survey has the slug “%(slug)s”.") % {"slug": row.survey}
                if row.survey
                else _("no survey given: add a survey column or choose a survey.")
            )
            chunk.errors.append(line_error(row.line, "survey: " + message))
            continue
        if row.source_id in stored:
            # Imported before: nothing of the row is read again, so neither is a
            # customer erased since (whose identifiers the file still holds).
            chunk.unchanged += 1
            continue
        try:
            customer = customers.find(row.customer)
        except ValidationError as exc:
            chunk.errors.extend(
                line_error(row.line, f"{column}: {message}")
                for column, messages in exc.message_dict.items()
                for message in messages
            )
            continue
        if row.unsubscribed_at is not None:
            earlier = chunk.unsubscribes.get(id(customer), (customer, row.unsubscribed_at))[1]
            chunk.unsubscribes[id(customer)] = (customer, min(earlier, row.unsubscribed_at))
        chunk.answers.append(_answer(row, survey, customer, source, now))
    chunk.new_customers = customers.created
    return chunk


def _answer(row: AnswerRow, survey: Survey, customer: Customer, source: str, now) -> Response:
    return Response(
        survey=survey,
        customer=customer,
        score=row.score,
        category=stats.classify(row.score),
        comment=row.comment,
        channel=Channel.IMPORT,
        submitted_at=row.submitted_at,
        segment=row.customer["segment"] or customer.segment,
        locale=row.customer["locale"] or customer.locale or survey.default_locale,
        properties=row.properties,
        is_historical=True,
        routed_at=now,
        source=source,
        source_id=row.source_id,
    )


def _chunk_write(job: AnswerImport, rows: list[AnswerRow]) -> _Chunk:
    """Write one chunk (inside the caller's transaction); a dry run writes
    it too, in a savepoint rolled back, so the database's own checks count
    what would be. Only across chunks is a dry run's count larger than the
    import's: a new customer answering in two chunks of 1,000 rows is counted
    in each (the first chunk's creation was rolled back)."""
    now = timezone.now()
    with transaction.atomic():
        chunk = _chunk_plan(job, rows, now)
        Customer.objects.bulk_create(chunk.new_customers)
        # Another import of the same file at once: its answers win, ours are skipped.
        Response.objects.bulk_create(chunk.answers, ignore_conflicts=True)
        for customer, when in chunk.unsubscribes.values():
            changed = Customer.objects.filter(pk=customer.pk, unsubscribed_at__isnull=True).update(
                unsubscribed_at=when, updated_at=now
            )
            if changed:
                # As any unsubscribe: the other side (webhooks) hears of it.
                customer.unsubscribed_at = when
                handoff.customer_unsubscribed(customer)
            chunk.unsubscribed += changed
        if job.dry_run:
            transaction.set_rollback(True)
    # A survey made since the upload may take rows: its department reads the job too.
    job.named_surveys.add(*{answer.survey_id for answer in chunk.answers})
    return chunk


# --- The job --------------------------------------------------------------------


def answer_import_create(
    *, data: bytes, file_name: str, fmt: str, survey: Survey | None = None, user=None
) -> AnswerImport:
    """Store an upload, unconfirmed, after the quick check (raises
    ImportFileError), with the surveys its rows name."""
    layout = file_check(data=data, fmt=fmt)
    job = AnswerImport.objects.create(
        data=data, file_name=file_name[:255], format=fmt, survey=survey, created_by=user
    )
    job.named_surveys.set(Survey.objects.filter(slug__in=named_slugs(data, layout)))
    return job


def named_slugs(data: bytes, layout: Layout) -> set[str]:
    """The survey slugs a file's rows name (none for a Delighted export, whose
    rows all go to the chosen survey): one pass over one column, no row checks."""
    column = next((index for index, name in layout.fields.items() if name == "survey"), None)
    if column is None:
        return set()
    reader = csv.reader(io.StringIO(file_text(data), newline=""))
    slugs: set[str] = set()
    try:
        next(reader)  # the header, checked by file_check
        for cells in reader:
            if column < len(cells) and cells[column].strip():
                slugs.add(cells[column].strip())
    except csv.Error:
        pass  # the lines after are refused when the job runs; none of them is written
    return slugs


def answer_imports_seen(user, jobs: QuerySet) -> QuerySet:
    """The answer imports of ``jobs`` that ``user`` may read: their own
    uploads, and, for readers of some departments, the jobs every survey of
    which (the chosen one and those its rows name) they see. A job with no
    survey chosen whose rows name no known survey could be anyone's: only
    its uploader and readers of every department read it."""
    scope = departments_of(user)
    if scope is None:
        return jobs
    named = AnswerImport.named_surveys.through.objects.filter(answerimport_id=OuterRef("pk"))
    elsewhere = named.filter(survey__department__isnull=False).exclude(
        survey__department__in=sorted(scope)
    )
    chosen = Q(survey__isnull=False) & department_filter(user, "survey__department")
    unchosen = Q(survey__isnull=True) & Exists(named)
    return jobs.filter(Q(created_by_id=user.pk) | ((chosen | unchosen) & ~Exists(elsewhere)))


def answer_import_confirm(*, job_id: int, dry_run: bool) -> bool:
    """Let an uploaded job run (once): returns whether this call confirmed it."""
    return bool(
        AnswerImport.objects.filter(
            pk=job_id, confirmed_at__isnull=True, status=Status.QUEUED
        ).update(confirmed_at=timezone.now(), dry_run=dry_run, updated_at=timezone.now())
    )


def _finish(job_id: int, *, errors: list[dict]) -> None:
    """Mark a job failed on an error about the whole run; rows that committed stay."""
    with transaction.atomic():
        finished = (
            AnswerImport.objects.filter(pk=job_id)
            .exclude(status__in=[Status.DONE, Status.FAILED])
            .update(
                status=Status.FAILED,
                errors=errors,
                finished_at=timezone.now(),
                updated_at=timezone.now(),
                data=b"",
            )
        )
        job = AnswerImport.objects.defer("data").filter(pk=job_id).first()
        if finished and job is not None and job.rows_processed and not job.dry_run:
            _audit_import(job)


def _validate(job: AnswerImport) -> list[AnswerRow] | None:
    """Check every row on its own; bad lines are reported and left out."""
    AnswerImport.objects.filter(pk=job.pk, status=Status.QUEUED).update(
        status=Status.VALIDATING, started_at=timezone.now(), updated_at=timezone.now()
    )
    try:
        parsed = rows_parse(data=bytes(job.data), fmt=job.format)
    except ImportFileError as exc:
        _finish(job.pk, errors=[line_error(None, str(exc))])
        return None
    if not parsed.rows and not parsed.errors:
        _finish(job.pk, errors=[line_error(None, _("The file has a header but no rows."))])
        return None
    AnswerImport.objects.filter(pk=job.pk, status=Status.VALIDATING).update(
        status=Status.IMPORTING,
        rows_total=len(parsed.rows),
        rows_refused=len({e["line"] for e in parsed.errors}),
        errors=parsed.errors,
        updated_at=timezone.now(),
    )
    return parsed.rows


def _write_chunk(job_id: int, rows: list[AnswerRow]) -> AnswerImport | None:
    """Write the next chunk and advance the job, in one transaction. Returns
    the job as saved, or None when there is nothing for this run to do."""
    with transaction.atomic():
        job = (
            AnswerImport.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("survey")
            .defer("data")
            .filter(pk=job_id, status=Status.IMPORTING)
            .first()
        )
        if job is None:
            return None
        batch = rows[job.rows_processed : job.rows_processed + CHUNK_SIZE]
        try:
            chunk = _chunk_write(job, batch)
        except IntegrityError:
            _finish(job.pk, errors=[line_error(batch[0].line, _clash_message(batch))])
            return None
        _advance(job, batch, chunk, done=job.rows_processed + len(batch) >= len(rows))
        return job


def _clash_message(batch: list[AnswerRow]) -> str:
    return _(
        "Lines %(first)d-%(last)d clash with customers saved by someone else during the "
        "import; they were not imported. Import the file again: answers already imported "
        "stay unchanged."
    ) % {"first": batch[0].line, "last": batch[-1].line}


def _advance(job: AnswerImport, batch: list[AnswerRow], chunk: _Chunk, *, done: bool) -> None:
    job.rows_processed += len(batch)
    job.answers_created += len(chunk.answers)
    job.answers_unchanged += chunk.unchanged
    job.customers_created += len(chunk.new_customers)
    job.customers_unsubscribed += chunk.unsubscribed
    job.rows_refused += len({error["line"] for error in chunk.errors})
    job.errors = sorted([*job.errors, *chunk.errors], key=lambda e: e["line"] or 0)
    fields = [
        "rows_processed",
        "answers_created",
        "answers_unchanged",
        "customers_created",
        "customers_unsubscribed",
        "rows_refused",
        "errors",
    ]
    if done:
        job.status = Status.DONE
        job.finished_at = timezone.now()
        job.data = b""
        fields += ["status", "finished_at", "data"]
        if not job.dry_run:
            _audit_import(job)
    job.save(update_fields=[*fields, "updated_at"])


def _audit_import(job: AnswerImport) -> None:
    import_audit(
        job,
        format=job.format,
        answers_created=job.answers_created,
        answers_unchanged=job.answers_unchanged,
        customers_created=job.customers_created,
        customers_unsubscribed=job.customers_unsubscribed,
        lines_refused=job.rows_refused,
    )


def _rows_reparse(data: bytes, fmt: str) -> list[AnswerRow]:
    """The good rows of a file already checked (a resumed job), in the same
    order, so ``rows_processed`` still points at the next chunk."""
    return rows_parse(data=data, fmt=fmt).rows


def answer_import_run(
    *,
    job_id: int,
    time_budget: float | None = None,
    on_progress: Callable[[AnswerImport], None] | None = None,
) -> bool:
    """Take a confirmed job as far as ``time_budget`` seconds allow (no limit:
    to the end). Safe to run twice, even at once. Returns False when there is
    more to do, True when this run has nothing left to do."""
    started = time.monotonic()
    job = AnswerImport.objects.filter(pk=job_id, confirmed_at__isnull=False).first()
    if job is None or job.is_finished:
        return True
    if job.status == Status.IMPORTING:
        rows = _rows_reparse(bytes(job.data), job.format)
    else:
        validated = _validate(job)
        if validated is None:
            return True
        rows = validated
    while True:
        saved = _write_chunk(job_id, rows)
        if saved is None:
            return True
        if on_progress is not None:
            on_progress(saved)
        if saved.is_finished:
            return True
        if time_budget is not None and time.monotonic() - started > time_budget:
            return False


def answer_import_abort(*, job_id: int, reason: str) -> None:
    """Mark an unfinished job failed on an error the run cannot get past."""
    _finish(job_id, errors=[line_error(None, reason)])


def stalled_answer_imports_list(*, idle_seconds: int) -> list[int]:
    """Confirmed, unfinished jobs without progress for a while: their task was lost."""
    cutoff = timezone.now() - timedelta(seconds=idle_seconds)
    return list(
        AnswerImport.objects.exclude(status__in=[Status.DONE, Status.FAILED])
        .filter(confirmed_at__isnull=False, updated_at__lt=cutoff)
        .values_list("pk", flat=True)
    )


def unconfirmed_answer_imports_drop() -> int:
    """Empty the uploads whose preview was never confirmed: their bytes hold
    personal data."""
    return AnswerImport.objects.filter(
        confirmed_at__isnull=True,
        status=Status.QUEUED,
        created_at__lt=timezone.now() - UNCONFIRMED_KEPT,
    ).update(
        status=Status.FAILED,
        data=b"",
        errors=[line_error(None, _("Never confirmed; upload the file again."))],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
