"""Workflows over customers, invitations and responses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from . import audit, handoff, stats
from .erasure import PersonalData, admin_log_scrub
from .models import Channel, Customer, CustomerImport, Invitation, Locale, Response, Survey
from .scores import ScoreInvalid, score_parse

SUPPORTED_LOCALES = {choice.value for choice in Locale}


def normalize_locale(value: str | None) -> str:
    """Map 'pl-PL', 'zh', 'zh_CN', 'RU' ... to a supported code, or ''."""
    if not value:
        return ""
    code = value.strip().lower().replace("_", "-")
    if code in SUPPORTED_LOCALES:
        return code
    if code.startswith("zh"):
        return Locale.CHINESE
    base = code.split("-", 1)[0]
    return base if base in SUPPORTED_LOCALES else ""


def customer_upsert(
    *,
    email: str | None = None,
    name: str = "",
    external_id: str | None = None,
    segment: str = "",
    locale: str = "",
    update_existing: bool = True,
) -> tuple[Customer, bool]:
    """Find the customer by external id, else by email (case-insensitive), and
    update the fields given (unless ``update_existing`` is false: a caller
    that may not change customers only names one); create one when neither
    matches."""
    email = (email or "").strip() or None
    external_id = (external_id or "").strip() or None
    if not email and not external_id:
        raise ValidationError({"email": "An email address or an external id is required."})

    customer = None
    if external_id:
        customer = Customer.objects.filter(external_id=external_id).first()
    if customer is None and email:
        customer = Customer.objects.with_email(email).first()

    fields = {
        "email": email,
        "name": name.strip(),
        "external_id": external_id,
        "segment": segment.strip(),
        "locale": normalize_locale(locale),
    }
    if customer is None:
        if not email:
            raise ValidationError({"email": "A new customer needs an email address."})
        customer = Customer(**fields)
        customer.full_clean()
        try:
            with transaction.atomic():
                customer.save()
        except IntegrityError:
            # Created concurrently by another request: use that one.
            return Customer.objects.with_email(email).get(), False
        return customer, True

    if customer.is_erased:
        raise ValidationError({"customer": "This customer was erased and cannot be updated."})
    customer_identity_check(customer=customer, email=email, external_id=external_id)
    if not update_existing:
        return customer, False
    changed = [k for k, v in fields.items() if v and getattr(customer, k) != v]
    for key in changed:
        setattr(customer, key, fields[key])
    if changed:
        customer.full_clean()
        customer.save(update_fields=[*changed, "updated_at"])
    return customer, False


EXTERNAL_ID_CONFLICT = "An existing customer has this external id with a different email address."
EMAIL_CONFLICT = "An existing customer has this email address with a different external id."


class CustomerConflict(ValidationError):
    """The details name a stored customer by one identifier and contradict its
    other one. Never resolved by overwriting: that would move a customer's
    offers and codes to whoever sent the details."""


def customer_identity_check(*, customer, email: str | None, external_id: str | None) -> None:
    """Raise ``CustomerConflict`` when ``email`` or ``external_id`` contradicts
    the stored customer's (an identifier it does not have yet is no conflict)."""
    same_email = bool(email and customer.email and customer.email.lower() == email.lower())
    if external_id and customer.external_id == external_id and email and customer.email:
        if not same_email:
            raise CustomerConflict({"external_id": EXTERNAL_ID_CONFLICT})
    elif same_email and external_id and customer.external_id:
        raise CustomerConflict({"email": EMAIL_CONFLICT})


@dataclass(frozen=True)
class Recorded:
    response: Response
    created: bool


def _score_checked(score) -> int:
    try:
        return score_parse(score)
    except ScoreInvalid as exc:
        raise ValidationError({"score": exc.messages}) from None


