"""Review and referral tracking: a promoter's personal link records real
clicks (never a scanner's prefetch) and leads only to the reward's own page;
their referral code counts each order once; the reports count the rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from followups.incentives import tracking
from followups.models import (
    LinkClick,
    OutboundMessage,
    ReferralUse,
    Reward,
    RewardGrant,
    SurveyIncentive,
)
from followups.reporting import reports
from followups.routing import responses_route
from surveys import services as survey_services
from surveys.api_keys import api_key_create
from surveys.models import ApiScope
from tests.factories import CustomerFactory, SurveyFactory, UserFactory, manager
from tests.surveys.api.conftest import client_with

pytestmark = pytest.mark.django_db

REVIEW_PAGE = "https://reviews.example.com/write?shop=42"
REFERRAL_PAGE = "https://shop.example.com/friends"
BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0 Safari/537.36"
)
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


def promoter_grant(kind=Reward.Kind.REVIEW_BONUS, link=REVIEW_PAGE, *, locale="en", survey=None):
    """A promoter's answer, recorded and routed as every channel does."""
    survey = survey or SurveyFactory()
    reward, _ = Reward.objects.get_or_create(
        name=f"{kind} reward", kind=kind, link=link, defaults={"description": "A bonus"}
    )
    SurveyIncentive.objects.update_or_create(survey=survey, defaults={"reward": reward})
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = survey_services.response_record(
            survey=survey, customer=CustomerFactory(locale=locale), score=10
        ).response
    with TestCase.captureOnCommitCallbacks(execute=True):
        responses_route(response_ids=[response.pk])
    return RewardGrant.objects.select_related("reward", "customer").get(response=response)


def sent_long_ago(grant: RewardGrant) -> RewardGrant:
    RewardGrant.objects.filter(pk=grant.pk).update(sent_at=timezone.now() - timedelta(hours=1))
    grant.refresh_from_db()
    return grant


def link_of(grant: RewardGrant) -> str:
    return reverse("reward-link", args=[grant.link_token])


# --- The link ----------------------------------------------------------------------


def test_a_click_is_recorded_and_redirects_to_the_rewards_own_page(client):
    grant = sent_long_ago(promoter_grant())
    page = client.get(link_of(grant), HTTP_USER_AGENT=PHONE)
    assert page.status_code == 302
    assert page["Location"] == REVIEW_PAGE
    click = LinkClick.objects.get(grant=grant)
    assert (click.agent, click.prefetch, click.counted) == (LinkClick.Agent.MOBILE, "", True)
    grant.refresh_from_db()
    assert grant.first_clicked_at == click.clicked_at


def test_the_first_click_time_stays_the_first(client):
    grant = sent_long_ago(promoter_grant())
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        client.get(link_of(grant), HTTP_USER_AGENT=BROWSER)
    first = RewardGrant.objects.get(pk=grant.pk).first_clicked_at
    client.get(link_of(grant), HTTP_USER_AGENT=BROWSER)
    assert LinkClick.objects.filter(grant=grant, prefetch="").count() == 2
    assert RewardGrant.objects.get(pk=grant.pk).first_clicked_at == first


def test_a_head_request_is_a_prefetch_not_a_click(client):
    grant = sent_long_ago(promoter_grant())
    assert client.head(link_of(grant), HTTP_USER_AGENT=BROWSER).status_code == 302
    click = LinkClick.objects.get(grant=grant)
    assert click.prefetch == LinkClick.Prefetch.HEAD
    assert RewardGrant.objects.get(pk=grant.pk).first_clicked_at is None


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Microsoft Office/16.0; SafeLinks)",
        "Proofpoint URL Defense",
        "Mimecast-Scanner/1.0",
        "Barracuda Sentinel (EE)",
        "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
        "Slackbot-LinkExpanding 1.0",
        "SomeLinkPreview/2.1",
        "Googlebot/2.1",
    ],
)
def test_a_known_scanners_request_is_kept_as_a_prefetch_and_not_counted(client, agent):
    grant = sent_long_ago(promoter_grant())
    assert client.get(link_of(grant), HTTP_USER_AGENT=agent).status_code == 302
    click = LinkClick.objects.get(grant=grant)
    assert (click.agent, click.prefetch) == (LinkClick.Agent.SCANNER, LinkClick.Prefetch.SCANNER)
    assert RewardGrant.objects.get(pk=grant.pk).first_clicked_at is None


