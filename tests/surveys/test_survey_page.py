"""The survey page behind the link in an invitation: /s/<token>/."""

# Russian and Chinese text on purpose:
# ruff: noqa: RUF001

from __future__ import annotations

import re
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.models import Channel, Invitation, Response, Survey
from tests.factories import InvitationFactory, ResponseFactory

pytestmark = pytest.mark.django_db


def answer_url(invitation: Invitation, score=None) -> str:
    url = invitation.get_absolute_url()
    return url if score is None else f"{url}?score={score}"


def follow_up_url(invitation: Invitation) -> str:
    return reverse("surveys:follow_up", args=[invitation.token])


def thanks_url(invitation: Invitation) -> str:
    return reverse("surveys:thanks", args=[invitation.token])


def checked_scores(html: str) -> list[str]:
    return re.findall(
        r'<input type="radio" name="score" id="score-\d+" value="(\d+)" checked', html
    )


def answered(invitation: Invitation, score: int = 9, comment: str = "") -> Response:
    return services.response_record(
        survey=invitation.survey,
        customer=invitation.customer,
        score=score,
        comment=comment,
        channel=invitation.channel,
        invitation=invitation,
    ).response


# --- A GET records nothing ------------------------------------------------------


def test_get_shows_the_eleven_scores_and_records_nothing(client):
    invitation = InvitationFactory()

    page = client.get(answer_url(invitation))

    assert page.status_code == 200
    html = page.content.decode()
    assert re.findall(r'name="score" id="score-\d+" value="(\d+)"', html) == [
        str(n) for n in range(11)
    ]
    assert checked_scores(html) == []
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert (invitation.opened_at, invitation.responded_at) == (None, None)


def test_get_with_a_score_from_the_email_preselects_it_and_records_nothing(client):
    invitation = InvitationFactory()

    page = client.get(answer_url(invitation, 7))

    assert checked_scores(page.content.decode()) == ["7"]
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.opened_at is None


def test_get_runs_no_write_query_at_all(client):
    invitation = InvitationFactory()

    with CaptureQueriesContext(connection) as queries:
        client.get(answer_url(invitation, 9))

    statements = [query["sql"].split(None, 1)[0].upper() for query in queries.captured_queries]
    assert statements
    assert set(statements) == {"SELECT"}


def test_head_request_of_a_link_scanner_records_nothing(client):
    invitation = InvitationFactory()

    assert client.head(answer_url(invitation, 2)).status_code == 200

    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.opened_at is None


@pytest.mark.parametrize("value", ["11", "-1", "abc", "3.0", "", "03", " 3", "10x"])
def test_an_invalid_score_in_the_link_preselects_nothing(client, value):
    invitation = InvitationFactory()

    page = client.get(answer_url(invitation), {"score": value})

    assert page.status_code == 200
    assert checked_scores(page.content.decode()) == []


def test_scale_ends_are_labelled_for_screen_readers(client):
    html = client.get(answer_url(InvitationFactory())).content.decode()

    assert re.search(
        r'<label for="score-0">0<span class="visually-hidden"> — Not at all likely</span>', html
    )
    assert re.search(
        r'<label for="score-10">10<span class="visually-hidden"> — Extremely likely</span>', html
    )
    assert "<fieldset" in html
    assert "<legend" in html


# --- Recording ----------------------------------------------------------------


def test_post_records_the_score_once_and_redirects_to_the_follow_up_question(client):
    invitation = InvitationFactory(channel="email")

    reply = client.post(answer_url(invitation), {"score": "3"})

    assert reply.status_code == 303
    assert reply["Location"] == follow_up_url(invitation)
    response = Response.objects.get()
    assert (response.score, response.category, response.channel) == (3, "detractor", "email")
    assert (response.invitation, response.survey, response.customer) == (
        invitation,
        invitation.survey,
        invitation.customer,
    )
    invitation.refresh_from_db()
    assert invitation.opened_at is not None
    assert invitation.responded_at is not None


def test_post_keeps_the_first_opened_at(client):
    opened = timezone.now() - timedelta(days=2)
    invitation = InvitationFactory(opened_at=opened)

    client.post(answer_url(invitation), {"score": "8"})

    invitation.refresh_from_db()
    assert invitation.opened_at == opened


def test_post_records_the_language_the_page_was_shown_in(client):
    invitation = InvitationFactory(customer__locale="", survey__default_locale="pl")

    client.post(answer_url(invitation), {"score": "10"})

    assert Response.objects.get().locale == "pl"


