"""Themes of comments: known topics in four languages come out as one theme
each; themes keep their identity and name across periods; new and growing
themes are flagged; a period computed again replaces its themes."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import override_settings

from followups import tasks
from followups.insights import themes
from followups.insights.theme_clusters import cluster_comments
from followups.models import ResponseTheme, Theme, ThemeComputation, ThemePeriod
from surveys.services import customer_erase
from tests.factories import ResponseFactory, SurveyFactory
from tests.followups.insights import WEEK_1, WEEK_2, answers_in, language, moment

pytestmark = pytest.mark.django_db

REFUNDS = [
    "I am still waiting for my refund after returning the shoes",
    "Refund never arrived, the return was accepted weeks ago",
    "The refund took a month, returns are painful",
    "Still no refund for my returned order",
    "Return accepted but no refund yet",
    "Refund process is slow, I returned it in January",
    "Where is my refund? I sent the return back",
    "Returns are easy but the refund is slow",
]


def themes_of(survey, period) -> dict[int, list[str]]:
    """Theme id -> the known topics of its answers."""
    made = {}
    for row in ResponseTheme.objects.filter(
        theme__survey=survey, period__start=period.start
    ).values("theme_id", "response_id"):
        made.setdefault(row["theme_id"], []).append(row["response_id"])
    return made


@pytest.mark.parametrize("code", ["en", "pl", "ru", "zh"])
def test_each_known_topic_is_one_theme_and_no_theme_mixes_topics(code):
    survey = SurveyFactory()
    topic_of = answers_in(survey, WEEK_1, language(code))
    ids = themes.themes_compute(survey=survey, period=WEEK_1)
    assert len(ids) == 4
    groups = themes_of(survey, WEEK_1)
    for members in groups.values():
        counts = Counter(topic_of[pk] for pk in members)
        (_topic, most), *_rest = counts.most_common()
        assert most / len(members) >= 0.9, counts  # a theme is about one topic
    for topic in language(code):
        spread = Counter(
            theme for theme, members in groups.items() for pk in members if topic_of[pk] == topic
        )
        assert spread.most_common(1)[0][1] >= 8, (topic, spread)  # of its 10 comments
    # Each theme's NPS is its topic's (scores fixed per topic).
    support_pk = next(pk for pk, topic in topic_of.items() if topic == "support")
    row = ThemePeriod.objects.get(assignments__response_id=support_pk)
    assert themes.summary_of(row).nps == 100.0
    assert row.share == pytest.approx(25.0, abs=5)


def test_characteristic_words_are_the_topics_words():
    survey = SurveyFactory()
    answers_in(survey, WEEK_1, language("en"))
    themes.themes_compute(survey=survey, period=WEEK_1)
    words = {word for row in ThemePeriod.objects.all() for word in row.words}
    assert {"delivery", "courier", "expensive", "support", "helpful", "app", "crashes"} <= words
    assert not words & {"the", "and", "was", "for"}
    assert all(4 <= len(row.words) <= 8 for row in ThemePeriod.objects.all())


def test_chinese_words_are_character_pairs():
    survey = SurveyFactory()
    answers_in(survey, WEEK_1, language("zh"))
    themes.themes_compute(survey=survey, period=WEEK_1)
    words = {word for row in ThemePeriod.objects.all() for word in row.words}
    assert {"快递", "价格", "客服", "闪退"} <= words
    assert all(len(word) == 2 for word in words)


def test_same_topics_next_period_keep_their_theme_and_name_and_a_new_topic_is_flagged():
    survey = SurveyFactory()
    first = answers_in(survey, WEEK_1, language("en"))
    themes.themes_compute(survey=survey, period=WEEK_1)
    delivery_pk = next(pk for pk, topic in first.items() if topic == "delivery")
    delivery = ResponseTheme.objects.get(response_id=delivery_pk).theme
    themes.theme_rename(theme=delivery, name="Late parcels")
    before = set(Theme.objects.values_list("pk", flat=True))
    assert not ThemePeriod.objects.filter(is_new=True).exists()  # nothing to compare with yet

    again = {
        topic: [f"Again: {c.lower()}" for c in comments]
        for topic, comments in language("en").items()
    }
    second = answers_in(survey, WEEK_2, {**again, "refund": REFUNDS})
    themes.themes_compute(survey=survey, period=WEEK_2)

    rows = ThemePeriod.objects.filter(start=WEEK_2.start).select_related("theme")
    assert len(rows) == 5
    old = [row for row in rows if row.theme_id in before]
    assert len(old) == 4 and not any(row.is_new for row in old)
    [new] = [row for row in rows if row.theme_id not in before]
    assert new.is_new and "refund" in new.words
    delivery_again = next(pk for pk, topic in second.items() if topic == "delivery")
    theme = ResponseTheme.objects.get(response_id=delivery_again).theme
    assert theme.pk == delivery.pk and theme.label == "Late parcels"


def test_a_theme_whose_share_jumps_is_flagged_growing():
    survey = SurveyFactory()
    en = language("en")
    answers_in(
        survey,
        WEEK_1,
        {**{t: en[t] for t in ("delivery", "price", "support")}, "app": en["app"][:6]},
    )
    themes.themes_compute(survey=survey, period=WEEK_1)
    answers_in(
        survey,
        WEEK_2,
        {**{t: en[t][:6] for t in ("delivery", "price", "support")}, "app": en["app"]},
    )
    themes.themes_compute(survey=survey, period=WEEK_2)
    rows = {tuple(row.words[:1]): row for row in ThemePeriod.objects.filter(start=WEEK_2.start)}
    growing = [row for row in rows.values() if row.is_growing]
    assert [row.words[0] for row in growing] == ["app"], rows
    assert not any(row.is_new for row in rows.values())


def test_computing_a_period_again_replaces_its_themes():
    survey = SurveyFactory()
    answers_in(survey, WEEK_1, language("pl"))
    first = themes.themes_compute(survey=survey, period=WEEK_1)
    second = themes.themes_compute(survey=survey, period=WEEK_1)
    assert len(first) == len(second) == 4
    assert ThemePeriod.objects.count() == 4
    assert Theme.objects.count() == 4
    assert ResponseTheme.objects.count() == 40


def test_only_counted_comments_of_customers_not_erased_in_the_period_make_themes():
    survey = SurveyFactory()
    answers_in(survey, WEEK_1, language("en"))
    spam = ResponseFactory(
        survey=survey,
        comment="Buy cheap watches",
        exclusion_reason="spam",
        submitted_at=moment(WEEK_1.start, 1),
    )
    silent = ResponseFactory(survey=survey, comment="", submitted_at=moment(WEEK_1.start, 2))
    later = ResponseFactory(
        survey=survey, comment="Courier late", submitted_at=moment(WEEK_2.start, 1)
    )
    erased = ResponseFactory(
        survey=survey, comment="Courier was late again", submitted_at=moment(WEEK_1.start, 3)
    )
    customer_erase(customer=erased.customer)
    chosen = set(themes.comments_of(survey, WEEK_1).values_list("pk", flat=True))
    assert len(chosen) == 40
    assert not chosen & {spam.pk, silent.pk, later.pk, erased.pk}


def test_too_few_comments_make_no_theme():
    survey = SurveyFactory()
    answers_in(survey, WEEK_1, {"delivery": language("en")["delivery"][:6]})
    assert themes.themes_compute(survey=survey, period=WEEK_1) == []


@override_settings(NPS_THEMES_ENABLED=False)
def test_turned_off_nothing_is_computed():
    survey = SurveyFactory()
    answers_in(survey, WEEK_1, language("en"))
    assert themes.themes_compute(survey=survey, period=WEEK_1) == []
    assert themes.due_themes_compute(now=moment(WEEK_2.start, 0)) == 0
    assert not ThemePeriod.objects.exists()
    with pytest.raises(CommandError, match="turned off"):
        call_command("compute_themes")


def test_the_daily_run_computes_the_closed_period_once(django_capture_on_commit_callbacks):
    survey = SurveyFactory()
    answers_in(survey, WEEK_1, language("en"))
    with django_capture_on_commit_callbacks(execute=True):
        assert themes.due_themes_compute(now=moment(WEEK_2.start, 60)) == 1
    assert themes.due_themes_compute(now=moment(WEEK_2.start, 120)) == 0
    assert ThemePeriod.objects.filter(start=WEEK_1.start).count() == 4


def test_the_daily_run_publishes_one_task_per_survey(django_capture_on_commit_callbacks):
    """Each survey's clustering runs in a task of its own, with its own time limit."""
    first, second, quiet = SurveyFactory(), SurveyFactory(), SurveyFactory()
    answers_in(first, WEEK_1, language("en"))
    answers_in(second, WEEK_1, language("pl"))
    with (
        mock.patch("followups.publish.task_publish") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert themes.due_themes_compute(now=moment(WEEK_2.start, 60)) == 2
    assert sorted(call.args for call in publish.call_args_list) == sorted(
        [
            ("followups.compute_survey_themes", first.pk, "2026-W10"),
            ("followups.compute_survey_themes", second.pk, "2026-W10"),
        ]
    )
    assert quiet.pk not in {call.args[1] for call in publish.call_args_list}
    assert not ThemePeriod.objects.exists()  # nothing computed in the daily task itself
    task = tasks.survey_themes_compute_task
    assert task.soft_time_limit >= 5 * 60 and task.time_limit > task.soft_time_limit
    task(first.pk, "2026-W10")
    task(first.pk, "2026-W10")  # safe to run twice
    assert ThemePeriod.objects.filter(theme__survey=first).count() == 4


def test_a_period_with_too_few_comments_is_computed_once(django_capture_on_commit_callbacks):
    """No theme comes out of it, but it is marked computed: not again every morning."""
    survey = SurveyFactory()
    answers_in(survey, WEEK_1, {"delivery": language("en")["delivery"][:3]})
    with django_capture_on_commit_callbacks(execute=True):
        assert themes.due_themes_compute(now=moment(WEEK_2.start, 60)) == 1
    assert not ThemePeriod.objects.exists()
    assert ThemeComputation.objects.filter(survey=survey, start=WEEK_1.start).exists()
    for day in range(1, 4):
        assert themes.due_themes_compute(now=moment(WEEK_2.start + timedelta(days=day), 60)) == 0


def test_clustering_a_sample_assigns_every_comment():
    """Above the cap only a sample is clustered; every comment still gets its theme."""
    comments = [c for topic in ("delivery", "support", "price") for c in language("en")[topic]]
    full = cluster_comments(comments, max_themes=4, min_answers=3)
    capped = cluster_comments(comments, max_themes=4, min_answers=3, max_clustered=12)
    assert len(capped.clusters) >= 2
    assigned = sorted(i for cluster in capped.clusters for i in cluster.members) + capped.other
    assert sorted(assigned) == list(range(len(comments)))
    assert len(full.clusters) >= 2


def test_periods_are_iso_weeks_or_months():
    assert (WEEK_1.start.isoformat(), WEEK_1.end.isoformat()) == ("2026-03-02", "2026-03-09")
    month = themes.Period.parse("2026-02")
    assert (month.start.isoformat(), month.end.isoformat()) == ("2026-02-01", "2026-03-01")
    assert month.previous().name == "2026-01"
    assert themes.Period.parse("2026-W01").previous().name == "2025-W52"
    for bad in ("2026-W54", "2026-13", "last week", "", "9999-12", "0001-W01", "٢٠٢٦-01"):
        with pytest.raises(ValueError, match="2026-W09"):
            themes.Period.parse(bad)


def test_the_command_computes_a_named_period_and_refuses_a_bad_one(capsys):
    survey = SurveyFactory(slug="shop")
    answers_in(survey, WEEK_1, language("ru"))
    call_command("compute_themes", "--period", "2026-W10", "--survey", "shop")
    out = capsys.readouterr().out
    assert "shop 2026-W10: 4 theme(s)" in out and "доставка" in out
    with pytest.raises(CommandError, match="not a period"):
        call_command("compute_themes", "--period", "2026-W99")
    with pytest.raises(CommandError, match="no survey"):
        call_command("compute_themes", "--survey", "nope")


def test_the_beat_task_computes_the_week_that_closed(django_capture_on_commit_callbacks):
    survey = SurveyFactory()
    answers_in(survey, WEEK_1, language("ru"))
    with (
        time_machine.travel(moment(WEEK_2.start, 330), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.themes_compute_task()
    assert ThemePeriod.objects.filter(theme__survey=survey, start=WEEK_1.start).count() == 4