def test_a_request_without_a_user_agent_is_a_prefetch(client):
    grant = sent_long_ago(promoter_grant())
    client.get(link_of(grant))
    assert LinkClick.objects.get(grant=grant).prefetch == LinkClick.Prefetch.NO_AGENT


def test_a_request_seconds_after_sending_is_a_prefetch_and_later_ones_count(client):
    grant = promoter_grant()
    sent = timezone.now()
    RewardGrant.objects.filter(pk=grant.pk).update(sent_at=sent)
    with time_machine.travel(sent + timedelta(seconds=1), tick=False):
        client.get(link_of(grant), HTTP_USER_AGENT=BROWSER)
    with time_machine.travel(sent + timedelta(minutes=3), tick=False):
        client.get(link_of(grant), HTTP_USER_AGENT=BROWSER)
    assert list(LinkClick.objects.order_by("clicked_at").values_list("prefetch", flat=True)) == [
        LinkClick.Prefetch.TOO_SOON,
        "",
    ]
    assert RewardGrant.objects.get(pk=grant.pk).first_clicked_at == sent + timedelta(minutes=3)


def test_an_unknown_token_is_a_friendly_translated_404_and_records_nothing(client):
    promoter_grant()
    page = client.get("/r/no-such-token-at-all/", HTTP_ACCEPT_LANGUAGE="pl")
    assert page.status_code == 404
    assert page["Content-Language"] == "pl"
    assert '<meta name="viewport"' in page.text
    assert "surveys/not_found.html" in [t.name for t in page.templates]
    assert not LinkClick.objects.exists()


def test_the_destination_comes_from_the_reward_never_from_the_request(client):
    grant = sent_long_ago(promoter_grant())
    for tail in ("?next=https://evil.example", "?url=//evil.example"):
        page = client.get(link_of(grant) + tail, HTTP_USER_AGENT=BROWSER)
        assert page["Location"] == REVIEW_PAGE
    assert client.get("/r/https:%2F%2Fevil.example/").status_code == 404


def test_a_reward_link_must_be_http_or_https():
    from django.core.exceptions import ValidationError

    reward = Reward(name="Bad", kind=Reward.Kind.REVIEW_BONUS, description="x")
    for bad in ("javascript:alert(1)", "ftp://files.example.com/x", "data:text/html,hi"):
        reward.link = bad
        with pytest.raises(ValidationError) as error:
            reward.full_clean()
        assert "link" in error.value.message_dict


def test_an_erased_customers_link_still_leads_on_and_records_nothing(client):
    grant = sent_long_ago(promoter_grant())
    client.get(link_of(grant), HTTP_USER_AGENT=BROWSER)
    survey_services.customer_erase(customer=grant.customer)
    assert not LinkClick.objects.filter(grant=grant).exists()
    assert RewardGrant.objects.get(pk=grant.pk).first_clicked_at is None
    page = client.get(link_of(grant), HTTP_USER_AGENT=BROWSER)
    assert page["Location"] == REVIEW_PAGE
    assert not LinkClick.objects.filter(grant=grant).exists()


def test_past_the_per_address_budget_visitors_go_on_and_nothing_more_is_recorded(client, settings):
    settings.NPS_LINK_CLICKS_PER_MINUTE = 2
    grant = sent_long_ago(promoter_grant())
    for _ in range(4):
        assert client.get(link_of(grant), HTTP_USER_AGENT=BROWSER)["Location"] == REVIEW_PAGE
    assert LinkClick.objects.filter(grant=grant).count() == 2


def test_rewards_without_a_link_get_no_token_and_non_referrals_no_code():
    coupon = promoter_grant(Reward.Kind.COUPON, link="")
    review = promoter_grant(Reward.Kind.REVIEW_BONUS)
    assert (coupon.link_token, coupon.referral_code) == (None, None)
    assert review.link_token and review.referral_code is None
    assert len(review.link_token) >= 32  # 192 random bits, URL-safe


