"""Erasure on the followups side: every row here that holds or quotes a
customer's personal data, emptied or scrubbed (the rule is in
``surveys.erasure``), inside the transaction that erases the customer."""

from __future__ import annotations

import json

from django.db.models import Q, QuerySet

from followups.models import (
    CaseEvent,
    FollowUpCase,
    ImprovementAction,
    InboundSms,
    LinkClick,
    MailEvent,
    OfferGrant,
    OutboundMessage,
    ReferralUse,
    ResponseTheme,
    RewardGrant,
    RootCauseModel,
    Theme,
    ThemeComputation,
    ThemePeriod,
)
from surveys.erasure import ERASED, PersonalData, admin_log_scrub

CANCELLED_REASON = "Cancelled: the customer was erased before it was sent."


def customer_scrub(*, personal: PersonalData) -> None:
    """Remove what the followups app holds about the customer ``personal``
    names. Their cases, grants and emails stay as facts (status, dates, score,
    root cause, owner, template): the statistics and the audit need those."""
    customer_id = personal.customer_id
    to_them = OutboundMessage.objects.filter(customer_id=customer_id)
    # Addresses they were emailed at, perhaps before changing it, identify them too.
    personal = personal.with_values(
        *to_them.exclude(recipient="").values_list("recipient", flat=True).distinct()
    )
    # Locked: a note or an event being added to one of their cases right now
    # (its insert holds a key-share lock on the case) commits first and is
    # scrubbed below; one added later waits for the erasure to commit.
    cases = FollowUpCase.objects.select_for_update().filter(customer_id=customer_id)
    case_ids = list(cases.values_list("pk", flat=True))

    _cancel_unsent(to_them)
    _tracking_remove(customer_id)
    # Bounces and complaints are about their address and quote it: gone
    # whole (the customer keeps the dates their mail stopped).
    MailEvent.objects.filter(customer_id=customer_id).delete()
    _scrub_emails_about_them(personal, case_ids)
    # The emails to them: who, what and how are kept; the message is not, as it
    # was written for them (their name, their codes, their links).
    to_them.update(recipient="", subject=ERASED, body_text=ERASED, body_html="")
    # Their texts to us: the number they wrote from and what they wrote, gone;
    # the row (when, and what it led to) stays.
    InboundSms.objects.filter(customer_id=customer_id).update(sender="", body=ERASED, note="")
    # What they wrote in a reply is theirs, as their comment is: gone whole
    # (names of attachments with it); the entry stays, a fact of the case.
    CaseEvent.objects.filter(case_id__in=case_ids, kind=CaseEvent.Kind.CUSTOMER_REPLIED).update(
        message=ERASED, data={"attachments": []}
    )
    _scrub_rows(
        CaseEvent.objects.filter(case_id__in=case_ids), personal, text=["message"], json=["data"]
    )
    _scrub_rows(cases, personal, text=["resolution_summary"])
    # A suggestion's top words are words of their comment: gone with it (the
    # suggested root cause stays, a fact of the case like the root cause).
    FollowUpCase.objects.filter(pk__in=case_ids).exclude(suggestion_words=[]).update(
        suggestion_words=[]
    )
    _insights_forget(customer_id, case_ids)
    _scrub_rows(
        ImprovementAction.objects.filter(cases__in=case_ids).distinct(),
        personal,
        text=["title", "description"],
    )
    _admin_logs_scrub(personal, case_ids=case_ids, messages=to_them)


def _admin_logs_scrub(
    personal: PersonalData, *, case_ids: list[int], messages: QuerySet[OutboundMessage]
) -> None:
    """The admin's history of their cases, emails and grants: entries name
    the object (its string, which may carry their name), so those go too."""
    customer_id = personal.customer_id
    for model, rows in (
        (FollowUpCase, case_ids),
        (OutboundMessage, messages.values_list("pk", flat=True)),
        (
            OfferGrant,
            OfferGrant.objects.filter(customer_id=customer_id).values_list("pk", flat=True),
        ),
        (
            RewardGrant,
            RewardGrant.objects.filter(customer_id=customer_id).values_list("pk", flat=True),
        ),
    ):
        admin_log_scrub(model=model, ids=list(rows), personal=personal)


def _tracking_remove(customer_id: int) -> None:
    """What they did with their reward's link and whom they referred is
    about them: removed, as nothing more is recorded for them afterwards
    (their link still leads to the reward's page; their referral code is
    then unknown)."""
    grants = RewardGrant.objects.filter(customer_id=customer_id)
    LinkClick.objects.filter(grant__in=grants).delete()
    ReferralUse.objects.filter(grant__in=grants).delete()
    grants.filter(first_clicked_at__isnull=False).update(first_clicked_at=None)


