"""The outbox's own MIME writer (``transports.mime``) against Django's message
and the email package's generator: the same bytes for every email kind,
language and header shape the product sends, the same addresses for the
envelope, and Django's message for every shape it does not write."""

import smtplib
from email.policy import compat32

import pytest
from django.core.mail import get_connection
from django.core.mail.message import BadHeaderError, forbid_multi_line_headers, sanitize_address
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from followups.invitations.emails import _email_for
from followups.models import OutboundMessage
from followups.outbox.branding import sender_address
from followups.outbox.reply_address import reply_address
from followups.outbox.transports import mime
from followups.outbox.transports.email import EmailTransport
from followups.outbox.transports.smtp_pipeline import quoted
from followups.routing import responses_route
from tests.factories import (
    CustomerFactory,
    InvitationFactory,
    OutboundMessageFactory,
    ResponseFactory,
    SurveyFactory,
    branded,
    staff_member,
)

LANGUAGES = ["en", "pl", "ru", "zh-hans"]
NAMES = {
    "en": "Zoë O'Brien",
    "pl": "Łukasz Żółć-Gęślak",
    "ru": "Анна Каренина",
    "zh-hans": "王小明",
}
SURVEYS = {
    "en": "After your order",
    "pl": "Ankieta po zakupie — grudzień",
    "ru": "Опрос после покупки",
    "zh-hans": "购买后调查",
}
LONG_SUBJECTS = [
    "A plain subject long enough to need folding at seventy-eight characters, surely",
    "Zażółć gęślą jaźń, czyli temat wiadomości dłuższy niż jedna linia nagłówka e-mail",
    "Спасибо за ваш ответ, мы свяжемся с вами в течение двух рабочих дней",  # noqa: RUF001
    "感谢您的反馈，我们将在两个工作日内与您联系，感谢您的耐心等待和支持",  # noqa: RUF001
    "OneWordSubjectWithoutAnySpaceThatIsFarTooLongForTheSeventyEightCharacterLineLimit",
    "Thanks  with two spaces\tand a tab and a trailing one ",
    "=?utf-8?q?looks_encoded?=",
]
DATE = "Tue, 01 Dec 2026 23:20:00 -0000"
BOUNDARY = f"{mime.BOUNDARY_PREFIX}{'0123456789abcdef' * 2}=="


@pytest.fixture
def fixed(monkeypatch):
    """One date and one boundary for Django's message and the writer alike."""
    import django.core.mail.message

    monkeypatch.setattr(django.core.mail.message, "formatdate", lambda **kwargs: DATE)
    monkeypatch.setattr(mime, "formatdate", lambda **kwargs: DATE)
    monkeypatch.setattr(mime, "boundary", lambda: BOUNDARY)


def transport_email(row: OutboundMessage):
    """The Django email the transport builds for ``row`` (the brand's sender)."""
    transport = EmailTransport()
    transport.from_email = sender_address()
    transport.connection = get_connection(backend="django.core.mail.backends.locmem.EmailBackend")
    return transport._email(row)


def assert_written_as_django_writes(row: OutboundMessage) -> None:
    email = transport_email(row)
    expected = email.message().as_bytes(linesep="\r\n")
    written = mime.message_bytes(email)
    assert written is not None, (row.template, row.language)
    assert written == expected, (row.template, row.language, row.subject)
    assert mime.address(email.from_email) == sanitize_address(email.from_email, "utf-8")
    assert [mime.address(a) for a in email.recipients()] == [
        sanitize_address(a, "utf-8") for a in email.recipients()
    ]


