"""Each outcome's email, in each language: the right name, code and expiry,
and customer text escaped."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from followups.outbox.language import DatesWritten, format_when
from followups.outbox.messages import render
from followups.routing import responses_route
from tests.factories import CustomerFactory, ResponseFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "pl", "ru", "zh-hans"]
# A phrase of each template's body, per language, proving the catalogue was used.
GREETING = {
    "en": "Dear Zoë",
    "pl": "Dzień dobry, Zoë",
    "ru": "Здравствуйте, Zoë",
    "zh-hans": "尊敬的 Zoë",
}
SUBJECTS = {
    "apology": {
        "en": "We are sorry",
        "pl": "Przepraszamy",
        "ru": "Приносим извинения",
        "zh-hans": "非常抱歉",
    },
    "offer": {"en": "an offer", "pl": "ofertę", "ru": "предложение", "zh-hans": "专属优惠"},
    "reward": {"en": "recommending", "pl": "polecenie", "ru": "рекомендуете", "zh-hans": "推荐"},
}
EXPIRY_YEAR = {"en": "2027", "pl": "2027", "ru": "2027", "zh-hans": "2027年"}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("template", "context"),
    [
        ("apology", {"contact_name": "Kasia", "due": "DUE-MARK", "case_id": 42}),
        ("offer", {"offer": "15% off", "code": "THX-AAAA-BBBB-CCCC", "expires": "EXP-2027"}),
        (
            "reward",
            {
                "reward": "500 points",
                "code": "VIP-AAAA-BBBB-CCCC",
                "expires": "EXP-2027",
                "kind": "coupon",
                "link": "",
            },
        ),
    ],
)
def test_each_outcome_email_renders_in_each_language(template, context, language):
    rendered = render(
        template, language, {"customer_name": "Zoë", "score": 3, "comment": "", **context}
    )
    assert SUBJECTS[template][language] in rendered.subject
    for body in (rendered.body_text, rendered.body_html):
        assert GREETING[language] in body
        for value in context.values():
            if value and value != "coupon":
                assert str(value) in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_expiry_and_due_dates_are_written_in_the_customers_language(language):
    when = datetime(2027, 1, 15, 10, 30, tzinfo=UTC)
    formatted = format_when(when, language)
    assert EXPIRY_YEAR[language] in formatted
    assert {"en": "Jan.", "pl": "stycznia", "ru": "января", "zh-hans": "1月"}[language] in (
        formatted
    )


def test_a_batch_writes_each_date_once_per_language_and_zone(monkeypatch):
    from zoneinfo import ZoneInfo

    from followups.outbox import language as language_module

    written = []

    def counted(moment, language, zone=None):
        written.append((moment, language, zone))
        return format_when(moment, language, zone)

    monkeypatch.setattr(language_module, "format_when", counted)
    dates = DatesWritten()
    when = datetime(2027, 1, 15, 10, 30, tzinfo=UTC)
    warsaw = ZoneInfo("Europe/Warsaw")

    texts = [
        dates(when, "pl", warsaw),
        dates(when, "pl", warsaw),
        dates(when, "en"),
        dates(when, "pl"),
    ]

    assert texts[0] == texts[1] == format_when(when, "pl", warsaw)
    assert "11:30" in texts[0] and "10:30" in texts[3]
    assert texts[2] == format_when(when, "en")
    assert written == [(when, "pl", warsaw), (when, "en", None), (when, "pl", None)]


def test_customer_text_is_escaped_in_html_and_kept_verbatim_in_plain_text():
    rendered = render(
        "apology",
        "en",
        {
            "customer_name": "<b>Ana</b>",
            "score": 1,
            "comment": '<script>alert("x")</script>',
            "contact_name": "",
            "due": "tomorrow",
            "case_id": 1,
        },
    )
    assert "<script>" not in rendered.body_html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in rendered.body_html
    assert "&lt;b&gt;Ana&lt;/b&gt;" in rendered.body_html
    assert '<script>alert("x")</script>' in rendered.body_text


def test_routing_writes_the_email_in_the_customers_language(django_capture_on_commit_callbacks):
    customer = CustomerFactory(name="Zoë", locale="ru")
    response = ResponseFactory(customer=customer, score=9, submitted_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        responses_route(response_ids=[response.pk])
    email = response.emails.get()
    assert email.language == "ru"
    assert "Спасибо" in email.body_text
    assert response.reward_grant.code in email.body_text


MERGE_CASES = {
    "apology": [
        {"contact_name": "Ola", "due": "Friday", "case_id": 12345},
        {"contact_name": "", "due": "Friday", "case_id": 7},
    ],
    "offer": [{"offer": "10% <off>", "code": "OFF-1", "expires": "1 May"}],
    "reward": [
        {
            "reward": "A gift",
            "kind": kind,
            "points": 0,
            "link": link,
            "referral_code": referral,
            "code": code,
            "expires": "1 May" if code else "",
        }
        for kind, link, referral, code in [
            ("gift", "", "", "R-1"),
            ("review_bonus", "https://example.com/r?a=1&b=2", "", ""),
            ("referral", "https://example.com/f", "FRIEND-9", ""),
        ]
    ],
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", sorted(MERGE_CASES))
def test_a_merged_outcome_email_is_exactly_its_full_rendering(template, language):
    from followups.routing import _CHOOSING_FIELDS, _OUTCOME_RENDERERS

    renderer = _OUTCOME_RENDERERS[template]
    for case in MERGE_CASES[template]:
        for name, comment in [
            ("Zoë  O'Brien & <Sons>", 'Line one & "two"\r\n<b>three</b>\n\nfour'),
            ("", ""),
            ("Bo", "ok"),
        ]:
            for score in (0, 7, 10):
                context = {
                    **case,
                    "customer_name": name,
                    "survey_name": "Survey <1>",
                    "score": score,
                    "comment": comment,
                }
                fixed = {k: context.pop(k) for k in _CHOOSING_FIELDS if k in context}
                # Twice: the second from the variant the first compiled.
                for _ in range(2):
                    merged = renderer.render(language, context, fixed)
                    assert merged == render(template, language, {**context, **fixed})


def test_a_template_that_filters_a_merged_value_is_rendered_in_full_with_a_warning(caplog):
    from followups.outbox.messages import MergedRenderer

    # apology.html prints the comment through linebreaksbr; not declared here.
    renderer = MergedRenderer("apology")
    context = {
        "customer_name": "Ana",
        "score": 3,
        "comment": "one\ntwo",
        "contact_name": "",
        "due": "soon",
        "case_id": 1,
    }
    assert renderer.render("en", context, {}) == render("apology", "en", context)
    assert "cannot be merged" in caplog.text
    other = {**context, "comment": "x\ny"}  # the same variant: rendered in full again
    assert renderer.render("en", other, {}) == render("apology", "en", other)


def test_a_value_marked_safe_is_rendered_in_full():
    from django.utils.safestring import mark_safe

    from followups.routing import _OUTCOME_RENDERERS

    context = {"offer": mark_safe("<b>10%</b>"), "code": "C", "expires": "soon"}
    context |= {"customer_name": "Ana", "survey_name": "S", "score": 7, "comment": ""}
    rendered = _OUTCOME_RENDERERS["offer"].render("en", context, {})
    assert "<b>10%</b>" in rendered.body_html
    assert rendered == render("offer", "en", context)
