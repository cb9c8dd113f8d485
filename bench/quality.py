"""Quality of the root-cause suggestions, measured rather than assumed.

``python -m bench quality`` (part of ``make bench``), or on its own
``python -m bench.quality`` (no database or broker needed): for each data set,
a stratified held-out split (25 %, fixed seed) of labelled comments; the
suggestion model (``followups.insights.suggest_model``) is fitted on the
other 75 % only, its parameters chosen by cross-validation inside that
training split, never by looking at the held-out scores. Reported, on the
held-out part: macro-F1 and top-2 accuracy of the model and of two
baselines, the most frequent root cause and a keyword rule per root cause;
the time to train (parameter search included) and the suggestion latency
(p50/p95 for one comment, and a batch of 100). Target: the model's macro-F1
at least 0.15 above the keyword rule's.

Data sets:
- ``demo``: the detractor comments ``make run``'s demo writes, built with the
  seed's own functions (``seed_demo.customer_specs``/``response_specs``) and
  labelled as its history labels them (``demo_history``: a keyword of the
  seed, else a random root cause, so part of its labels is noise no model
  can learn).
- ``corpus``: ``bench/data/labelled_comments.csv``, labelled comments in
  English, Polish, Russian and Chinese (how it was made: the note beside it).

The keyword baseline (``KEYWORDS``) was written from the seven root causes'
names and descriptions (``followups/demo_history.py`` ROOT_CAUSES), as an
analyst would in ten minutes — a handful of stems per cause per language —
before the corpus was looked at, and has not been tuned since, in either
direction. A comment gets the cause with the most matching stems (ties: the
order of ROOT_CAUSES); with none, the most frequent cause of the training
split. Its second choice (for top-2) is the next cause by matches, else the
most frequent one.

Results: ``bench/results/quality.md`` and ``bench/results/quality.json``.
"""

from __future__ import annotations

import csv
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

DESCRIPTION = (
    "Root-cause suggestions: macro-F1 and top-2 accuracy on a held-out 25 % of labelled "
    "comments, model vs the most frequent cause and a keyword rule; training time and "
    "suggestion latency (bench/results/quality.md)."
)
DEFAULT_N = 1
SEED = 20261201
HELD_OUT = 0.25
TARGET_GAIN = 0.15
# Fresh seeds for repeated held-out splits of the corpus: none of them was
# used while the model or its grid was chosen (SEED's split was).
FRESH_SEEDS = (101, 202, 303, 404, 505)
T_95 = {2: 12.706, 3: 4.303, 4: 3.182, 5: 2.776, 6: 2.571}  # Student t, n-1 degrees
ROOT = Path(__file__).resolve().parent
CORPUS = ROOT / "data" / "labelled_comments.csv"
RESULTS_MD = ROOT / "results" / "quality.md"
RESULTS_JSON = ROOT / "results" / "quality.json"

