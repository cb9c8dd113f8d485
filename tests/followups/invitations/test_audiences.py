"""Sending a survey to an audience from the admin: a segment, an uploaded list
or a saved filter; the preview's skip reasons; the wave page's numbers, each
equal to the rows of the list it links to."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from followups.invitations import admin as invitations_admin
from followups.invitations.admin_audience import AudienceForm
from followups.invitations.wave_results import wave_results
from followups.invitations.waves import Audience, wave_plan
from followups.models import MailEvent, OutboundMessage
from nps_project import replica
from surveys import imports
from surveys.audiences import CustomerListRefused, customer_list_create
from surveys.models import Customer, CustomerList, Invitation, Response, SavedFilter, Survey, Wave
from surveys.services import response_record
from tests.factories import (
    CustomerFactory,
    InvitationFactory,
    OutboundMessageFactory,
    SurveyFactory,
    UserFactory,
    manager,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    return SurveyFactory(slug="nps", name="NPS", throttle_days=30)


@pytest.fixture
def boss(client):
    client.force_login(manager("boss"))
    return client


def csv_file(text: str, name: str = "list.csv"):
    upload = io.BytesIO(text.encode())
    upload.name = name
    return upload


def audience_url(survey) -> str:
    return reverse("admin:surveys_survey_audience", args=[survey.pk])


# --- Choosing an audience ----------------------------------------------------


def test_a_segment_audience_plans_only_that_segments_customers(survey):
    vip = CustomerFactory.create_batch(2, segment="vip")
    CustomerFactory.create_batch(3, segment="retail")

    plan = wave_plan(survey=survey, audience=Audience(segment="vip"))

    assert sorted(plan.to_send) == sorted(c.pk for c in vip)


def test_an_uploaded_list_names_customers_by_email_or_external_id(survey):
    by_email = CustomerFactory(email="Ada@Example.com")
    by_id = CustomerFactory(external_id="crm-7")
    CustomerFactory.create_batch(3)  # not on the list
    data = b"email,external_id\nada@example.com,\n,crm-7\nnobody@example.com,\nADA@example.com,\n"

    customer_list = customer_list_create(name="Imported today", data=data)
    plan = wave_plan(survey=survey, audience=Audience(customer_list=customer_list))

    assert sorted(plan.to_send) == sorted([by_email.pk, by_id.pk])
    assert (customer_list.lines, customer_list.unknown_lines, customer_list.repeated_lines) == (
        4,
        [4],
        [5],
    )


def test_a_saved_filter_chooses_by_segment_language_and_joining_date(survey):
    match = CustomerFactory(segment="vip", locale="pl")
    CustomerFactory(segment="vip", locale="en")
    CustomerFactory(segment="retail", locale="pl")
    late = CustomerFactory(segment="vip", locale="pl")
    Customer.objects.filter(pk=late.pk).update(created_at=timezone.now() + timedelta(days=3))
    saved = SavedFilter.objects.create(
        name="Polish VIPs", segment="vip", locale="pl", joined_until=timezone.localdate()
    )

    plan = wave_plan(survey=survey, audience=Audience(saved_filter=saved))

    assert plan.to_send == [match.pk]


def test_a_saved_filter_shows_the_same_customers_on_the_customer_list(boss):
    CustomerFactory.create_batch(2, segment="vip", locale="pl")
    CustomerFactory(segment="vip", locale="en")
    saved = SavedFilter.objects.create(name="Polish VIPs", segment="vip", locale="pl")

    page = boss.get(reverse("admin:surveys_customer_changelist"), saved.changelist_params())

    assert page.status_code == 200
    assert page.context["cl"].result_count == Customer.objects.filter(saved.condition()).count()
    assert page.context["cl"].result_count == 2


# --- The preview: who is skipped and why --------------------------------------


def test_the_preview_counts_each_skip_reason_once_with_a_sample(survey, boss):
    now = timezone.now()
    CustomerFactory.create_batch(3, segment="vip")
    CustomerFactory(segment="vip", name="Gone", erased_at=now, unsubscribed_at=now)
    CustomerFactory(segment="vip", name="Left", unsubscribed_at=now)
    CustomerFactory(segment="vip", name="Spam", email_complained_at=now)
    CustomerFactory.create_batch(2, segment="vip", email_bounced_at=now)
    InvitationFactory(survey=survey, customer=CustomerFactory(segment="vip", name="Asked"))

    plan = wave_plan(survey=survey, audience=Audience(segment="vip"), samples=5)
    page = boss.post(audience_url(survey), {"kind": "segment", "segment": "vip", "preview": "1"})

    assert dict(plan.skipped) == {
        "erased": 1,
        "unsubscribed": 1,
        "complained": 1,
        "bounced": 2,
        "throttled": 1,
    }
    assert [c.name for c in plan.samples["unsubscribed"]] == ["Left"]
    assert page.status_code == 200
    groups = {group["reason"]: group["count"] for group in page.context["groups"]}
    assert groups == {
        "erased": 1,
        "unsubscribed": 1,
        "marked as spam": 1,
        "bounced": 2,
        "asked or answered within 30 days": 1,
    }
    text = page.content.decode()
    assert "3 customers will be invited." in text
    assert "Asked" in text and "Spam" in text
    assert not Wave.objects.exists()


def test_the_preview_names_the_lines_of_a_list_that_invite_nobody(survey, boss):
    CustomerFactory(email="ada@example.com")
    upload = csv_file("email\nada@example.com\nghost@example.com\nada@example.com\n")

    page = boss.post(audience_url(survey), {"kind": "list", "file": upload, "preview": "1"})

    assert page.status_code == 200
    assert page.context["list_groups"] == [
        {"reason": "lines naming no customer", "count": 1, "lines": [3]},
        {"reason": "lines naming a customer already listed", "count": 1, "lines": [4]},
    ]
    assert CustomerList.objects.get().members.count() == 1


def test_the_preview_warns_of_customers_whose_language_the_survey_lacks(survey, boss):
    CustomerFactory.create_batch(2, segment="vip", locale="ru")

    page = boss.post(audience_url(survey), {"kind": "segment", "segment": "vip", "preview": "1"})

    assert page.context["language_gaps"] == [
        "2 customers speak Russian; this survey has no Russian text: they will get English."
    ]


# --- Bad input ----------------------------------------------------------------


def test_a_malformed_list_row_is_refused_with_its_line_number_and_nothing_is_stored(survey, boss):
    CustomerFactory(email="ada@example.com")
    upload = csv_file("email\nada@example.com\nnot-an-email\n,\nbob@example.com,extra\n")

    page = boss.post(audience_url(survey), {"kind": "list", "file": upload, "preview": "1"})

    assert page.status_code == 200
    errors = page.context["form"].errors["file"]
    assert errors[0] == "Line 3: email: Enter a valid email address."
    assert errors[1] == "Line 5: has 2 values but the header has 1 columns."
    assert "Nothing was stored" in errors[-1]
    assert page.context["form"]["kind"].value() == "list"  # the choice is kept
    assert not CustomerList.objects.exists()
    assert not Wave.objects.exists()


def test_a_list_without_a_known_column_is_refused():
    with pytest.raises(Exception, match="email, external_id"):
        customer_list_create(name="x", data=b"name\nAda\n")
    assert not CustomerList.objects.exists()


def test_an_email_and_an_id_naming_two_customers_refuse_the_line():
    CustomerFactory(email="ada@example.com")
    CustomerFactory(external_id="crm-1")

    with pytest.raises(CustomerListRefused) as refused:
        customer_list_create(name="x", data=b"email,external_id\nada@example.com,crm-1\n")

    assert refused.value.errors == [
        {"line": 2, "message": "the email and the external id name two customers."}
    ]


class UnreadableUpload(SimpleUploadedFile):
    """A file too large to read: its size is all the form may look at."""

    def read(self, *args):
        raise AssertionError("the file was read before its size was checked")


def test_a_list_file_too_large_is_refused_before_it_is_read(survey):
    upload = UnreadableUpload("big.csv", b"email\n")
    upload.size = imports.MAX_FILE_BYTES + 1

    form = AudienceForm({"kind": "list"}, {"file": upload})

    assert not form.is_valid()
    assert form.errors["file"] == ["The file is larger than 20 MB; split it into smaller files."]


def test_each_kind_needs_its_choice(survey, boss):
    for kind, field in (("segment", "segment"), ("list", "file"), ("filter", "saved_filter")):
        page = boss.post(audience_url(survey), {"kind": kind, "preview": "1"})
        assert field in page.context["form"].errors, kind


def test_a_paused_survey_is_not_sent(boss):
    paused = SurveyFactory(status=Survey.Status.PAUSED)
    CustomerFactory(segment="vip")

    page = boss.post(audience_url(paused), {"kind": "segment", "segment": "vip", "preview": "1"})
    sent = boss.post(audience_url(paused), {"segment": "vip", "send": "1"})

    assert "Only an active survey can be sent" in page.content.decode()
    assert sent.status_code == 302
    assert not Wave.objects.exists()


# --- Sending and the wave page --------------------------------------------------


def confirmation(survey, data, once: str = "preview-1") -> dict:
    """What a preview's "Send now" posts for ``data``: the audience, a
    one-time token and the number the preview counted."""
    audience = Audience(
        segment=data.get("segment", ""),
        customer_list=CustomerList.objects.filter(pk=data.get("customer_list")).first(),
        saved_filter=SavedFilter.objects.filter(pk=data.get("saved_filter")).first(),
    )
    previewed = len(wave_plan(survey=survey, audience=audience).to_send)
    return {"confirm_token": once, "previewed": previewed, **data, "send": "1"}


def send(client, survey, data, once: str = "preview-1"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(audience_url(survey), confirmation(survey, data, once))


def test_the_same_preview_sent_twice_starts_one_wave(survey, boss):
    CustomerFactory.create_batch(2, segment="vip")

    first = send(boss, survey, {"segment": "vip"})
    second = send(boss, survey, {"segment": "vip"})

    wave = Wave.objects.get()
    assert (
        first["Location"]
        == second["Location"]
        == reverse("admin:surveys_wave_change", args=[wave.pk])
    )
    assert Invitation.objects.count() == 2


def test_the_preview_posts_a_new_token_and_its_count(survey, boss):
    CustomerFactory.create_batch(3, segment="vip")
    preview = {"kind": "segment", "segment": "vip", "preview": "1"}

    pages = [boss.post(audience_url(survey), preview) for _ in range(2)]

    tokens = {page.context["confirm_token"] for page in pages}
    assert len(tokens) == 2
    assert 'name="previewed" value="3"' in pages[0].content.decode()


@pytest.mark.parametrize(
    "audience",
    [{}, {"segment": "vip", "saved_filter": "filter"}],
    ids=["none", "two"],
)
def test_send_needs_exactly_one_audience(survey, boss, audience):
    CustomerFactory(segment="vip")
    saved = SavedFilter.objects.create(name="VIPs", segment="vip")
    data = {key: saved.pk if value == "filter" else value for key, value in audience.items()}

    answer = boss.post(
        audience_url(survey), {**data, "confirm_token": "t", "previewed": 1, "send": "1"}
    )

    assert answer.status_code == 302
    assert answer["Location"] == audience_url(survey)
    assert not Wave.objects.exists()
    shown = [str(m) for m in boss.get(audience_url(survey)).context["messages"]]
    assert any("preview again" in message for message in shown)


def test_an_audience_grown_since_the_preview_is_not_sent(survey, boss):
    CustomerFactory.create_batch(20, segment="vip")
    data = confirmation(survey, {"segment": "vip"})
    CustomerFactory.create_batch(2, segment="vip")

    answer = boss.post(audience_url(survey), data)

    assert answer["Location"] == audience_url(survey)
    assert not Wave.objects.exists()
    shown = [str(m) for m in boss.get(audience_url(survey)).context["messages"]]
    assert any("preview it again" in message for message in shown)


def test_a_small_drift_since_the_preview_is_still_sent(survey, boss):
    CustomerFactory.create_batch(40, segment="vip")
    data = confirmation(survey, {"segment": "vip"})
    CustomerFactory(segment="vip")

    with TestCase.captureOnCommitCallbacks(execute=True):
        boss.post(audience_url(survey), data)

    assert Wave.objects.get().invited == 41


def test_a_wave_keeps_the_saved_filter_as_it_was_when_it_started(survey, boss):
    vip = CustomerFactory(segment="vip")
    CustomerFactory(segment="retail")
    saved = SavedFilter.objects.create(name="VIPs", segment="vip")
    with TestCase.captureOnCommitCallbacks(execute=False):
        boss.post(audience_url(survey), confirmation(survey, {"saved_filter": saved.pk}))
    wave = Wave.objects.get()

    SavedFilter.objects.filter(pk=saved.pk).update(segment="retail")

    assert wave.audience_criteria == {"segment": "vip"}
    assert list(wave.customers().values_list("pk", flat=True)) == [vip.pk]


def test_send_now_starts_a_wave_for_the_audience_and_opens_its_page(survey, boss):
    vip = CustomerFactory.create_batch(2, segment="vip")
    CustomerFactory(segment="retail")
    saved = SavedFilter.objects.create(name="VIPs", segment="vip")

    answer = send(boss, survey, {"saved_filter": saved.pk})

    wave = Wave.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("admin:surveys_wave_change", args=[wave.pk])
    assert wave.saved_filter == saved
    assert wave.started_by.username == "boss"
    assert sorted(Invitation.objects.filter(wave=wave).values_list("customer", flat=True)) == (
        sorted(c.pk for c in vip)
    )


def test_a_wave_sent_to_a_list_invites_only_the_listed_customers(survey, boss):
    listed = CustomerFactory(email="ada@example.com")
    CustomerFactory.create_batch(3)
    customer_list = customer_list_create(name="Today", data=b"email\nada@example.com\n")

    send(boss, survey, {"customer_list": customer_list.pk})

    assert list(Invitation.objects.values_list("customer", flat=True)) == [listed.pk]


def answer(invitation, score):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response_record(
            survey=invitation.survey,
            customer=invitation.customer,
            score=score,
            invitation=invitation,
        )


def listed_count(client, url) -> int:
    page = client.get(url)
    assert page.status_code == 200, url
    return page.context["cl"].queryset.count()


def test_every_number_on_the_wave_page_links_to_a_list_of_as_many_rows(survey, boss):
    customers = CustomerFactory.create_batch(4, segment="vip", locale="en")
    CustomerFactory.create_batch(2, segment="vip", locale="pl")
    send(boss, survey, {"segment": "vip"})
    wave = Wave.objects.get()
    invitations = {i.customer_id: i for i in Invitation.objects.filter(wave=wave)}
    answer(invitations[customers[0].pk], 10)
    answer(invitations[customers[1].pk], 3)
    bounced = OutboundMessage.objects.get(customer=customers[2], template="invitation")
    MailEvent.objects.create(
        dedupe_key="b1",
        kind=MailEvent.Kind.BOUNCE,
        bounce_type=MailEvent.BounceType.PERMANENT,
        email=customers[2].email,
        customer=customers[2],
        outbound_message=bounced,
        source=MailEvent.Source.JSON,
        occurred_at=timezone.now(),
    )

    results = wave_results(wave)
    numbers = results["numbers"]

    counted = ("invited", "sent", "bounced", "answered")
    assert {name: numbers[name]["value"] for name in counted} == {
        "invited": 6,
        "sent": 5,
        "bounced": 1,
        "answered": 2,
    }
    assert numbers["response_rate"]["value"] == pytest.approx(33.3)
    assert numbers["nps"]["value"] == 0.0
    for name, number in numbers.items():
        if number["url"] and name != "nps":
            assert listed_count(boss, number["url"]) == number["value"], name
    assert listed_count(boss, numbers["nps"]["url"]) == 2
    languages = {row["language"]: row for row in results["languages"]}
    assert (languages["en"]["invited"]["value"], languages["pl"]["invited"]["value"]) == (4, 2)
    for row in results["languages"]:
        assert listed_count(boss, row["invited"]["url"]) == row["invited"]["value"]
        assert listed_count(boss, row["answered"]["url"]) == row["answered"]["value"]
    page = boss.get(reverse("admin:surveys_wave_change", args=[wave.pk]))
    assert page.status_code == 200
    assert f'href="{numbers["answered"]["url"]}"'.replace("&", "&amp;") in page.content.decode()


def test_the_wave_results_change_when_an_answer_arrives(survey, boss):
    CustomerFactory.create_batch(2, segment="vip")
    send(boss, survey, {"segment": "vip"})
    wave = Wave.objects.get()
    url = reverse("admin:surveys_wave_results", args=[wave.pk])
    before = boss.get(url).json()

    answer(Invitation.objects.filter(wave=wave).first(), 9)
    after = boss.get(url).json()

    assert (before["numbers"]["answered"]["value"], after["numbers"]["answered"]["value"]) == (0, 1)
    assert after["numbers"]["nps"]["value"] == 100.0
    assert after["finished"] is True
    assert Response.objects.filter(invitation__wave=wave).count() == 1


def test_the_survey_page_links_to_sending_it_to_an_audience(survey, client):
    url = audience_url(survey)
    change = reverse("admin:surveys_survey_change", args=[survey.pk])
    client.force_login(manager("boss"))
    assert url in client.get(change).content.decode()


def test_the_wave_page_stops_asking_a_day_after_the_wave_finished(survey, boss):
    CustomerFactory(segment="vip")
    send(boss, survey, {"segment": "vip"})
    wave = Wave.objects.get()
    url = reverse("admin:surveys_wave_results", args=[wave.pk])
    fresh = boss.get(url).json()

    Wave.objects.filter(pk=wave.pk).update(finished_at=timezone.now() - timedelta(days=2))
    old = boss.get(url).json()
    page = boss.get(reverse("admin:surveys_wave_change", args=[wave.pk])).content.decode()

    assert (fresh["finished"], fresh["poll"]) == (True, True)
    assert (old["finished"], old["poll"]) == (True, False)
    assert 'data-poll="no"' in page


def test_the_wave_results_are_report_reads(survey, boss, monkeypatch):
    CustomerFactory(segment="vip")
    send(boss, survey, {"segment": "vip"})
    blocks = []

    def results(wave):
        blocks.append(replica._block.get())
        return {}

    monkeypatch.setattr(invitations_admin, "wave_results", results)
    boss.get(reverse("admin:surveys_wave_results", args=[Wave.objects.get().pk]))

    assert blocks and blocks[0] is not None


def staff_with(*codenames: str):
    """A staff user holding just these surveys permissions."""
    user = UserFactory(username="clerk")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="surveys", codename__in=codenames)
    )
    return user


def test_the_preview_names_no_customer_to_whom_may_not_see_customers(survey, client):
    CustomerFactory(segment="vip", email="kept@example.com")
    CustomerFactory(segment="vip", email="gone@example.com", erased_at=timezone.now())
    client.force_login(staff_with("view_survey", "change_survey"))

    page = client.post(audience_url(survey), {"kind": "segment", "segment": "vip", "preview": "1"})

    text = page.content.decode()
    assert page.status_code == 200
    assert "1 customer will be invited" in text
    assert "gone@example.com" not in text and "surveys/customer/" not in text


def test_the_survey_page_lists_waves_only_to_whom_may_open_them(survey, client):
    CustomerFactory(segment="vip")
    wave = Wave.objects.create(survey=survey, segment="vip")
    wave_url = reverse("admin:surveys_wave_change", args=[wave.pk])
    change = reverse("admin:surveys_survey_change", args=[survey.pk])

    client.force_login(staff_with("view_survey", "change_survey"))
    hidden = client.get(change).content.decode()
    client.force_login(staff_with("view_survey", "change_survey", "view_wave"))
    shown = client.get(change).content.decode()

    assert wave_url not in hidden
    assert wave_url in shown


def test_the_outbox_filtered_by_a_bad_wave_id_shows_nothing(boss):
    OutboundMessageFactory(dedupe_key="other")
    url = reverse("admin:followups_outboundmessage_changelist")

    assert listed_count(boss, url) == 1
    assert listed_count(boss, url + "?wave=not-a-wave") == 0
    assert listed_count(boss, url + "?wave=99999999999999999999999") == 0


def test_the_language_table_follows_the_language_the_emails_were_written_in(survey, boss):
    CustomerFactory.create_batch(2, segment="vip", locale="pl")
    CustomerFactory(segment="vip", locale="")
    send(boss, survey, {"segment": "vip"})
    wave = Wave.objects.get()

    table = {row["language"]: row["invited"]["value"] for row in wave_results(wave)["languages"]}
    emails = OutboundMessage.objects.filter(template="invitation")
    written = {language: emails.filter(language=language).count() for language in table}

    assert table == written == {"en": 1, "pl": 2}
    # The documented choice: a customer whose language changed since is
    # counted under the new one (the lists the numbers link to filter so).
    Customer.objects.filter(locale="pl").update(locale="ru")
    moved = {row["language"] for row in wave_results(wave)["languages"]}
    assert moved == {"en", "ru"}
