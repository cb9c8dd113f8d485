"""An alert as Slack gets it: Block Kit built with slack_sdk's block models,
every piece of text from people (the comment, the segment, names) inert.

Customer text is never mrkdwn: it goes into ``plain_text`` objects, which
Slack does not format (``*bold*``, ``_italic_``, ``~strike~`` and backticks
stay characters), with Slack's three control characters escaped (``&``,
``<``, ``>``: so ``<!channel>``, ``<@U123>`` and ``<http://evil|click>``
arrive as text, never a mention or a link), and URLs, email addresses and
domain names defanged (``https[:]//evil[.]example``), so no client turns one
into a link. The only link in an alert is the button to the case.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_sdk.models.blocks import Block, PlainTextObject

HEADER_LIMIT = 150  # Block Kit's limits, in characters as sent (escaped)
FIELD_LIMIT = 2000
TEXT_LIMIT = 3000
ELLIPSIS = "…"

_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{1,20}):(?=/)")
_MAILTO = re.compile(r"(?i)\b(mailto|tel|slack):")
# A dot between a letter or digit and two or more letters: a domain's dots
# ("evil.example", "a@b.example"), never a decimal number ("4.5").
_DOMAIN_DOT = re.compile(r"(?<=[^\W_])\.(?=[^\W\d_]{2,})")


def escaped(text: str) -> str:
    """Slack's escaping: its three control characters, and only those."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def defanged(text: str) -> str:
    """``text`` with what a chat client would make a link broken up:
    ``http://`` becomes ``http[:]//``, ``evil.example`` becomes ``evil[.]example``."""
    text = _SCHEME.sub(r"\1[:]", text)
    text = _MAILTO.sub(r"\1[:]", text)
    return _DOMAIN_DOT.sub("[.]", text)


def inert(text: str, limit: int) -> str:
    """People's text, safe to post and at most ``limit`` characters once
    escaped (cut with an ellipsis, never in the middle of an escape)."""
    safe = escaped(defanged(text))
    if len(safe) <= limit:
        return safe
    parts, room = [], limit - len(ELLIPSIS)
    for char in defanged(text):
        part = escaped(char)
        if len(part) > room:
            break
        parts.append(part)
        room -= len(part)
    return "".join(parts) + ELLIPSIS


def plain(text: str, limit: int = TEXT_LIMIT) -> PlainTextObject:
    from slack_sdk.models.blocks import PlainTextObject

    return PlainTextObject(text=inert(text, limit), emoji=False)


@dataclass(frozen=True)
class Alert:
    """What one alert says, already in the alert's language. ``fields`` are
    (label, value) pairs; every string is people's text or ours, and all of
    it is made inert."""

    title: str
    fields: list[tuple[str, str]]
    comment_label: str
    comment: str
    link_label: str
    link: str
    footer: str


def blocks_for(alert: Alert) -> list[Block]:
    # slack_sdk is loaded by the worker that posts alerts, not by every web
    # process that imports the admin (a few MB of resident memory each).
    from slack_sdk.models.blocks import (
        ActionsBlock,
        ButtonElement,
        ContextBlock,
        HeaderBlock,
        PlainTextObject,
        SectionBlock,
    )

    return [
        HeaderBlock(text=plain(alert.title, HEADER_LIMIT)),
        SectionBlock(
            fields=[plain(f"{label}: {value}", FIELD_LIMIT) for label, value in alert.fields]
        ),
        SectionBlock(text=plain(f"{alert.comment_label}\n{alert.comment}")),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=PlainTextObject(text=inert(alert.link_label, 75), emoji=False),
                    url=alert.link,
                    action_id="open",
                )
            ]
        ),
        ContextBlock(elements=[plain(alert.footer)]),
    ]


def message_json(alert: Alert) -> str:
    """The JSON posted to the incoming webhook. ``text`` is the notification's
    (and a chat without Block Kit's) text: the title, inert as well."""
    message = {
        "text": inert(alert.title, TEXT_LIMIT),
        "blocks": [block.to_dict() for block in blocks_for(alert)],
        "unfurl_links": False,
        "unfurl_media": False,
    }
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))
