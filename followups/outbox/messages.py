"""Messages into the outbox: rendered once, when the row is created, in the
recipient's language, so the row holds exactly what is (or will be) sent.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeData

from followups.models import OutboundMessage
from followups.outbox.branding import branding_context
from surveys.models import Customer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str


def render(template: str, language: str, context: dict) -> Rendered:
    """Render ``followups/email/<template>.{subject.txt,txt,html}`` in ``language``,
    with the brand and, for a customer email, its texts as the admin words them."""
    base = f"followups/email/{template}"
    with translation.override(language):
        context = {**context, "LANGUAGE_CODE": language}
        context.update(branding_context(template, context))
        subject = render_to_string(f"{base}.subject.txt", context)
        body_text = render_to_string(f"{base}.txt", context)
        body_html = render_to_string(f"{base}.html", context)
    return normalized(subject, body_text, body_html)


def normalized(subject: str, body_text: str, body_html: str) -> Rendered:
    """An email as it is stored: the subject on one line and at most 255
    characters, the text part ending in one newline, the HTML trimmed. (Also
    for emails assembled from a rendering, so they come out the same.)"""
    return Rendered(
        subject=" ".join(subject.split())[:255],
        body_text=body_text.strip() + "\n",
        body_html=body_html.strip(),
    )


# A rendered email cut at its markers: (subject, text, HTML), each a list of
# literal pieces with a field name between every two.
Variant = tuple[list[str], list[str], list[str]]

# Values a merged field takes in the check of a variant: awkward ones (spaces,
# quotes, markup, a line break, a number that would show thousands separators).
PROBE_TEXT = 'Zoë  O\'Brien & <Sons> "Ltd"\nline two'
PROBE_NUMBER = 2_147_483_647


class MergedRenderer:
    """Emails of one template that differ in the values they print, each
    exactly what ``render`` makes of it, at a fraction of the cost.

    Each variant (a language, the values that decide the template's shape:
    which merged values are empty, and the ``fixed`` ones) is rendered once
    with a marker in place of each merged value; an email is its variant with
    its values put in (in the HTML part HTML-escaped, or through the filter
    ``html_filters`` names, as the template does) and normalized as ``render``
    normalizes it. Before a variant is used it is compared with a full
    rendering of awkward probe values, which catches a template that does
    anything else with a merged value: that variant is then rendered in full
    for every email, and a warning says so. Variants are kept for the
    process's life (templates and catalogues change with a deployment, which
    restarts it) or until ``version_set`` says the brand or the email texts
    changed, at most ``MAX_VARIANTS`` of them."""

    MAX_VARIANTS = 2000

    def __init__(
        self, template: str, *, html_filters: Mapping[str, Callable[[str], str]] | None = None
    ) -> None:
        self.template = template
        self.html_filters = dict(html_filters or {})
        # Random per process, so no text can contain a marker by chance.
        self.tag = f"nps{secrets.token_hex(8)}"
        self.pattern = re.compile(f"{self.tag}([a-z_]+)x")
        self.variants: dict[tuple, Variant | None] = {}
        self.version: object = None

    def version_set(self, version: object) -> None:
        """Forget every variant when ``version`` (of what a rendering reads
        besides its context: the brand and the email texts) has changed."""
        if version != self.version:
            self.variants.clear()
            self.version = version

    def render(
        self, language: str, merged: Mapping[str, object], fixed: Mapping[str, object]
    ) -> Rendered:
        """``render(template, language, {**merged, **fixed})``."""
        if any(isinstance(value, SafeData) for value in merged.values()):
            # Printed unescaped by the template: not what the merge assumes.
            return render(self.template, language, {**merged, **fixed})
        key = (
            language,
            tuple(sorted((name, True if value else value) for name, value in merged.items())),
            tuple(sorted(fixed.items())),
        )
        if key not in self.variants:
            if len(self.variants) >= self.MAX_VARIANTS:
                self.variants.clear()
            self.variants[key] = self._compile(language, merged, fixed)
        variant = self.variants[key]
        if variant is None:
            return render(self.template, language, {**merged, **fixed})
        return self._fill(variant, {name: str(value) for name, value in merged.items() if value})

    def _compile(
        self, language: str, merged: Mapping[str, object], fixed: Mapping[str, object]
    ) -> Variant | None:
        markers = {name: f"{self.tag}{name}x" if value else value for name, value in merged.items()}
        rendered = render(self.template, language, {**markers, **fixed})
        variant = (
            self.pattern.split(rendered.subject),
            self.pattern.split(rendered.body_text),
            self.pattern.split(rendered.body_html),
        )
        probe = {
            name: (PROBE_NUMBER if isinstance(value, int) else PROBE_TEXT) if value else value
            for name, value in merged.items()
        }
        expected = render(self.template, language, {**probe, **fixed})
        filled = self._fill(variant, {name: str(value) for name, value in probe.items() if value})
        if filled != expected:
            logger.warning(
                "The %s email in %s cannot be merged for %s; each is rendered in full.",
                self.template,
                language,
                ", ".join(f"{name}={value!r}" for name, value in sorted(fixed.items()))
                or "these values",
            )
            return None
        return variant

    def _fill(self, variant: Variant, values: Mapping[str, str]) -> Rendered:
        html_values = {
            name: self.html_filters[name](value) if name in self.html_filters else escape(value)
            for name, value in values.items()
        }
        return variant_fill(variant, values, html_values)


def variant_fill(
    variant: Variant, values: Mapping[str, str], html_values: Mapping[str, str]
) -> Rendered:
    """A variant with each marker replaced by its field's value (``html_values``
    in the HTML part), normalized as ``render`` normalizes an email."""
    parts = []
    for pieces, field_values in zip(variant, (values, values, html_values), strict=True):
        filled = list(pieces)
        filled[1::2] = [field_values[name] for name in pieces[1::2]]
        parts.append("".join(filled))
    return normalized(*parts)


def email_queue(
    *,
    template: str,
    dedupe_key: str,
    recipient: str,
    language: str,
    context: dict,
    customer: Customer | None = None,
    response_id: int | None = None,
    case_id: int | None = None,
    survey_id: int | None = None,
    created_by=None,
    from_name: str = "",
    reply_to: str = "",
) -> OutboundMessage:
    """Create the outbox row for one email to the address ``recipient``, or
    return the one that already has this dedupe key. The caller enqueues
    sending after its transaction commits."""
    existing = OutboundMessage.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    rendered = render(template, language, context)
    email = OutboundMessage(
        dedupe_key=dedupe_key,
        template=template,
        language=language,
        channel=OutboundMessage.Channel.EMAIL,
        recipient=recipient,
        customer=customer,
        response_id=response_id,
        case_id=case_id,
        survey_id=survey_id,
        created_by=created_by,
        from_name=from_name,
        reply_to=reply_to,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
    )
    try:
        with transaction.atomic():
            email.save()
    except IntegrityError:
        return OutboundMessage.objects.get(dedupe_key=dedupe_key)
    return email
