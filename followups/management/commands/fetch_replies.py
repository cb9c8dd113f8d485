"""manage.py fetch_replies: read customers' replies from the IMAP mailbox
(NPS_REPLY_IMAP_*) onto their cases' timelines, and mark them read."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from followups.replies.imap import FETCH_LIMIT, MailboxError, replies_fetch

OUTCOMES = ("recorded", "duplicate", "ignored", "invalid", "too_large", "failed")


class Command(BaseCommand):
    help = (
        "Read the unread messages of the reply mailbox (NPS_REPLY_IMAP_HOST, _PORT, _USER, "
        "_PASSWORD, _SSL, _FOLDER): each reply lands on its case's timeline and is marked "
        "read. Safe to run again or at the same time: a message is recorded once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=FETCH_LIMIT, help="At most this many messages."
        )

    def handle(self, *args, limit, **options):
        if not settings.NPS_REPLY_IMAP_HOST:
            raise CommandError("Set NPS_REPLY_IMAP_HOST (and _USER, _PASSWORD) to fetch replies.")
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        try:
            counts = replies_fetch(limit=limit)
        except MailboxError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(", ".join(f"{counts[name]} {name}" for name in OUTCOMES))
