"""The benchmark's hand-written comment sets (bench/data/, described in its
README.md) hold what their note promises: enough rows in each of the four
languages, the labels the product knows, no comment twice, and each comment
written in the script of the language it claims. Reads files only: no database."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from followups.demo_history import ROOT_CAUSES

DATA = Path(__file__).resolve().parent.parent / "bench" / "data"
LANGUAGES = ("en", "pl", "ru", "zh-hans")

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
POLISH = re.compile(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")
BETWEEN_HAN = re.compile(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]")


def read(name: str, header: list[str]) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        assert next(reader) == header
        rows = list(reader)
    assert all(len(row) == len(header) for row in rows), "a row has the wrong number of fields"
    return [dict(zip(header, row, strict=True)) for row in rows]


def normalised(comment: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", comment).casefold().split())


def written_in(language: str, comment: str) -> bool:
    han, cyrillic, latin = (len(p.findall(comment)) for p in (CJK, CYRILLIC, LATIN))
    if language == "zh-hans":
        return han > 0 and cyrillic == 0 and han > latin and not BETWEEN_HAN.search(comment)
    if language == "ru":
        return cyrillic > latin and han == 0
    if language == "en":
        return latin > 0 and cyrillic == han == 0 and not POLISH.search(comment)
    return latin > 0 and cyrillic == han == 0  # pl: some are typed without diacritics


def check_common(rows: list[dict[str, str]], *, label: str, scores: range) -> None:
    assert {row["language"] for row in rows} == set(LANGUAGES)
    assert all(row["comment"] == row["comment"].strip() and row["comment"] for row in rows)
    assert all(row["score"].isdigit() and int(row["score"]) in scores for row in rows)
    seen = Counter(normalised(row["comment"]) for row in rows)
    assert [text for text, count in seen.items() if count > 1] == []
    wrong = [
        (row["language"], row["comment"])
        for row in rows
        if not written_in(row["language"], row["comment"])
    ]
    assert wrong == []
    for row in rows:
        if row["language"] != "zh-hans":
            assert 3 <= len(row["comment"].split()) <= 60, row["comment"]
        else:
            assert 3 <= len(row["comment"]) <= 150, row["comment"]
    assert all(row[label] for row in rows)


@pytest.fixture(scope="module")
def labelled() -> list[dict[str, str]]:
    return read("labelled_comments.csv", ["language", "score", "root_cause", "comment"])


def test_labelled_set_is_large_enough_in_every_language(labelled):
    assert len(labelled) >= 600
    per_language = Counter(row["language"] for row in labelled)
    assert set(per_language) == set(LANGUAGES)
    assert min(per_language.values()) >= 150, per_language


def test_labelled_set_uses_exactly_the_products_root_causes(labelled):
    assert {row["root_cause"] for row in labelled} == set(ROOT_CAUSES)
    per_cell = Counter((row["language"], row["root_cause"]) for row in labelled)
    thin = {
        cell: per_cell[cell]
        for cell in ((lang, cause) for lang in LANGUAGES for cause in ROOT_CAUSES)
        if per_cell[cell] < 20
    }
    assert thin == {}


def test_labelled_rows_are_detractors_written_once_in_their_own_script(labelled):
    check_common(labelled, label="root_cause", scores=range(7))
    scores = Counter(int(row["score"]) for row in labelled)
    # Detractors of a real survey lean to the upper half of 0..6.
    assert sum(scores[s] for s in range(3, 7)) > 3 * sum(scores[s] for s in (0, 1))


def test_labelled_causes_are_skewed_as_real_ones_are(labelled):
    """Not a balanced toy set: in every language the commonest cause is clearly
    more frequent than the rarest."""
    for language in LANGUAGES:
        counts = Counter(row["root_cause"] for row in labelled if row["language"] == language)
        assert max(counts.values()) >= 1.5 * min(counts.values()), (language, counts)


def test_written_in_tells_the_scripts_apart():
    assert written_in("zh-hans", "等了半个月才到")
    assert not written_in("zh-hans", "等了 半个月 才到")
    assert written_in("ru", "посылка где-то застряла, трек молчит")
    assert not written_in("ru", "the parcel took 3 weeks")
    assert written_in("pl", "czekałem do dziś")
    assert not written_in("pl", "ждал до сегодня")
    assert not written_in("en", "czekałem do dziś")
    assert not written_in("en", "等了半个月才到")


THEMES = {
    "Delivery speed",
    "Customer support",
    "Price and value",
    "App usability",
    "Product quality",
    "Returns and refunds",
}


@pytest.fixture(scope="module")
def themed() -> list[dict[str, str]]:
    return read("theme_comments.csv", ["language", "score", "theme", "comment"])


def test_theme_set_has_every_theme_in_every_language_and_every_kind_of_answer(themed):
    assert len(themed) == 240
    assert {row["theme"] for row in themed} == THEMES
    per_cell = Counter((row["language"], row["theme"]) for row in themed)
    assert set(per_cell.values()) == {10}, per_cell
    check_common(themed, label="theme", scores=range(11))
    kinds = Counter(
        (
            row["theme"],
            "detractor"
            if int(row["score"]) <= 6
            else "passive"
            if int(row["score"]) <= 8
            else "promoter",
        )
        for row in themed
    )
    assert len(kinds) == 3 * len(THEMES), kinds  # praise and complaints alike, in each theme


def test_the_two_sets_share_no_comment(labelled, themed):
    assert {normalised(r["comment"]) for r in labelled} & {
        normalised(r["comment"]) for r in themed
    } == set()