# --- The email ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "pl", "ru", "zh-hans"])
def test_the_reward_email_carries_the_tracked_link_and_the_referral_code(language, settings):
    settings.PUBLIC_BASE_URL = "https://feedback.example.com"
    grant = promoter_grant(Reward.Kind.REFERRAL, link=REFERRAL_PAGE, locale=language)
    email = OutboundMessage.objects.get(response=grant.response)
    tracked = f"https://feedback.example.com/r/{grant.link_token}/"
    assert email.language == language
    for body in (email.body_text, email.body_html):
        assert tracked in body
        assert grant.referral_code in body
        assert REFERRAL_PAGE not in body


# --- Referral codes ------------------------------------------------------------------


@pytest.fixture
def shop():
    user = manager("shop-owner")
    key = api_key_create(user=user, name="till", scopes=[ApiScope.REFERRALS_WRITE], via="test")
    return client_with(key.secret)


USE_URL = "/api/v1/referrals/use/"


def test_a_referral_code_is_readable_and_unique_per_grant():
    first = promoter_grant(Reward.Kind.REFERRAL, link=REFERRAL_PAGE)
    second = promoter_grant(Reward.Kind.REFERRAL, link=REFERRAL_PAGE)
    assert first.referral_code != second.referral_code
    assert set(first.referral_code.replace("-", "")) <= set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")


