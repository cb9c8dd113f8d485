"""When a case is due, and when it escalates. The one place for this logic, so
business hours or holidays can be added without touching callers."""

from __future__ import annotations

from datetime import datetime, timedelta


def due_at(start: datetime, *, hours: int) -> datetime:
    """The time by which a detractor opened at ``start`` must be contacted."""
    return start + timedelta(hours=hours)