def test_detractor_answer_is_handed_over_to_routing(client, django_capture_on_commit_callbacks):
    from followups.models import FollowUpCase

    invitation = InvitationFactory()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(answer_url(invitation), {"score": "2"})

    assert FollowUpCase.objects.get().response == Response.objects.get()


@pytest.mark.parametrize("value", ["11", "-1", "", "seven", "7.5"])
def test_an_invalid_score_shows_the_form_again_with_an_error_and_saves_nothing(client, value):
    invitation = InvitationFactory()

    page = client.post(answer_url(invitation), {"score": value})

    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="score-error"' in html
    assert "Please choose a score from 0 to 10." in html
    assert 'aria-describedby="score-error"' in html
    assert checked_scores(html) == []
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.opened_at is None


def test_a_missing_score_shows_the_form_again_with_an_error(client):
    invitation = InvitationFactory()

    page = client.post(answer_url(invitation), {})

    assert "Please choose a score from 0 to 10." in page.content.decode()
    assert not Response.objects.exists()


# --- The follow-up question ---------------------------------------------------


def test_follow_up_page_asks_the_surveys_follow_up_question(client):
    invitation = InvitationFactory(survey__follow_up_question="What should we change first?")
    answered(invitation, score=6)

    page = client.get(follow_up_url(invitation))

    html = page.content.decode()
    assert page.status_code == 200
    assert '<label for="comment"' in html
    assert "What should we change first?" in html
    assert 'aria-describedby="comment-hint"' in html


def test_follow_up_comment_is_saved_on_the_same_response(client):
    invitation = InvitationFactory()
    client.post(answer_url(invitation), {"score": "4"})

    reply = client.post(follow_up_url(invitation), {"comment": "  The courier was late.  "})

    assert reply.status_code == 303
    assert reply["Location"] == thanks_url(invitation)
    response = Response.objects.get()
    assert (response.score, response.comment) == (4, "The courier was late.")


def test_an_empty_follow_up_saves_nothing_and_thanks_the_customer(client):
    invitation = InvitationFactory()
    response = answered(invitation)

    reply = client.post(follow_up_url(invitation), {"comment": "   "}, follow=True)

    assert reply.redirect_chain == [(thanks_url(invitation), 303)]
    assert "Thank you for your feedback" in reply.content.decode()
    response.refresh_from_db()
    assert response.comment == ""


def test_a_second_comment_does_not_replace_the_first(client):
    invitation = InvitationFactory()
    response = answered(invitation, comment="First thoughts")

    reply = client.post(follow_up_url(invitation), {"comment": "Second thoughts"})

    assert reply["Location"] == thanks_url(invitation)
    response.refresh_from_db()
    assert response.comment == "First thoughts"


def test_a_too_long_comment_shows_an_error_tied_to_the_field_and_saves_nothing(client):
    invitation = InvitationFactory()
    response = answered(invitation)

    page = client.post(follow_up_url(invitation), {"comment": "x" * 5001})

    html = page.content.decode()
    assert page.status_code == 200
    assert "at most 5000 characters (it has 5001)" in html
    assert 'aria-describedby="comment-hint comment-error"' in html
    assert 'aria-invalid="true"' in html
    response.refresh_from_db()
    assert response.comment == ""


def test_line_breaks_count_once_towards_the_comment_limit(client):
    invitation = InvitationFactory()
    response = answered(invitation)
    comment = ("y" * 99 + "\r\n") * 50  # 5000 characters as the browser counts them

    client.post(follow_up_url(invitation), {"comment": comment})

    response.refresh_from_db()
    assert response.comment == comment.replace("\r\n", "\n").strip()


def test_follow_up_before_any_answer_leads_back_to_the_scores(client):
    invitation = InvitationFactory()

    assert client.get(follow_up_url(invitation))["Location"] == answer_url(invitation)
    assert client.post(follow_up_url(invitation), {"comment": "Hi"})["Location"] == answer_url(
        invitation
    )
    assert client.get(thanks_url(invitation))["Location"] == answer_url(invitation)
    assert not Response.objects.exists()


def test_an_answer_given_just_before_expiry_still_takes_its_comment(client):
    invitation = InvitationFactory()
    response = answered(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=5)
    )

    client.post(follow_up_url(invitation), {"comment": "Just in time"})

    response.refresh_from_db()
    assert response.comment == "Just in time"


def test_an_expired_invitation_answered_long_ago_takes_no_comment(client):
    invitation = InvitationFactory()
    response = answered(invitation)
    Response.objects.filter(pk=response.pk).update(submitted_at=timezone.now() - timedelta(days=3))
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )

    page = client.get(answer_url(invitation))
    client.post(follow_up_url(invitation), {"comment": "Too late"})

    assert 'name="comment"' not in page.content.decode()
    response.refresh_from_db()
    assert response.comment == ""


