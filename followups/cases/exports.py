"""CSV export of follow-up cases, streamed with the surveys app's CSV helpers.

People appear by full name (else user name), as on every case page; times are
ISO 8601 in UTC, for spreadsheets and scripts alike, whatever the language."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

from surveys.exports import Column, blanked, csv_lines, email_unless_erased

# ``person_name`` as SQL: the full name, else the user name.
OWNER_NAME = Coalesce(
    NullIf(Trim(Concat("owner__first_name", Value(" "), "owner__last_name")), Value("")),
    F("owner__username"),
)

CASE_COLUMNS: tuple[Column, ...] = (
    ("id", "pk"),
    ("status", "status"),
    ("priority", "priority"),
    ("score", "response__score"),
    ("comment", "response__comment"),
    ("survey", "survey__slug"),
    ("segment", "response__segment"),
    ("customer_email", email_unless_erased("customer")),
    ("owner", OWNER_NAME),
    ("created_at", "created_at"),
    ("due_at", "due_at"),
    ("resolution_due_at", "resolution_due_at"),
    ("first_contact_at", "first_contact_at"),
    ("resolved_at", "resolved_at"),
    ("closed_at", "closed_at"),
    ("root_cause", "root_cause__name"),
    ("suggested_root_cause", "suggested_root_cause__name"),
    ("suggestion_confidence", "suggestion_confidence"),
    ("suggestion_model_version", "suggestion_model_version"),
    ("escalation_level", "escalation_level"),
    ("resolution_summary", "resolution_summary"),
)


SUGGESTION_COLUMNS = frozenset(
    {"suggested_root_cause", "suggestion_confidence", "suggestion_model_version"}
)
# The theme of the case's answer (README, "Comment themes").
THEME_COLUMNS: tuple[Column, ...] = (
    ("theme_id", "response__theme_assignment__theme_id"),
    (
        "theme",
        Coalesce(
            NullIf("response__theme_assignment__theme__name", Value("")),
            "response__theme_assignment__theme__words_label",
        ),
    ),
)


def case_columns() -> tuple[Column, ...]:
    """The cases' export columns, their answers' themes last. A feature turned
    off (suggestions, themes) keeps its columns, empty."""
    columns = CASE_COLUMNS
    if not settings.NPS_SUGGESTIONS_ENABLED:
        columns = blanked(CASE_COLUMNS, SUGGESTION_COLUMNS)
    themes = THEME_COLUMNS if settings.NPS_THEMES_ENABLED else blanked(THEME_COLUMNS)
    return columns + themes


def case_csv_lines(queryset: QuerySet, *, bom: bool = False) -> Iterator[str]:
    return csv_lines(queryset, case_columns(), bom=bom)
