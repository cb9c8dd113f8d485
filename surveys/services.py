"""Workflows over customers, invitations and responses."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from nps_project.numbers import whole_number

from . import audit, handoff, stats
from .answer_sql import answer_insert_guarded
from .customers import customer_identity_check, locale_normalize
from .erasure import PersonalData, admin_log_scrub
from .imports import customer_imports_waiting_refuse
from .models import Channel, Customer, DriverChoice, Invitation, Response, Survey
from .scores import ScoreInvalid, score_parse
from .time_zones import validate_time_zone

# Messages of the rules an answer must meet, whichever way it comes in.
CLOSED_SURVEY = "The survey '{slug}' is {status} and takes no answers."
ERASED_CUSTOMER = "This customer was erased; no answer can be added."
FUTURE_SUBMISSION = "The submission time is in the future."
IDENTITY_REQUIRED = "An email address or an external id is required."
NEW_CUSTOMER_NEEDS_EMAIL = "A new customer needs an email address."
ERASED_NOT_UPDATED = "This customer was erased and cannot be updated."
CUSTOMER_DELETED = "This customer was deleted while the answer was being recorded."
UNKNOWN_DRIVER = "The survey '{slug}' has no active driver choice '{value}'; use one of: {keys}."
NO_DRIVER_QUESTION = "The survey '{slug}' asks no driver question."

# Clocks of integrations drift: a little in the future is still now.
MAX_SUBMISSION_SKEW = timedelta(minutes=5)


def customer_upsert(**details) -> tuple[Customer, bool]:
    """Find the customer by external id, else by email (case-insensitive), and
    update the fields given (unless ``update_existing`` is false: a caller
    that may not change customers only names one); create one when neither
    matches. ``details``: those of ``customer_match``."""
    return customer_match_apply(customer_match(**details))


@dataclass(frozen=True)
class CustomerMatch:
    """What ``customer_upsert`` does for some details, found and checked but
    not yet written: the stored customer (None: one is created) and the
    fields of it that change."""

    customer: Customer | None
    fields: dict
    changed: list[str]

    @property
    def writes(self) -> bool:
        return self.customer is None or bool(self.changed)


def customer_match(
    *,
    email: str | None = None,
    name: str = "",
    external_id: str | None = None,
    segment: str = "",
    locale: str = "",
    time_zone: str = "",
    update_existing: bool = True,
    find: Callable[..., Customer | None] | None = None,
) -> CustomerMatch:
    """``customer_upsert``'s look-up and checks, writing nothing: a caller
    whose match writes nothing needs no transaction for it. ``find``: how
    the customer is found, given the email and external id as
    ``customer_identifiers`` cleans them (``customer_find`` by default; a
    caller that has read the customer already hands it over)."""
    time_zone = (time_zone or "").strip()
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        raise ValidationError({"time_zone": exc.messages}) from None
    email, external_id = customer_identifiers(email=email, external_id=external_id)
    if not email and not external_id:
        raise ValidationError({"email": IDENTITY_REQUIRED})

    customer = (find or customer_find)(email=email, external_id=external_id)
    fields = {
        "email": email,
        "name": name.strip(),
        "external_id": external_id,
        "segment": segment.strip(),
        "locale": locale_normalize(locale),
        "time_zone": time_zone,
    }
    if customer is None:
        if not email:
            raise ValidationError({"email": NEW_CUSTOMER_NEEDS_EMAIL})
        return CustomerMatch(None, fields, [])
    if customer.is_erased:
        raise ValidationError({"customer": ERASED_NOT_UPDATED})
    customer_identity_check(customer=customer, email=email, external_id=external_id)
    changed = (
        [k for k, v in fields.items() if v and getattr(customer, k) != v] if update_existing else []
    )
    return CustomerMatch(customer, fields, changed)


def customer_match_apply(match: CustomerMatch) -> tuple[Customer, bool]:
    """Write what ``customer_match`` found: the new customer, or the changed
    fields. Returns the customer and whether it was created. A stored
    customer is read again locked first (``customer_match_locked``)."""
    if match.customer is None:
        return _customer_create(match.fields)
    with transaction.atomic(savepoint=False):
        customer = customer_match_locked(match)
        for key in match.changed:
            setattr(customer, key, match.fields[key])
        if match.changed:
            customer.full_clean()
            # A time zone taken from the phone number (full_clean) is saved too.
            customer.save(update_fields=[*{*match.changed, "time_zone"}, "updated_at"])
    return customer, False


def customer_match_locked(match: CustomerMatch) -> Customer:
    """The customer ``customer_match`` found, read again and locked until the
    caller's transaction ends, its checks made again: an erasure or a change
    of identity committed since the match read it is refused, never written
    over (and an erasure waits for the answer being stored, then scrubs it).
    A lock on the row's other columns only: answers of other customers
    referencing it are not held up."""
    found = match.customer
    if found is None:
        raise ValueError("customer_match_locked needs a stored customer")
    customer = Customer.objects.select_for_update(no_key=True).filter(pk=found.pk).first()
    if customer is None:
        raise ValidationError({"customer": CUSTOMER_DELETED})
    if customer.is_erased:
        raise ValidationError({"customer": ERASED_NOT_UPDATED})
    customer_identity_check(
        customer=customer, email=match.fields["email"], external_id=match.fields["external_id"]
    )
    return customer


def customer_identifiers(
    *, email: str | None, external_id: str | None
) -> tuple[str | None, str | None]:
    """The email and external id a customer is found by, as given (None: not given)."""
    return (email or "").strip() or None, (external_id or "").strip() or None


def customer_find(*, email: str | None, external_id: str | None) -> Customer | None:
    """By external id first, else by email (case-insensitive)."""
    customer = None
    if external_id:
        customer = Customer.objects.filter(external_id=external_id).first()
    if customer is None and email:
        customer = Customer.objects.with_email(email).first()
    return customer


def _customer_create(fields: dict) -> tuple[Customer, bool]:
    email = fields["email"]
    customer = Customer(**fields)
    customer.full_clean()
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        # Created concurrently by another request: that one, if the details
        # name it without contradicting it (CustomerConflict otherwise).
        existing = customer_find(email=email, external_id=fields["external_id"])
        if existing is None:
            raise
        customer_identity_check(customer=existing, email=email, external_id=fields["external_id"])
        return existing, False
    return customer, True


def customer_update(*, customer: Customer, **changes) -> Customer:
    """Change a customer's details as given (``None`` clears an optional one).
    An erased customer stays erased: nothing can be written back."""
    if "locale" in changes:
        changes["locale"] = locale_normalize(changes["locale"])
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if customer.is_erased:
            raise ValidationError(ERASED_NOT_UPDATED)
        if "email" in changes and customer.bounce_cleared_by(changes["email"]):
            changes["email_bounced_at"] = None
        for name, value in changes.items():
            if name in ("name", "segment", "locale", "time_zone") and value is None:
                value = ""
            setattr(customer, name, value)
        customer.full_clean()
        try:
            with transaction.atomic():
                # A time zone taken from the phone number (full_clean) is saved too.
                customer.save(update_fields=[*{*changes, "time_zone"}, "updated_at"])
        except IntegrityError:
            # Taken concurrently, after full_clean looked.
            raise ValidationError(
                {"__all__": "A customer with this email or external id already exists."}
            ) from None
    return customer


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
    driver: DriverChoice | None = None,
    channel: str = Channel.LINK,
    submitted_at: datetime | None = None,
    idempotency_key: str | None = None,
    invitation: Invitation | None = None,
    locale: str = "",
    api_client=None,
    properties: dict | None = None,
    changeable_for: timedelta | None = None,
    idempotency_checked: bool = False,
    customer_lock: Callable[[], Customer] | None = None,
    employee_contact: bool = False,
) -> Recorded:
    """Store one answer and, once committed, hand it over for routing; its properties are
    its invitation's with ``properties`` over them. ``employee_contact``: a detractor
    employee's own request to be called back (``surveys.enps``); any other answer to an
    employee survey is refused. ``changeable_for``: the score may change for that long,
    and routing waits (``response_score_change``, ``response_settle``). Idempotent twice
    over (``_response_stored``; ``idempotency_checked``: the caller has just looked the
    key up). ``customer_lock``: see ``_response_save``."""
    if not employee_contact:
        survey.for_customers_check()
    score = _score_checked(score)
    idempotency_key = (idempotency_key or "").strip() or None
    existing = _response_stored(
        idempotency_key=None if idempotency_checked else idempotency_key,
        invitation=invitation,
        api_client=api_client,
    )
    if existing is not None:
        return Recorded(existing, created=False)
    now = timezone.now()
    answer_acceptable_check(survey=survey, customer=customer, submitted_at=submitted_at, now=now)
    if driver is not None and not survey.driver_offered(driver):
        raise ValidationError({"driver": _unknown_driver(survey, driver.key)})
    response = Response(
        survey=survey,
        customer=customer,
        invitation=invitation,
        score=score,
        category=stats.classify(score),
        comment=(comment or "").strip(),
        driver=driver,
        channel=channel,
        submitted_at=submitted_at or now,
        segment=customer.segment,
        locale=locale_normalize(locale) or customer.locale or survey.default_locale,
        idempotency_key=idempotency_key,
        api_client=api_client,
        properties={**(invitation.properties if invitation else {}), **(properties or {})},
        changeable_until=now + changeable_for if changeable_for else None,
    )
    _response_clean(response)
    return _response_save(response, now=now, customer_lock=customer_lock)


# The checks that would cost queries cannot fail here: survey and customer are
# rows in hand, the score is checked and the category derived from it. The
# database enforces all of them on insert anyway.
_CHECKED_BEFORE = [
    "invitation",
    "idempotency_key",
    "category",
    "survey",
    "customer",
    "api_client",
    "driver",
]


def _response_clean(response: Response) -> None:
    """The model's own field checks, without those that would cost a query."""
    response.full_clean(exclude=_CHECKED_BEFORE, validate_constraints=False)