def product_emails(language: str) -> list[OutboundMessage]:
    """Every kind of customer email the product sends, in ``language``:
    apology, offer, reward (routing), invitation and reminder, and a case
    message from a staff member (their name on it, a reply address)."""
    staff_member("ola")
    survey = SurveyFactory(name=SURVEYS[language])

    def customer():
        return CustomerFactory(name=NAMES[language], locale=language)

    answers = [
        ResponseFactory(survey=survey, customer=customer(), score=score, comment="Zoë <b>&</b>")
        for score in (2, 7, 9)
    ]
    responses_route(response_ids=[answer.pk for answer in answers])
    for reminder in (False, True):
        _email_for(InvitationFactory(survey=survey, customer=customer()), reminder=reminder)
    case = answers[0].case
    OutboundMessageFactory(
        template="case_message",
        language=language,
        customer=case.customer,
        recipient=case.customer.email,
        case=case,
        from_name=NAMES[language],
        reply_to=reply_address(case.pk),
        subject=f"Re: {SURVEYS[language]}",
        body_text=f"{NAMES[language]}, thank you.\n",
        body_html=f"<p>{NAMES[language]}, thank you.</p>",
    )
    rows = OutboundMessage.objects.filter(channel=OutboundMessage.Channel.EMAIL)
    return list(rows.select_related("customer").order_by("pk"))


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_of_email_is_written_as_django_writes_it(language, fixed):
    emails = product_emails(language)
    assert {email.template for email in emails} == {
        "apology",
        "offer",
        "reward",
        "invitation",
        "case_message",
    }
    assert sum(email.template == "invitation" for email in emails) == 2  # and its reminder
    for email in emails:
        assert email.body_html and email.customer is not None  # List-Unsubscribe
        assert_written_as_django_writes(email)


@pytest.mark.django_db
@pytest.mark.parametrize("subject", LONG_SUBJECTS)
@pytest.mark.parametrize("sender_name", ["", "Obsługa klienta", "Служба поддержки"])
def test_long_subjects_and_non_ascii_senders_are_written_as_django_writes_them(
    subject, sender_name, fixed
):
    branded(sender_name=sender_name, sender_address="care@example.com")
    for language in ("en", "zh-hans"):
        row = OutboundMessageFactory(
            language=language,
            customer=CustomerFactory(locale=language),
            subject=subject,
            body_text="Ligne très longue " * 50 + "\n.\nfin\n",
            body_html="<p>" + "x" * 900 + "</p>",
        )
        assert_written_as_django_writes(row)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body_text", "body_html"),
    [
        ("Plain ASCII only.\n", ""),  # one text part, 7bit
        ("Zażółć gęślą jaźń.\n", ""),  # one text part, 8bit
        ("line\r\nwindows\rmac\nunix\n", "<p>a\r\nb\rc</p>"),
        # Over 998 bytes between line breaks, under it between Django's breaks.
        ("é" * 400 + "\u2028" + "é" * 400 + "\n", "<p>" + "ж" * 495 + "</p>"),
        (".starts with a dot\nFrom the start\n", "<p>ok</p>"),
    ],
)
def test_bodies_are_written_as_django_writes_them(body_text, body_html, fixed):
    row = OutboundMessageFactory(body_text=body_text, body_html=body_html)
    assert_written_as_django_writes(row)


@pytest.mark.django_db
@pytest.mark.parametrize("body_text", ["x" * 999 + "\n", "é" * 600 + "\n"], ids=["ascii", "utf-8"])
def test_a_line_too_long_for_smtp_is_encoded_as_django_encodes_it(body_text, fixed):
    # Django sends a part with a line over 998 bytes as quoted-printable.
    row = OutboundMessageFactory(body_text=body_text, body_html="<p>" + "ż" * 700 + "</p>")
    assert b"quoted-printable" in transport_email(row).message().as_bytes()
    assert_written_as_django_writes(row)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        lambda email: email.attach("a.txt", "hello", "text/plain"),
        lambda email: email.cc.append("copy@example.com"),
        lambda email: email.bcc.append("hidden@example.com"),
        lambda email: email.to.append("second@example.com"),
        lambda email: email.attach_alternative("*hi*", "text/markdown"),
        lambda email: email.extra_headers.pop("Message-ID"),
        lambda email: email.extra_headers.update({"Date": "Mon, 30 Nov 2026 10:00:00 -0000"}),
        lambda email: email.extra_headers.update({"From": "other@example.com"}),
        lambda email: setattr(email, "encoding", "iso-8859-2"),
        lambda email: setattr(email, "body", ""),
    ],
)
def test_any_other_shape_is_left_to_django(change):
    email = transport_email(OutboundMessageFactory(body_html="<p>hi</p>"))
    change(email)
    assert mime.message_bytes(email) is None


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["subject", "from_email", "reply_to"])
def test_a_header_with_a_line_break_is_refused_as_django_refuses_it(field):
    email = transport_email(OutboundMessageFactory())
    value = "Injected\r\nBcc: victim@example.com"
    setattr(email, field, [value] if field == "reply_to" else value)
    with pytest.raises(BadHeaderError):
        email.message()
    with pytest.raises(BadHeaderError):
        mime.message_bytes(email)