# Stems per root cause and language, matched as substrings of the lowercased
# comment. Written from the causes' names and descriptions only (see above).
KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "Slow delivery": {
        "en": ("deliver", "shipping", "shipment", "arriv", "late", "delay", "courier", "parcel"),
        "pl": ("dostaw", "przesył", "kurier", "paczk", "spóźn", "opóźn", "dotar"),
        "ru": ("доставк", "курьер", "посылк", "опозд", "задерж", "привез"),
        "zh-hans": ("送货", "配送", "快递", "物流", "发货", "到货", "延迟"),
    },
    "Billing error": {
        "en": ("invoice", "bill", "charge", "refund", "payment"),
        "pl": ("faktur", "rachun", "opłat", "obciąż", "zwrot", "płatnoś"),
        "ru": ("счет", "счёт", "оплат", "списа", "возврат", "платеж", "платёж"),
        "zh-hans": ("发票", "账单", "扣款", "收费", "退款", "付款"),
    },
    "Product defect": {
        "en": ("broke", "defect", "bug", "crash", "not work", "doesn't work", "faulty"),
        "pl": ("zepsu", "uszkodz", "wadliw", "błąd", "nie działa", "awari"),
        "ru": ("слома", "брак", "дефект", "ошибк", "не работает", "глюч"),
        "zh-hans": ("坏", "故障", "缺陷", "崩溃", "不能用", "错误"),
    },
    "Support experience": {
        "en": ("support", "wait", "agent", "rude", "unhelpful", "call back", "ticket"),
        "pl": ("obsług", "konsultant", "infolini", "czeka", "niegrzeczn", "pomoc"),
        "ru": ("поддержк", "оператор", "ждать", "ожидан", "груб", "служб"),  # noqa: RUF001
        "zh-hans": ("客服", "服务态度", "等待", "等了", "回复", "不理"),
    },
    "Price": {
        "en": ("price", "expensive", "cost", "cheaper", "overpriced"),
        "pl": ("cen", "drog", "koszt", "taniej"),
        "ru": ("цен", "дорог", "стоимост", "дешевл"),
        "zh-hans": ("价格", "贵", "便宜", "性价比", "价钱"),
    },
    "Missing feature": {
        "en": ("feature", "missing", "lack", "wish", "would like", "option", "integration"),
        "pl": ("funkcj", "brakuje", "opcj", "integracj", "chciał"),
        "ru": ("функци", "не хватает", "нет возможности", "опци", "интеграц"),
        "zh-hans": ("功能", "缺少", "希望", "选项", "集成"),
    },
    "Onboarding": {
        "en": ("setup", "set up", "onboard", "install", "getting started", "configur", "tutorial"),
        "pl": ("konfigur", "instalac", "wdroż", "uruchom", "instrukcj", "początk"),
        "ru": ("настро", "установ", "подключ", "инструкц", "начать"),
        "zh-hans": ("设置", "安装", "上手", "入门", "配置", "教程"),
    },
}
CAUSE_ORDER = list(KEYWORDS)


def keyword_hits(comment: str) -> dict[str, int]:
    lowered = comment.lower()
    return {
        cause: sum(stem in lowered for stems in languages.values() for stem in stems)
        for cause, languages in KEYWORDS.items()
    }


def keyword_ranked(comments: Sequence[str], fallback: str) -> list[tuple[str, str]]:
    """The keyword rule's first and second choice for each comment."""
    ranked = []
    for comment in comments:
        hits = keyword_hits(comment)
        order = sorted(
            (cause for cause in CAUSE_ORDER if hits[cause]),
            key=lambda cause: (-hits[cause], CAUSE_ORDER.index(cause)),
        )
        first = order[0] if order else fallback
        second = order[1] if len(order) > 1 else (fallback if fallback != first else "")
        ranked.append((first, second))
    return ranked


