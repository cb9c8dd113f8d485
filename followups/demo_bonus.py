"""The demo's bonus for non-responders: two past waves of the relationship
survey whose reminders were drawn half with a bonus (loyalty points) and half
without, and the answers that came after them, routed by the real routing
code (which grants the bonus), so that the dashboard's "Bonus for
non-responders" panel has something to compare. Idempotent: once the survey
has reminders under a bonus, nothing is added."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from followups.demo_history import write_history
from followups.models import (
    BonusArm,
    BonusGrant,
    GrantStatus,
    ReminderBonus,
    ReminderBonusAssignment,
    Reward,
)
from surveys import stats
from surveys.models import Channel, Customer, Invitation, Response, Survey, Wave

BONUS_REWARD = {
    "name": "Reminder bonus: 200 loyalty points",
    "kind": Reward.Kind.LOYALTY_POINTS,
    "points": 200,
    "code_prefix": "BONUS",
    "valid_days": 60,
    "description": "200 loyalty points on your account",
    "description_pl": "200 punktów lojalnościowych na Państwa koncie",
    "description_ru": "200 бонусных баллов на ваш счёт",
    "description_zh_hans": "200 积分存入您的账户",
}
# (days ago the wave started, customers reminded); answered shares by arm.
WAVES = ((52, 80), (24, 80))
ANSWER_SHARE = {BonusArm.WITH: 0.42, BonusArm.WITHOUT: 0.22}
LATE_SHARE = 0.06  # answered, but after the window: no bonus


def ensure_demo_reminder_bonus(survey: Survey, *, now: datetime, seed: int) -> int:
    """The bonus, its two waves and their answers; returns answers created."""
    reward, _ = Reward.objects.get_or_create(name=BONUS_REWARD["name"], defaults=BONUS_REWARD)
    bonus, _ = ReminderBonus.objects.get_or_create(
        survey=survey, defaults={"reward": reward, "window_days": 5, "share_percent": 50}
    )
    if ReminderBonusAssignment.objects.filter(survey=survey).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - a repeatable demo, not a secret
    customers = list(
        Customer.objects.filter(email__endswith="@example.com", erased_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    created: list[int] = []
    for number, (days_ago, size) in enumerate(WAVES, start=1):
        started = (now - timedelta(days=days_ago)).replace(minute=0, second=0, microsecond=0)
        wave = Wave.objects.create(
            survey=survey, started_at=started, finished_at=started + timedelta(minutes=5)
        )
        chosen = rng.sample(customers, min(size, len(customers)))
        created += _wave_reminders(wave, bonus, reward, chosen, rng=rng, number=number)
        Wave.objects.filter(pk=wave.pk).update(invited=len(chosen))
    if created:
        write_history(Response.objects.filter(pk__in=created), rng=rng, now=now)
        _date_grants(created)
    return len(created)


def _wave_reminders(wave, bonus, reward, customers, *, rng, number) -> list[int]:
    survey = wave.survey
    sent = wave.started_at
    reminded = sent + timedelta(days=survey.reminder_after_days)
    answers = []
    for index, customer_id in enumerate(customers):
        with_bonus = rng.random() < bonus.share_percent / 100
        arm = BonusArm.WITH if with_bonus else BonusArm.WITHOUT
        invitation = Invitation(
            survey=survey,
            customer_id=customer_id,
            wave=wave,
            channel=Channel.EMAIL,
            created_at=sent,
            sent_at=sent,
            reminded_at=reminded,
        )
        invitation.prepare_token(now=sent)
        window_ends = min(reminded + timedelta(days=bonus.window_days), invitation.expires_at)
        draw = rng.random()
        answered_at = None
        if draw < ANSWER_SHARE[arm]:
            answered_at = reminded + timedelta(hours=rng.uniform(1, 24 * bonus.window_days - 1))
        elif draw < ANSWER_SHARE[arm] + LATE_SHARE:
            answered_at = window_ends + timedelta(hours=rng.uniform(2, 48))
        if answered_at is not None:
            invitation.opened_at = answered_at - timedelta(minutes=2)
            invitation.responded_at = answered_at
        invitation.save()
        ReminderBonusAssignment.objects.create(
            invitation=invitation,
            survey=survey,
            customer_id=customer_id,
            wave=wave,
            arm=arm,
            reward=reward if with_bonus else None,
            reminded_at=reminded,
            window_ends_at=window_ends,
        )
        if answered_at is None:
            continue
        score = min(10, max(0, round(rng.gauss(7.8 if with_bonus else 7.4, 2.0))))
        customer = Customer.objects.only("segment", "locale").get(pk=customer_id)
        answers.append(
            Response.objects.create(
                survey=survey,
                customer_id=customer_id,
                invitation=invitation,
                score=score,
                category=stats.classify(score),
                channel=Channel.EMAIL,
                submitted_at=answered_at,
                segment=customer.segment,
                locale=customer.locale,
                idempotency_key=f"demo-bonus-{number}-{index}",
            ).pk
        )
    return answers


def _date_grants(response_ids: list[int]) -> None:
    """Bonuses dated as if granted when their answer came, and sent then."""
    for grant in BonusGrant.objects.filter(response_id__in=response_ids).select_related("response"):
        granted = grant.response.submitted_at + timedelta(minutes=2)
        grant.expires_at = granted + (grant.expires_at - grant.created_at)
        grant.created_at = granted
        grant.sent_at = granted + timedelta(minutes=1)
        grant.status = GrantStatus.SENT
        grant.save(update_fields=["expires_at", "created_at", "sent_at", "status"])
