"""The brand and the editable texts an email is rendered with: the company's
name, logo and colours for every email, and for a customer email of an
editable kind its subject, opening and closing in the recipient's language."""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext

from surveys.branding import PLACEHOLDERS, TEXT_PARTS, EmailKind, text_fill
from surveys.models import Brand, EmailText


def email_kind(template: str, context: dict) -> str | None:
    """The editable kind an email template renders, or None (staff emails,
    a case message written by a person)."""
    if template == "invitation":
        return EmailKind.REMINDER if context.get("reminder") else EmailKind.INVITATION
    return template if template in EmailKind.values else None


def logo_url(brand: Brand) -> str:
    if not brand.has_logo:
        return ""
    return settings.PUBLIC_BASE_URL + reverse("surveys:brand_logo", args=[brand.logo_digest])


def brand_context(brand: Brand) -> dict[str, str]:
    """What templates show of the brand (call it in the recipient's language)."""
    return {
        "company_name": brand.company_name,
        "sender_name": brand.sender_name or gettext("Customer care"),
        "primary": brand.primary_colour,
        "accent": brand.accent_colour,
        "logo_url": logo_url(brand),
    }


def texts_context(kind: str, wording: EmailText, context: dict, brand: dict) -> dict[str, str]:
    """The subject, opening and closing of a ``kind`` email in the active
    language, their placeholders filled from ``context`` and ``brand``. Plain
    text: the templates escape it."""
    values = {name: context.get(name, "") for name in PLACEHOLDERS[kind]}
    values.update(company_name=brand["company_name"], sender_name=brand["sender_name"])
    language = context["LANGUAGE_CODE"]
    return {f"email_{part}": text_fill(wording.text(part, language), values) for part in TEXT_PARTS}


def branding_context(template: str, context: dict) -> dict:
    """What ``render`` adds to a template's context: ``brand`` always, and
    ``email_subject``, ``email_intro``, ``email_outro`` for an editable kind.
    Runs in the recipient's language (``context["LANGUAGE_CODE"]``)."""
    brand = brand_context(Brand.current())
    added: dict = {"brand": brand}
    kind = email_kind(template, context)
    if kind is not None:
        wording = EmailText.objects.wording(kind)
        added.update(texts_context(kind, wording, context, brand))
    return added


def sender_address() -> str:
    """The From header of every email: the brand's sender name and address,
    each falling back to DEFAULT_FROM_EMAIL's."""
    brand = Brand.current()
    default_name, default_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((brand.sender_name or default_name, brand.sender_address or default_address))


def branding_version() -> tuple:
    """When the brand and the email texts last changed: what an email
    rendered earlier may no longer match. Two indexed reads."""
    return (
        Brand.objects.filter(pk=Brand.SINGLE_ID).values_list("updated_at", flat=True).first(),
        EmailText.objects.aggregate(changed=Max("updated_at"))["changed"],
    )