def _measure(labels, firsts, seconds) -> dict:
    return {
        "macro_f1": float(f1_score(labels, firsts, average="macro", zero_division=0)),
        "top2_accuracy": float(
            np.mean([y in (a, b) for y, a, b in zip(labels, firsts, seconds, strict=True)])
        ),
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def evaluate(
    texts: list[str], labels: list[str], languages: list[str] | None = None, *, seed: int = SEED
) -> dict:
    """Split, fit on the training part, score everything on the held-out part."""
    from followups.insights import suggest_model

    texts, labels, left_out = suggest_model.usable(texts, labels)
    keep = languages is not None and len(languages) == len(texts)
    indices = list(range(len(texts)))
    train_idx, test_idx = train_test_split(
        indices, test_size=HELD_OUT, random_state=seed, stratify=labels
    )
    train_x, train_y = [texts[i] for i in train_idx], [labels[i] for i in train_idx]
    test_x, test_y = [texts[i] for i in test_idx], [labels[i] for i in test_idx]

    started = time.perf_counter()
    fitted = suggest_model.model_fit(train_x, train_y, measure=False)
    training_seconds = time.perf_counter() - started
    made = suggest_model.suggestions_make(fitted.pipeline, test_x, min_confidence=0.0)
    model_first = [s.best for s in made]
    model_second = [s.ranked[1][0] if len(s.ranked) > 1 else "" for s in made]

    most_frequent = Counter(train_y).most_common()
    first_cause = most_frequent[0][0]
    second_cause = most_frequent[1][0] if len(most_frequent) > 1 else ""
    keywords = keyword_ranked(test_x, first_cause)

    result = {
        "examples": len(texts),
        "train": len(train_x),
        "held_out": len(test_x),
        "causes": dict(sorted(Counter(labels).items())),
        "left_out_causes": left_out,
        "params": fitted.params,
        "model": _measure(test_y, model_first, model_second),
        "most_frequent": _measure(
            test_y, [first_cause] * len(test_y), [second_cause] * len(test_y)
        ),
        "keyword_rule": _measure(test_y, [k[0] for k in keywords], [k[1] for k in keywords]),
        "training_seconds": training_seconds,
    }
    if keep:
        by_language = {}
        test_languages = [languages[i] for i in test_idx]  # type: ignore[index]
        for language in sorted(set(test_languages)):
            rows = [i for i, lang in enumerate(test_languages) if lang == language]
            by_language[language] = {
                "held_out": len(rows),
                "model": _measure(
                    [test_y[i] for i in rows],
                    [model_first[i] for i in rows],
                    [model_second[i] for i in rows],
                ),
                "keyword_rule": _measure(
                    [test_y[i] for i in rows],
                    [keywords[i][0] for i in rows],
                    [keywords[i][1] for i in rows],
                ),
            }
        result["by_language"] = by_language
    result["latency"] = _latency(fitted.pipeline, test_x)
    result["gain"] = result["model"]["macro_f1"] - result["keyword_rule"]["macro_f1"]
    result["passed"] = result["gain"] >= TARGET_GAIN
    return result


def _latency(pipeline, comments: list[str]) -> dict:
    from followups.insights import suggest_model

    single = []
    for comment in comments[:200]:
        started = time.perf_counter()
        suggest_model.suggestions_make(pipeline, [comment], min_confidence=0.5)
        single.append((time.perf_counter() - started) * 1000)
    batch = (comments * (100 // max(1, len(comments)) + 1))[:100]
    batches = []
    for _ in range(5):
        started = time.perf_counter()
        suggest_model.suggestions_make(pipeline, batch, min_confidence=0.5)
        batches.append((time.perf_counter() - started) * 1000)
    return {
        "one_p50_ms": _percentile(single, 0.5),
        "one_p95_ms": _percentile(single, 0.95),
        "batch_100_ms": statistics.median(batches),
    }


def demo_data() -> tuple[list[str], list[str], list[str]]:
    """The demo's detractor comments and labels, made by the seed's own functions."""
    from followups import demo_history
    from followups.management.commands import seed_demo
    from surveys import stats

    rng = random.Random(seed_demo.SEED)
    customers = seed_demo.customer_specs(rng)
    specs = seed_demo.response_specs(rng, customers)
    label_rng = random.Random(seed_demo.SEED)
    names = {name: name for name in demo_history.ROOT_CAUSES}
    texts, labels, languages = [], [], []
    for spec in specs:
        if stats.classify(spec.score) != stats.DETRACTOR or not spec.comment:
            continue
        texts.append(spec.comment)
        labels.append(demo_history._root_cause_for(spec.comment, names, label_rng))
        languages.append(customers[spec.customer_index]["locale"] or "en")
    return texts, labels, languages


def corpus_data(path: Path) -> tuple[list[str], list[str], list[str]] | None:
    if not path.exists():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return (
        [row["comment"] for row in rows],
        [row["root_cause"] for row in rows],
        [row["language"] for row in rows],
    )


def measure_all(corpus: Path = CORPUS) -> dict:
    results = {"demo": evaluate(*_split3(demo_data()))}
    data = corpus_data(corpus)
    if data is not None:
        runs = [evaluate(*_split3(data), seed=seed) for seed in FRESH_SEEDS]
        first = runs[0]
        gains = [run["gain"] for run in runs]
        mean = statistics.mean(gains)
        half = T_95[len(gains)] * statistics.stdev(gains) / len(gains) ** 0.5
        first["repeated"] = {
            "seeds": list(FRESH_SEEDS),
            "gains": gains,
            "model_macro_f1": [run["model"]["macro_f1"] for run in runs],
            "keyword_macro_f1": [run["keyword_rule"]["macro_f1"] for run in runs],
            "training_seconds": [run["training_seconds"] for run in runs],
            "mean_gain": mean,
            "interval_95": [mean - half, mean + half],
        }
        first["gain"] = mean
        first["passed"] = mean >= TARGET_GAIN
        results["corpus"] = first
    return results


def _split3(data):
    texts, labels, languages = data
    return list(texts), list(labels), list(languages)


def render(results: dict, corpus: Path) -> str:
    lines = [
        "# Root-cause suggestion quality",
        "",
        "Written by `python -m bench quality` / `python -m bench.quality` (see the module's "
        "docstring for the method and how the keyword baseline was written). Held-out: a "
        f"stratified {int(HELD_OUT * 100)} % split (demo: seed {SEED}; corpus: the fresh "
        "seeds below); parameters chosen by "
        "cross-validation inside the training split. Target: model macro-F1 ≥ keyword rule + "
        f"{TARGET_GAIN}.",
        "",
    ]
    if "corpus" not in results:
        lines += [f"*The labelled corpus ({corpus.name}) was not present: demo data only.*", ""]
    lines += [
        "| data | examples (train / held-out) | method | macro-F1 | top-2 accuracy |",
        "|---|---|---|---|---|",
    ]
    for name, result in results.items():
        size = f"{result['examples']} ({result['train']} / {result['held_out']})"
        for method, label in (
            ("model", "model (char n-grams + NB-SVM)"),
            ("keyword_rule", "baseline: keyword rule"),
            ("most_frequent", "baseline: most frequent cause"),
        ):
            scores = result[method]
            lines.append(
                f"| {name} | {size} | {label} | {scores['macro_f1']:.3f} | "
                f"{scores['top2_accuracy']:.3f} |"
            )
    lines += ["", "| data | model minus keyword macro-F1 | target | |", "|---|---|---|---|"]
    for name, result in results.items():
        verdict = "ok" if result["passed"] else "BELOW TARGET"
        lines.append(f"| {name} | {result['gain']:+.3f} | ≥ +{TARGET_GAIN} | {verdict} |")
    for name, result in results.items():
        repeated = result.get("repeated")
        if not repeated:
            continue
        low, high = repeated["interval_95"]
        lines += [
            "",
            f"Repeated held-out splits ({name}): {len(repeated['seeds'])} fresh seeds "
            f"({', '.join(map(str, repeated['seeds']))}), none used while the model was "
            "chosen; the first seed's split is the one detailed in the other tables. "
            f"The gain in the table above is their mean; 95 % interval (Student t): "
            f"{low:+.3f} to {high:+.3f}. "
            + (
                f"The target (+{TARGET_GAIN}) is met on average"
                if repeated["mean_gain"] >= TARGET_GAIN
                else f"The target (+{TARGET_GAIN}) is NOT met on average (mean gain "
                f"{repeated['mean_gain']:+.3f})"
            )
            + f"; it is met on {sum(g >= TARGET_GAIN for g in repeated['gains'])} of the "
            f"{len(repeated['gains'])} seeds"
            + (
                ", and the interval's lower end is below it."
                if low < TARGET_GAIN
                else ", and the whole interval is above it."
            ),
            "",
            "| seed | model macro-F1 | keyword macro-F1 | gain | training (s) |",
            "|---|---|---|---|---|",
        ]
        for seed, model, keyword, gain, seconds in zip(
            repeated["seeds"],
            repeated["model_macro_f1"],
            repeated["keyword_macro_f1"],
            repeated["gains"],
            repeated["training_seconds"],
            strict=True,
        ):
            lines.append(f"| {seed} | {model:.3f} | {keyword:.3f} | {gain:+.3f} | {seconds:.1f} |")
    lines += [
        "",
        "| data | training time (s, parameter search included) | one comment p50 / p95 (ms) | "
        "batch of 100 (ms) | chosen parameters |",
        "|---|---|---|---|---|",
    ]
    for name, result in results.items():
        latency = result["latency"]
        lines.append(
            f"| {name} | {result['training_seconds']:.1f} | {latency['one_p50_ms']:.1f} / "
            f"{latency['one_p95_ms']:.1f} | {latency['batch_100_ms']:.1f} | "
            f"`{json.dumps(result['params'])}` |"
        )
    for name, result in results.items():
        if "by_language" not in result:
            continue
        lines += [
            "",
            f"Per language ({name}, held-out part):",
            "",
            "| language | held-out | model macro-F1 | model top-2 "
            "| keyword macro-F1 | keyword top-2 |",
            "|---|---|---|---|---|---|",
        ]
        for language, part in result["by_language"].items():
            lines.append(
                f"| {language} | {part['held_out']} | {part['model']['macro_f1']:.3f} | "
                f"{part['model']['top2_accuracy']:.3f} | "
                f"{part['keyword_rule']['macro_f1']:.3f} | "
                f"{part['keyword_rule']['top2_accuracy']:.3f} |"
            )
    lines += [
        "",
        "Root causes per data set: "
        + "; ".join(
            f"{name}: {json.dumps(r['causes'], ensure_ascii=False)}" for name, r in results.items()
        ),
        "",
        "History, said plainly. The first model (character n-grams within words and a "
        "multinomial logistic regression, its grid widened once after cross-validation on "
        "the training split) measured +0.131 on the first split and a mean of +0.113 "
        "(interval +0.065 to +0.161) over the same five seeds: below the target. The "
        "current model was then chosen by cross-validation on the training split of seed "
        f"{SEED} alone (5 folds, 3 repeats, macro-F1): logistic regression over n-grams 1-5 "
        "0.506 (5 folds, once); a union of word 1-2-grams (Chinese as characters and "
        "character pairs) and character 2-5-grams, with logistic regression 0.47-0.48 or a "
        "linear SVM 0.49-0.50; a linear SVM over character 1-5-grams 0.515; complement "
        "naive Bayes 0.46-0.49; SGD 0.46-0.48; NB-weighted logistic regression 0.528-0.536 "
        "at ten times the training time; NB-SVM over character 1-5-grams 0.537 (C 1) and "
        "0.541 (C 3), chosen, its grid C 1 or 3. Stripping digits, plain (cross-word) "
        "character n-grams and document-frequency cut-offs did not help. The keyword rule "
        "was not touched. The seeds' held-out figures were measured after the choice and "
        "not tuned on; but their held-out parts overlap the training split the "
        "choice was made on (there is one corpus), and the first model's figures on them "
        "had been seen.",
        "",
        f"Times were measured on a shared 2-core machine (load average at the end "
        f"{', '.join(f'{v:.1f}' for v in os.getloadavg())}): they are inflated; "
        "the quality figures do not depend on load.",
        "",
        "The demo's labels are the seed's: a comment with one of its keywords gets that "
        "keyword's cause, any other comment a random cause, so the same comment carries "
        "different causes and no method can learn those; its figures say more about the seed "
        "than about the model.",
        "",
    ]
    return "\n".join(lines)


def write(results: dict, corpus: Path) -> None:
    RESULTS_MD.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_MD.write_text(render(results, corpus))
    RESULTS_JSON.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def run(ctx):
    """``python -m bench quality``: no timing ratios, so it returns no figures;
    its quality figures are in bench/results/quality.{md,json}."""
    results = measure_all()
    write(results, CORPUS)
    notes = []
    for name, result in results.items():
        line = (
            f"quality.{name}: model macro-F1 {result['model']['macro_f1']:.3f} "
            f"(top-2 {result['model']['top2_accuracy']:.3f}), keyword rule "
            f"{result['keyword_rule']['macro_f1']:.3f}, most frequent "
            f"{result['most_frequent']['macro_f1']:.3f}; gain {result['gain']:+.3f} "
            f"(target ≥ +{TARGET_GAIN}{'' if result['passed'] else ', BELOW TARGET'})"
        )
        print(line, flush=True)
        notes.append(line)
    notes.append("Details: `bench/results/quality.md`.")
    return [], notes


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    corpus = Path(args[args.index("--corpus") + 1]) if "--corpus" in args else CORPUS
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nps_project.settings.test")
    os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
    import django

    django.setup()
    results = measure_all(corpus)
    write(results, corpus)
    print(render(results, corpus))
    return 0 if all(result["passed"] for name, result in results.items() if name == "corpus") else 1


if __name__ == "__main__":
    sys.exit(main())
