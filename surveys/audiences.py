"""Customer lists from a file: the customers a survey is sent to, named by
email or external id, one a line.

The file is read with the customer import's own rules for size and encoding
(``imports.file_text``) and checked in full before anything is stored: a line
that cannot be read (a bad email, too many values, neither an email nor an
external id, an email and an id naming two different customers) refuses the
whole file, and every such line is reported with its number, so a list is
never sent short of the customers its file named. A well-formed line naming
nobody we know, or a customer named on an earlier line, is kept as a line
number on the list and shown before sending.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from .imports import ImportFileError, file_text, header_read, line_error, records
from .models import Customer, CustomerList, CustomerListMember

LIST_COLUMNS = ("email", "external_id")
# Lines reported per refused file; the count says how many more there are.
ERRORS_SHOWN = 50


# (line, customer id) of each customer named, lines naming nobody, lines repeating.
ListRead = tuple[list[tuple[int, int]], list[int], list[int]]


class CustomerListRefused(ValueError):
    """The file has lines that cannot be read: each is in ``errors``
    (``{"line": n, "message": ...}``), in the file's order."""

    def __init__(self, errors: list[dict]) -> None:
        super().__init__(f"{len(errors)} bad line(s)")
        self.errors = errors


@dataclass(frozen=True)
class ListRow:
    line: int
    email: str | None
    external_id: str | None


def _header(reader) -> list[str]:
    header = header_read(reader)
    known = [name for name in header if name in LIST_COLUMNS]
    if not known or len(known) != len(set(known)):
        raise ImportFileError(
            _(
                "The first line must name the column(s) %(columns)s, each once: "
                "a column of emails, of external ids, or both."
            )
            % {"columns": ", ".join(LIST_COLUMNS)}
        )
    return header


def _row_read(line: int, header: list[str], cells: list[str], errors: list[dict]):
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
        errors.append(
            line_error(
                line,
                _("has %(count)d values but the header has %(columns)d columns.")
                % {"count": len(cells), "columns": len(header)},
            )
        )
        return None
    values = {name: cell.strip() for name, cell in zip(header, cells, strict=False)}
    email = values.get("email") or None
    external_id = values.get("external_id") or None
    if email is None and external_id is None:
        errors.append(line_error(line, _("names no customer: give an email or an external id.")))
        return None
    if email is not None:
        try:
            email = Customer._meta.get_field("email").clean(email, None)
        except ValidationError as exc:
            errors.append(line_error(line, f"email: {' '.join(exc.messages)}"))
            return None
    return ListRow(line, email, external_id)


def _rows(text: str, errors: list[dict]) -> Iterator[ListRow]:
    for line, header, cells in records(text, errors, _header):
        row = _row_read(line, header, cells, errors)
        if row is not None:
            yield row


def _customers_named(rows: list[ListRow]) -> tuple[dict, dict]:
    """{lower-case email: customer id} and {external id: customer id} of the
    customers the rows name: one query for each."""
    emails = {row.email.lower() for row in rows if row.email}
    external_ids = {row.external_id for row in rows if row.external_id}
    by_email = dict(
        Customer.objects.alias(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .annotate(key=Lower("email"))
        .values_list("key", "pk")
    )
    by_external_id = dict(
        Customer.objects.filter(external_id__in=external_ids).values_list("external_id", "pk")
    )
    return by_email, by_external_id


def customer_list_read(*, data: bytes) -> ListRead:
    """(line, customer id) of each customer the file names first, the lines
    naming nobody we know, and the lines naming a customer again. Raises
    ImportFileError for a file that is not a list at all, CustomerListRefused
    for one with bad lines."""
    errors: list[dict] = []
    rows = list(_rows(file_text(data), errors))
    by_email, by_external_id = _customers_named(rows)
    members: dict[int, int] = {}  # customer id -> first line
    unknown, repeated = [], []
    for row in rows:
        by_id = by_external_id.get(row.external_id) if row.external_id else None
        owner = by_email.get(row.email.lower()) if row.email else None
        if by_id is not None and owner is not None and by_id != owner:
            errors.append(
                line_error(row.line, _("the email and the external id name two customers."))
            )
            continue
        customer_id = by_id or owner
        if customer_id is None:
            unknown.append(row.line)
        elif customer_id in members:
            repeated.append(row.line)
        else:
            members[customer_id] = row.line
    if errors:
        raise CustomerListRefused(sorted(errors, key=lambda error: error["line"]))
    return [(line, pk) for pk, line in members.items()], unknown, repeated


def customer_list_store(
    *, name: str, read: ListRead, file_name: str = "", user=None
) -> CustomerList:
    """Store what ``customer_list_read`` found as a list."""
    members, unknown, repeated = read
    with transaction.atomic():
        customer_list = CustomerList.objects.create(
            name=name[:200],
            file_name=file_name[:255],
            lines=len(members) + len(unknown) + len(repeated),
            unknown_lines=unknown,
            repeated_lines=repeated,
            created_by=user,
        )
        CustomerListMember.objects.bulk_create(
            [
                CustomerListMember(customer_list=customer_list, customer_id=pk, line=line)
                for line, pk in members
            ],
            batch_size=2000,
        )
    return customer_list


def customer_list_create(*, name: str, data: bytes, file_name: str = "", user=None) -> CustomerList:
    """Store the customers a file names as a list (see ``customer_list_read``
    for what refuses a file)."""
    read = customer_list_read(data=data)
    return customer_list_store(name=name, read=read, file_name=file_name, user=user)
