"""Customers from CSV: one parser, one set of row rules and one writer for the
admin's background import and ``manage.py import_customers``.

What a run guarantees: every row of the file is checked before anything is
written, and one bad line means nothing is written (the report lists every bad
line). A file without a bad line is written in chunks of ``CHUNK_SIZE`` rows,
each chunk one transaction that also advances the job's progress; a run that is
stopped (worker killed, deploy) carries on from the last chunk that committed,
and each row is an upsert (by external id, else by email whatever its case),
so running the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import Action, audit_record
from .customers import CustomerConflict, customer_identity_check, locale_normalize
from .models import AnswerImport, Customer, CustomerImport, ImportJob
from .phones import phone_normalize
from .text import single_line
from .time_zones import time_zone_for_phone, validate_time_zone

SINGLE_LINE_COLUMNS = ("name", "segment")
COLUMNS = ("email", "name", "external_id", "segment", "locale", "phone", "time_zone")
# Absent values are NULL in these columns: their unique constraints ignore NULLs.
NULLABLE_COLUMNS = ("email", "external_id", "phone")
CHUNK_SIZE = 1000
MAX_FILE_BYTES = 20 * 1024 * 1024


class ImportFileError(ValueError):
    """The file as a whole cannot be imported: size, encoding or header."""


@dataclass(frozen=True)
class Row:
    line: int  # the file's line where the record starts (the header is line 1)
    values: dict[str, str | None]


@dataclass
class Check:
    """A file checked in full, nothing written: its rows, every bad line, and
    what importing it now would do."""

    rows: list[Row] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class _Plan:
    creates: list[Customer] = field(default_factory=list)
    updates: list[Customer] = field(default_factory=list)
    update_fields: set[str] = field(default_factory=set)
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)


def line_error(line: int | None, message: str) -> dict:
    return {"line": line, "message": message}


def file_text(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is larger than %(size)d MB; split it into smaller files.")
            % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The file is not UTF-8 text (byte %(position)d); save it as “CSV UTF-8”.")
            % {"position": exc.start + 1}
        ) from None


def header_read(reader) -> list[str]:
    """A CSV file's first line: its column names, trimmed and in lower case."""
    try:
        return [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    except csv.Error as exc:
        message = _("The header is not readable as CSV: %(error)s") % {"error": exc}
        raise ImportFileError(message) from None


def _header(reader) -> list[str]:
    header = header_read(reader)
    expected = ", ".join(COLUMNS)
    if "email" not in header:
        raise ImportFileError(
            _("The file has no 'email' column. Expected columns: %(columns)s.")
            % {"columns": expected}
        )
    unknown = sorted({name or _("(no name)") for name in header} - set(COLUMNS))
    if unknown:
        raise ImportFileError(
            _("Unknown column(s) %(unknown)s. Expected: %(columns)s.")
            % {"unknown": ", ".join(unknown), "columns": expected}
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ImportFileError(
            _("Column(s) %(columns)s appear more than once.") % {"columns": ", ".join(repeated)}
        )
    return header


def file_check(*, data: bytes) -> list[str]:
    """The quick check an upload gets before it is queued: size, encoding and
    header. Returns the header; raises ImportFileError with the reason."""
    return _header(csv.reader(io.StringIO(file_text(data), newline="")))


def records(
    text: str, errors: list[dict], header_check: Callable[..., list[str]] | None = None
) -> Iterator[tuple[int, list[str], list[str]]]:
    """(line, header, cells) of each line of a CSV text that is not blank,
    its header checked by ``header_check`` (the customer import's by
    default); a line CSV cannot read ends it, as an error in ``errors``."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = (header_check or _header)(reader)
    start = reader.line_num + 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if any(cell.strip() for cell in cells):
                yield line, header, cells
    except csv.Error as exc:
        errors.append(line_error(start, _("not readable as CSV (%(error)s).") % {"error": exc}))


def _row_clean(line: int, header: list[str], cells: list[str]) -> tuple[Row, list[str]]:
    problems = []
    if any(cell.strip() for cell in cells[len(header) :]):
        problems.append(
            _("has %(count)d values but the header has %(columns)d columns.")
            % {"count": len(cells), "columns": len(header)}
        )
    raw = dict(zip(header, cells, strict=False))
    values: dict[str, str | None] = {}
    for column in COLUMNS:
        value = (raw.get(column) or "").strip()
        if column in SINGLE_LINE_COLUMNS:
            # The same rule as every other way in: control characters go.
            value = single_line(value)
        control = next((ch for ch in value if unicodedata.category(ch) == "Cc"), None)
        if control is not None:
            problems.append(
                f"{column}: "
                + _("contains a control character (U+%(code)04X).") % {"code": ord(control)}
            )
            continue
        if column == "locale":
            value = locale_normalize(value)
        try:
            if column == "phone":  # E.164, as every other way in stores it
                value = phone_normalize(value) or ""
            if column == "time_zone":
                validate_time_zone(value)
                # None given: the phone number's, when it lies in one zone only.
                value = value or time_zone_for_phone(values.get("phone"))
            value = Customer._meta.get_field(column).clean(value, None)  # type: ignore[union-attr]  # a column
        except ValidationError as exc:
            problems.append(f"{column}: {' '.join(exc.messages)}")
            continue
        values[column] = value or (None if column in NULLABLE_COLUMNS else "")
    if "email" in values and not values["email"]:
        problems.append("email: " + _("A customer needs an email address."))
    return Row(line, values), problems


@dataclass
class _Known:
    """The stored customers a batch of rows could name, by each identifier."""

    by_external_id: dict[str | None, Customer]
    by_email: dict[str, Customer]
    by_phone: dict[str | None, int]

    @classmethod
    def of(cls, rows: list[Row]) -> _Known:
        external_ids = [row.values["external_id"] for row in rows if row.values["external_id"]]
        # Rows without an email were refused by ``_row_clean``: each has one here.
        emails = [row.values["email"].lower() for row in rows]  # type: ignore[union-attr]
        phones = [row.values["phone"] for row in rows if row.values.get("phone")]
        return cls(
            by_external_id={
                c.external_id: c for c in Customer.objects.filter(external_id__in=external_ids)
            },
            by_email={
                c.email_lower: c
                for c in Customer.objects.annotate(email_lower=Lower("email")).filter(
                    email_lower__in=emails
                )
            },
            by_phone=dict(Customer.objects.filter(phone__in=phones).values_list("phone", "pk")),
        )

    def match(self, row: Row) -> tuple[Customer | None, list[dict]]:
        """The stored customer this row names (None: a new one), or the
        errors that keep it from naming one without doubt."""
        values = row.values
        by_id = self.by_external_id.get(values["external_id"]) if values["external_id"] else None
        owner = self.by_email.get(values["email"].lower())  # type: ignore[union-attr]
        phone_owner = self.by_phone.get(values.get("phone"))
        if phone_owner is not None and phone_owner != getattr(by_id or owner, "pk", None):
            return None, [
                line_error(row.line, "phone: " + _("another customer has this phone number."))
            ]
        if by_id is not None and owner is not None and owner.pk != by_id.pk:
            return None, [
                line_error(row.line, "email: " + _("another customer already has this email."))
            ]
        customer = by_id or owner
        if customer is None:
            return None, []
        try:
            # The API's rule, on the customer already fetched: a row never
            # rewrites an identifier that names someone already.
            customer_identity_check(
                customer=customer, email=values["email"], external_id=values["external_id"]
            )
        except CustomerConflict as conflict:
            return None, [
                line_error(row.line, f"{column}: {message}")
                for column, messages in conflict.message_dict.items()
                for message in messages
            ]
        return customer, []


def _plan(rows: list[Row], claimed: dict[int, int]) -> _Plan:
    """What writing these rows would do to the customers as they are now.
    ``claimed`` maps a customer's id to the line that already matched it."""
    plan = _Plan()
    known = _Known.of(rows)
    for row in rows:
        customer, errors = known.match(row)
        if errors:
            plan.errors.extend(errors)
            continue
        if customer is None:
            plan.creates.append(Customer(**row.values))
            continue
        if customer.pk in claimed:
            plan.errors.append(
                line_error(
                    row.line,
                    _("the same customer as line %(line)d.") % {"line": claimed[customer.pk]},
                )
            )
            continue
        claimed[customer.pk] = row.line
        # As in customer_upsert: a blank cell leaves the stored value alone.
        changed = [k for k, v in row.values.items() if v and getattr(customer, k) != v]
        if not changed:
            plan.unchanged += 1
            continue
        for key in changed:
            setattr(customer, key, row.values[key])
        plan.updates.append(customer)
        plan.update_fields.update(changed)
    return plan


def rows_check(*, data: bytes) -> Check:
    """Check every row of a file against the rules and the customers as they
    are now; write nothing. Raises ImportFileError when the file as a whole is
    unreadable; a bad row is a line-numbered entry of ``errors``."""
    check = Check()
    seen: dict[tuple[str, str], int] = {}
    for line, header, cells in records(file_text(data), check.errors):
        row, problems = _row_clean(line, header, cells)
        for column, label in (
            ("email", _("email")),
            ("external_id", _("external id")),
            ("phone", _("phone number")),
        ):
            value = row.values.get(column)
            if not value:
                continue
            first = seen.setdefault((column, value.lower()), line)
            if first != line:
                problems.append(
                    f"{column}: "
                    + _("the same %(what)s as line %(line)d.") % {"what": label, "line": first}
                )
        if problems:
            check.errors.extend(line_error(line, problem) for problem in problems)
        else:
            check.rows.append(row)
    if not check.rows and not check.errors:
        check.errors.append(line_error(None, _("The file has a header but no rows.")))
    claimed: dict[int, int] = {}
    for start in range(0, len(check.rows), CHUNK_SIZE):
        plan = _plan(check.rows[start : start + CHUNK_SIZE], claimed)
        check.errors.extend(plan.errors)
        check.created += len(plan.creates)
        check.updated += len(plan.updates)
        check.unchanged += plan.unchanged
    check.errors.sort(key=lambda e: e["line"] or 0)
    return check


def customer_import_create(*, data: bytes, file_name: str, user=None) -> CustomerImport:
    """Store an upload as a queued job after the quick check (raises ImportFileError)."""
    file_check(data=data)
    return CustomerImport.objects.create(data=data, file_name=file_name[:255], created_by=user)


def _finish(job_id: int, *, status: str, errors: list[dict] | None = None, **counts) -> None:
    with transaction.atomic():
        CustomerImport.objects.filter(pk=job_id).update(
            status=status,
            errors=errors or [],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
            data=b"",
            **counts,
        )
        _audit_failed(job_id)


def _audit_failed(job_id: int) -> None:
    """A failed job whose earlier chunks committed did change customers: the
    trail says so (in the transaction that marks it failed)."""
    job = CustomerImport.objects.defer("data").filter(pk=job_id).first()
    if job is not None and job.status == CustomerImport.Status.FAILED and job.rows_processed:
        _audit_import(job)


def _validate(job: CustomerImport) -> list[Row] | None:
    """Check the whole file; returns its rows, or None once the job failed."""
    CustomerImport.objects.filter(pk=job.pk, status=CustomerImport.Status.QUEUED).update(
        status=CustomerImport.Status.VALIDATING,
        started_at=timezone.now(),
        updated_at=timezone.now(),
    )
    try:
        check = rows_check(data=bytes(job.data))
    except ImportFileError as exc:
        _finish(job.pk, status=CustomerImport.Status.FAILED, errors=[line_error(None, str(exc))])
        return None
    if check.errors:
        _finish(
            job.pk,
            status=CustomerImport.Status.FAILED,
            errors=check.errors,
            rows_total=len(check.rows) + len({e["line"] for e in check.errors if e["line"]}),
        )
        return None
    CustomerImport.objects.filter(pk=job.pk, status=CustomerImport.Status.VALIDATING).update(
        status=CustomerImport.Status.IMPORTING,
        rows_total=len(check.rows),
        updated_at=timezone.now(),
    )
    return check.rows


def _rows_parse(data: bytes) -> list[Row]:
    """The rows of a file already checked in full (a resumed job): parsed with
    the same rules, without the database checks (each chunk re-checks its own)."""
    rows = []
    for line, header, cells in records(file_text(data), []):
        row, problems = _row_clean(line, header, cells)
        if not problems:
            rows.append(row)
    return rows


def _write_chunk(job_id: int, rows: list[Row]) -> CustomerImport | None:
    """Write the next chunk and advance the job, in one transaction. Returns
    the job as saved, or None when there is nothing for this run to do (the job
    is finished, gone, or being written by another worker right now)."""
    with transaction.atomic():
        job = (
            CustomerImport.objects.select_for_update(skip_locked=True)
            .defer("data")
            .filter(pk=job_id, status=CustomerImport.Status.IMPORTING)
            .first()
        )
        if job is None:
            return None
        chunk = rows[job.rows_processed : job.rows_processed + CHUNK_SIZE]
        plan = _plan(chunk, {})
        if plan.errors:
            # The customers changed after the file was checked.
            _finish(job.pk, status=CustomerImport.Status.FAILED, errors=plan.errors)
            return None
        try:
            with transaction.atomic():
                Customer.objects.bulk_create(plan.creates)
                now = timezone.now()
                for customer in plan.updates:
                    customer.updated_at = now
                Customer.objects.bulk_update(plan.updates, [*plan.update_fields, "updated_at"])
        except IntegrityError:
            first, last = chunk[0].line, chunk[-1].line
            message = _(
                "Lines %(first)d-%(last)d clash with customers saved by someone else during "
                "the import; they were not imported. Import the file again: rows already "
                "imported stay unchanged."
            ) % {"first": first, "last": last}
            _finish(
                job.pk, status=CustomerImport.Status.FAILED, errors=[line_error(first, message)]
            )
            return None
        job.rows_processed += len(chunk)
        job.created_count += len(plan.creates)
        job.updated_count += len(plan.updates)
        job.unchanged_count += plan.unchanged
        fields = ["rows_processed", "created_count", "updated_count", "unchanged_count"]
        if job.rows_processed >= len(rows):
            job.status = CustomerImport.Status.DONE
            job.finished_at = timezone.now()
            job.data = b""
            fields += ["status", "finished_at", "data"]
            _audit_import(job)
        job.save(update_fields=[*fields, "updated_at"])
        return job


def import_audit(job, **counts) -> None:
    """One finished import job (customers' or answers') in the audit trail:
    who ran it, from where, how many rows, and its own ``counts``."""
    audit_record(
        action=Action.IMPORT,
        actor=job.created_by,
        via="admin" if job.created_by_id else "command",
        object_type=job._meta.label_lower,
        object_ids=[job.pk],
        count=job.rows_processed,
        details={"status": job.status, **counts},
    )


def _audit_import(job: CustomerImport) -> None:
    import_audit(
        job,
        created=job.created_count,
        updated=job.updated_count,
        unchanged=job.unchanged_count,
    )


def customer_import_run(
    *,
    job_id: int,
    time_budget: float | None = None,
    on_progress: Callable[[CustomerImport], None] | None = None,
) -> bool:
    """Take a job as far as ``time_budget`` seconds allow (no limit: to the
    end). Safe to run twice, even at once. Returns False when there is more to
    do, True when this run has nothing left to do."""
    started = time.monotonic()
    job = CustomerImport.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return True
    if job.status == CustomerImport.Status.IMPORTING:
        rows = _rows_parse(bytes(job.data))
    else:
        validated = _validate(job)
        if validated is None:
            return True
        rows = validated
    if on_progress is not None:
        on_progress(CustomerImport.objects.defer("data").get(pk=job_id))
    while True:
        job = _write_chunk(job_id, rows)
        if job is None:
            return True
        if on_progress is not None:
            on_progress(job)
        if job.is_finished:
            return True
        if time_budget is not None and time.monotonic() - started > time_budget:
            return False


def stalled_imports_list(*, idle_seconds: int) -> list[int]:
    """Unfinished jobs without progress for a while: their task was lost (the
    broker was down when it was queued, or the worker died)."""
    cutoff = timezone.now() - timedelta(seconds=idle_seconds)
    return list(
        CustomerImport.objects.exclude(
            status__in=[CustomerImport.Status.DONE, CustomerImport.Status.FAILED]
        )
        .filter(updated_at__lt=cutoff)
        .values_list("pk", flat=True)
    )


def customer_import_abort(*, job_id: int, reason: str) -> None:
    """Mark an unfinished job failed on an error the run cannot get past, so it
    is not resumed over and over. Chunks that committed stay (the job's
    summary says how many rows that was)."""
    with transaction.atomic():
        aborted = (
            CustomerImport.objects.filter(pk=job_id)
            .exclude(status__in=[CustomerImport.Status.DONE, CustomerImport.Status.FAILED])
            .update(
                status=CustomerImport.Status.FAILED,
                errors=[line_error(None, reason)],
                finished_at=timezone.now(),
                updated_at=timezone.now(),
                data=b"",
            )
        )
        if aborted:
            _audit_failed(job_id)


def customer_imports_waiting_refuse(*, email: str | None, external_id: str | None) -> None:
    """Fail and empty every unfinished import whose file names a customer being
    erased (call it in the erasing transaction): its stored bytes hold their
    data, and running it would create them again."""
    identifiers = [re.escape(value) for value in (email, external_id) if value]
    if not identifiers:
        return
    # A whole cell, not part of one ("crm-1" is not in "crm-10").
    edge = r"[^\s,;\"']"
    alternatives = "|".join(identifiers)
    cell = re.compile(f"(?<!{edge})(?:{alternatives})(?!{edge})", re.IGNORECASE)
    reason = _(
        "A customer in this file was erased while it waited; upload the file again without them."
    )
    for job in _unfinished(CustomerImport, "pk", "data"):
        if cell.search(bytes(job.data).decode("utf-8", "replace")):
            customer_import_abort(job_id=job.pk, reason=reason)
    # Answer imports hold the same personal data, and would create them again.
    for job in _unfinished(AnswerImport, "pk", "data", "rows_processed", "created_by", "dry_run"):
        if cell.search(bytes(job.data).decode("utf-8", "replace")):
            _answer_import_refuse(job, reason)


def _unfinished(model: type[CustomerImport] | type[AnswerImport], *fields: str):
    return (
        model.objects.select_for_update()
        .exclude(status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED])
        .only(*fields)
    )


def _answer_import_refuse(job: AnswerImport, reason: str) -> None:
    """Fail and empty a waiting answer import; answers it already wrote stay,
    and the trail records that it stopped."""
    AnswerImport.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED,
        errors=[line_error(None, reason)],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
        data=b"",
    )
    if job.rows_processed and not job.dry_run:
        audit_record(
            action=Action.IMPORT,
            actor=job.created_by,
            via="admin" if job.created_by_id else "command",
            object_type=AnswerImport._meta.label_lower,
            object_ids=[job.pk],
            count=job.rows_processed,
            details={"status": ImportJob.Status.FAILED},
        )