def _cancel_unsent(emails) -> int:
    """Messages not sent yet would reach someone who asked to be forgotten."""
    return emails.cancel_unsent(CANCELLED_REASON)


def _scrub_emails_about_them(personal: PersonalData, case_ids: list[int]) -> None:
    """Emails to staff about their case (escalations) keep their text, scrubbed;
    the error of a failed email to them may quote their address."""
    about_them = OutboundMessage.objects.filter(
        Q(case_id__in=case_ids) | Q(response__customer_id=personal.customer_id)
    ).exclude(customer_id=personal.customer_id)
    _scrub_webhooks(about_them.filter(channel=OutboundMessage.Channel.WEBHOOK), personal)
    _scrub_chat_alerts(about_them.filter(channel=OutboundMessage.Channel.SLACK))
    # Webhooks about the customer alone (unsubscribed, bounced) name them in their key.
    _scrub_webhooks(
        OutboundMessage.objects.filter(
            channel=OutboundMessage.Channel.WEBHOOK,
            dedupe_key__contains=f":customer:{personal.customer_id}:",
        ),
        personal,
    )
    _scrub_rows(about_them, personal, text=["subject", "body_text", "body_html", "last_error"])
    _scrub_rows(
        OutboundMessage.objects.filter(customer_id=personal.customer_id),
        personal,
        text=["last_error"],
    )


def _scrub_webhooks(queryset, personal: PersonalData) -> None:
    """A webhook's payload (sent or not) loses the customer's comment, as their
    answer does, and every value that identified them."""
    changed = []
    for row in queryset.only("pk", "body_text"):
        payload = json.loads(row.body_text)
        scrubbed = personal.scrub_json(_without_comments(payload))
        if scrubbed != payload:
            row.body_text = json.dumps(scrubbed, ensure_ascii=False, separators=(",", ":"))
            changed.append(row)
    OutboundMessage.objects.bulk_update(changed, ["body_text"])


def _scrub_chat_alerts(queryset) -> None:
    """A Slack alert quotes the customer's comment, escaped and perhaps cut (no
    value to find it by): its message is replaced, and one not posted yet is
    never posted."""
    _cancel_unsent(queryset)
    queryset.update(body_text=json.dumps({"text": ERASED}))


def _without_comments(value):
    if isinstance(value, dict):
        return {
            key: ERASED if key == "comment" and item else _without_comments(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_without_comments(item) for item in value]
    return value


def _scrub_rows(queryset, personal: PersonalData, *, text=(), json=()) -> int:
    """Scrub the ``text`` and ``json`` columns of each row, saving only rows that changed."""
    fields = [*text, *json]
    changed = []
    for row in queryset.only("pk", *fields):
        before = [getattr(row, name) for name in fields]
        for name in text:
            setattr(row, name, personal.scrub(getattr(row, name)))
        for name in json:
            setattr(row, name, personal.scrub_json(getattr(row, name)))
        if [getattr(row, name) for name in fields] != before:
            changed.append(row)
    if changed:
        queryset.model.objects.bulk_update(changed, fields)
    return len(changed)


def _insights_forget(customer_id: int, case_ids: list[int]) -> None:
    """What the learning kept of their comments. A root-cause model's
    n-grams come from its training comments: if their cases were examples,
    inactive models lose their pickle (their figures stay) and the active one
    is marked to be retrained without them at the next run. Themes' words
    come from their period's comments: the periods that grouped their answers
    lose their words (and a theme whose words came from such a period, its
    words) until the next daily run computes them again."""
    if FollowUpCase.objects.filter(pk__in=case_ids, root_cause__isnull=False).exists():
        RootCauseModel.objects.filter(is_active=False).exclude(pipeline=b"").update(
            pipeline=b"", pipeline_signature=""
        )
        RootCauseModel.objects.filter(is_active=True).update(needs_retraining=True)
    assigned = ResponseTheme.objects.filter(response__customer_id=customer_id)
    period_ids = set(assigned.values_list("period_id", flat=True))
    if not period_ids:
        return
    periods = list(ThemePeriod.objects.filter(pk__in=period_ids).select_related("theme"))
    assigned.delete()
    ThemePeriod.objects.filter(pk__in=period_ids).update(words=[])
    for period in periods:
        latest = (
            ThemePeriod.objects.filter(theme_id=period.theme_id, kind=period.kind)
            .order_by("-start")
            .values_list("pk", flat=True)
            .first()
        )
        if latest in period_ids:
            Theme.objects.filter(pk=period.theme_id).update(words=[], words_label="")
        ThemeComputation.objects.update_or_create(
            survey_id=period.theme.survey_id,
            kind=period.kind,
            start=period.start,
            defaults={"stale": True},
        )
