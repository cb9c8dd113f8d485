"""Seed a realistic, deterministic demo data set; safe to run on every start.

Every row has a stable natural key (username, customer email, survey slug,
response idempotency key ``demo-<n>``), so a second run only fills in what is
missing. Names and comments are hand-written lists rather than Faker: Faker is
a dev dependency and this command ships in production.
"""

# The Chinese and Russian texts use their own punctuation and letters on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from followups import roles
from followups.demo_bonus import ensure_demo_reminder_bonus
from followups.demo_departments import ensure_demo_departments
from followups.demo_drivers import ensure_demo_drivers
from followups.demo_enps import ensure_demo_enps
from followups.demo_history import ensure_demo_actions, write_history
from followups.insights import themes
from followups.insights.suggestions import cases_suggest, root_cause_model_train
from followups.invitations.emails import invitation_send
from followups.models import FollowUpCase, InboundSms, OutboundMessage, RootCauseModel, ThemePeriod
from followups.outbox.sending import messages_send
from followups.replies.sms import sms_receive
from surveys import stats
from surveys.branding import EmailKind
from surveys.models import (
    Brand,
    Channel,
    Customer,
    EmailText,
    Invitation,
    Locale,
    Response,
    Survey,
)

SEED = 2026
CUSTOMER_COUNT = 300
RESPONSE_COUNT = 1500
HISTORY_DAYS = 180
EMAIL_DOMAIN = "example.com"

# Printed by `make run`: these accounts exist only to explore the demo.
DEMO_ADMIN_PASSWORD = "demo-admin-2026"  # noqa: S105
DEMO_MANAGER_PASSWORD = "demo-manager-2026"  # noqa: S105
DEMO_STAFF_PASSWORD = "demo-staff-2026"  # noqa: S105

RELATIONSHIP_SLUG = "relationship-nps"
SUPPORT_SLUG = "support-nps"


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    first_name: str
    last_name: str
    is_staff: bool = True
    is_superuser: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", DEMO_ADMIN_PASSWORD, "admin", "Ada", "Admin", is_superuser=True),
    DemoUser("manager", DEMO_MANAGER_PASSWORD, "manager", "Magda", "Nowak"),
    DemoUser("staff1", DEMO_STAFF_PASSWORD, "staff", "Sam", "Carter"),
    DemoUser("staff2", DEMO_STAFF_PASSWORD, "staff", "Lena", "Wolf"),
)


class DemoLogin(NamedTuple):
    username: str
    password: str
    role: str


ROLE_GROUPS = {"manager": roles.MANAGERS, "staff": roles.SERVICE_STAFF}


def ensure_demo_users() -> list[DemoLogin]:
    """Create the demo accounts that do not exist yet, in their role's group.
    Existing accounts are left alone: a run never resets a password someone
    has changed."""
    user_model = get_user_model()
    existing = set(
        user_model.objects.filter(username__in=[spec.username for spec in DEMO_USERS]).values_list(
            "username", flat=True
        )
    )
    for spec in DEMO_USERS:
        if spec.username in existing:
            continue
        user = user_model.objects.create_user(
            username=spec.username,
            email=f"{spec.username}@{EMAIL_DOMAIN}",
            password=spec.password,
            first_name=spec.first_name,
            last_name=spec.last_name,
            is_staff=spec.is_staff or spec.is_superuser,
            is_superuser=spec.is_superuser,
        )
        if spec.role in ROLE_GROUPS:
            user.groups.add(Group.objects.get(name=ROLE_GROUPS[spec.role]))
    return [DemoLogin(spec.username, spec.password, spec.role) for spec in DEMO_USERS]


# --- Surveys ---------------------------------------------------------------