# --- Answering twice ----------------------------------------------------------


def test_second_submission_changes_nothing_and_says_so(client):
    invitation = InvitationFactory()
    client.post(answer_url(invitation), {"score": "9"})

    page = client.post(answer_url(invitation), {"score": "1"}, follow=True)

    assert page.redirect_chain == [(answer_url(invitation), 303)]
    html = page.content.decode()
    assert "We already have your answer — thank you" in html
    assert "You gave us a score of 9." in html
    response = Response.objects.get()
    assert (response.score, response.category) == (9, "promoter")


def test_answered_page_offers_the_follow_up_question_while_no_comment_was_given(client):
    invitation = InvitationFactory()
    answered(invitation, score=5)

    html = client.get(answer_url(invitation, 10)).content.decode()

    assert "We already have your answer — thank you" in html
    assert '<textarea id="comment" name="comment"' in html
    assert 'name="score"' not in html


def test_answered_page_offers_no_follow_up_question_once_commented(client):
    invitation = InvitationFactory()
    answered(invitation, score=5, comment="Said it all")

    html = client.get(answer_url(invitation)).content.decode()

    assert "We already have your answer — thank you" in html
    assert "<textarea" not in html


def test_an_invalid_comment_on_the_answered_page_keeps_the_customer_there(client):
    invitation = InvitationFactory()
    answered(invitation)

    page = client.post(follow_up_url(invitation), {"comment": "x" * 5001, "from": "answered"})

    html = page.content.decode()
    assert "We already have your answer — thank you" in html
    assert 'id="comment-error"' in html


def test_thank_you_page_after_the_answer(client):
    invitation = InvitationFactory()
    answered(invitation)

    page = client.get(thanks_url(invitation))

    assert page.status_code == 200
    assert "Thank you for your feedback" in page.content.decode()


# --- Links that cannot take an answer -------------------------------------------


def test_expired_invitation_gets_the_closed_page_and_records_nothing(client):
    invitation = InvitationFactory(expires_at=timezone.now() - timedelta(seconds=1))

    page = client.get(answer_url(invitation, 9))
    posted = client.post(answer_url(invitation), {"score": "9"})

    assert (page.status_code, posted.status_code) == (410, 410)
    assert "This survey has closed" in page.content.decode()
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.opened_at is None


@pytest.mark.parametrize("status", [Survey.Status.DRAFT, Survey.Status.ARCHIVED])
def test_survey_not_taking_answers_gets_the_closed_page(client, status):
    invitation = InvitationFactory(survey__status=status)

    page = client.get(answer_url(invitation))
    posted = client.post(answer_url(invitation), {"score": "9"})

    assert (page.status_code, posted.status_code) == (410, 410)
    assert "This survey has closed" in posted.content.decode()
    assert not Response.objects.exists()


def test_paused_survey_still_takes_answers_to_invitations_already_sent(client):
    # Pausing stops sending new invitations; response_record accepts the answer.
    invitation = InvitationFactory(survey__status=Survey.Status.PAUSED)

    client.post(answer_url(invitation), {"score": "9"})

    assert Response.objects.get().score == 9


def test_unknown_and_malformed_tokens_get_the_same_not_found_page(client):
    unknown = client.get(reverse("surveys:answer", args=["0" * 43]))
    malformed = client.get(reverse("surveys:answer", args=["not-a-token"]), {"score": "5"})
    too_long = client.post(reverse("surveys:answer", args=["a" * 500]), {"score": "5"})

    assert unknown.status_code == malformed.status_code == too_long.status_code == 404
    assert unknown.content == malformed.content == too_long.content
    assert "We could not find this page" in unknown.content.decode()
    assert not Response.objects.exists()


def test_erased_customer_gets_the_same_not_found_page(client):
    invitation = InvitationFactory()
    services.customer_erase(customer=invitation.customer)

    page = client.get(answer_url(invitation, 9))
    unknown = client.get(reverse("surveys:answer", args=["0" * 43]))

    assert page.status_code == 404
    assert page.content == unknown.content


def test_follow_up_and_thanks_of_an_unknown_token_are_not_found(client):
    assert client.get(reverse("surveys:follow_up", args=["nope"])).status_code == 404
    assert client.get(reverse("surveys:thanks", args=["nope"])).status_code == 404


# --- CSRF, headers, throttling ------------------------------------------------


def test_post_without_a_csrf_token_is_refused_and_records_nothing():
    strict = Client(enforce_csrf_checks=True)
    invitation = InvitationFactory()

    reply = strict.post(answer_url(invitation), {"score": "9"})

    assert reply.status_code == 403
    assert not Response.objects.exists()


