"""``python -m bench.themes_quality [CSV]``: how well comment themes find the
themes of a hand-labelled set (default ``bench/data/theme_comments.csv``:
``language,score,theme,comment``), per language: the number of themes found,
their purity (the share of each theme's comments that belong to its largest
labelled theme) and the adjusted Rand index against the labels (1 = the same
grouping, 0 = chance). Runs the product's own clustering, no database."""

from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

from followups.insights.theme_clusters import cluster_comments

DEFAULT = Path(__file__).parent / "data" / "theme_comments.csv"


def main(path: Path = DEFAULT) -> None:
    by_language: dict[str, list[dict]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            by_language[row["language"]].append(row)
    print(f"{'language':<10} {'comments':>8} {'themes':>6} {'other':>5} {'purity':>6} {'ARI':>5}")
    for language, rows in by_language.items():
        result = cluster_comments([row["comment"] for row in rows])
        found = [-1] * len(rows)
        pure = 0
        for number, cluster in enumerate(result.clusters):
            labels = Counter(rows[i]["theme"] for i in cluster.members)
            pure += labels.most_common(1)[0][1]
            for i in cluster.members:
                found[i] = number
        grouped = len(rows) - len(result.other)
        purity = pure / grouped if grouped else 0.0
        score = adjusted_rand_score([row["theme"] for row in rows], found)
        print(
            f"{language:<10} {len(rows):>8} {len(result.clusters):>6} {len(result.other):>5}"
            f" {purity:>6.2f} {score:>5.2f}"
        )
        for cluster in result.clusters:
            labels = Counter(rows[i]["theme"] for i in cluster.members).most_common(2)
            print(f"    {', '.join(cluster.words[:5]):<50} {labels}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