def response_record(
    *,
    survey: Survey,
    customer: Customer,
    score: int,
    comment: str = "",
    channel: str = Channel.LINK,
    submitted_at: datetime | None = None,
    idempotency_key: str | None = None,
    invitation: Invitation | None = None,
    locale: str = "",
    api_client=None,
) -> Recorded:
    """Store one answer and, once committed, hand it over for routing.

    Idempotent twice over: the same idempotency key, or a second answer to the
    same invitation, returns the response already stored (``created=False``)
    and changes nothing. Idempotency keys are per ``api_client`` (the user an
    API key acts as; None for answers from elsewhere).
    """
    score = _score_checked(score)
    idempotency_key = (idempotency_key or "").strip() or None
    if idempotency_key:
        existing = Response.objects.filter(
            api_client=api_client, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return Recorded(existing, created=False)
    if invitation is not None:
        existing = Response.objects.filter(invitation=invitation).first()
        if existing is not None:
            return Recorded(existing, created=False)
    if not survey.is_accepting_responses:
        raise ValidationError(
            {"survey": f"The survey '{survey.slug}' is {survey.status} and takes no answers."}
        )
    if customer.is_erased:
        raise ValidationError({"customer": "This customer was erased; no answer can be added."})
    now = timezone.now()
    if submitted_at is not None and submitted_at > now + timedelta(minutes=5):
        raise ValidationError({"submitted_at": "The submission time is in the future."})

    response = Response(
        survey=survey,
        customer=customer,
        invitation=invitation,
        score=score,
        category=stats.classify(score),
        comment=(comment or "").strip(),
        channel=channel,
        submitted_at=submitted_at or now,
        segment=customer.segment,
        locale=normalize_locale(locale) or customer.locale or survey.default_locale,
        idempotency_key=idempotency_key,
        api_client=api_client,
    )
    # The checks that would cost queries cannot fail here: survey and customer
    # are rows in hand, the score is checked and the category derived from it.
    # The database enforces all of them on insert anyway.
    response.full_clean(
        exclude=["invitation", "idempotency_key", "category", "survey", "customer", "api_client"],
        validate_constraints=False,
    )
    try:
        with transaction.atomic():
            response.save()
            if invitation is not None:
                Invitation.objects.filter(pk=invitation.pk, responded_at__isnull=True).update(
                    responded_at=now
                )
            transaction.on_commit(lambda: handoff.response_recorded([response.pk]))
    except IntegrityError:
        # Lost a race with an identical submission: return the winner.
        winner = None
        if idempotency_key:
            winner = Response.objects.filter(
                api_client=api_client, idempotency_key=idempotency_key
            ).first()
        if winner is None and invitation is not None:
            winner = Response.objects.filter(invitation=invitation).first()
        if winner is None:
            raise
        return Recorded(winner, created=False)
    return Recorded(response, created=True)


def customer_erase(*, customer: Customer, actor=None, via: str = audit.SYSTEM) -> Customer:
    """Remove a customer's personal data on request, from every row that holds
    it (see ``surveys.erasure``). Their answers stay, without comment or
    identity, so statistics do not change. Erasing again changes nothing.
    ``actor`` and ``via`` name who asked, in the audit trail (``actor`` None:
    the current request's)."""
    now = timezone.now()
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if customer.is_erased:
            return customer
        # Read before the columns are emptied: what to look for everywhere else.
        personal = PersonalData.of(customer)
        personal_email, personal_external_id = customer.email, customer.external_id
        customer.email = None
        customer.name = ""
        customer.external_id = None
        customer.erased_at = now
        customer.save(update_fields=["email", "name", "external_id", "erased_at", "updated_at"])
        # This also locks their answers, which orders the erasure against
        # routing (it claims answers with row locks, skipping locked ones): an
        # answer being routed now is finished first, and its case and emails
        # are then scrubbed below; one not yet claimed is later skipped as erased.
        customer.responses.update(comment="")
        customer.invitations.filter(responded_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        # The admin's history names the customer as they were then, perhaps by
        # an earlier name: replaced whole.
        admin_log_scrub(
            model=Customer, ids=[customer.pk], personal=personal, new_repr=str(customer)
        )
        for model, related in ((Response, customer.responses), (Invitation, customer.invitations)):
            ids = list(related.values_list("pk", flat=True))
            admin_log_scrub(model=model, ids=ids, personal=personal)
        _imports_waiting_refuse(email=personal_email, external_id=personal_external_id)
        # Same transaction: personal data goes everywhere at once, or nowhere.
        handoff.customer_erased(personal)
        # And the trail has the erasure exactly when it happened.
        audit.audit_record(
            action=audit.Action.CUSTOMER_ERASED, actor=actor, via=via, objects=[customer]
        )
    return customer


def _imports_waiting_refuse(*, email: str | None, external_id: str | None) -> None:
    """Fail and empty every unfinished import whose file names the customer
    being erased: its stored bytes hold their data, and running it would
    create them again."""
    from .imports import customer_import_abort  # imports builds on this module

    identifiers = [re.escape(value) for value in (email, external_id) if value]
    if not identifiers:
        return
    # A whole cell, not part of one ("crm-1" is not in "crm-10").
    edge = r"[^\s,;\"']"
    alternatives = "|".join(identifiers)
    cell = re.compile(f"(?<!{edge})(?:{alternatives})(?!{edge})", re.IGNORECASE)
    unfinished = (
        CustomerImport.objects.select_for_update()
        .exclude(status__in=[CustomerImport.Status.DONE, CustomerImport.Status.FAILED])
        .only("pk", "data")
    )
    reason = gettext(
        "A customer in this file was erased while it waited; upload the file again without them."
    )
    for job in unfinished:
        if cell.search(bytes(job.data).decode("utf-8", "replace")):
            customer_import_abort(job_id=job.pk, reason=reason)


COMMENT_MAX_LENGTH = Response._meta.get_field("comment").max_length


def response_add_comment(*, response: Response, comment: str) -> bool:
    """Add the answer to the follow-up question to a stored response.

    Only a response without a comment takes one, so a repeated or concurrent
    submission changes nothing; an erased customer's response never gets one
    back. Returns whether this call saved the comment.
    """
    comment = (comment or "").strip()
    if not comment:
        return False
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"comment": f"The comment must be at most {COMMENT_MAX_LENGTH} characters."}
        )
    if "\x00" in comment:
        raise ValidationError({"comment": "The comment must not contain null characters."})
    saved = Response.objects.filter(
        pk=response.pk, comment="", customer__erased_at__isnull=True
    ).update(comment=comment)
    if saved:
        response.comment = comment
    return bool(saved)


def customer_unsubscribe(*, customer: Customer) -> bool:
    """Stop emailing ``customer``. The first time is kept: unsubscribing again
    changes nothing. Returns whether this call unsubscribed them."""
    now = timezone.now()
    changed = Customer.objects.filter(pk=customer.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=now, updated_at=now
    )
    customer.refresh_from_db(fields=["unsubscribed_at", "updated_at"])
    return bool(changed)
