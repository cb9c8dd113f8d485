"""The brand customers see, and the wording of each kind of customer email, per language."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..branding import (
    DEFAULT_TEXTS,
    TEXT_PARTS,
    EmailKind,
    placeholders_validate,
    validate_brand_colour,
)
from ..fields import SingleLineCharField
from .languages import TRANSLATED_LOCALES, Locale, translated_field_name


class Brand(models.Model):
    """The company customers see on survey pages and in every email to them:
    one per installation, the row with id 1 (``Brand.current``)."""

    SINGLE_ID = 1

    company_name = SingleLineCharField(
        _("company name"),
        max_length=100,
        blank=True,
        help_text=_("Shown at the top of survey pages and emails. Empty: no name is shown."),
    )
    logo = models.BinaryField(_("logo"), blank=True, default=b"", editable=False)
    logo_content_type = models.CharField(_("logo type"), max_length=20, blank=True, editable=False)
    logo_digest = models.CharField(_("logo digest"), max_length=16, blank=True, editable=False)
    primary_colour = models.CharField(
        _("primary colour"),
        max_length=7,
        default="#0969da",
        help_text=_("Headers and buttons, under white text (#rrggbb)."),
    )
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        default="#1a7f37",
        help_text=_("Codes, links and the reward button in emails (#rrggbb)."),
    )
    sender_name = SingleLineCharField(
        _("sender name"),
        max_length=100,
        blank=True,
        help_text=_(
            'Who emails come from, and their signature. Empty: "Customer care" in the '
            "customer's language."
        ),
    )
    sender_address = models.EmailField(
        _("sender address"),
        blank=True,
        help_text=_("The From address of every email. Empty: the server's DEFAULT_FROM_EMAIL."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brand")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="brand_single_row"),
        ]

    def __str__(self) -> str:
        return self.company_name or str(_("Brand"))

    def clean(self) -> None:
        super().clean()
        errors = {}
        for field in ("primary_colour", "accent_colour"):
            try:
                validate_brand_colour(getattr(self, field))
            except ValidationError as error:
                errors[field] = error
        if errors:
            raise ValidationError(errors)

    @classmethod
    def current(cls) -> Brand:
        """The installation's brand, or (nothing saved yet) the defaults, unsaved."""
        return cls.objects.filter(pk=cls.SINGLE_ID).first() or cls(pk=cls.SINGLE_ID)

    def set_logo(self, data: bytes, content_type: str) -> None:
        self.logo = data
        self.logo_content_type = content_type if data else ""
        self.logo_digest = hashlib.sha256(data).hexdigest()[:16] if data else ""

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_digest)

    @property
    def style_version(self) -> str:
        """Changes with the colours: the survey pages' brand stylesheet URL
        carries it, so a browser never keeps yesterday's colours."""
        colours = f"{self.primary_colour}{self.accent_colour}".lower()
        return hashlib.sha256(colours.encode()).hexdigest()[:12]

    def stylesheet(self) -> str:
        """The survey pages' colours: the brand's, in the light scheme only
        (white text on them is what their contrast was checked against)."""
        colour = self.primary_colour
        return (
            f":root {{ --brand: {colour}; }}\n"
            "@media (prefers-color-scheme: light) {\n"
            f"  :root {{ --accent: {colour}; --accent-strong: {colour}; }}\n"
            "}\n"
        )


class EmailTextQuerySet(models.QuerySet["EmailText"]):
    def wording(self, kind: str) -> EmailText:
        """The texts of ``kind``'s emails: the saved row, or an empty one (defaults)."""
        return self.filter(kind=kind).first() or EmailText(kind=kind)


def _email_text_field(part: str, language: Locale | None = None):
    label = {"subject": _("subject"), "intro": _("opening"), "outro": _("closing")}[part]
    verbose = format_lazy("{} ({})", label, language.label) if language else label
    if part == "subject":
        return models.CharField(verbose, max_length=200, blank=True)
    return models.TextField(verbose, max_length=2000, blank=True)


class EmailText(models.Model):
    """The subject, opening and closing of one kind of customer email, in each
    language. Empty: the shipped text, translated, for that language."""

    kind = models.CharField(_("email"), max_length=20, choices=EmailKind, unique=True)
    subject = _email_text_field("subject")
    intro = _email_text_field("intro")
    outro = _email_text_field("outro")
    subject_pl = _email_text_field("subject", Locale.POLISH)
    intro_pl = _email_text_field("intro", Locale.POLISH)
    outro_pl = _email_text_field("outro", Locale.POLISH)
    subject_ru = _email_text_field("subject", Locale.RUSSIAN)
    intro_ru = _email_text_field("intro", Locale.RUSSIAN)
    outro_ru = _email_text_field("outro", Locale.RUSSIAN)
    subject_zh_hans = _email_text_field("subject", Locale.CHINESE)
    intro_zh_hans = _email_text_field("intro", Locale.CHINESE)
    outro_zh_hans = _email_text_field("outro", Locale.CHINESE)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EmailTextQuerySet.as_manager()

    class Meta:
        verbose_name = _("email text")
        verbose_name_plural = _("email texts")
        ordering = ["kind"]

    def __str__(self) -> str:
        return str(EmailKind(self.kind).label)

    @staticmethod
    def column(part: str, language: str) -> str:
        """The field holding ``part`` in ``language``: intro, intro_pl, intro_zh_hans."""
        return translated_field_name(part, language) if language in TRANSLATED_LOCALES else part

    def clean(self) -> None:
        super().clean()
        errors = {}
        for part in TEXT_PARTS:
            for language in (Locale.ENGLISH, *TRANSLATED_LOCALES):
                column = self.column(part, language)
                try:
                    placeholders_validate(getattr(self, column), self.kind)
                except ValidationError as error:
                    errors[column] = error
        if errors:
            raise ValidationError(errors)

    def text(self, part: str, language: str) -> str:
        """``part`` as written for ``language``, or else the shipped default in
        the active language (call it under ``translation.override``)."""
        written = getattr(self, self.column(part, language), "")
        return written or str(DEFAULT_TEXTS[EmailKind(self.kind)][part])