SURVEYS = {
    RELATIONSHIP_SLUG: {
        "name": "Relationship NPS (quarterly)",
        "question": "How likely are you to recommend us to a friend or colleague?",
        "follow_up_question": "What is the main reason for your score?",
        "translations": {
            Locale.POLISH: {
                "question": "Jak bardzo prawdopodobne jest, że polecisz nas znajomemu "
                "lub współpracownikowi?",
                "follow_up_question": "Jaki jest główny powód Twojej oceny?",
            },
            Locale.RUSSIAN: {
                "question": "Насколько вероятно, что вы порекомендуете нас другу или коллеге?",
                "follow_up_question": "Какова основная причина вашей оценки?",
            },
            Locale.CHINESE: {
                "question": "您有多大可能向朋友或同事推荐我们？",
                "follow_up_question": "您给出这个分数的主要原因是什么？",
            },
        },
        "status": Survey.Status.ACTIVE,
        "recurrence": Survey.Recurrence.QUARTERLY,
        "auto_assign": True,
        "benchmark_nps": 32,
        "throttle_days": 60,
    },
    SUPPORT_SLUG: {
        "name": "Support NPS (after a ticket)",
        "question": "Thinking of your recent support request, how likely are you to "
        "recommend us to a friend or colleague?",
        "follow_up_question": "What is the main reason for your score?",
        "translations": {
            Locale.POLISH: {
                "question": "Myśląc o ostatnim zgłoszeniu do wsparcia, jak bardzo "
                "prawdopodobne jest, że polecisz nas znajomemu lub współpracownikowi?",
                "follow_up_question": "Jaki jest główny powód Twojej oceny?",
            },
            Locale.RUSSIAN: {
                "question": "Учитывая ваше недавнее обращение в поддержку, насколько "
                "вероятно, что вы порекомендуете нас другу или коллеге?",
                "follow_up_question": "Какова основная причина вашей оценки?",
            },
            Locale.CHINESE: {
                "question": "根据您最近一次的客服体验，您有多大可能向朋友或同事推荐我们？",
                "follow_up_question": "您给出这个分数的主要原因是什么？",
            },
        },
        "status": Survey.Status.ACTIVE,
        "detractor_sla_hours": 8,
        "throttle_days": 7,
        "reminder_after_days": 2,
        "invitation_lifetime_days": 14,
    },
}


def ensure_demo_surveys() -> tuple[dict[str, Survey], int]:
    surveys, created = {}, 0
    for slug, fields in SURVEYS.items():
        survey, was_created = Survey.objects.get_or_create(slug=slug, defaults=fields)
        surveys[slug] = survey
        created += was_created
    return surveys, created


# --- An SMS survey ----------------------------------------------------------
# A dozen customers with phones asked by SMS (sent by the console transport),
# most of whom answered by text: a score, often a comment, one STOP. Their
# answers come in through the inbound webhook's own code (provider "http").

SMS_SLUG = "delivery-sms"
SMS_SURVEY = {
    "name": "Delivery NPS (SMS)",
    "question": "How likely are you to recommend our delivery service?",
    "follow_up_question": "What is the main reason for your score?",
    "question_pl": "Jak bardzo prawdopodobne jest, że polecisz naszą dostawę?",
    "follow_up_question_pl": "Jaki jest główny powód Twojej oceny?",
    "question_ru": "Насколько вероятно, что вы порекомендуете нашу доставку?",
    "follow_up_question_ru": "Какова основная причина вашей оценки?",
    "question_zh_hans": "您有多大可能推荐我们的配送服务？",
    "follow_up_question_zh_hans": "您给出这个分数的主要原因是什么？",
    "status": Survey.Status.ACTIVE,
    "throttle_days": 30,
}
# (name, locale, time zone, the texts they sent back)
SMS_CUSTOMERS = (
    ("Olivia Bennett", Locale.ENGLISH, "Europe/London", ("10", "Always on time, friendly driver.")),
    ("Ethan Brooks", Locale.ENGLISH, "America/New_York", ("7",)),
    ("Grace Turner", Locale.ENGLISH, "Europe/London", ("2", "Parcel left in the rain.")),
    ("Anna Zielińska", Locale.POLISH, "Europe/Warsaw", ("9", "Szybko i sprawnie.")),
    ("Tomasz Mazur", Locale.POLISH, "Europe/Warsaw", ("5", "Kurier spóźnił się dwa dni.")),
    ("Ewa Krawczyk", Locale.POLISH, "Europe/Warsaw", ("STOP",)),
    ("Ольга Волкова", Locale.RUSSIAN, "Europe/Moscow", ("10/10", "Всё отлично, спасибо!")),
    ("Иван Петров", Locale.RUSSIAN, "Europe/Moscow", ("8",)),
    ("Мария Соколова", Locale.RUSSIAN, "Asia/Yekaterinburg", ()),
    ("王芳", Locale.CHINESE, "Asia/Shanghai", ("9", "送货很快。")),
    ("李强", Locale.CHINESE, "Asia/Shanghai", ("6", "包装有点破损。")),
    ("张敏", Locale.CHINESE, "Asia/Shanghai", ()),
)