def test_post_with_the_pages_csrf_token_records_the_answer():
    strict = Client(enforce_csrf_checks=True)
    invitation = InvitationFactory()
    html = strict.get(answer_url(invitation, 9)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    reply = strict.post(answer_url(invitation), {"score": "9", "csrfmiddlewaretoken": token})

    assert reply.status_code == 303
    assert Response.objects.get().score == 9


def test_pages_are_not_cached_and_send_no_referrer_to_other_sites(client):
    invitation = InvitationFactory()
    pages = [
        client.get(answer_url(invitation, 5)),
        client.post(answer_url(invitation), {"score": "5"}),
        client.get(follow_up_url(invitation)),
        client.get(thanks_url(invitation)),
        client.get(reverse("surveys:answer", args=["unknown"])),
    ]

    for page in pages:
        assert page["Cache-Control"] == "no-store"
        assert page["Referrer-Policy"] == "same-origin"
        assert "default-src 'none'" in page["Content-Security-Policy"]


def test_posts_are_throttled_per_address_with_a_friendly_page(client, settings):
    settings.NPS_PAGE_POSTS_PER_MINUTE = 2
    first, second, third = InvitationFactory.create_batch(3)
    client.post(answer_url(first), {"score": "9"})
    client.post(answer_url(second), {"score": "9"})

    throttled = client.post(answer_url(third), {"score": "9"})
    elsewhere = client.post(answer_url(third), {"score": "9"}, REMOTE_ADDR="192.0.2.77")

    assert throttled.status_code == 429
    assert throttled["Retry-After"] == "60"
    assert "Please wait a moment" in throttled.content.decode()
    assert elsewhere.status_code == 303
    assert Response.objects.filter(invitation=third).count() == 1


def test_reading_the_page_is_not_throttled(client, settings):
    settings.NPS_PAGE_POSTS_PER_MINUTE = 1
    invitation = InvitationFactory()

    statuses = {client.get(answer_url(invitation)).status_code for _ in range(5)}

    assert statuses == {200}


def test_answers_are_taken_when_the_throttling_cache_is_down(client):
    invitation = InvitationFactory()

    with mock.patch("surveys.views.cache.incr", side_effect=ConnectionError("cache down")):
        reply = client.post(answer_url(invitation), {"score": "9"})

    assert reply.status_code == 303
    assert Response.objects.get().score == 9


def test_csrf_failure_page_tells_the_customer_what_to_do(settings):
    settings.CSRF_FAILURE_VIEW = "surveys.views.csrf_failure"
    strict = Client(enforce_csrf_checks=True)

    reply = strict.post(answer_url(InvitationFactory()), {"score": "9"})

    assert reply.status_code == 403
    assert "Please go back, reload the page and send it again." in reply.content.decode()
    assert not Response.objects.exists()


def test_stylesheet_is_served_by_the_app(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # as after collectstatic, without running it
    invitation = InvitationFactory()
    html = client.get(answer_url(invitation)).content.decode()
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)

    stylesheet = client.get(href)

    assert href.startswith("/static/surveys/")
    assert stylesheet.status_code == 200
    assert b".scale" in b"".join(stylesheet.streaming_content)


# --- Language and escaping ----------------------------------------------------

TRANSLATED_QUESTIONS = {
    "pl": {"question": "Czy polecą nas Państwo?", "follow_up_question": "Dlaczego?"},
    "ru": {"question": "Порекомендуете ли вы нас?", "follow_up_question": "Почему?"},
    "zh-hans": {"question": "您会推荐我们吗？", "follow_up_question": "为什么？"},
}


@pytest.mark.parametrize(
    ("locale", "button", "low_end"),
    [
        ("en", "Send my answer", "Not at all likely"),
        ("pl", "Wyślij odpowiedź", "Zupełnie nieprawdopodobne"),
        ("ru", "Отправить ответ", "Крайне маловероятно"),
        ("zh-hans", "提交我的回答", "完全不可能"),
    ],
)
def test_page_is_in_the_customers_language(client, locale, button, low_end):
    invitation = InvitationFactory(
        customer__locale=locale,
        survey__question="Would you recommend us?",
        survey__translations=TRANSLATED_QUESTIONS,
    )

    page = client.get(answer_url(invitation), HTTP_ACCEPT_LANGUAGE="de")

    html = page.content.decode()
    question = TRANSLATED_QUESTIONS.get(locale, {"question": "Would you recommend us?"})
    assert f'<html lang="{locale}"' in html
    assert page["Content-Language"] == locale
    assert button in html
    assert low_end in html
    assert question["question"] in html


@pytest.mark.parametrize(
    ("locale", "thanks"),
    [("pl", "Dziękujemy!"), ("ru", "Спасибо!"), ("zh-hans", "谢谢！")],
)
def test_follow_up_is_in_the_customers_language_with_the_translated_question(
    client, locale, thanks
):
    invitation = InvitationFactory(
        customer__locale=locale, survey__translations=TRANSLATED_QUESTIONS
    )
    answered(invitation)

    html = client.get(follow_up_url(invitation)).content.decode()

    assert thanks in html
    assert TRANSLATED_QUESTIONS[locale]["follow_up_question"] in html


def test_language_falls_back_to_the_surveys_default(client):
    invitation = InvitationFactory(customer__locale="", survey__default_locale="ru")

    html = client.get(answer_url(invitation)).content.decode()

    assert '<html lang="ru"' in html
    assert "Отправить ответ" in html


def test_language_falls_back_to_english(client):
    invitation = InvitationFactory(customer__locale="", survey__default_locale="")

    html = client.get(answer_url(invitation), HTTP_ACCEPT_LANGUAGE="pl").content.decode()

    assert '<html lang="en"' in html
    assert "Send my answer" in html


def test_closed_page_is_in_the_customers_language(client):
    invitation = InvitationFactory(
        customer__locale="pl", expires_at=timezone.now() - timedelta(days=1)
    )

    page = client.get(answer_url(invitation))

    assert page.status_code == 410
    assert "Ta ankieta została zamknięta" in page.content.decode()


def test_script_in_the_question_and_the_customer_name_is_escaped(client):
    invitation = InvitationFactory(
        survey__question="<script>alert('q')</script>",
        survey__follow_up_question="<script>alert('f')</script>",
        customer__name="<script>alert('n')</script>",
    )

    html = client.get(answer_url(invitation)).content.decode()
    answered(invitation)
    follow_up = client.get(follow_up_url(invitation)).content.decode()

    assert "<script>alert" not in html + follow_up
    assert "&lt;script&gt;alert(&#x27;q&#x27;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#x27;n&#x27;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#x27;f&#x27;)&lt;/script&gt;" in follow_up


def test_page_links_to_unsubscribing_unless_already_unsubscribed(client):
    invitation = InvitationFactory()
    unsubscribed = InvitationFactory(customer__unsubscribed_at=timezone.now())

    assert "/u/" in client.get(answer_url(invitation)).content.decode()
    assert "/u/" not in client.get(answer_url(unsubscribed)).content.decode()


def test_a_page_reached_from_a_text_does_not_speak_of_survey_emails(client):
    by_email = InvitationFactory()
    by_sms = InvitationFactory(channel=Channel.SMS, customer__phone="+48601234567")

    email_page = client.get(answer_url(by_email)).content.decode()
    sms_page = client.get(answer_url(by_sms)).content.decode()

    assert "Prefer not to get survey emails from us?" in email_page
    # Unsubscribing stops texts too; the link is the same.
    assert "Prefer not to get survey emails" not in sms_page
    assert "Prefer not to get surveys from us?" in sms_page and "/u/" in sms_page


# --- The comment service ------------------------------------------------------


def test_add_comment_strips_and_saves_once():
    response = ResponseFactory(score=3)

    first = services.response_comment_add(response=response, comment="  Too slow \n")
    again = services.response_comment_add(response=response, comment="Changed my mind")

    assert (first, again) == (True, False)
    response.refresh_from_db()
    assert response.comment == "Too slow"


def test_add_comment_never_gives_an_erased_customers_response_a_comment():
    response = ResponseFactory(score=3)
    services.customer_erase(customer=response.customer)

    assert not services.response_comment_add(response=response, comment="Hello")
    response.refresh_from_db()
    assert response.comment == ""


def test_add_comment_refuses_a_comment_longer_than_the_field():
    response = ResponseFactory(score=3)

    with pytest.raises(ValidationError):
        services.response_comment_add(response=response, comment="x" * 5001)
    response.refresh_from_db()
    assert response.comment == ""


# --- Concurrency ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_submissions_of_one_invitation_record_one_response(settings):
    settings.NPS_PAGE_POSTS_PER_MINUTE = 1000
    invitation = InvitationFactory()
    url = answer_url(invitation)
    threads_count = 50
    barrier = threading.Barrier(threads_count)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def submit(score: int) -> None:
        client = Client()
        try:
            barrier.wait(timeout=30)
            statuses.append(client.post(url, {"score": str(score)}).status_code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n % 11,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(statuses) == threads_count
    assert all(status < 500 for status in statuses), statuses
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert Response.objects.count() == 1
