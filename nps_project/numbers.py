"""Whole numbers read from text a person or another system typed.

``str.isdigit`` is not a test for "``int`` can read this": superscripts and
circled digits ("²", "①") are digits to it and a ValueError to ``int``, and
``int`` also reads other scripts' digits ("٣"), signs and spaces that no id in
a URL or a field should carry. Read ids and counts with ``whole_number``.
"""

from __future__ import annotations

# The largest value of a PostgreSQL bigint (every primary key here).
MAX_ID = 2**63 - 1


def whole_number(text: str, *, maximum: int = MAX_ID) -> int | None:
    """The number ``text`` writes in ASCII digits 0-9 alone (no sign, no
    space), or None when it writes none or one above ``maximum``."""
    if not text or not text.isascii() or not text.isdecimal() or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None
