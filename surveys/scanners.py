"""Requests that are not a person: mail scanners, link checkers and preview
fetchers open every link of an email as it arrives, and some of them run the
page's script. The survey page's one-click answer and the reward's tracked
link both leave such requests unrecorded."""

from __future__ import annotations

from datetime import datetime, timedelta

# Fragments (lower case) of the user agents of mail scanners, link checkers
# and preview fetchers: the one list to maintain.
SCANNER_AGENTS = (
    "bot",
    "preview",
    "crawler",
    "spider",
    "scanner",
    "safelinks",
    "safe links",
    "microsoft office",
    "ms-office",
    "defender",
    "proofpoint",
    "ppops",
    "mimecast",
    "barracuda",
    "googleimageproxy",
    "ggpht.com",
    "symantec",
    "messagelabs",
    "trendmicro",
    "sophos",
    "fortinet",
    "forcepoint",
    "cisco",
    "ironport",
    "zscaler",
    "skypeuripreview",
    "slackbot",
    "facebookexternalhit",
    "whatsapp",
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "go-http-client",
    "java/",
    "okhttp",
    "headlesschrome",
)

# A person does not open an email and press its button within this long of
# its sending; a scanner at the receiving server does.
PREFETCH_WINDOW = timedelta(seconds=5)


def automated_agent(user_agent: str) -> bool:
    """Whether the user agent is a scanner's, link checker's or headless browser's."""
    agent = user_agent.lower()
    return any(fragment in agent for fragment in SCANNER_AGENTS)


def too_soon(sent_at: datetime | None, now: datetime) -> bool:
    """Whether a request came so soon after the email was sent that no person sent it."""
    return sent_at is not None and now - sent_at < PREFETCH_WINDOW