def _response_stored(*, idempotency_key, invitation, api_client) -> Response | None:
    """The answer already stored under this client's key or for this invitation:
    the same idempotency key, or a second answer to the same invitation, returns
    the one stored (``created=False``) and changes nothing. Keys are per
    ``api_client`` (the user an API key acts as; None for answers from elsewhere);
    an answer stored after this look-up is still found when the insert meets it."""
    existing = None
    if idempotency_key:
        existing = Response.objects.filter(
            api_client=api_client, idempotency_key=idempotency_key
        ).first()
    if existing is None and invitation is not None:
        existing = Response.objects.filter(invitation=invitation).first()
    return existing


def answer_acceptable_check(*, survey, customer, submitted_at: datetime | None, now) -> None:
    """Raise ``ValidationError`` (by field) when the survey takes no answers,
    the customer was erased, or the answer claims to come from the future."""
    if not survey.is_accepting_responses:
        raise ValidationError(
            {"survey": CLOSED_SURVEY.format(slug=survey.slug, status=survey.status)}
        )
    if customer.erased_at is not None:
        raise ValidationError({"customer": ERASED_CUSTOMER})
    if submitted_at is not None and submitted_at > now + MAX_SUBMISSION_SKEW:
        raise ValidationError({"submitted_at": FUTURE_SUBMISSION})


