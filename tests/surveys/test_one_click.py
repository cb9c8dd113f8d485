"""One click is one click: the score chosen in the email is recorded by the
page's script as the page opens (/s/<token>/score/), while a link scanner's
GET or HEAD records nothing. The customer may change the score until they
send the page or its time runs out; routing waits until then."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUpCase
from followups.sweep import lost_work_sweep
from surveys import scanners, services
from surveys.models import Invitation, Response
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db

SCANNERS = [
    "Mozilla/5.0 (compatible; Microsoft Outlook SafeLinks)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36 Barracuda",
    "Proofpoint URL Defense",
    "Mimecast-URL-Protect/1.0",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "curl/8.5.0",
]


@pytest.fixture(autouse=True)
def sent_long_ago(monkeypatch):
    """The factory's invitations were sent this instant, which counts as a
    scanner's time at the receiving server; these tests are the customer's,
    minutes later (the scanner's own are at the end, with the real window)."""
    monkeypatch.setattr(scanners, "PREFETCH_WINDOW", timedelta(0))


def record_url(invitation: Invitation) -> str:
    return reverse("surveys:record", args=[invitation.token])


def page_with_token(client: Client, invitation: Invitation, score: int) -> tuple[str, str]:
    html = client.get(f"{invitation.get_absolute_url()}?score={score}").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return html, token


def auto_post(client: Client, invitation: Invitation, score, token: str = ""):
    data = {"score": str(score)}
    if token:
        data["csrfmiddlewaretoken"] = token
    return client.post(record_url(invitation), data)


# --- A scanner records nothing ---------------------------------------------------


@pytest.mark.parametrize("agent", SCANNERS)
def test_scanner_get_and_head_of_the_email_link_record_nothing(agent):
    scanner = Client(HTTP_USER_AGENT=agent)
    invitation = InvitationFactory()
    link = f"{invitation.get_absolute_url()}?score=2"

    assert scanner.get(link).status_code == 200
    assert scanner.head(link).status_code == 200
    assert scanner.get(record_url(invitation)).status_code == 405
    assert scanner.head(record_url(invitation)).status_code == 405

    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.opened_at is None


def test_page_tells_its_script_where_to_record_the_preselected_score(client):
    invitation = InvitationFactory()

    html = client.get(f"{invitation.get_absolute_url()}?score=3").content.decode()

    assert f'data-record="{record_url(invitation)}"' in html
    assert 'value="3" checked' in html
    assert "data-recorded" not in html


def test_csp_lets_the_page_post_to_its_own_site_only(client):
    invitation = InvitationFactory()

    policy = client.get(invitation.get_absolute_url())["Content-Security-Policy"]

    assert "connect-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_record_without_the_pages_csrf_token_is_refused():
    strict = Client(enforce_csrf_checks=True)
    invitation = InvitationFactory()

    assert auto_post(strict, invitation, 3).status_code == 403
    assert not Response.objects.exists()


# --- The page's script records the score ----------------------------------------


def test_opening_the_page_records_the_emailed_score_changeable_and_not_yet_routed(settings):
    settings.NPS_ANSWER_CHANGE_SECONDS = 300
    browser = Client(enforce_csrf_checks=True)
    invitation = InvitationFactory()
    _, token = page_with_token(browser, invitation, 3)

    reply = auto_post(browser, invitation, 3, token)

    assert reply.status_code == 200
    assert reply.json() == {
        "score": 3,
        "changeable": True,
        "message": "Thank you — your score of 3 is recorded. You may change it or add a comment.",
    }
    response = Response.objects.get()
    assert (response.invitation_id, response.score, response.routed_at) == (
        invitation.pk,
        3,
        None,
    )
    assert response.changeable_until > timezone.now() + timedelta(seconds=290)
    invitation.refresh_from_db()
    assert invitation.opened_at is not None and invitation.responded_at is not None
    assert not FollowUpCase.objects.exists()


def test_message_is_in_the_customers_language(client):
    invitation = InvitationFactory(customer__locale="pl")

    reply = auto_post(client, invitation, 3)

    assert reply.json()["message"].startswith("Dziękujemy")


def test_picking_another_score_changes_the_same_answer(client):
    invitation = InvitationFactory()
    auto_post(client, invitation, 3)

    reply = auto_post(client, invitation, 8)

    assert reply.status_code == 200
    assert reply.json()["score"] == 8
    response = Response.objects.get()
    assert (response.score, response.category) == (8, "passive")


def test_an_invalid_score_is_refused_with_a_message_and_changes_nothing(client):
    invitation = InvitationFactory()
    auto_post(client, invitation, 3)

    reply = auto_post(client, invitation, 11)

    assert reply.status_code == 400
    assert reply.json()["message"] == "Please choose a score from 0 to 10."
    assert Response.objects.get().score == 3


def test_reopening_the_link_shows_the_recorded_score_still_changeable(client):
    invitation = InvitationFactory()
    auto_post(client, invitation, 4)

    html = client.get(f"{invitation.get_absolute_url()}?score=9").content.decode()

    assert "data-recorded" in html
    assert 'value="4" checked' in html and 'value="9" checked' not in html
    assert "your score of 4 is recorded" in html
    assert "We already have your answer" not in html


def test_the_comment_after_the_auto_post_is_no_reused_link_and_routes_once(
    client, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory()
    auto_post(client, invitation, 3)
    auto_post(client, invitation, 2)

    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post(
            reverse("surveys:follow_up", args=[invitation.token]),
            {"comment": "Late again.", "from": "answer"},
        )

    assert reply.status_code == 303
    assert reply["Location"] == reverse("surveys:thanks", args=[invitation.token])
    response = Response.objects.get()
    assert (response.score, response.comment) == (2, "Late again.")
    assert response.routed_at is not None
    assert FollowUpCase.objects.get().response == response
    # Final now: another score changes nothing, and the page says so.
    again = auto_post(client, invitation, 9)
    assert again.status_code == 409
    assert again.json()["message"] == (
        "You gave us a score of 2. There is nothing more you need to do."
    )
    assert Response.objects.get().score == 2


def test_a_customer_who_closes_the_tab_is_routed_once_the_time_to_change_is_over(client, settings):
    settings.NPS_ANSWER_CHANGE_SECONDS = 300
    invitation = InvitationFactory()
    auto_post(client, invitation, 3)

    lost_work_sweep(now=timezone.now() + timedelta(seconds=60))
    assert Response.objects.get().routed_at is None

    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        lost_work_sweep()
        assert auto_post(client, invitation, 9).status_code == 409

    assert Response.objects.get().routed_at is not None
    assert FollowUpCase.objects.count() == 1
    assert Response.objects.get().score == 3


def test_without_script_one_press_records_a_final_answer_routed_at_once(
    client, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory()

    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post(invitation.get_absolute_url(), {"score": "3"})

    assert reply.status_code == 303
    response = Response.objects.get()
    assert response.changeable_until is None
    assert response.routed_at is not None


def test_without_script_the_recorded_page_changes_the_score_with_its_button(client):
    invitation = InvitationFactory()
    auto_post(client, invitation, 3)

    reply = client.post(invitation.get_absolute_url(), {"score": "5"})

    assert reply.status_code == 303
    assert reply["Location"] == invitation.get_absolute_url()
    assert Response.objects.get().score == 5


def test_an_invalid_comment_on_the_recorded_page_keeps_the_customer_there(client):
    invitation = InvitationFactory()
    auto_post(client, invitation, 3)

    reply = client.post(
        reverse("surveys:follow_up", args=[invitation.token]),
        {"comment": "x" * 5001, "from": "answer"},
    )

    assert reply.status_code == 200
    html = reply.content.decode()
    assert 'id="comment-error"' in html and "data-recorded" in html
    assert Response.objects.get().comment == ""


def test_an_expired_link_records_nothing_through_the_script(client):
    invitation = InvitationFactory(expires_at=timezone.now() - timedelta(minutes=1))

    assert auto_post(client, invitation, 3).status_code == 410
    assert not Response.objects.exists()


def test_an_unknown_link_records_nothing_through_the_script(client):
    reply = client.post(reverse("surveys:record", args=["nope"]), {"score": "3"})

    assert reply.status_code == 404
    assert not Response.objects.exists()


def test_the_script_is_throttled_like_the_form(client, settings):
    settings.NPS_PAGE_POSTS_PER_MINUTE = 2
    invitation = InvitationFactory()

    codes = [auto_post(client, invitation, 3).status_code for _ in range(3)]

    assert codes == [200, 200, 429]


# --- The services -------------------------------------------------------------


def test_score_change_is_refused_once_routed():
    invitation = InvitationFactory()
    response = services.response_record(
        survey=invitation.survey,
        customer=invitation.customer,
        score=3,
        invitation=invitation,
        changeable_for=timedelta(minutes=5),
    ).response
    Response.objects.filter(pk=response.pk).update(routed_at=timezone.now())

    assert services.response_score_change(response=response, score=9) is False
    assert Response.objects.get().score == 3


def test_routing_skips_an_answer_its_customer_may_still_change():
    from followups.routing import responses_route

    invitation = InvitationFactory()
    response = services.response_record(
        survey=invitation.survey,
        customer=invitation.customer,
        score=3,
        invitation=invitation,
        changeable_for=timedelta(minutes=5),
    ).response

    responses_route(response_ids=[response.pk])

    assert Response.objects.get().routed_at is None
    assert services.response_settle(response=response) is True
    assert services.response_settle(response=response) is False
    responses_route(response_ids=[response.pk])
    assert Response.objects.get().routed_at is not None


# --- A scanner that runs the page's script records nothing ------------------------

HEADLESS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/120.0.0.0 Safari/537.36"
)
BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)


@pytest.mark.parametrize("agent", [HEADLESS, SCANNERS[0], SCANNERS[2]])
def test_a_scanner_running_the_script_records_nothing_and_the_customer_answers_later(agent):
    invitation = InvitationFactory()
    scanner = Client(HTTP_USER_AGENT=agent)
    _, token = page_with_token(scanner, invitation, 0)

    refused = auto_post(scanner, invitation, 0, token)

    assert refused.status_code == 202
    assert refused.json() == {"score": None, "changeable": False, "message": ""}
    assert not Response.objects.exists()
    customer = Client(HTTP_USER_AGENT=BROWSER)
    _, token = page_with_token(customer, invitation, 9)
    assert auto_post(customer, invitation, 9, token).status_code == 200
    assert Response.objects.get().score == 9


def test_a_post_as_the_email_arrives_is_a_scanners_and_one_minutes_later_the_customers(
    monkeypatch,
):
    monkeypatch.setattr(scanners, "PREFETCH_WINDOW", timedelta(seconds=5))
    sent = timezone.now()
    invitation = InvitationFactory(sent_at=sent)
    client = Client(HTTP_USER_AGENT=BROWSER)

    with time_machine.travel(sent + timedelta(seconds=2), tick=False):
        _, token = page_with_token(client, invitation, 1)
        assert auto_post(client, invitation, 1, token).status_code == 202
    assert not Response.objects.exists()

    with time_machine.travel(sent + timedelta(minutes=1), tick=False):
        _, token = page_with_token(client, invitation, 7)
        assert auto_post(client, invitation, 7, token).status_code == 200
    assert Response.objects.get().score == 7
