"""The secret part of survey links (``/s/<token>/``), unsubscribe links
(``/u/<signed>/``) and cases' reply addresses (``replies+<token>@...``) is cut
out of every log line.

Whoever reads the logs (an operator, a log service, a leaked backup) could
otherwise answer a customer's survey, read their answer or unsubscribe them.
``RedactTokensFilter`` sits on every handler of LOGGING (Django's request and
development-server loggers, Celery, the root); ``GunicornLogger`` does the same
for gunicorn's access log, whose lines do not pass through ``logging`` filters
of ours.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

REDACTED = "[redacted]"
# A path whose first segment is "s" or "u" (the survey and unsubscribe links
# of surveys.urls), alone or after a scheme and host, then the token: anything
# up to the next slash, query, quote or space. "/static/s/x.css" is left alone.
_LINK_TOKEN = re.compile(r"(^|[\s\"'=(<,]|//[^/\s\"'<>]+)(/[su]/)[^/?#\s\"'<>]+")
# A case's reply address (followups.outbox.reply_address): whoever holds it
# can write on the case's timeline.
_REPLY_TOKEN = re.compile(r"\+[0-9a-z]{1,13}-[0-9a-z]{1,7}-[a-z2-7]{26}@", re.IGNORECASE)


def redact(text: str) -> str:
    return _REPLY_TOKEN.sub(f"+{REDACTED}@", _LINK_TOKEN.sub(rf"\1\2{REDACTED}", text))


class RedactTokensFilter(logging.Filter):
    """Rewrites a record's message with its link tokens redacted. The record
    is changed in place, so every handler after this one sees it redacted too."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class GunicornLogger(Logger):
    """gunicorn's logger, with every value an access-log format can print
    (request line, path, query, referer, any header) redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