def _response_save(
    response: Response, *, now, customer_lock: Callable[[], Customer] | None = None
) -> Recorded:
    """Insert the answer, mark its invitation answered and hand it over on
    commit; an identical submission that won the race is returned instead.
    ``customer_lock`` reads the customer again, locked and checked, inside the
    insert's transaction (one found outside a transaction, which an erasure may
    have changed since); on PostgreSQL the insert first tries to take the row
    itself, in one statement, while it is as the answer's customer has it."""
    invitation = response.invitation
    if customer_lock is not None and invitation is None and connection.vendor == "postgresql":
        recorded = _response_insert_guarded(response)
        if recorded is not None:
            return recorded
    try:
        if customer_lock is None and invitation is None and not connection.in_atomic_block:
            # One INSERT and nothing else written: autocommit makes it atomic on
            # its own, without BEGIN and COMMIT round trips (the hook below then
            # runs at once). Inside a caller's transaction a savepoint is needed,
            # so that a lost race can be read after the failed insert.
            _response_write(response, invitation=None, customer_lock=None, now=now)
        else:
            with transaction.atomic():
                _response_write(
                    response, invitation=invitation, customer_lock=customer_lock, now=now
                )
    except IntegrityError:
        winner = _response_stored(
            idempotency_key=response.idempotency_key,
            invitation=invitation,
            api_client=response.api_client,
        )
        if winner is None:
            raise
        return Recorded(winner, created=False)
    return Recorded(response, created=True)


def _response_write(
    response: Response, *, invitation, customer_lock: Callable[[], Customer] | None, now
) -> None:
    if customer_lock is not None:
        response.customer = customer_lock()
    response.save()
    if invitation is not None:
        Invitation.objects.filter(pk=invitation.pk, responded_at__isnull=True).update(
            responded_at=now
        )
    if response.changeable_until is None:
        transaction.on_commit(lambda: handoff.response_recorded([response.pk]))
    # else the sweeper hands it over once its time to change it is over


