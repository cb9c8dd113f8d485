"""Short text typed or imported from outside (a customer's name, a segment):
one line, no control characters, whichever way it comes in."""

from __future__ import annotations

import re
import unicodedata

# Line and tab characters become a space ("Anna\tKowalska" keeps its two
# words); every other control character (NUL, ESC, DEL, C1) is dropped.
_SPACING = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")


def single_line(value: str) -> str:
    """``value`` without control characters or line breaks, trimmed.

    A name or segment ends up in email bodies, CSV files, log lines and admin
    pages: a CR/LF there forges a line ("\\r\\nBcc: ..."), and PostgreSQL
    refuses a NUL outright.
    """
    value = _SPACING.sub(" ", value)
    if value.isprintable():
        return value.strip()
    return "".join(char for char in value if unicodedata.category(char) != "Cc").strip()
