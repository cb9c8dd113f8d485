"""Replies read over IMAP from a real dovecot (started by the tests, on its
own port): each lands on its case once, and is marked read only after."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase

from followups.models import CaseEvent, FollowUpCase, InboundReply
from followups.replies import imap
from followups.replies.imap import MailboxError, replies_fetch
from followups.tasks import replies_fetch_task
from tests.factories import staff_member
from tests.followups.cases import open_case
from tests.followups.replies import reply_mime
from tests.followups.replies.test_reply_guards import nested_mime

pytestmark = [pytest.mark.django_db, pytest.mark.imap]


@pytest.fixture
def case():
    case = open_case(owner=staff_member("owner", email="owner@shop.example"))
    FollowUpCase.objects.filter(pk=case.pk).update(status=FollowUpCase.Status.WAITING)
    return case


def replied(case) -> list[str]:
    return list(
        case.events.filter(kind=CaseEvent.Kind.CUSTOMER_REPLIED).values_list("message", flat=True)
    )


def fetch(**kwargs):
    with TestCase.captureOnCommitCallbacks(execute=False):
        return replies_fetch(**kwargs)


def test_fetch_replies_records_each_reply_and_marks_every_message_read(imap_mailbox, case):
    imap_mailbox.deliver(
        reply_mime(case.pk, text="Got it, thanks.\n\nW dniu 1.12.2026 o 10:00, NPS pisze:\n> x"),
        reply_mime(to="replies+not-a-token@example.com", text="Spam."),
        b"this is no email",
    )
    counts = fetch()
    assert (counts["recorded"], counts["ignored"]) == (1, 1)
    assert replied(case) == ["Got it, thanks."]
    case.refresh_from_db()
    assert case.status == FollowUpCase.Status.IN_PROGRESS
    assert InboundReply.objects.get().source == InboundReply.Source.IMAP
    assert imap_mailbox.unseen() == 0


def test_a_message_read_again_is_recorded_once(imap_mailbox, case):
    raw = reply_mime(case.pk, message_id="<same@customer.example>")
    imap_mailbox.deliver(raw)
    fetch()
    # Delivered again (a provider's retry, or a run that died before marking it read).
    imap_mailbox.deliver(raw)
    assert fetch()["duplicate"] == 1
    assert len(replied(case)) == 1


def test_the_management_command_reports_what_it_did(imap_mailbox, case, capsys):
    imap_mailbox.deliver(reply_mime(case.pk))
    with TestCase.captureOnCommitCallbacks(execute=False):
        call_command("fetch_replies")
    assert "1 recorded, 0 duplicate, 0 ignored" in capsys.readouterr().out
    assert imap_mailbox.unseen() == 0


def test_an_oversized_message_is_skipped_and_marked_read(imap_mailbox, case, settings):
    settings.NPS_REPLY_MAX_BYTES = 1024
    imap_mailbox.deliver(reply_mime(case.pk, attachments=(("scan.pdf", b"x" * 4096),)))
    assert fetch()["too_large"] == 1
    assert replied(case) == []
    assert imap_mailbox.unseen() == 0


def test_a_wrong_password_is_a_clear_error_and_reads_nothing(imap_mailbox, case, settings):
    imap_mailbox.deliver(reply_mime(case.pk))
    settings.NPS_REPLY_IMAP_PASSWORD = "wrong"
    with pytest.raises(MailboxError, match=r"IMAP 127\.0\.0\.1"):
        fetch()
    with pytest.raises(CommandError, match=r"IMAP 127\.0\.0\.1"):
        call_command("fetch_replies")
    replies_fetch_task()  # the periodic task logs it and waits for the next run
    assert imap_mailbox.unseen() == 1
    assert replied(case) == []


def test_the_command_without_a_mailbox_says_what_to_set(settings):
    settings.NPS_REPLY_IMAP_HOST = ""
    with pytest.raises(CommandError, match="NPS_REPLY_IMAP_HOST"):
        call_command("fetch_replies")


def test_a_message_too_deep_to_parse_is_skipped_and_blocks_nothing(imap_mailbox, case):
    imap_mailbox.deliver(nested_mime(case.pk, 1200), reply_mime(case.pk, text="After it."))
    counts = fetch()
    assert (counts["invalid"], counts["recorded"]) == (1, 1)
    assert replied(case) == ["After it."]
    assert imap_mailbox.unseen() == 0


def test_a_message_whose_reading_fails_is_logged_without_its_content_and_marked_read(
    imap_mailbox, case, monkeypatch, caplog
):
    real = imap.reply_receive

    def breaking(*, raw, source):
        if b"Secret words" in raw:
            raise RuntimeError("Secret words")
        return real(raw=raw, source=source)

    monkeypatch.setattr(imap, "reply_receive", breaking)
    imap_mailbox.deliver(
        reply_mime(case.pk, text="Secret words"), reply_mime(case.pk, text="Next.")
    )
    counts = fetch()
    assert (counts["failed"], counts["recorded"]) == (1, 1)
    assert replied(case) == ["Next."]
    assert imap_mailbox.unseen() == 0
    assert "RuntimeError" in caplog.text and "Secret" not in caplog.text
