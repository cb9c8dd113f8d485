"""What an SMS wave will cost, before it is sent: per language its customers
are texted in, how many will get the invitation text, its encoding and the
segments each costs (providers bill per segment), counted as the survey's
SMS preview counts them (``surveys.sms``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Value
from django.db.models.functions import Coalesce, NullIf

from followups.invitations.waves import WavePlan
from surveys.models import Locale
from surveys.sms import sms_invitation_sample, sms_length


@dataclass(frozen=True)
class SmsLanguageCost:
    language: str
    label: str
    customers: int
    encoding: str
    segments_each: int

    @property
    def segments(self) -> int:
        return self.customers * self.segments_each


@dataclass(frozen=True)
class SmsWaveCost:
    languages: list[SmsLanguageCost]

    @property
    def customers(self) -> int:
        return sum(row.customers for row in self.languages)

    @property
    def segments(self) -> int:
        return sum(row.segments for row in self.languages)


def sms_wave_cost(plan: WavePlan) -> SmsWaveCost:
    """The segments the first texts of ``plan`` will cost, per language (the
    customer's, else the survey's default: ``emails.language_for``'s rule).
    Reminders, which only the customers who do not answer get, are not
    counted."""
    survey = plan.survey
    fallback = survey.default_locale or settings.LANGUAGE_CODE
    rows = (
        plan.customers_to_send.order_by()
        .annotate(language=Coalesce(NullIf("locale", Value("")), Value(fallback)))
        .values("language")
        .annotate(customers=Count("pk"))
        .order_by("language")
    )
    labels = dict(Locale.choices)
    languages = []
    for row in rows:
        length = sms_length(sms_invitation_sample(survey=survey, language=row["language"]))
        languages.append(
            SmsLanguageCost(
                language=row["language"],
                label=str(labels.get(row["language"], row["language"])),
                customers=row["customers"],
                encoding=length.encoding,
                segments_each=length.segments,
            )
        )
    return SmsWaveCost(languages)