def _sms_daytime(now: datetime, zone: str, days_ago: int) -> datetime:
    """Noon in ``zone``, ``days_ago`` days back (never in the future)."""
    local = (now - timedelta(days=days_ago)).astimezone(ZoneInfo(zone))
    noon = local.replace(hour=12, minute=0, second=0, microsecond=0)
    return noon if noon <= now else noon - timedelta(days=1)


def _demo_sms_exchange(
    survey: Survey, customer: Customer, index: int, texts, *, invited_at: datetime
) -> Invitation:
    """One demo customer's SMS invitation, sent, and their replies to it."""
    invitation = invitation_send(
        survey=survey, customer=customer, channel=Channel.SMS, now=invited_at, reason="demo"
    )
    # The invitation goes out before its replies come in (a STOP cancels
    # whatever is still queued for the customer).
    messages_send(
        message_ids=list(
            OutboundMessage.objects.filter(
                channel=OutboundMessage.Channel.SMS,
                status=OutboundMessage.Status.QUEUED,
                customer=customer,
            ).values_list("pk", flat=True)
        )
    )
    for number, text in enumerate(texts):
        sms_receive(
            provider=InboundSms.Provider.HTTP,
            message_id=f"demo-sms-{index}-{number}",
            sender=customer.phone or "",
            body=text,
            now=invited_at + timedelta(minutes=12 + 5 * number),
        )
    return invitation


def ensure_demo_sms_survey(*, now: datetime) -> int:
    """The SMS survey, its invitations (sent through the outbox) and answers
    by text, once. Returns how many answers it recorded."""
    survey, _ = Survey.objects.get_or_create(slug=SMS_SLUG, defaults=SMS_SURVEY)
    if survey.invitations.exists():
        return 0
    answered = []
    for index, (name, locale, zone, texts) in enumerate(SMS_CUSTOMERS):
        customer, _ = Customer.objects.get_or_create(
            email=f"sms{index + 1:02d}@example.com",
            defaults={
                "name": name,
                "locale": locale,
                "time_zone": zone,
                "phone": f"+48600700{index + 101:03d}",
                "segment": "consumer",
            },
        )
        invited_at = _sms_daytime(now, zone, days_ago=index % 6)
        invitation = _demo_sms_exchange(survey, customer, index, texts, invited_at=invited_at)
        if texts and texts[0] != "STOP":
            answered.append(invitation.pk)
    # Answers from the demo are routed with the rest of its history (demo_history),
    # and dated, as their invitations, when the text came in.
    for invitation_id in answered:
        # (Final, as if their wait for a comment were long over.)
        Response.objects.filter(invitation_id=invitation_id).update(
            idempotency_key=f"demo-sms-{invitation_id}", changeable_until=None
        )
        Invitation.objects.filter(pk=invitation_id).update(
            responded_at=Subquery(
                Response.objects.filter(invitation_id=invitation_id).values("submitted_at")[:1]
            )
        )
    # What is queued goes out now, through the console (quiet hours permitting).
    queued = OutboundMessage.objects.filter(
        channel=OutboundMessage.Channel.SMS,
        status=OutboundMessage.Status.QUEUED,
        response__isnull=True,
    ).values_list("pk", flat=True)
    messages_send(message_ids=list(queued))
    return len(answered)


# Customers whose email address bounced for good, with a phone: email waves
# skip them (the relationship survey's, which the demo's server starts at
# once, too), and a wave by SMS to the consumer segment has them to text
# (everyone above was asked within days; the other customers have no phone).
SMS_WAVE_CUSTOMERS = (
    ("Sophie Clarke", Locale.ENGLISH, "Europe/London"),
    ("Daniel Hughes", Locale.ENGLISH, "America/Chicago"),
    ("Marta Nowicka", Locale.POLISH, "Europe/Warsaw"),
    ("Paweł Lis", Locale.POLISH, "Europe/Warsaw"),
    ("Дмитрий Орлов", Locale.RUSSIAN, "Europe/Moscow"),
    ("陈静", Locale.CHINESE, "Asia/Shanghai"),
)


def ensure_demo_sms_wave_customers(*, now: datetime) -> None:
    for index, (name, locale, zone) in enumerate(SMS_WAVE_CUSTOMERS):
        Customer.objects.get_or_create(
            email=f"sms-wave{index + 1:02d}@example.com",
            defaults={
                "name": name,
                "locale": locale,
                "time_zone": zone,
                "phone": f"+48600700{index + 201:03d}",
                "segment": "consumer",
                "email_bounced_at": now - timedelta(days=20 + index),
            },
        )


