"""The two questions a customer answers on the survey page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import scores
from .scores import ScoreInvalid, score_parse
from .services import COMMENT_MAX_LENGTH

SCORES = [str(score) for score in scores.SCORES]
CHOOSE_A_SCORE = _("Please choose a score from 0 to 10.")
CHOOSE_A_DRIVER = _("Please choose one of the reasons listed, or none.")


def score_from_query(value: str | None) -> str | None:
    """The score of a one-click email link (``?score=N``) to preselect, or None
    when it is missing or not a score."""
    try:
        return str(score_parse(value))
    except ScoreInvalid:
        return None


class ScoreFormField(forms.Field):
    """The page's buttons, read by ``surveys.scores.score_parse``; a customer
    is asked to choose rather than told the rule an integrator is told."""

    default_error_messages = {"required": CHOOSE_A_SCORE, "invalid": CHOOSE_A_SCORE}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return score_parse(value)
        except ScoreInvalid:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class ScoreForm(forms.Form):
    score = ScoreFormField()


class CommentField(forms.CharField):
    def to_python(self, value):
        # Browsers count a line break as one character for maxlength but send
        # it as two (CRLF): count it the way the customer saw it.
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


class CommentForm(forms.Form):
    """The follow-up: the driver question's radio buttons, when the survey
    asks one and the answer has none yet (``drivers``: (key, label) pairs in
    the customer's language), and the comment. Both optional."""

    def __init__(self, *args, drivers=(), **kwargs):
        super().__init__(*args, **kwargs)
        if drivers:
            self.fields["driver"] = forms.ChoiceField(
                required=False,
                choices=list(drivers),
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": CHOOSE_A_DRIVER},
            )

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


class EmployeeAnswerForm(forms.Form):
    """An employee's whole answer on one page: the score, a comment, and a
    contact only if they ask to be called back."""

    score = ScoreFormField()
    comment = CommentField(required=False, max_length=COMMENT_MAX_LENGTH)
    contact = forms.EmailField(
        required=False,
        label=_("Your email, if you want someone to contact you"),
        help_text=_(
            "Optional. Leave it empty to stay anonymous. If you write it and your score is "
            "6 or lower, a colleague will contact you, and will see your score with it."
        ),
    )
    note = forms.CharField(
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("A note for whoever contacts you (optional)"),
        help_text=_(
            "Only with your email. Your comment above stays anonymous and is not passed on: "
            "write here what the colleague who calls you back should know."
        ),
    )
