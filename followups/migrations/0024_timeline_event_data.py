"""Timeline events say what happened in their data, and are worded when read,
in the reader's language. Events stored as English sentences get the data
their sentence holds; the sentence itself is kept, and shown as it is for
every event whose sentence could not be read (one written in another
language, or in a form older than these)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, transaction
from django.db.models import Q
from django.utils import dateformat, translation

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
SENT = re.compile(
    r"^(?P<noun>Email|Webhook|Slack alert) sent to (?P<to>.+?)(?:: (?P<subject>.*))?$", re.S
)
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


# Replies stored by the reply feature before this migration carried the
# attachments' line, or the line for an empty reply, in ``message`` (in the
# language then active); the timeline now adds them from the data.
REPLY_EMPTY = {
    "(The reply has no text.)",
    "(Odpowiedź nie zawiera tekstu.)",
    "(В ответе нет текста.)",
    "（回复中没有文字。）",
}
REPLY_ATTACHMENTS = (
    "Attachments (not kept): ",
    "Załączniki (nie zachowano): ",
    "Вложения (не сохранены): ",
    "附件（未保存）：",
)


def customer_replied(message, data):
    """The customer's own words, the attachments' names in the data."""
    text, names = message, data.get("attachments")
    for opening in REPLY_ATTACHMENTS:
        head, separator, listed = message.rpartition("\n\n" + opening)
        if separator:
            text = head
            if not names:
                names = [name for name in listed.split(", ") if name]
            break
    if text.strip() in REPLY_EMPTY:
        text = ""
    read = {**data, "attachments": names} if names else data
    return (text, read) if (text, read) != (message, data) else None


BATCH = 2000


def in_batches(CaseEvent, events, change):
    """``change(event)`` on every event, one transaction per batch of rows
    (a big table is not locked for the whole migration); returns nothing."""
    last = 0
    while True:
        with transaction.atomic():
            batch = list(events.filter(pk__gt=last).order_by("pk")[:BATCH])
            if not batch:
                return
            last = batch[-1].pk
            changed = [event for event in batch if change(event)]
            CaseEvent.objects.bulk_update(changed, ["message", "data"])


def events_to_data(apps, schema_editor):
    CaseEvent = apps.get_model("followups", "CaseEvent")
    events = CaseEvent.objects.filter(kind__in=[*READERS, "customer_replied"]).exclude(message="")

    def change(event):
        data = event.data if isinstance(event.data, dict) else {}
        if event.kind == "customer_replied":
            read = customer_replied(event.message, data)
            if read is None:
                return False
            event.message, event.data = read
            return True
        read = READERS[event.kind](event.message, data)
        if read is None or read == data:
            return False
        event.data = read
        return True

    in_batches(CaseEvent, events.only("pk", "kind", "message", "data"), change)


# Back: the code before this migration shows ``message`` as it is, so every
# event stored without one gets the English sentence that code wrote.
STATUS_LABELS = {
    "new": "New",
    "in_progress": "In progress",
    "waiting": "Waiting on customer",
    "resolved": "Resolved",
    "closed": "Closed",
}
CHANNEL_NOUNS = {"email": "Email", "webhook": "Webhook", "slack": "Slack alert"}
OUTCOMES = {
    "reached": "Reached the customer",
    "voicemail": "Left a voicemail",
    "no_answer": "No answer",
    "wrong_number": "Wrong number",
}


def english_date(text):
    """An ISO 8601 moment in Django's English DATETIME_FORMAT, in the site's
    time zone ("Nov. 24, 2026, 6:25 p.m.")."""
    moment = datetime.fromisoformat(text).astimezone(ZoneInfo(settings.TIME_ZONE))
    with translation.override("en"):
        return dateformat.format(moment, "N j, Y, P")


def escalated_sentence(data):
    reason = data["reason"]
    if reason == "unowned":
        why = "nobody has taken it"
    elif reason == "contact":
        why = f"the customer was not contacted by {english_date(data['due'])}"
    elif reason == "resolution":
        why = f"not resolved by {english_date(data['due'])}"
    else:
        raise ValueError(reason)
    return f"Escalated to level {data['level']}: {why.rstrip('.')}."


def assigned_sentence(data):
    owner = data["owner_name"] or "nobody"
    if data.get("automatic"):
        return f"Assigned automatically to {owner}."
    return f"Assigned to {owner} (was {data.get('previous_owner_name') or 'nobody'})."


def email_sent_sentence(data):
    noun = CHANNEL_NOUNS[data["channel"]]
    to = "the customer" if data.get("to_customer") else data.get("recipient") or ""
    subject = data.get("subject") or ""
    return f"{noun} sent to {to}: {subject}" if subject else f"{noun} sent to {to}"


def call_logged_sentence(data):
    line = f"Call to {data.get('phone') or 'the customer'}: {OUTCOMES[data['outcome']]}."
    return f"{line}\n{data['note']}" if data.get("note") else line


def note_sentence(data):
    if data["reason"] != "resurvey_unreachable":
        raise ValueError(data["reason"])
    return NO_RESURVEY


def resurveyed_sentence(data):
    if "score" in data:
        return f"The customer answered the re-survey: {data['score']}/10."
    if "invitation_id" in data:
        return "Re-survey sent to the customer."
    raise KeyError("invitation_id")


def redeemed_sentence(data):
    grant, code, incentive = data["grant"], data["code"], data.get("incentive") or ""
    if grant not in ("offer", "reward"):
        raise ValueError(grant)
    opening = f"The customer's {grant} code {code} ({incentive}) was redeemed"
    order = data.get("order") or ""
    return f"{opening} for order {order}." if order else f"{opening} by hand."


def customer_replied_sentence(message, data):
    line = message or "(The reply has no text.)"
    names = data.get("attachments") or []
    if names:
        line += "\n\nAttachments (not kept): " + ", ".join(str(name) for name in names)
    return line


SENTENCES = {
    "created": lambda data: f"Opened for a score of {data['score']}.",
    "assigned": assigned_sentence,
    "status_changed": lambda data: (
        f"{STATUS_LABELS[data['previous']]} → {STATUS_LABELS[data['status']]}"
    ),
    "note": note_sentence,
    "email_sent": email_sent_sentence,
    "call_logged": call_logged_sentence,
    "escalated": escalated_sentence,
    "resurveyed": resurveyed_sentence,
    "redeemed": redeemed_sentence,
}


def data_to_sentences(apps, schema_editor):
    CaseEvent = apps.get_model("followups", "CaseEvent")
    kinds = [*SENTENCES, "customer_replied"]
    events = CaseEvent.objects.filter(kind__in=kinds).filter(
        Q(message="") | Q(kind="customer_replied")
    )

    def change(event):
        data = event.data if isinstance(event.data, dict) else {}
        if event.kind == "customer_replied":
            sentence = customer_replied_sentence(event.message, data)
        else:
            try:
                sentence = SENTENCES[event.kind](data)
            except (KeyError, ValueError, TypeError):
                return False  # too little data: shown blank as before
        if sentence == event.message:
            return False
        event.message = sentence
        return True

    in_batches(CaseEvent, events.only("pk", "kind", "message", "data"), change)


class Migration(migrations.Migration):
    # One transaction per batch (``in_batches``), not one over the table.
    atomic = False

    dependencies = [("followups", "0023_customer_replies")]

    operations = [migrations.RunPython(events_to_data, data_to_sentences)]