# --- Customers -------------------------------------------------------------

SEGMENT_WEIGHTS = {"consumer": 45, "smb": 30, "enterprise": 15, "partner": 10}
LOCALE_WEIGHTS = {Locale.ENGLISH: 40, Locale.POLISH: 20, Locale.RUSSIAN: 20, Locale.CHINESE: 20}

EN_FIRST = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
    "David", "Elizabeth", "William", "Susan", "Emily", "Daniel", "Olivia", "Ethan",
)  # fmt: skip
EN_LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Clark", "Lewis",
)  # fmt: skip

# (first name, is female)
PL_FIRST = (
    ("Piotr", False), ("Krzysztof", False), ("Tomasz", False), ("Paweł", False),
    ("Michał", False), ("Łukasz", False), ("Jakub", False), ("Grzegorz", False),
    ("Anna", True), ("Katarzyna", True), ("Małgorzata", True), ("Agnieszka", True),
    ("Ewa", True), ("Magdalena", True), ("Joanna", True), ("Zofia", True),
)  # fmt: skip
# (masculine, feminine)
PL_LAST = (
    ("Nowak", "Nowak"), ("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"), ("Kamiński", "Kamińska"), ("Lewandowski", "Lewandowska"),
    ("Zieliński", "Zielińska"), ("Szymański", "Szymańska"), ("Woźniak", "Woźniak"),
    ("Dąbrowski", "Dąbrowska"), ("Mazur", "Mazur"), ("Krawczyk", "Krawczyk"),
)  # fmt: skip
PL_ASCII = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")

# (Cyrillic, Latin handle, is female)
RU_FIRST = (
    ("Александр", "aleksandr", False), ("Дмитрий", "dmitry", False),
    ("Сергей", "sergey", False), ("Андрей", "andrey", False), ("Михаил", "mikhail", False),
    ("Иван", "ivan", False), ("Алексей", "aleksey", False), ("Николай", "nikolay", False),
    ("Елена", "elena", True), ("Ольга", "olga", True), ("Наталья", "natalya", True),
    ("Татьяна", "tatyana", True), ("Анна", "anna", True), ("Мария", "maria", True),
    ("Екатерина", "ekaterina", True), ("Ирина", "irina", True),
)  # fmt: skip
# Masculine forms; the feminine of each adds one letter (Ivanov, Ivanova).
RU_LAST = (
    ("Иванов", "ivanov"), ("Смирнов", "smirnov"), ("Кузнецов", "kuznetsov"),
    ("Попов", "popov"), ("Васильев", "vasiliev"), ("Петров", "petrov"),
    ("Соколов", "sokolov"), ("Михайлов", "mikhailov"), ("Новиков", "novikov"),
    ("Фёдоров", "fedorov"), ("Морозов", "morozov"), ("Волков", "volkov"),
)  # fmt: skip

ZH_SURNAME = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
    ("徐", "xu"), ("孙", "sun"),
)  # fmt: skip
ZH_GIVEN = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("秀英", "xiuying"), ("敏", "min"),
    ("静", "jing"), ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"),
    ("洋", "yang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("涛", "tao"),
    ("明", "ming"),
)  # fmt: skip


def _person(rng: random.Random, locale: str) -> tuple[str, str, str]:
    """A plausible (display name, ascii first, ascii last) for ``locale``."""
    if locale == Locale.POLISH:
        first, female = rng.choice(PL_FIRST)
        last = rng.choice(PL_LAST)[1 if female else 0]
        return f"{first} {last}", first.translate(PL_ASCII), last.translate(PL_ASCII)
    if locale == Locale.RUSSIAN:
        first, first_latin, female = rng.choice(RU_FIRST)
        last, last_latin = rng.choice(RU_LAST)
        if female:
            last, last_latin = last + "а", last_latin + "a"
        return f"{first} {last}", first_latin, last_latin
    if locale == Locale.CHINESE:
        surname, surname_pinyin = rng.choice(ZH_SURNAME)
        given, given_pinyin = rng.choice(ZH_GIVEN)
        return surname + given, given_pinyin, surname_pinyin
    first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
    return f"{first} {last}", first, last


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


