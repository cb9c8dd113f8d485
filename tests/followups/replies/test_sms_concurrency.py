"""Texts of one customer that arrive at the same moment (two posts of the
provider served side by side): each is read after the one before it has
been recorded, so none is lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from followups.invitations.emails import invitation_send
from followups.models import InboundSms
from followups.replies.sms import sms_receive
from surveys.models import Channel, Response
from tests.factories import CustomerFactory, SurveyFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PHONE = "+48601234567"


def test_a_comment_posted_while_the_score_is_being_recorded_is_kept_as_the_comment(settings):
    settings.NPS_SMS_QUIET_HOURS = "00:00-00:00"
    survey = SurveyFactory(follow_up_question="What is the main reason for your score?")
    customer = CustomerFactory(phone=PHONE, locale="en")
    invitation = invitation_send(survey=survey, customer=customer, channel=Channel.SMS)
    score_recorded, score_may_commit = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}
    errors: list[BaseException] = []

    def receive(message_id: str, body: str, *, hold: bool) -> None:
        try:
            with transaction.atomic():
                inbound, _created = sms_receive(
                    provider=InboundSms.Provider.TWILIO,
                    message_id=message_id,
                    sender=PHONE,
                    body=body,
                )
                if hold:
                    score_recorded.set()
                    score_may_commit.wait(timeout=30)
            outcomes[message_id] = inbound.outcome
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    score = threading.Thread(target=receive, args=("SM-score", "4"), kwargs={"hold": True})
    score.start()
    assert score_recorded.wait(timeout=30)
    comment = threading.Thread(
        target=receive, args=("SM-comment", "The courier was late"), kwargs={"hold": False}
    )
    comment.start()
    comment.join(timeout=2)  # unlocked, it would be done (and the comment dropped) by now
    score_may_commit.set()
    score.join(timeout=30)
    comment.join(timeout=30)

    assert errors == []
    assert outcomes == {
        "SM-score": InboundSms.Outcome.SCORE,
        "SM-comment": InboundSms.Outcome.COMMENT,
    }
    answer = Response.objects.get(invitation=invitation)
    assert (answer.score, answer.comment) == (4, "The courier was late")
