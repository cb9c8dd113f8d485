"""The two questions a customer answers on the survey page."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import COMMENT_MAX_LENGTH

SCORES = [str(score) for score in range(11)]


def score_from_query(value: str | None) -> str | None:
    """The score of a one-click email link (``?score=N``), or None when it is
    missing or not a whole number from 0 to 10."""
    if value is not None and re.fullmatch(r"10|[0-9]", value):
        return value
    return None


class ScoreForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=[(score, score) for score in SCORES],
        coerce=int,
        error_messages={
            "required": _("Please choose a score from 0 to 10."),
            "invalid_choice": _("Please choose a score from 0 to 10."),
        },
    )


class CommentField(forms.CharField):
    def to_python(self, value):
        # Browsers count a line break as one character for maxlength but send
        # it as two (CRLF): count it the way the customer saw it.
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


class CommentForm(forms.Form):
    comment = CommentField(
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "Please shorten your answer to at most %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
        },
    )