def test_each_order_with_the_code_counts_once(shop):
    grant = promoter_grant(Reward.Kind.REFERRAL, link=REFERRAL_PAGE)
    typed = grant.referral_code.lower().replace("-", " ")
    first = shop.post(USE_URL, {"code": typed, "order": "SO-1"}, format="json")
    assert first.status_code == 201, first.content
    assert (first.json()["code"], first.json()["uses"]) == (grant.referral_code, 1)
    again = shop.post(USE_URL, {"code": grant.referral_code, "order": "SO-1"}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    other = shop.post(USE_URL, {"code": grant.referral_code, "order": "SO-2"}, format="json")
    assert (other.status_code, other.json()["uses"]) == (201, 2)
    assert list(grant.referral_uses.order_by("order").values_list("order", flat=True)) == [
        "SO-1",
        "SO-2",
    ]


def test_an_unknown_code_is_a_clear_404_and_records_nothing(shop):
    promoter_grant(Reward.Kind.REFERRAL, link=REFERRAL_PAGE)
    answer = shop.post(USE_URL, {"code": "ZZZZ-ZZZZ-ZZZZ", "order": "SO-9"}, format="json")
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "No referral code like this one."
    assert not ReferralUse.objects.exists()


def test_an_order_reported_with_another_code_is_a_conflict(shop):
    first = promoter_grant(Reward.Kind.REFERRAL, link=REFERRAL_PAGE)
    second = promoter_grant(Reward.Kind.REFERRAL, link=REFERRAL_PAGE)
    shop.post(USE_URL, {"code": first.referral_code, "order": "SO-1"}, format="json")
    answer = shop.post(USE_URL, {"code": second.referral_code, "order": "SO-1"}, format="json")
    assert answer.status_code == 409
    assert ReferralUse.objects.get().grant_id == first.pk


def test_missing_fields_are_field_errors(shop):
    answer = shop.post(USE_URL, {"code": ""}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) == {"code", "order"}


def test_a_key_without_the_referrals_scope_is_refused():
    user = manager("reader")
    key = api_key_create(user=user, name="r", scopes=[ApiScope.REPORTS_READ], via="test")
    grant = promoter_grant(Reward.Kind.REFERRAL, link=REFERRAL_PAGE)
    payload = {"code": grant.referral_code, "order": "SO-1"}
    answer = client_with(key.secret).post(USE_URL, payload, format="json")
    assert answer.status_code == 403
    assert not ReferralUse.objects.exists()


def test_an_erased_customers_code_is_unknown_and_their_uses_are_gone(shop):
    grant = promoter_grant(Reward.Kind.REFERRAL, link=REFERRAL_PAGE)
    shop.post(USE_URL, {"code": grant.referral_code, "order": "SO-1"}, format="json")
    survey_services.customer_erase(customer=grant.customer)
    assert not ReferralUse.objects.exists()
    answer = shop.post(USE_URL, {"code": grant.referral_code, "order": "SO-2"}, format="json")
    assert answer.status_code == 404


# --- Reports -----------------------------------------------------------------------


def test_the_reports_count_exactly_the_rows(client, shop):
    survey = SurveyFactory()
    grants = [
        sent_long_ago(promoter_grant(Reward.Kind.REFERRAL, link=REFERRAL_PAGE, survey=survey))
        for _ in range(3)
    ]
    client.get(link_of(grants[0]), HTTP_USER_AGENT=BROWSER)
    client.get(link_of(grants[0]), HTTP_USER_AGENT=PHONE)
    client.get(link_of(grants[1]), HTTP_USER_AGENT=BROWSER)
    client.head(link_of(grants[1]), HTTP_USER_AGENT=BROWSER)
    client.get(link_of(grants[2]), HTTP_USER_AGENT="Mimecast")
    for order in ("A", "B"):
        shop.post(USE_URL, {"code": grants[2].referral_code, "order": order}, format="json")

    selection = reports.default_selection(survey)
    assert reports.reward_tracking(selection) == {"clicked": 2, "clicks": 3, "uses": 2}
    (row,) = reports.rewards_tracked(selection)
    assert (row.grant_count, row.clicked_count, row.click_count) == (3, 2, 3)
    assert (row.prefetch_count, row.use_count) == (2, 2)
    admin_row = tracking.rewards_with_tracking(Reward.objects.filter(pk=row.pk)).get()
    assert admin_row.click_count == LinkClick.objects.filter(prefetch="").count()


def test_the_reward_admin_and_the_dashboard_link_each_figure_to_as_many_rows(client, shop):
    survey = SurveyFactory()
    grants = [
        sent_long_ago(promoter_grant(Reward.Kind.REFERRAL, link=REFERRAL_PAGE, survey=survey))
        for _ in range(2)
    ]
    client.get(link_of(grants[0]), HTTP_USER_AGENT=BROWSER)
    client.get(link_of(grants[0]), HTTP_USER_AGENT="Proofpoint")
    shop.post(USE_URL, {"code": grants[1].referral_code, "order": "X"}, format="json")
    client.force_login(manager("boss"))
    import html
    import re

    link = re.compile(r'<a href="([^"]+)" data-count="(\d+)"')
    reward = grants[0].reward
    pages = (
        reverse("admin:followups_reward_changelist"),
        reverse("admin:followups_reward_change", args=[reward.pk]),
        f"/admin/dashboard/?survey={survey.slug}",
    )
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200
        found = [(html.unescape(href), int(n)) for href, n in link.findall(page.text)]
        tracked = [(href, n) for href, n in found if "linkclick" in href or "referraluse" in href]
        assert len(tracked) >= 2, url
        for href, count in found:
            listing = client.get(href)
            assert listing.status_code == 200, href
            assert listing.context["cl"].result_count == count, href


def test_a_grants_page_shows_its_clicks_and_referral_uses_read_only(client, shop):
    grant = sent_long_ago(promoter_grant(Reward.Kind.REFERRAL, link=REFERRAL_PAGE))
    client.get(link_of(grant), HTTP_USER_AGENT=BROWSER)
    used = shop.post(USE_URL, {"code": grant.referral_code, "order": "ORDER-77"}, format="json")
    assert used.status_code in (200, 201), used.content
    client.force_login(UserFactory(username="root", is_superuser=True))
    page = client.get(reverse("admin:followups_rewardgrant_change", args=[grant.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "ORDER-77" in text and LinkClick.objects.get(grant=grant).get_agent_display() in text
    assert 'name="linkclick_set-0-agent"' not in text  # shown, not a field
    assert 'name="referraluse_set-0-order"' not in text
