"""The 0-10 score as every way in receives it: one parser for the API, the bulk
import, the survey page, the email link and the recording service."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SCORES = tuple(range(11))
SCORE_INVALID = _("The score must be a whole number from 0 to 10.")


class ScoreInvalid(ValidationError):
    """Not a score: what every entry point reports, each in its own shape."""

    def __init__(self):
        super().__init__(SCORE_INVALID, code="invalid")


def score_parse(value) -> int:
    """A score from a number (``8``, or ``8.0`` as JSON may carry it) or its
    text exactly as a form or a link sends it (``"8"``); ``ScoreInvalid``
    for anything else: ``True``, ``7.5``, ``"7.5"``, ``"8.0"``, ``"08"``,
    ``" 8"``, ``11``, ``None``."""
    if isinstance(value, bool):
        raise ScoreInvalid
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value in _TEXTS:
        value = _TEXTS[value]
    if not isinstance(value, int) or value not in SCORES:
        raise ScoreInvalid
    return value


_TEXTS = {str(score): score for score in SCORES}
