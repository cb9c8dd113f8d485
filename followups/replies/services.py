"""A reply email received, from an inbound webhook or the IMAP mailbox, to
the case its reply address names: recorded once (by its Message-ID), on the
case's timeline (``followups.cases.workflow.case_reply_record``).

A message without a valid reply address (none, forged, expired, or naming a
case that does not exist) goes nowhere: it is logged, without its body or
addresses, and the caller answers as for any other message, so the answer
tells nothing about which tokens exist.
"""

from __future__ import annotations

import enum
import logging

from django.db import IntegrityError, transaction

from followups.cases.workflow import case_reply_record
from followups.models import FollowUpCase, InboundReply
from followups.outbox.reply_address import Verdict, reply_target
from followups.replies.parsing import (
    ReplyContent,
    automatic_reason,
    message_parse,
    reply_content,
)

logger = logging.getLogger(__name__)


def _same_address(sender: str, customer_email: str | None) -> bool:
    return bool(sender and customer_email) and sender.strip().casefold() == (
        str(customer_email).strip().casefold()
    )


class Outcome(enum.StrEnum):
    RECORDED = "recorded"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


def reply_receive(*, raw: bytes, source: str, recipients: tuple[str, ...] = ()) -> Outcome:
    """Record the reply ``raw`` (a whole RFC 822 message) on its case.
    ``recipients``: addresses the delivery names besides the message's own
    headers (an inbound webhook's recipient field). Raises
    ``parsing.ReplyInvalid`` for something that is not an email at all."""
    message = message_parse(raw)
    target = reply_target(message, extra=recipients)
    content = reply_content(message, raw)
    key = content.message_key[:12]
    if target.verdict is not Verdict.VALID or target.case_id is None:
        logger.warning(
            "Reply %s via %s ignored: %s reply address.", key, source, target.verdict.value
        )
        return Outcome.IGNORED
    automatic = automatic_reason(message)
    if automatic is not None:
        logger.info("Reply %s via %s ignored: sent automatically (%s).", key, source, automatic)
        return Outcome.IGNORED
    case = FollowUpCase.objects.select_related("customer").filter(pk=target.case_id).first()
    if case is None:
        logger.warning("Reply %s via %s ignored: its case no longer exists.", key, source)
        return Outcome.IGNORED
    if case.customer.is_erased:
        logger.warning("Reply %s via %s ignored: the customer was erased.", key, source)
        return Outcome.IGNORED
    return _record(case, content, key=key, source=source)


def _record(case: FollowUpCase, content: ReplyContent, *, key: str, source: str) -> Outcome:
    with transaction.atomic():
        try:
            # A concurrent delivery of the same message waits here for ours
            # to commit, then collides with it.
            with transaction.atomic():
                reply = InboundReply.objects.create(
                    message_key=content.message_key, case=case, source=source
                )
        except IntegrityError:
            logger.info("Reply %s via %s was received before.", key, source)
            return Outcome.DUPLICATE
        event = case_reply_record(
            case=case,
            text=content.text,
            attachments=content.attachments,
            source=source,
            from_customer=_same_address(content.sender, case.customer.email),
        )
        if event is None:  # the customer was erased meanwhile
            logger.warning("Reply %s via %s ignored: the customer was erased.", key, source)
            return Outcome.IGNORED
        reply.event = event
        reply.save(update_fields=["event"])
    logger.info("Reply %s via %s recorded on case %s.", key, source, case.pk)
    return Outcome.RECORDED
