"""Timeline events say what happened in their data, and are worded when read,
in the reader's language. Events stored as English sentences get the data
their sentence holds; the sentence itself is kept, and shown as it is for
every event whose sentence could not be read (one written in another
language, or in a form older than these)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

# Frozen here: the sentences as the code wrote them, and Django's English
# DATETIME_FORMAT ("N j, Y, P": "Nov. 24, 2026, 6:25 p.m.") they dated with.
STATUSES = {
    "new": "new",
    "in progress": "in_progress",
    "waiting": "waiting",
    "waiting on customer": "waiting",
    "resolved": "resolved",
    "closed": "closed",
}
CHANNELS = {"email": "email", "webhook": "webhook", "slack alert": "slack"}
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan.", "january"),
            ("feb.", "february"),
            ("march",),
            ("april",),
            ("may",),
            ("june",),
            ("july",),
            ("aug.", "august"),
            ("sept.", "september"),
            ("oct.", "october"),
            ("nov.", "november"),
            ("dec.", "december"),
        ],
        start=1,
    )
    for name in names
}
DATE = re.compile(r"^(?P<month>[A-Za-z.]+) (?P<day>\d{1,2}), (?P<year>\d{4}), (?P<time>.+)$")
TIME = re.compile(r"^(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))? (?P<half>[ap])\.m\.$")
ASSIGNED = re.compile(r"^Assigned to (?P<owner>.+) \(was (?P<previous>.+)\)\.$", re.S)
ASSIGNED_AUTOMATICALLY = re.compile(r"^Assigned automatically to (?P<owner>.+)\.$", re.S)
STATUS_CHANGED = re.compile(r"^(?P<previous>[A-Za-z ]+) → (?P<status>[A-Za-z ]+)$")
SENT = re.compile(r"^(?P<noun>Email|Webhook|Slack alert) sent to (?P<to>.+?)(?:: (?P<subject>.*))?$", re.S)
ESCALATED = re.compile(r"^Escalated to level (?P<level>\d+): (?P<reason>.+)$", re.S)
REDEEMED = re.compile(
    r"^The customer's (?P<grant>offer|reward) code (?P<code>\S+) \((?P<incentive>.*)\) "
    r"was redeemed (?:for order (?P<order>.+)|by hand)\.$",
    re.S,
)
NO_RESURVEY = "No re-survey: the customer gets no email."


def english_moment(text):
    """A moment in Django's English DATETIME_FORMAT, in the site's time zone."""
    date = DATE.match(text.strip())
    if date is None or date["month"].lower() not in MONTHS:
        return None
    clock = date["time"]
    if clock in ("midnight", "noon"):
        hour, minute = (0 if clock == "midnight" else 12), 0
    else:
        time = TIME.match(clock)
        if time is None:
            return None
        hour = int(time["hour"]) % 12 + (12 if time["half"] == "p" else 0)
        minute = int(time["minute"] or 0)
    zone = ZoneInfo(settings.TIME_ZONE)
    try:
        local = datetime(
            int(date["year"]), MONTHS[date["month"].lower()], int(date["day"]), hour, minute
        )
    except ValueError:
        return None
    return local.replace(tzinfo=zone).isoformat()


def escalated(message, data):
    found = ESCALATED.match(message)
    if found is None:
        return None
    # One full stop ends the sentence; a date may end in one of its own ("p.m.").
    reason = found["reason"].removesuffix(".")
    level = {"level": data.get("level", int(found["level"]))}
    if reason == "nobody has taken it":
        return {**level, "reason": "unowned"}
    for kind, opening in (
        ("contact", "the customer was not contacted by "),
        ("resolution", "not resolved by "),
    ):
        if reason.startswith(opening):
            moment = reason.removeprefix(opening)
            due = english_moment(moment) or english_moment(f"{moment}.")
            return {**level, "reason": kind, "due": due} if due else None
    return None


def assigned(message, data):
    found = ASSIGNED_AUTOMATICALLY.match(message)
    if found:
        return {**data, "owner_name": found["owner"], "automatic": True}
    found = ASSIGNED.match(message)
    if found is None:
        return None
    names = [None if name == "nobody" else name for name in (found["owner"], found["previous"])]
    return {**data, "owner_name": names[0], "previous_owner_name": names[1]}


def status_changed(message, data):
    if "previous" in data and "status" in data:
        return None  # already says it all
    found = STATUS_CHANGED.match(message.strip())
    if found is None:
        return None
    previous = STATUSES.get(found["previous"].strip().lower())
    status = STATUSES.get(found["status"].strip().lower())
    if previous is None or status is None:
        return None
    return {**data, "previous": previous, "status": status}


def email_sent(message, data):
    found = SENT.match(message)
    if found is None:
        return None
    to_customer = found["to"] == "the customer"
    sent = {
        "channel": CHANNELS[found["noun"].lower()],
        "subject": found["subject"] or "",
        "to_customer": to_customer,
    }
    if not to_customer:
        sent["recipient"] = found["to"]
    return {**data, **sent}


def call_logged(message, data):
    # The note followed the call's line (written in the caller's language).
    if "outcome" not in data or "note" in data:
        return None
    _line, _newline, note = message.partition("\n")
    return {**data, "note": note}


def note(message, data):
    return {**data, "reason": "resurvey_unreachable"} if message == NO_RESURVEY else None


def redeemed(message, data):
    found = REDEEMED.match(message)
    if found is None:
        return None
    return {
        **data,
        "grant": found["grant"],
        "code": found["code"],
        "incentive": found["incentive"],
        "order": found["order"] or "",
    }


READERS = {
    "assigned": assigned,
    "status_changed": status_changed,
    "email_sent": email_sent,
    "call_logged": call_logged,
    "escalated": escalated,
    "note": note,
    "redeemed": redeemed,
}


def events_to_data(apps, schema_editor):
    CaseEvent = apps.get_model("followups", "CaseEvent")
    changed = []
    events = CaseEvent.objects.filter(kind__in=READERS).exclude(message="").only(
        "pk", "kind", "message", "data"
    )
    for event in events.iterator(chunk_size=2000):
        data = event.data if isinstance(event.data, dict) else {}
        read = READERS[event.kind](event.message, data)
        if read is not None and read != data:
            event.data = read
            changed.append(event)
        if len(changed) >= 2000:
            CaseEvent.objects.bulk_update(changed, ["data"])
            changed = []
    CaseEvent.objects.bulk_update(changed, ["data"])


class Migration(migrations.Migration):
    dependencies = [("followups", "0023_customer_replies")]

    operations = [migrations.RunPython(events_to_data, migrations.RunPython.noop)]