DEMO_BRAND = {
    "company_name": "Brightwave Telecom",
    "primary_colour": "#6639ba",
    "accent_colour": "#0a7d6e",
    "sender_name": "Brightwave customer care",
    "sender_address": "care@brightwave.example.com",
}
# The demo's one worded text: the offer's subject in Polish (the rest: defaults).
DEMO_OFFER_SUBJECT_PL = "{company_name}: oferta specjalnie dla Państwa"


def demo_logo() -> bytes:
    """A small PNG logo: a wave mark and the company's name, drawn here."""
    image = Image.new("RGB", (360, 80), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 8, 68, 72), radius=14, fill=DEMO_BRAND["primary_colour"])
    draw.arc((14, 24, 58, 64), start=200, end=340, fill="#ffffff", width=6)
    font = ImageFont.load_default(size=30)
    draw.text((82, 22), DEMO_BRAND["company_name"], fill="#1f2328", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def ensure_demo_brand() -> bool:
    """Give the demo its brand, unless someone has named the company already."""
    brand = Brand.current()
    if brand.company_name:
        return False
    for field, value in DEMO_BRAND.items():
        setattr(brand, field, value)
    brand.set_logo(demo_logo(), "image/png")
    brand.save()
    EmailText.objects.filter(kind=EmailKind.OFFER, subject_pl="").update(
        subject_pl=DEMO_OFFER_SUBJECT_PL
    )
    return True


def customer_specs(rng: random.Random) -> list[dict]:
    specs = []
    for n in range(1, CUSTOMER_COUNT + 1):
        locale = _weighted(rng, LOCALE_WEIGHTS)
        segment = _weighted(rng, SEGMENT_WEIGHTS)
        name, first, last = _person(rng, locale)
        email = f"{first}.{last}.{n}@{EMAIL_DOMAIN}".lower()
        specs.append({"email": email, "name": name, "segment": segment, "locale": str(locale)})
    return specs


# --- Responses -------------------------------------------------------------

# Promoter and detractor shares in the middle of the period, per segment.
SEGMENT_MIX = {
    "enterprise": (0.50, 0.20),
    "smb": (0.45, 0.25),
    "consumer": (0.42, 0.29),
    "partner": (0.53, 0.18),
}
# Over the six months promoters grow and detractors shrink by this much.
PROMOTER_TREND = 0.16
DETRACTOR_TREND = 0.12
DETRACTOR_SCORE_WEIGHTS = (1, 1, 2, 3, 5, 8, 10)  # scores 0..6: most are 5s and 6s
COMMENT_CHANCE = {stats.DETRACTOR: 0.72, stats.PASSIVE: 0.42, stats.PROMOTER: 0.40}
LOCAL_COMMENT_CHANCE = 0.35
INVITED_SHARE = 0.9

COMMENTS = {
    stats.DETRACTOR: (
        "Support took four days to answer a simple question.",
        "The last invoice was wrong and it took three emails to get it fixed.",
        "The app keeps logging me out, very frustrating.",
        "Prices went up again without any new features.",
        "My ticket was closed without the problem being solved.",
        "Delivery was late twice this month.",
        "Nobody called me back although I was promised a call.",
        "The new interface is confusing and slower than the old one.",
        "I was transferred between three people and had to repeat everything.",
        "Export to Excel has been broken for weeks.",
        "Cancelling an order is far harder than it should be.",
        "Documentation is outdated; half the screenshots do not match.",
        "Too many outages during our business hours.",
        "The onboarding was rushed and we were left on our own.",
    ),
    stats.PASSIVE: (
        "Does the job, but nothing special.",
        "Good product, support could be faster.",
        "Fine overall, a bit expensive for what it is.",
        "Works well once you learn it; the learning curve is steep.",
        "The mobile app lags behind the web version.",
        "Solid, but competitors are catching up.",
        "Helpful agent, but I had to wait a long time in the queue.",
        "Reliable, although reporting is limited.",
        "OK service. Would like more payment options.",
        "Most things work; a few bugs remain.",
        "Decent value, the contract terms are not flexible enough.",
    ),
    stats.PROMOTER: (
        "Fast, friendly support that actually solves problems.",
        "Anna from support went above and beyond. Thank you!",
        "Easy to use and the whole team adopted it in a week.",
        "Great value for money.",
        "Everything just works, I recommend it to everyone.",
        "The account manager knows our business really well.",
        "Issue fixed within an hour. Impressive.",
        "The new dashboard saves me hours every week.",
        "Reliable for three years now, never had a real outage.",
        "Clear pricing and no surprises on the invoice.",
        "Onboarding was smooth and well organised.",
    ),
}

LOCAL_COMMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    Locale.POLISH: {
        stats.DETRACTOR: (
            "Obsługa klienta odpowiada bardzo wolno.",
            "Faktura znowu była błędna.",
            "Aplikacja często się zawiesza.",
        ),
        stats.PASSIVE: (
            "Ogólnie w porządku, ale mogłoby być taniej.",
            "Dobry produkt, wsparcie mogłoby być szybsze.",
        ),
        stats.PROMOTER: (
            "Świetna obsługa, problem rozwiązany od ręki!",
            "Bardzo wygodne i niezawodne. Polecam.",
        ),
    },
    Locale.RUSSIAN: {
        stats.DETRACTOR: (
            "Поддержка отвечает слишком долго.",
            "Доставка опять задержалась.",
            "Мне обещали перезвонить, но никто не позвонил.",
        ),
        stats.PASSIVE: (
            "В целом нормально, но дороговато.",
            "Хороший продукт, но есть мелкие ошибки.",
        ),
        stats.PROMOTER: (
            "Отличная поддержка, всё решили за час!",
            "Удобно и надёжно, рекомендую.",
        ),
    },
    Locale.CHINESE: {
        stats.DETRACTOR: (
            "客服回复太慢了。",
            "账单又出错了。",
            "应用经常闪退。",
        ),
        stats.PASSIVE: (
            "总体还可以，就是价格有点高。",
            "产品不错，但客服可以再快一点。",
        ),
        stats.PROMOTER: (
            "客服非常专业，问题很快就解决了！",
            "简单好用，强烈推荐。",
        ),
    },
}


