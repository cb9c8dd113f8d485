"""Customer emails with sample data, as the brand and the email texts make
them today: the admin's preview, and a test sent to the person asking."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from followups.models import Offer, OutboundMessage, Reward
from followups.outbox.language import format_when
from followups.outbox.messages import Rendered, email_queue, render
from followups.publish import messages_enqueue
from surveys.branding import EmailKind
from surveys.models import Survey

SAMPLE_CUSTOMER = "Alex Example"
SAMPLE_CODE = "SAMPLE-0000-0000"


def _link(name: str, token: str) -> str:
    # A token no invitation has: the link opens the "not found" page, records nothing.
    return settings.PUBLIC_BASE_URL + reverse(f"surveys:{name}", args=[token])


def _invitation(language: str, reminder: bool) -> dict:
    survey = Survey.objects.filter(status=Survey.Status.ACTIVE).first() or Survey(
        name=str(_("Sample survey"))
    )
    answer = _link("answer", "sample")
    return {
        "question": survey.text_for(language)[0],
        "survey_name": survey.name,
        "score_links": [(score, f"{answer}?score={score}") for score in range(11)],
        "expires": format_when(timezone.now() + timedelta(days=30), language),
        "unsubscribe_url": _link("unsubscribe", "sample"),
        "reminder": reminder,
    }


def _incentive(kind: str, language: str) -> dict:
    expires = format_when(timezone.now() + timedelta(days=30), language)
    if kind == EmailKind.OFFER:
        offer = Offer.objects.filter(is_default=True).first()
        description = offer.description_in(language) if offer else str(_("An offer"))
        return {"score": 8, "offer": description, "code": SAMPLE_CODE, "expires": expires}
    reward = Reward.objects.filter(is_default=True).first()
    return {
        "score": 10,
        "reward": reward.description_in(language) if reward else str(_("A reward")),
        "kind": reward.kind if reward else "",
        "code": SAMPLE_CODE,
        "expires": expires,
        "referral_code": "",
        "link": "",
    }


def sample_context(kind: str, language: str, staff_name: str = "") -> dict:
    """What an email of ``kind`` is rendered with, made up but shaped as real."""
    context: dict = {"customer_name": SAMPLE_CUSTOMER, "survey_name": str(_("Sample survey"))}
    if kind in (EmailKind.INVITATION, EmailKind.REMINDER):
        context.update(_invitation(language, reminder=kind == EmailKind.REMINDER))
    elif kind in (EmailKind.OFFER, EmailKind.REWARD):
        context.update(_incentive(kind, language))
    else:
        context.update(
            score=3,
            comment=str(_("The delivery came two days late.")),
            contact_name=staff_name,
            due=format_when(timezone.now() + timedelta(hours=24), language),
            case_id=12345,
        )
    return context


def template_of(kind: str) -> str:
    """The template an email kind is written with (a reminder is an invitation)."""
    return "invitation" if kind == EmailKind.REMINDER else kind


def email_preview(*, kind: str, language: str) -> Rendered:
    return render(template_of(kind), language, sample_context(kind, language))


def sample_email_send(*, kind: str, language: str, user) -> OutboundMessage:
    """Queue the sample email of ``kind`` in ``language`` to ``user``'s own
    address, through the outbox like any other."""
    if not user.email:
        raise ValidationError(
            _("Your user has no email address: add one to your profile to receive a test.")
        )
    name = user.get_full_name() or user.get_username()
    with transaction.atomic():
        email = email_queue(
            template=template_of(kind),
            dedupe_key=f"test:{kind}:{language}:{user.pk}:{uuid.uuid4().hex}",
            recipient=user.email,
            language=language,
            context=sample_context(kind, language, staff_name=name),
            created_by=user,
        )
        messages_enqueue(message_ids=[email.pk])
    return email