def folded_by_the_email_package(name: str, value: str) -> str:
    stored = forbid_multi_line_headers(name, value, "utf-8")[1]
    return compat32.clone(linesep="\r\n").fold_binary(name, stored).decode("ascii")


HEADER_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(" \t=?;,<>\"'@.:-_/"),
        st.characters(min_codepoint=0x21, max_codepoint=0x7E),
        st.characters(min_codepoint=0xA0, max_codepoint=0x52F),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),
    ),
    max_size=160,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    name=st.sampled_from(
        ["Subject", "From", "To", "Reply-To", "Message-ID", "List-Unsubscribe", "X-Note"]
    ),
    value=HEADER_TEXT,
)
@example(name="List-Unsubscribe", value="<https://nps.example.com/u/" + "k" * 90 + "/>")
@example(name="Subject", value="s" * 100)
@example(name="To", value="a" * 80 + "@example.com")
@example(name="X-Note", value="x" * 59)  # exactly 78 characters
@example(name="X-Note", value="x" * 60)
def test_any_header_is_written_as_the_email_package_writes_it(name, value):
    try:
        expected = folded_by_the_email_package(name, value)
    except (ValueError, UnicodeError) as exc:
        with pytest.raises(type(exc)):
            mime.header_line(name, value)
    else:
        assert mime.header_line(name, value) == expected


@settings(max_examples=300, deadline=None)
@given(
    address=st.one_of(
        st.emails(),
        st.builds(
            "{}@{}".format,
            st.from_regex(r"[A-Za-z0-9._%+'-]{1,20}", fullmatch=True),
            st.from_regex(r"[A-Za-z0-9-]{1,70}(\.[a-zżółć0-9-]{1,10}){0,2}", fullmatch=True),
        ),
    )
)
@example(address="Ola Nowak <ola@example.com>")
@example(address="first.last+tag@sub.example.com")
@example(address="zoë@example.com")
@example(address="ola@żółć.example.pl")
@example(address='"quoted local"@example.com')
def test_envelope_addresses_are_what_django_gives_smtplib(address):
    try:
        expected = sanitize_address(address, "utf-8")
    except (ValueError, UnicodeError) as exc:
        with pytest.raises(type(exc)):
            mime.address(address)
    else:
        assert mime.address(address) == expected
        # And as the pipelined session quotes it in MAIL FROM and RCPT TO.
        assert quoted(address) == smtplib.quoteaddr(address)
        assert quoted(expected) == smtplib.quoteaddr(expected)


@pytest.mark.django_db
@settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    deadline=None,
)
@given(
    text=st.text(min_size=1, max_size=600),
    html=st.text(max_size=600),
    run=st.integers(min_value=0, max_value=520),
)
def test_any_body_is_written_as_django_writes_it(fixed, text, html, run):
    email = transport_email(OutboundMessageFactory.build(pk=1))
    # A run of two-byte characters: lines near SMTP's limit of 998 bytes.
    email.body = text + "é" * run
    if html:
        email.attach_alternative("é" * run + html, "text/html")
    expected = email.message().as_bytes(linesep="\r\n")
    assert mime.message_bytes(email) == expected


@pytest.mark.django_db
def test_a_body_that_cannot_be_encoded_is_left_to_django_which_refuses_it():
    email = transport_email(OutboundMessageFactory.build(pk=1))
    email.body = "a lone surrogate \ud800"
    assert mime.message_bytes(email) is None
    with pytest.raises(UnicodeError):
        email.message()
