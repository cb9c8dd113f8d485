"""The timeline is stored as what happened (kind and data) and worded when
read: in the reader's language and date format, on the case page and in the
cases API; events stored as English sentences are read into data by a
migration, and the ones it cannot read keep their sentence."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.utils import translation

from followups.cases import workflow
from followups.cases.timeline import event_line
from followups.models import CaseEvent, FollowUpCase
from tests.factories import manager, staff_member
from tests.followups.cases import open_case
from tests.surveys.api.conftest import client_with, key_for

pytestmark = pytest.mark.django_db

OPENED = datetime(2026, 11, 23, 18, 25, tzinfo=UTC)
MIGRATION = importlib.import_module("followups.migrations.0024_timeline_event_data")


@pytest.fixture(autouse=True)
def utc(settings):
    settings.TIME_ZONE = "UTC"


@pytest.fixture
def escalated_case():
    """A case opened, assigned, not contacted in 24 h: escalated to level 1."""
    boss = manager("boss", email="boss@example.com", first_name="Ada", last_name="Nowak")
    owner = staff_member("kim", email="kim@example.com", first_name="Kim", last_name="Lee")
    case = open_case(created_at=OPENED)
    with time_machine.travel(OPENED + timedelta(minutes=5), tick=False):
        workflow.case_assign(case=case, owner=owner, actor=boss)
    moment = OPENED + timedelta(hours=24, minutes=1)
    # The emails it queues are sent after the commit this test never makes.
    with time_machine.travel(moment, tick=False):
        assert workflow.due_cases_escalate() == 1
    return case


def lines(case, language: str) -> list[str]:
    with translation.override(language):
        return [event_line(event) for event in case.events.order_by("created_at", "pk")]


def test_an_escalation_is_stored_as_data_not_as_a_sentence(escalated_case):
    event = escalated_case.events.get(kind=CaseEvent.Kind.ESCALATED)
    assert event.message == ""
    assert event.data == {"level": 1, "reason": "contact", "due": "2026-11-24T18:25:00+00:00"}


def test_the_timeline_reads_in_english_with_the_english_date_format(escalated_case):
    assert lines(escalated_case, "en")[1:] == [
        "Assigned to Kim Lee (was nobody).",
        "Escalated to level 1: the customer was not contacted by 11/24/2026 6:25 p.m.",
    ]


def test_the_same_timeline_reads_in_polish_with_the_polish_date_format(escalated_case):
    assert lines(escalated_case, "pl")[1:] == [
        "Przypisano do: Kim Lee (wcześniej: nikt).",
        "Eskalowano do poziomu 1: brak kontaktu z klientem do 24-11-2026  18:25.",
    ]


def test_a_call_and_a_status_change_read_in_polish_with_the_note_as_written():
    owner = staff_member("kim", first_name="Kim", last_name="Lee")
    case = open_case(owner=owner, phone="+48123456789")
    workflow.case_log_call(case=case, actor=owner, outcome="reached", note="Oddzwonię jutro.")
    assert lines(case, "pl")[1:] == [
        "Połączenie z +48123456789: Rozmowa z klientem.\nOddzwonię jutro.",
        "Nowe → W toku",
    ]


def test_the_case_page_shows_the_timeline_in_the_readers_language(escalated_case, client):
    client.force_login(manager("reader"))
    url = f"/admin/followups/followupcase/{escalated_case.pk}/change/"

    polish = client.get(url, headers={"accept-language": "pl"}).content.decode()
    english = client.get(url, headers={"accept-language": "en"}).content.decode()

    assert "Eskalowano do poziomu 1: brak kontaktu z klientem do 24-11-2026  18:25." in polish
    assert "Escalated" not in polish and "Assigned to" not in polish
    assert "Escalated to level 1: the customer was not contacted by 11/24/2026 6:25 p.m." in (
        english
    )


def test_the_api_words_events_in_the_requested_language_and_keeps_the_data_stable(
    escalated_case,
):
    client = client_with(key_for(manager("reader"), "cases:read"))
    url = f"/api/v1/cases/{escalated_case.pk}/"

    default = client.get(url).json()["events"]
    polish = client.get(url, HTTP_ACCEPT_LANGUAGE="pl").json()["events"]

    assert default[-1]["message"].startswith("Escalated to level 1: the customer was not")
    assert polish[-1]["message"].startswith("Eskalowano do poziomu 1: brak kontaktu")
    assert [(e["kind"], e["data"]) for e in default] == [(e["kind"], e["data"]) for e in polish]


def test_an_event_whose_data_says_too_little_shows_its_stored_sentence():
    case = open_case()
    old = CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.ESCALATED, message="Escalated: overdue since 2026-11-02."
    )
    note = CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.NOTE, message="Called back.")
    with translation.override("pl"):
        assert (event_line(old), event_line(note)) == (
            "Escalated: overdue since 2026-11-02.",
            "Called back.",
        )


OLD_SENTENCES = [
    # (kind, data stored then, the sentence stored then, the Polish line now)
    (
        "escalated",
        {"level": 2},
        "Escalated to level 2: not resolved by Nov. 24, 2026, 6:25 p.m..",
        "Eskalowano do poziomu 2: nie rozwiązano do 24-11-2026  18:25.",
    ),
    (
        "escalated",
        {"level": 1},
        "Escalated to level 1: nobody has taken it.",
        "Eskalowano do poziomu 1: nikt go nie przejął.",
    ),
    (
        "assigned",
        {"owner_id": 5, "automatic": True},
        "Assigned automatically to Kim Lee.",
        "Przypisano automatycznie do: Kim Lee.",
    ),
    (
        "email_sent",
        {"email_id": 7, "template": "case_message"},
        "Email sent to the customer: Your parcel",
        "Wysłano do klienta (E-mail): Your parcel",
    ),
    (
        "call_logged",
        {"outcome": "voicemail", "phone": ""},
        "Call to the customer: Left a voicemail.\nTry again at noon.",
        "Połączenie z klientem: Nagrana wiadomość.\nTry again at noon.",
    ),
    ("status_changed", {}, "new → in progress", "Nowe → W toku"),
    (
        "redeemed",
        {"grant": "offer", "grant_id": 3, "via": "api"},
        "The customer's offer code AB-CD (Renewal) was redeemed for order SO-1.",
        "Kod oferty klienta AB-CD (Renewal) wykorzystano przy zamówieniu SO-1.",
    ),
]


def test_the_migration_reads_old_english_sentences_into_data_and_keeps_them():
    case = open_case()
    events = [
        CaseEvent.objects.create(case=case, kind=kind, data=data, message=message)
        for kind, data, message, _polish in OLD_SENTENCES
    ]

    MIGRATION.events_to_data(apps, None)

    for event, (_kind, _data, message, polish) in zip(events, OLD_SENTENCES, strict=True):
        event.refresh_from_db()
        assert event.message == message  # nothing lost
        with translation.override("pl"):
            assert event_line(event) == polish


def test_the_migration_leaves_sentences_it_cannot_read_as_they_were():
    case = open_case()
    kept = [
        CaseEvent.objects.create(case=case, kind=kind, message=message, data=data)
        for kind, message, data in [
            ("escalated", "Escalated to level 1: overdue since 2026-11-02 10:00 UTC.", {}),
            ("assigned", "Przypisano do: Kim Lee (wcześniej: nikt).", {"owner_id": 5}),
            ("note", "Called back.", {"via": "phone"}),
        ]
    ]

    MIGRATION.events_to_data(apps, None)

    for event in kept:
        before = (event.message, event.data)
        event.refresh_from_db()
        assert (event.message, event.data) == before
        with translation.override("pl"):
            assert event_line(event) == event.message


def test_the_case_status_labels_are_the_ones_the_migration_knows():
    labels = {str(label).lower() for label in FollowUpCase.Status.labels}
    assert labels <= set(MIGRATION.STATUSES)
    assert set(FollowUpCase.Status.values) <= set(MIGRATION.STATUSES.values())


def test_rolling_the_migration_back_writes_the_english_sentences_of_new_events(escalated_case):
    CaseEvent.objects.create(
        case=escalated_case,
        kind=CaseEvent.Kind.CUSTOMER_REPLIED,
        message="Thanks",
        data={"source": "api", "attachments": ["receipt.pdf"]},
    )
    assert escalated_case.events.filter(message="").count() == 3  # opened, assigned, escalated

    MIGRATION.data_to_sentences(apps, None)

    messages = dict(escalated_case.events.values_list("kind", "message"))
    assert messages == {
        "created": "Opened for a score of 2.",
        "assigned": "Assigned to Kim Lee (was nobody).",
        "escalated": "Escalated to level 1: the customer was not contacted by "
        "Nov. 24, 2026, 6:25 p.m.",
        "customer_replied": "Thanks\n\nAttachments (not kept): receipt.pdf",
    }
    # The sentences are the ones the migration reads forward again.
    for event in escalated_case.events.filter(kind__in=["assigned", "escalated"]):
        read = MIGRATION.READERS[event.kind](event.message, {})
        assert read.items() >= {k: v for k, v in event.data.items() if k in read}.items()


def test_rolling_back_keeps_a_message_a_person_wrote_and_leaves_unreadable_data_blank():
    case = open_case()
    note = CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.NOTE, message="Called back.")
    odd = CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.ESCALATED, data={"level": 1})

    MIGRATION.data_to_sentences(apps, None)

    note.refresh_from_db()
    odd.refresh_from_db()
    assert (note.message, odd.message) == ("Called back.", "")


OLD_REPLIES = [
    # (the message stored then, its data, the message after the migration)
    (
        "Sorry, late.\n\nAttachments (not kept): receipt.pdf, photo.jpg",
        {"source": "api", "attachments": ["receipt.pdf", "photo.jpg"]},
        "Sorry, late.",
    ),
    (
        "(The reply has no text.)\n\nAttachments (not kept): receipt.pdf",
        {"source": "imap", "attachments": ["receipt.pdf"]},
        "",
    ),
    ("(The reply has no text.)", {"source": "api", "attachments": []}, ""),
    ("Dzięki.\n\nZałączniki (nie zachowano): skan.pdf", {"source": "api"}, "Dzięki."),
    ("Fine by me.", {"source": "api", "attachments": []}, "Fine by me."),
]


def test_the_migration_strips_the_lines_replies_carried_in_their_message():
    case = open_case()
    events = [
        CaseEvent.objects.create(
            case=case, kind=CaseEvent.Kind.CUSTOMER_REPLIED, message=message, data=data
        )
        for message, data, _after in OLD_REPLIES
    ]

    MIGRATION.events_to_data(apps, None)

    for event, (_message, _data, after) in zip(events, OLD_REPLIES, strict=True):
        event.refresh_from_db()
        assert event.message == after
    with translation.override("en"):  # shown as they were, the lines once
        for index in (0, 1, 2, 4):
            assert event_line(events[index]) == OLD_REPLIES[index][0]
    assert events[3].data["attachments"] == ["skan.pdf"]  # the names moved into the data
    assert events[4].data == {"source": "api", "attachments": []}