def ensure_demo_themes(surveys: dict[str, Survey], *, now: datetime, periods: int = 8) -> int:
    """The comment themes of the last closed ``periods`` weeks (or months) of
    each demo survey, oldest first so that themes carry across periods, for
    the dashboard's section. Weeks computed already are left alone."""
    if not themes.enabled():
        return 0
    last = themes.last_closed_period(now=now)
    chosen = [last]
    while len(chosen) < periods:
        chosen.insert(0, chosen[0].previous())
    computed = 0
    for survey in surveys.values():
        for period in chosen:
            if not ThemePeriod.objects.filter(
                theme__survey=survey, kind=period.kind, start=period.start
            ).exists():
                computed += len(themes.themes_compute(survey=survey, period=period, now=now))
    return computed


@dataclass(frozen=True)
class ResponseSpec:
    key: str
    survey_slug: str
    customer_index: int
    invited_days_ago: float
    answered_days_ago: float
    score: int
    comment: str
    invited: bool
    channel: str


def _score(rng: random.Random, segment: str, progress: float, support: bool) -> int:
    promoters, detractors = SEGMENT_MIX[segment]
    promoters += PROMOTER_TREND * (progress - 0.5)
    detractors -= DETRACTOR_TREND * (progress - 0.5)
    if support:
        # Someone who just needed help is a little harsher.
        promoters, detractors = promoters - 0.03, detractors + 0.03
    roll = rng.random()
    if roll < promoters:
        return rng.choices((9, 10), weights=(55, 45))[0]
    if roll < 1 - detractors:
        return rng.choices((7, 8), weights=(45, 55))[0]
    return rng.choices(range(7), weights=DETRACTOR_SCORE_WEIGHTS)[0]


def _comment(rng: random.Random, category: str, locale: str) -> str:
    if rng.random() >= COMMENT_CHANCE[category]:
        return ""
    local = LOCAL_COMMENTS.get(locale)
    if local and rng.random() < LOCAL_COMMENT_CHANCE:
        return rng.choice(local[category])
    return rng.choice(COMMENTS[category])


