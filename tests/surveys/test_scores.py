"""The one score parser: what every way in (API, bulk, page, email link) accepts."""

from __future__ import annotations

import pytest
from django.utils import translation

from surveys.scores import ScoreInvalid, score_parse


@pytest.mark.parametrize(
    ("given", "expected"), [(0, 0), (10, 10), (8.0, 8), ("0", 0), ("7", 7), ("10", 10)]
)
def test_numbers_and_their_plain_text_are_scores(given, expected):
    assert score_parse(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        -1,
        11,
        7.5,
        float("nan"),
        float("inf"),
        True,
        False,
        None,
        "",
        "7.5",
        "7.0",
        "07",
        " 7",
        "7 ",
        "-1",
        "11",
        "seven",
        "٣",
        [7],
        {"score": 7},
    ],
)
def test_anything_else_is_refused_with_one_error(given):
    with pytest.raises(ScoreInvalid) as refused:
        score_parse(given)

    assert refused.value.messages == ["The score must be a whole number from 0 to 10."]


def test_the_message_is_in_the_language_of_the_request():
    with pytest.raises(ScoreInvalid) as refused:
        score_parse("eleven")

    with translation.override("pl"):
        assert refused.value.messages == ["Ocena musi być liczbą całkowitą od 0 do 10."]