def _response_insert_guarded(response: Response) -> Recorded | None:
    """The insert alone, as one statement that takes the customer's row only
    while it is as matched (``answer_sql.answer_insert_guarded``): no
    transaction of its own when none is open, as nothing else is written.
    None when it inserted nothing and no answer is stored under the key: the
    customer was erased or changed since, which the locked path explains or
    records."""
    if answer_insert_guarded(response, matched=response.customer):
        if response.changeable_until is None:
            transaction.on_commit(lambda: handoff.response_recorded([response.pk]))
        return Recorded(response, created=True)
    winner = _response_stored(
        idempotency_key=response.idempotency_key, invitation=None, api_client=response.api_client
    )
    return Recorded(winner, created=False) if winner is not None else None


def customer_erase(*, customer: Customer, actor=None, via: str = audit.SYSTEM) -> Customer:
    """Remove a customer's personal data on request, from every row that holds
    it (see ``surveys.erasure``). Their answers stay, without comment,
    properties or identity, so statistics do not change. Erasing again
    changes nothing.
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
        customer.phone = None
        customer.name = ""
        customer.external_id = None
        # The mail server's words quote the address.
        customer.email_problem = ""
        customer.erased_at = now
        customer.save(
            update_fields=[
                *("email", "phone", "name", "external_id", "email_problem"),
                *("erased_at", "updated_at"),
            ]
        )
        # This also locks their answers, which orders the erasure against
        # routing (it claims answers with row locks, skipping locked ones): an
        # answer being routed now is finished first, and its case and emails
        # are then scrubbed below; one not yet claimed is later skipped as erased.
        # Free-form properties too: whatever a caller said about the customer.
        customer.responses.update(comment="", properties={})
        customer.invitations.filter(responded_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        # Invitations still waiting are never sent, and forget what the
        # caller said about the customer.
        customer.invitations.pending().update(skip_reason=Invitation.SkipReason.ERASED)
        customer.invitations.exclude(properties={}).update(properties={})
        # The admin's history names the customer as they were then, perhaps by
        # an earlier name: replaced whole.
        admin_log_scrub(
            model=Customer, ids=[customer.pk], personal=personal, new_repr=str(customer)
        )
        for model, related in ((Response, customer.responses), (Invitation, customer.invitations)):
            ids = list(related.values_list("pk", flat=True))
            admin_log_scrub(model=model, ids=ids, personal=personal)
        customer_imports_waiting_refuse(email=personal_email, external_id=personal_external_id)
        # Same transaction: personal data goes everywhere at once, or nowhere.
        handoff.customer_erased(personal)
        # And the trail has the erasure exactly when it happened.
        audit.audit_record(
            action=audit.Action.CUSTOMER_ERASED, actor=actor, via=via, objects=[customer]
        )
    return customer


COMMENT_MAX_LENGTH: int = Response._meta.get_field("comment").max_length  # type: ignore[assignment]  # declared


def response_comment_add(*, response: Response, comment: str) -> bool:
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


def driver_choice_find(*, survey: Survey, value) -> DriverChoice | None:
    """The active choice of ``survey``'s driver question that ``value`` names,
    by key (what integrations should send) or by id; None for no value.
    Raises ``ValidationError`` on ``driver`` naming the keys it may be."""
    if value is None or value == "":
        return None
    choices = survey.drivers_offered()
    text = str(value).strip()
    # A key first (keys may be digits), then an id: ASCII decimal digits only
    # ("²" is a digit to str.isdigit but no number to int).
    found = choices.filter(key=text).first()
    if found is None and (pk := whole_number(text)) is not None:
        found = choices.filter(pk=pk).first()
    if found is None:
        raise ValidationError({"driver": _unknown_driver(survey, text)})
    return found


def _unknown_driver(survey: Survey, value: str) -> str:
    keys = list(survey.drivers_offered().values_list("key", flat=True))
    if not survey.driver_question or not keys:
        return NO_DRIVER_QUESTION.format(slug=survey.slug)
    return UNKNOWN_DRIVER.format(slug=survey.slug, value=value[:50], keys=", ".join(keys))


def response_driver_set(*, response: Response, driver: DriverChoice) -> bool:
    """Store the answer to the driver question of a stored response, as the
    comment is: only once (a repeated or concurrent submission changes
    nothing), never for an erased customer's answer, and only a choice of
    the answer's own survey that is still offered. Returns whether this call
    saved it."""
    if not response.survey.driver_offered(driver):
        raise ValidationError({"driver": _unknown_driver(response.survey, driver.key)})
    saved = Response.objects.filter(
        pk=response.pk, driver__isnull=True, customer__erased_at__isnull=True
    ).update(driver=driver)
    if saved:
        response.driver = driver
    return bool(saved)


def response_score_change(*, response: Response, score) -> bool:
    """Change the score of an answer its customer may still change (see
    ``Response.is_changeable``); an answer already routed, or past its time,
    keeps its score. Returns whether this call changed (or confirmed) it."""
    score = _score_checked(score)
    changed = Response.objects.filter(
        pk=response.pk, routed_at__isnull=True, changeable_until__gt=timezone.now()
    ).update(score=score, category=stats.classify(score))
    if changed:
        response.score, response.category = score, stats.classify(score)
    return bool(changed)


def response_settle(*, response: Response) -> bool:
    """The customer finished the page: their answer is final and handed over
    for routing now rather than when its time to change it runs out. Returns
    whether this call settled it (False: it was final already)."""
    now = timezone.now()
    with transaction.atomic():
        settled = Response.objects.filter(
            pk=response.pk, routed_at__isnull=True, changeable_until__gt=now
        ).update(changeable_until=now)
        if settled:
            response.changeable_until = now
            transaction.on_commit(lambda: handoff.response_recorded([response.pk]))
    return bool(settled)


def customers_mail_flags_clear(*, customers, actor=None, via: str = audit.SYSTEM) -> int:
    """Email ``customers`` again after their address was fixed (or their spam
    complaint withdrawn): their bounce and complaint marks are removed, with
    one audit event. Erased customers stay as they are. Returns how many
    customers were cleared."""
    now = timezone.now()
    with transaction.atomic():
        flagged = customers.filter(erased_at__isnull=True).filter(
            Q(email_bounced_at__isnull=False) | Q(email_complained_at__isnull=False)
        )
        ids = list(flagged.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        Customer.objects.filter(pk__in=ids).update(
            email_bounced_at=None, email_complained_at=None, email_problem="", updated_at=now
        )
        audit.audit_record(
            action=audit.Action.MAIL_FLAGS_CLEARED,
            actor=actor,
            via=via,
            object_type=Customer._meta.label_lower,
            object_ids=ids,
        )
    return len(ids)


def customer_unsubscribe(*, customer: Customer) -> bool:
    """Stop emailing ``customer``. The first time is kept: unsubscribing again
    changes nothing. Returns whether this call unsubscribed them."""
    now = timezone.now()
    with transaction.atomic():
        changed = Customer.objects.filter(pk=customer.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=now, updated_at=now
        )
        customer.refresh_from_db(fields=["unsubscribed_at", "updated_at"])
        if changed:
            handoff.customer_unsubscribed(customer)
    return bool(changed)


@dataclass(frozen=True)
class LanguageGap:
    """Customers who read ``locale``, which a text has no wording in."""

    locale: str
    customers: int


def language_gaps(
    *, missing: list[str], customers: QuerySet[Customer], default_locales: Collection[str] = ()
) -> list[LanguageGap]:
    """How many of ``customers`` read each of the ``missing`` languages, for
    those any do. A customer with no language of their own reads the language
    of the survey they answer: they count for each of ``default_locales``
    (the surveys' default languages; none given: the site's)."""
    if not missing:
        return []
    unset = Q(locale="")
    counts = dict(
        customers.exclude(unset)
        .filter(locale__in=missing)
        .values_list("locale")
        .annotate(count=Count("pk"))
        .order_by()
    )
    defaults = set(default_locales or [settings.LANGUAGE_CODE]) & set(missing)
    if defaults:
        without_locale = customers.filter(unset).count()
        for locale in defaults:
            counts[locale] = counts.get(locale, 0) + without_locale
    return [LanguageGap(locale, counts[locale]) for locale in missing if counts.get(locale)]


def survey_language_gaps(
    *, survey: Survey, customers: QuerySet[Customer] | None = None
) -> list[LanguageGap]:
    """The languages ``survey`` has no question in, with how many of
    ``customers`` (by default every reachable one) would be asked in English."""
    return language_gaps(
        missing=survey.missing_locales,
        customers=Customer.objects.reachable() if customers is None else customers,
        default_locales=[survey.default_locale],
    )