def response_specs(rng: random.Random, customers: list[dict]) -> list[ResponseSpec]:
    """Two quarterly relationship waves for most customers, the rest of the
    answers after support tickets spread over the whole period."""
    # (survey slug, customer index, invited days ago, answered days ago)
    events: list[tuple[str, int, float, float]] = []
    for index in range(len(customers)):
        for wave_days_ago in (HISTORY_DAYS - 2, HISTORY_DAYS // 2 - 2):
            if rng.random() < 0.82:
                delay = min(rng.expovariate(1 / 3), 21.0)
                events.append((RELATIONSHIP_SLUG, index, wave_days_ago, wave_days_ago - delay))
    ticket_weights = [3 if c["segment"] in ("enterprise", "partner") else 2 for c in customers]
    for _ in range(RESPONSE_COUNT - len(events)):
        index = rng.choices(range(len(customers)), weights=ticket_weights)[0]
        answered = rng.uniform(0.05, HISTORY_DAYS - 1)
        events.append((SUPPORT_SLUG, index, answered + rng.uniform(0.02, 2.0), answered))
    events.sort(key=lambda event: -event[3])  # oldest first, so keys follow time

    specs = []
    for n, (slug, index, invited, answered) in enumerate(events, start=1):
        customer = customers[index]
        support = slug == SUPPORT_SLUG
        score = _score(rng, customer["segment"], 1 - answered / HISTORY_DAYS, support)
        invited_by_email = rng.random() < INVITED_SHARE
        if invited_by_email:
            channel = Channel.EMAIL
        else:
            channel = rng.choice((Channel.API, Channel.LINK) if support else (Channel.LINK,))
        specs.append(
            ResponseSpec(
                key=f"demo-{n}",
                survey_slug=slug,
                customer_index=index,
                invited_days_ago=invited,
                answered_days_ago=answered,
                score=score,
                comment=_comment(rng, stats.classify(score), customer["locale"]),
                invited=invited_by_email,
                channel=str(channel),
            )
        )
    return specs


def _ago(now: datetime, days: float) -> datetime:
    return now - timedelta(days=days)


# --- The command -----------------------------------------------------------


@dataclass
class _Seeded:
    """What one run of the demo's seeding wrote (counts of rows created)."""

    now: datetime
    surveys: dict
    logins: list
    users_created: int
    surveys_created: int
    customers_created: int
    responses_created: int
    invitations_created: int
    routed: int
    employee_answers: int

    @property
    def created_any(self) -> bool:
        return any(
            (
                self.users_created,
                self.surveys_created,
                self.customers_created,
                self.responses_created,
            )
        )


class Command(BaseCommand):
    help = "Create the demo users, customers, surveys and six months of answers (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off. The demo users have published passwords: "
            "never use this on a production database.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to seed demo data with DEBUG off: the demo users have published "
                "passwords. Use --force on a database that is not production."
            )
        seeded = self._seed(now=timezone.now())
        ensure_demo_suggestions()
        themes_computed = ensure_demo_themes(seeded.surveys, now=seeded.now)
        if seeded.created_any:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data seeded: {seeded.users_created} users, "
                    f"{seeded.surveys_created} surveys, {seeded.customers_created} customers, "
                    f"{seeded.responses_created} responses, {seeded.invitations_created} "
                    f"invitations created; {seeded.routed} answers routed; "
                    f"{themes_computed} comment themes computed."
                )
            )
        else:
            self.stdout.write("Demo data already seeded: nothing to add.")
        if seeded.employee_answers:
            self.stdout.write(
                f"Employee survey seeded: {seeded.employee_answers} anonymous answers."
            )
        self._write_logins(seeded.logins)

    def _seed(self, *, now) -> _Seeded:
        """Every demo row, in one transaction: users, surveys, customers,
        answers with their history, and the features' own demo data."""
        rng = random.Random(SEED)
        customers = customer_specs(rng)
        responses = response_specs(rng, customers)
        user_model = get_user_model()
        with transaction.atomic():
            users_before = user_model.objects.count()
            logins = ensure_demo_users()
            users_created = user_model.objects.count() - users_before
            surveys, surveys_created = ensure_demo_surveys()
            ensure_demo_brand()
            customer_ids, customers_created = self._ensure_customers(customers)
            responses_created, invitations_created = self._ensure_responses(
                responses, surveys, customers, customer_ids, now
            )
            responses_created += ensure_demo_sms_survey(now=now)
            department_logins, answered, invited = ensure_demo_departments(
                rng=random.Random(SEED),
                now=now,
                history_days=HISTORY_DAYS,
                staff_password=DEMO_STAFF_PASSWORD,
            )
            logins += [DemoLogin(*login) for login in department_logins]
            # Every demo answer gets its outcome, dated as if the loop had run then.
            routed = write_history(
                Response.objects.filter(
                    idempotency_key__startswith="demo-", routed_at__isnull=True
                ),
                rng=random.Random(SEED),
                now=now,
            )
            ensure_demo_actions(surveys, now=now)
            ensure_demo_reminder_bonus(surveys[RELATIONSHIP_SLUG], now=now, seed=SEED)
            employee_answers = ensure_demo_enps(rng=random.Random(SEED), now=now)
            # Last of the steps, after every step that creates answers: a
            # step run after it would leave its answers without a reason on
            # the first run and give them one on the second.
            ensure_demo_drivers(surveys)
            # After the steps that draw customers at random: none of them
            # is asked, and the first run's draws stay as they were.
            ensure_demo_sms_wave_customers(now=now)
        return _Seeded(
            now=now,
            surveys=surveys,
            logins=logins,
            users_created=users_created,
            surveys_created=surveys_created,
            customers_created=customers_created,
            responses_created=responses_created + answered,
            invitations_created=invitations_created + invited,
            routed=routed,
            employee_answers=employee_answers,
        )

    def _ensure_customers(self, specs: list[dict]) -> tuple[dict[str, int], int]:
        emails = [spec["email"] for spec in specs]

        def existing() -> dict[str, int]:
            rows = (
                Customer.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__in=emails)
                .values_list("email_lower", "pk")
            )
            return dict(rows)

        ids = existing()
        missing = [Customer(**spec) for spec in specs if spec["email"] not in ids]
        if missing:
            Customer.objects.bulk_create(missing, batch_size=500)
            ids = existing()
        return ids, len(missing)

    def _ensure_responses(
        self,
        specs: list[ResponseSpec],
        surveys: dict[str, Survey],
        customers: list[dict],
        customer_ids: dict[str, int],
        now: datetime,
    ) -> tuple[int, int]:
        keys = [spec.key for spec in specs]
        done = set(
            Response.objects.filter(idempotency_key__in=keys).values_list(
                "idempotency_key", flat=True
            )
        )
        missing = [spec for spec in specs if spec.key not in done]
        if not missing:
            return 0, 0

        invitations = {}
        for spec in missing:
            if not spec.invited:
                continue
            invited_at = _ago(now, spec.invited_days_ago)
            submitted_at = _ago(now, spec.answered_days_ago)
            invitation = Invitation(
                survey=surveys[spec.survey_slug],
                customer_id=customer_ids[customers[spec.customer_index]["email"]],
                channel=Channel.EMAIL,
                created_at=invited_at,
                sent_at=invited_at,
                opened_at=max(invited_at, submitted_at - timedelta(minutes=3)),
                responded_at=submitted_at,
            )
            invitation.prepare_token(now=invited_at)
            invitations[spec.key] = invitation
        Invitation.objects.bulk_create(invitations.values(), batch_size=500)

        rows = []
        for spec in missing:
            customer = customers[spec.customer_index]
            rows.append(
                Response(
                    survey=surveys[spec.survey_slug],
                    customer_id=customer_ids[customer["email"]],
                    invitation=invitations.get(spec.key),
                    score=spec.score,
                    # bulk_create skips save(), which would derive it.
                    category=stats.classify(spec.score),
                    comment=spec.comment,
                    channel=spec.channel,
                    submitted_at=_ago(now, spec.answered_days_ago),
                    segment=customer["segment"],
                    locale=customer["locale"],
                    idempotency_key=spec.key,
                    # Routed below, as the loop would have done when they came in.
                    routed_at=None,
                )
            )
        Response.objects.bulk_create(rows, batch_size=500)
        return len(rows), len(invitations)

    def _write_logins(self, logins: list[DemoLogin]) -> None:
        width_user = max(len("username"), *(len(login.username) for login in logins))
        width_password = max(len("password"), *(len(login.password) for login in logins))
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("  Demo logins"))
        self.stdout.write(f"  {'username':<{width_user}}  {'password':<{width_password}}  role")
        for login in logins:
            self.stdout.write(
                f"  {login.username:<{width_user}}  {login.password:<{width_password}}  "
                f"{login.role}"
            )


def ensure_demo_suggestions() -> None:
    """A root-cause model trained on the demo's resolved cases, and its
    suggestions on the open ones, so the case pages show them at once (in
    production the periodic job trains once enough cases are resolved)."""
    if RootCauseModel.objects.exists() or root_cause_model_train(force=True) is None:
        return
    open_ids = list(FollowUpCase.objects.open().values_list("pk", flat=True))
    cases_suggest(case_ids=open_ids)
