"""SMS texts a survey sends, in the customer's language, and what one costs:
its encoding (GSM-7 when every character is in the GSM 03.38 alphabet, UCS-2
otherwise) and how many segments the networks cut it into.

A single GSM-7 message holds 160 septets, a part of a longer one 153 (its
header takes the rest); a character of the extension table (``{}[]~|^\\€``
and the form feed) takes two septets and is never cut between two parts.
UCS-2 counts UTF-16 code units: 70 in one message, 67 per part, a character
outside the Basic Multilingual Plane (an emoji) two units never cut apart.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Survey

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7, UCS2 = "GSM-7", "UCS-2"
SINGLE = {GSM7: 160, UCS2: 70}
PART = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # GSM7 or UCS2
    characters: int
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def _units(text: str, encoding: str) -> list[int]:
    """What each character of ``text`` takes in ``encoding``."""
    if encoding == GSM7:
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def sms_length(text: str) -> SmsLength:
    """The encoding, length and segment count of ``text`` as one SMS."""
    encoding = GSM7 if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text) else UCS2
    units = _units(text, encoding)
    total = sum(units)
    if total <= SINGLE[encoding]:
        return SmsLength(encoding, len(text), total, 1 if text else 0)
    # Parts are filled character by character: a two-unit character that
    # does not fit in what is left of a part starts the next one.
    segments, used = 1, 0
    for size in units:
        if used + size > PART[encoding]:
            segments, used = segments + 1, 0
        used += size
    return SmsLength(encoding, len(text), total, segments)


# --- what is sent -----------------------------------------------------------

# STOP words in the languages we speak, and those carriers expect (compared
# after case folding, without spaces and the punctuation around them).
STOP_WORDS = frozenset(
    {
        "stop",
        "stopall",
        "unsubscribe",
        "cancel",
        "end",
        "quit",
        "стоп",
        "отписаться",
        "退订",
        "rezygnuję",
        "rezygnuje",
        "wypisz",
    }
)
# A full stop may be the ideographic one ("。"), which NFKC leaves as it is.
_SCORE = re.compile(r"\s*(10|[0-9])\s*(?:/\s*10)?\s*[.!。]?\s*")


def _as_typed(text: str) -> str:
    """``text`` with its compatibility forms folded (NFKC): a Chinese or
    Japanese keyboard types full-width digits and letters (U+FF10 to U+FF5A),
    which mean what their ASCII twins mean."""
    return unicodedata.normalize("NFKC", text or "")


def sms_score(text: str) -> int | None:
    """The score a reply gives: the whole message a number from 0 to 10
    ("7", " 7 ", "10/10", "9!", the same typed full-width); None for anything
    else."""
    match = _SCORE.fullmatch(_as_typed(text))
    return int(match.group(1)) if match else None


def sms_is_stop(text: str) -> bool:
    """Whether a reply asks to hear from us no more."""
    word = re.sub(r"[\s\W_]+", "", _as_typed(text).casefold())
    return word in STOP_WORDS


def sms_invitation_text(*, survey: Survey, language: str, link: str, reminder: bool) -> str:
    """The invitation (or reminder) SMS of ``survey`` in ``language``."""
    question, _follow_up = survey.text_for(language)
    with translation.override(language):
        if reminder:
            template = _(
                "Reminder: {question} Reply with a number from 0 to 10 or answer here: {link}"
            )
        else:
            template = _("{question} Reply with a number from 0 to 10 or answer here: {link}")
        opt_out = _("Reply STOP to opt out.")
    return f"{template.format(question=question, link=link)} {opt_out}"


def sms_follow_up_text(*, survey: Survey, language: str) -> str:
    """The SMS that thanks for a score and asks the follow-up question."""
    _question, follow_up = survey.text_for(language)
    with translation.override(language):
        thanks = _("Thank you for your answer!")
        if not follow_up:
            return thanks
        invite = _("Just reply to this message.")
    return f"{thanks} {follow_up} {invite}"


def sms_stop_text(*, language: str) -> str:
    """The one confirmation a STOP gets."""
    with translation.override(language):
        return _("You have unsubscribed and will get no more messages from us.")


# An SMS invitation's short link is this long (``Invitation.sms_url``).
SAMPLE_LINK_PATH = "/i/" + "x" * 12 + "/"


def sms_invitation_sample(*, survey: Survey, language: str, reminder: bool = False) -> str:
    """The invitation (or reminder) text of ``survey`` in ``language`` with a
    link as long as every invitation's short link: what the survey's preview
    and an SMS wave's estimate count segments on."""
    link = settings.PUBLIC_BASE_URL + SAMPLE_LINK_PATH
    return sms_invitation_text(survey=survey, language=language, link=link, reminder=reminder)


def sms_outcome_text(*, template: str, language: str, context: dict) -> str:
    """What an answer by text leads to, by text: the apology (who will call,
    by when), the offer or the reward with its code. ``template`` is the
    outcome email's ("apology", "offer", "reward"), ``context`` its values."""
    with translation.override(language):
        if template == "apology":
            if context.get("contact_name"):
                return _("We are sorry to hear that. {contact} will contact you by {due}.").format(
                    contact=context["contact_name"], due=context["due"]
                )
            return _("We are sorry to hear that. We will contact you by {due}.").format(
                due=context["due"]
            )
        what = context.get("offer") if template == "offer" else context.get("reward")
        text = _("Thank you! {what}").format(what=what or "")
        if context.get("code"):
            text += " " + _("Your code: {code}").format(code=context["code"])
            if context.get("expires"):
                # The email's own wording, so both say the same in each language.
                text += " " + _("Valid until %(expires)s.") % {"expires": context["expires"]}
        if context.get("referral_code"):
            text += " " + _("Your referral code for friends:") + " " + context["referral_code"]
        if context.get("link"):
            text += " " + context["link"]
        return text
