"""Unsubscribing by the signed link in every customer email: /u/<signed>/."""

# Russian and Chinese text on purpose:
# ruff: noqa: RUF001

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import resolve, reverse, set_script_prefix
from django.utils import timezone

from surveys import links, services
from surveys.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def path_of(customer: Customer) -> str:
    return urlsplit(links.unsubscribe_url(customer)).path


def csrf_token_from(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


# --- The links ----------------------------------------------------------------


def test_unsubscribe_url_is_absolute_and_leads_to_the_page(settings):
    settings.PUBLIC_BASE_URL = "https://feedback.example.com"
    customer = CustomerFactory()

    url = links.unsubscribe_url(customer)

    assert url.startswith("https://feedback.example.com/u/")
    assert resolve(urlsplit(url).path).view_name == "surveys:unsubscribe"


def test_the_path_is_what_reverse_makes_of_the_token_under_any_script_prefix():
    customers = CustomerFactory.create_batch(3)
    try:
        for prefix in ("/", "/nps/"):
            set_script_prefix(prefix)
            for customer in customers:
                token = links.unsubscribe_token(customer)
                assert links.unsubscribe_path(customer) == reverse(
                    "surveys:unsubscribe", args=[token]
                )
                assert links.unsubscribe_path(customer).startswith(f"{prefix}u/")
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("key", ["per%cent", "zoë", "a b"])
def test_a_key_reverse_would_quote_goes_through_reverse(key):
    # Keys are base64url now; one stored otherwise is quoted as ``reverse`` does.
    customer = CustomerFactory()
    Customer.objects.filter(pk=customer.pk).update(unsubscribe_key=key)
    customer.refresh_from_db()

    path = links.unsubscribe_path(customer)

    assert path == reverse("surveys:unsubscribe", args=[links.unsubscribe_token(customer)])
    assert links.unsubscribe_token(customer) not in path, "quoted"


def test_unsubscribe_link_carries_no_database_id():
    customers = CustomerFactory.create_batch(3)

    signed = [resolve(path_of(customer)).kwargs["signed"] for customer in customers]

    for customer, value in zip(customers, signed, strict=True):
        key, _signature = value.split(":")
        assert key == customer.unsubscribe_key
        assert len(key) >= 43, "at least 256 random bits, base64"
        with pytest.raises(signing.BadSignature):
            signing.loads(value, salt="surveys.unsubscribe")
    assert len(set(signed)) == 3


def test_a_link_sent_before_links_were_opaque_still_unsubscribes(client):
    # What links.py signed until links carried a random key instead of the id:
    # such links sit in inboxes and in List-Unsubscribe headers, and opting
    # out must keep working for them.
    customer = CustomerFactory()
    legacy = signing.dumps({"c": customer.pk}, salt="surveys.unsubscribe")

    reply = client.post(reverse("surveys:unsubscribe", args=[legacy]), ONE_CLICK)

    assert reply.status_code == 200
    customer.refresh_from_db()
    assert customer.unsubscribed_at is not None


def test_every_customer_gets_a_key_of_their_own_even_when_bulk_created():
    Customer.objects.bulk_create([Customer(email=f"b{i}@example.com") for i in range(3)])

    keys = set(Customer.objects.values_list("unsubscribe_key", flat=True))

    assert len(keys) == 3 and all(keys)


def test_unsubscribe_headers_offer_one_click_unsubscribing():
    customer = CustomerFactory()

    headers = links.unsubscribe_headers(customer)

    assert headers == {
        "List-Unsubscribe": f"<{links.unsubscribe_url(customer)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# --- The page -------------------------------------------------------------------


def test_get_shows_one_button_and_changes_nothing(client):
    customer = CustomerFactory(email="anna.nowak@example.com")

    page = client.get(path_of(customer))

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('<button type="submit"') == 1
    assert "Unsubscribe from survey emails" in html
    assert "a•••@example.com" in html
    assert "anna.nowak" not in html
    customer.refresh_from_db()
    assert customer.unsubscribed_at is None


def test_post_from_the_page_unsubscribes():
    strict = Client(enforce_csrf_checks=True)
    customer = CustomerFactory()
    url = path_of(customer)
    token = csrf_token_from(strict.get(url).content.decode())

    reply = strict.post(url, {"csrfmiddlewaretoken": token}, follow=True)

    assert reply.redirect_chain == [(url, 303)]
    assert "You are unsubscribed" in reply.content.decode()
    customer.refresh_from_db()
    assert customer.unsubscribed_at is not None
    assert not customer.is_reachable


def test_post_from_a_page_without_its_csrf_token_is_refused():
    strict = Client(enforce_csrf_checks=True)
    customer = CustomerFactory()

    reply = strict.post(path_of(customer), {"confirm": "yes"})

    assert reply.status_code == 403
    customer.refresh_from_db()
    assert customer.unsubscribed_at is None


def test_one_click_post_of_a_mail_client_unsubscribes_without_a_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    customer = CustomerFactory()

    reply = strict.post(path_of(customer), ONE_CLICK)

    assert reply.status_code == 200
    assert "You are unsubscribed" in reply.content.decode()
    customer.refresh_from_db()
    assert customer.unsubscribed_at is not None


def test_one_click_post_as_urlencoded_body_unsubscribes():
    strict = Client(enforce_csrf_checks=True)
    customer = CustomerFactory()

    reply = strict.post(
        path_of(customer),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert reply.status_code == 200
    customer.refresh_from_db()
    assert customer.unsubscribed_at is not None


def test_a_second_unsubscribe_keeps_the_first_time(client):
    first = timezone.now() - timedelta(days=10)
    customer = CustomerFactory(unsubscribed_at=first)

    client.post(path_of(customer), ONE_CLICK)
    client.post(path_of(customer))

    customer.refresh_from_db()
    assert customer.unsubscribed_at == first


def test_unsubscribed_customer_sees_that_they_are_unsubscribed(client):
    customer = CustomerFactory(unsubscribed_at=timezone.now())

    html = client.get(path_of(customer)).content.decode()

    assert "You are unsubscribed" in html
    assert "<button" not in html


@pytest.mark.parametrize(
    "signed",
    [
        "garbage",
        signing.dumps({"c": 1}, salt="another.salt"),
        signing.dumps({"c": "1"}, salt="surveys.unsubscribe"),
        signing.dumps([1], salt="surveys.unsubscribe"),
    ],
)
def test_a_bad_signature_gets_the_not_found_page_and_changes_nothing(client, signed):
    customer = CustomerFactory()
    unknown_survey_link = client.get(reverse("surveys:answer", args=["unknown"]))

    page = client.get(reverse("surveys:unsubscribe", args=[signed]))
    posted = client.post(reverse("surveys:unsubscribe", args=[signed]), ONE_CLICK)

    assert (page.status_code, posted.status_code) == (404, 404)
    assert page.content == unknown_survey_link.content
    customer.refresh_from_db()
    assert customer.unsubscribed_at is None


def test_a_tampered_link_gets_the_not_found_page(client):
    customer = CustomerFactory()
    other = CustomerFactory()
    _key, signature = resolve(path_of(customer)).kwargs["signed"].split(":")
    forged = f"{other.unsubscribe_key}:{signature}"

    assert client.post(reverse("surveys:unsubscribe", args=[forged]), ONE_CLICK).status_code == 404
    other.refresh_from_db()
    assert other.unsubscribed_at is None


def test_a_tampered_legacy_link_gets_the_not_found_page(client):
    customer = CustomerFactory()
    other = CustomerFactory()
    signed = signing.dumps({"c": customer.pk}, salt="surveys.unsubscribe")
    _payload, rest = signed.split(":", 1)
    forged = signing.b64_encode(f'{{"c":{other.pk}}}'.encode()).decode() + ":" + rest

    assert client.post(reverse("surveys:unsubscribe", args=[forged]), ONE_CLICK).status_code == 404
    other.refresh_from_db()
    assert other.unsubscribed_at is None


def test_an_erased_customer_gets_the_not_found_page(client):
    customer = CustomerFactory()
    url = path_of(customer)
    services.customer_erase(customer=customer)

    assert client.get(url).status_code == 404
    assert client.post(url, ONE_CLICK).status_code == 404


def test_page_is_in_the_customers_language_and_not_cached(client):
    customer = CustomerFactory(locale="pl")

    page = client.get(path_of(customer), HTTP_ACCEPT_LANGUAGE="en")

    html = page.content.decode()
    assert '<html lang="pl"' in html
    assert "Rezygnacja z wiadomości z ankietami" in html
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    ("accept_language", "lang", "heading"),
    [("ru", "ru", "Отписка от писем с опросами"), ("zh-CN", "zh-hans", "退订调查邮件")],
)
def test_page_without_a_customer_language_follows_the_browser(
    client, accept_language, lang, heading
):
    customer = CustomerFactory(locale="")

    html = client.get(path_of(customer), HTTP_ACCEPT_LANGUAGE=accept_language).content.decode()

    assert f'<html lang="{lang}"' in html
    assert heading in html


def test_page_posts_are_throttled_but_one_click_posts_of_mail_providers_are_not(client, settings):
    settings.NPS_PAGE_POSTS_PER_MINUTE = 1
    first, second, third = CustomerFactory.create_batch(3)
    client.post(path_of(first))

    throttled = client.post(path_of(second))
    one_click = client.post(path_of(third), ONE_CLICK)

    assert throttled.status_code == 429
    assert one_click.status_code == 200
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.unsubscribed_at is None
    assert third.unsubscribed_at is not None


# --- The service ----------------------------------------------------------------


def test_customer_unsubscribe_sets_the_time_once():
    customer = CustomerFactory()

    first = services.customer_unsubscribe(customer=customer)
    stamped = customer.unsubscribed_at
    again = services.customer_unsubscribe(customer=customer)

    assert (first, again) == (True, False)
    assert stamped is not None
    customer.refresh_from_db()
    assert customer.unsubscribed_at == stamped
    assert not Customer.objects.reachable().filter(pk=customer.pk).exists()
