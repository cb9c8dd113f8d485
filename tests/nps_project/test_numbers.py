"""Whole numbers read from typed text: ASCII digits only, never a ValueError."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nps_project.numbers import MAX_ID, whole_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("42", 42),
        ("007", 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1 ", None),
        ("1_000", None),
        ("1e3", None),
        ("\u00b2", None),  # superscript two: a digit to str.isdigit, a ValueError to int
        ("1\u00b2", None),
        ("\u2460", None),  # circled one
        ("\u0663", None),  # Arabic-Indic three: int reads it, no id is written so
        ("\uff11", None),  # fullwidth one
    ],
)
def test_a_whole_number_is_ascii_digits_alone(text, number):
    assert whole_number(text) == number


def test_a_number_above_the_maximum_is_none():
    assert whole_number("10", maximum=9) is None
    assert whole_number("9", maximum=9) == 9


@given(st.text(max_size=25))
def test_any_text_gives_the_number_it_writes_or_none_and_never_raises(text):
    number = whole_number(text)

    if number is None:
        assert not (text.isascii() and text.isdecimal()) or int(text) > MAX_ID
    else:
        assert text.isascii() and int(text) == number <= MAX_ID
