"""Alerts into the outbox: one row per alert wanting an answer, written in
the routing transaction that opens the answer's case (so the alert exists
exactly when the case does, and the sweeper republishes it if the broker
lost it), and published for delivery after that transaction commits. The
message is built once, here, in the site's language: the row holds what is
posted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from followups.chat.blocks import Alert, message_json
from followups.models import ChatAlert, FollowUpCase, OutboundMessage
from followups.publish import messages_enqueue
from surveys.models import Response


def when_shown(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def admin_link(view: str, pk: int) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse(f'admin:{view}_change', args=[pk])}"


def alert_for(response: Response, case: FollowUpCase | None) -> Alert:
    """What the alert about ``response`` (and its case, for a detractor) says,
    in the active language."""
    fields = [
        (_("Score"), f"{response.score}/10"),
        (_("Segment"), response.segment or _("none")),
    ]
    if response.driver is not None:
        # The main reason chosen beside the score, as the dashboard names it:
        # what the channel triages by before it reads the comment.
        language = translation.get_language() or settings.LANGUAGE_CODE
        fields.append((_("Reason"), response.driver.label_for(language)))
    if case is not None:
        owner = (case.owner.get_full_name() or case.owner.get_username()) if case.owner else None
        fields += [(_("Owner"), owner or _("nobody yet")), (_("Due"), when_shown(case.due_at))]
        link_label, link = _("Open the case"), admin_link("followups_followupcase", case.pk)
    else:
        link_label, link = _("Open the answer"), admin_link("surveys_response", response.pk)
    return Alert(
        title=_("%(category)s: %(score)d/10 on %(survey)s")
        % {
            "category": response.get_category_display(),
            "score": response.score,
            "survey": response.survey.name,
        },
        fields=fields,
        comment_label=_("Comment:"),
        comment=response.comment or _("(no comment)"),
        link_label=link_label,
        link=link,
        footer=_("Answer %(id)d, %(when)s")
        % {"id": response.pk, "when": when_shown(response.submitted_at)},
    )


def _row(
    alert: ChatAlert, key: str, message: Alert, body: str, now: datetime, **ids
) -> OutboundMessage:
    return OutboundMessage(
        channel=OutboundMessage.Channel.SLACK,
        chat_alert=alert,
        dedupe_key=f"chat:{alert.pk}:{key}",
        template="chat_alert",
        language=settings.LANGUAGE_CODE,
        recipient=alert.url_masked[:254],
        subject=message.title[:255],  # what lists of messages show (no comment in it)
        body_text=body,
        created_at=now,
        next_attempt_at=now,
        **ids,
    )


def chat_alerts_queue(outcomes: Sequence[tuple[Response, object]], *, now: datetime) -> list[int]:
    """The alerts about routed answers (each with its outcome: the case of a
    detractor), written in the caller's transaction and published after it
    commits. One query when no alert wants them."""
    surveys = {response.survey_id for response, _outcome in outcomes}
    alerts = list(ChatAlert.objects.active().filter(survey_id__in=surveys)) if surveys else []
    if not alerts:
        return []
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for response, outcome in outcomes:
            case = outcome if isinstance(outcome, FollowUpCase) else None
            wanting = [
                alert
                for alert in alerts
                if alert.survey_id == response.survey_id and alert.wants(response.category)
            ]
            if not wanting:
                continue
            message = alert_for(response, case)
            body = message_json(message)
            about = {
                "response_id": response.pk,
                "case_id": case.pk if case else None,
                "survey_id": response.survey_id,
            }
            key = f"response:{response.pk}"
            rows += [_row(a, key, message, body, now, **about) for a in wanting]
    OutboundMessage.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    messages_enqueue(message_ids=ids)
    return ids


def chat_alert_test_queue(*, alert: ChatAlert, created_by=None) -> int:
    """A test message to the alert's channel, through the outbox like any
    alert (published after the caller's transaction commits)."""
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        message = Alert(
            title=_("Test message: alerts for %(survey)s will arrive here")
            % {"survey": alert.survey.name},
            fields=[
                (_("Survey"), alert.survey.name),
                (_("Categories"), ", ".join(alert.categories)),
            ],
            comment_label=_("Comment:"),
            comment=_("(a test: no customer answered)"),
            link_label=_("Open the alert's settings"),
            link=admin_link("followups_chatalert", alert.pk),
            footer=_("Sent from the admin at %(when)s") % {"when": when_shown(now)},
        )
    row = _row(alert, f"test:{now.isoformat()}", message, message_json(message), now)
    row.template, row.created_by = "chat_alert_test", created_by
    row.save()
    messages_enqueue(message_ids=[row.pk])
    return row.pk
