"""Answers and customer details arriving from integrations: ``parsing`` reads
their shape (with DRF), ``single`` records one answer, ``bulk`` up to a
thousand. Both paths apply the same rules in the same order (idempotency key,
survey, customer, survey status, erasure, submission time) and report the
same messages, so a client sees one behaviour whichever endpoint it uses."""

from .bulk import BULK_STATUSES, CREATED, EXISTING, INVALID, BulkResult, responses_ingest
from .parsing import MAX_BULK_ITEMS
from .single import response_ingest

__all__ = [
    "BULK_STATUSES",
    "CREATED",
    "EXISTING",
    "INVALID",
    "MAX_BULK_ITEMS",
    "BulkResult",
    "response_ingest",
    "responses_ingest",
]
