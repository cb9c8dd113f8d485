"""People's text made inert for Slack: escaped, defanged, cut to Block Kit's limits."""

from __future__ import annotations

import pytest

from followups.chat.blocks import defanged, escaped, inert
from followups.models import url_masked


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<@U123|boss>", "&lt;@U123|boss&gt;"),
        ("<http://evil.example|click>", "&lt;http[:]//evil[.]example|click&gt;"),
        ("fish & chips", "fish &amp; chips"),
        ("&lt; already", "&amp;lt; already"),
        ("see https://evil.example/x", "see https[:]//evil[.]example/x"),
        ("mailto:a@evil.example", "mailto[:]a@evil[.]example"),
        ("score 4.5 of 5, e.g. slow", "score 4.5 of 5, e.g. slow"),
        ("*bold* _it_ ~no~ `x`", "*bold* _it_ ~no~ `x`"),
    ],
)
def test_people_text_arrives_as_text(text, shown):
    assert inert(text, 3000) == shown


def test_escaping_is_slacks_three_characters_only():
    assert escaped("<a href=\"x\">'&'</a>") == "&lt;a href=\"x\"&gt;'&amp;'&lt;/a&gt;"
    assert defanged("no links here") == "no links here"


@pytest.mark.parametrize("text", ["<" * 5000, "a" * 5000, "&" * 999 + "b" * 10])
def test_long_text_is_cut_within_the_limit_never_inside_an_escape(text):
    cut = inert(text, 3000)
    assert len(cut) <= 3000
    assert cut.endswith("…")
    body = cut[:-1]
    assert body.replace("&lt;", "").replace("&amp;", "").strip("ab") == ""


def test_an_incoming_webhook_url_is_shown_by_host_and_last_four_characters():
    url = "https://hooks.slack.com/services/T0000/B0000/abcdefghijklmnopqrstuvwx"
    assert url_masked(url) == "https://hooks.slack.com/…uvwx"
    assert "abcdef" not in url_masked(url)
