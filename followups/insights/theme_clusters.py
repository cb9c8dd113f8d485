# ruff: noqa: RUF001 -- stop words in Cyrillic
"""Comments into themes: the learning itself, over plain strings, no database.

Character n-grams (2-4 letters within words) make one representation for
English, Polish, Russian and Chinese written without spaces, and tolerate
inflection and typos. The TF-IDF vectors are reduced (LSA) and clustered with
k-means on unit vectors; the number of themes is the one with the best
silhouette (cosine) within a range. Clusters smaller than a floor go to
"other". Everything uses fixed seeds: the same comments give the same themes.

Each theme also gets a centroid in a hashed space of its terms
(``HashingVectorizer``): it needs no fitted vocabulary, so centroids of
different periods are comparable and a new period's theme can join the one
it continues.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

# scikit-learn and NumPy are imported inside the functions that cluster: the
# dashboard, the digest and the tasks import this module, and must not pay
# for them (nor hold their memory) unless they compute.

SEED = 0
HASH_FEATURES = 2**18
CENTROID_SIZE = 300  # components kept of a stored centroid
LSA_DIMENSIONS = 100
SILHOUETTE_SAMPLE = 2000

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(rf"[^\W\d_{_CJK}]{{3,}}")
# Words that say nothing about a topic, left out of the characteristic words
# (never out of the clustering): scikit-learn's English list and these.
# Chinese: pairs with a grammatical character.
OWN_STOP_WORDS = {
    # Polish
    *(  # noqa: SIM905 - a list of words reads best as words
        "ale bardzo był była było były dla jak jest już lub mnie może nie oraz się tak tam"
        " ten tej też tego przez przy po pod są tylko też czy jej ich mój moja moje nas"
    ).split(),
    # Russian
    *(  # noqa: SIM905 - Cyrillic words
        "был была были было для его если есть еще ещё как когда мне может мой моя нас нет"
        " она они очень после при так такой там тоже уже что это этот меня могу всё все"
    ).split(),
}


@cache
def stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS | OWN_STOP_WORDS)


CJK_FUNCTION = set("的了很是我你他她们在就都也和说后以有把被让对来别这那个吗吧呢")


@dataclass(frozen=True)
class Cluster:
    members: list[int]  # indexes into the comments given
    words: list[str]
    centroid: dict[int, float]  # hashed space, unit length, largest components


@dataclass(frozen=True)
class Clustering:
    clusters: list[Cluster]  # largest first
    other: list[int]


def terms(comment: str) -> set[str]:
    """The readable terms of a comment: words of three letters or more,
    lower case; in Chinese text, each pair of neighbouring characters."""
    text = comment.lower()
    found = set(_WORD.findall(text))
    for run in _CJK_RUN.findall(text):
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    return found


def _sorted_terms(comment: str) -> list[str]:
    # Only readable terms: two themes must not look alike for sharing "the".
    return sorted(term for term in terms(comment) if _readable(term))


def _hasher():
    from sklearn.feature_extraction.text import HashingVectorizer

    # Terms, not character n-grams: in Chinese, n-grams of unspaced sentences
    # are too many and too rare for two periods' centroids to meet.
    return HashingVectorizer(
        analyzer=_sorted_terms, n_features=HASH_FEATURES, alternate_sign=False, norm="l2"
    )


def centroid_of(comments: list[str]) -> dict[int, float]:
    """The mean hashed vector of ``comments``, its largest components kept,
    scaled to unit length."""
    import numpy as np

    mean = np.asarray(_hasher().transform(comments).mean(axis=0)).ravel()
    top = np.argsort(-mean, kind="stable")[:CENTROID_SIZE]
    top = top[mean[top] > 0]
    values = mean[top]
    length = float(np.sqrt((values**2).sum())) or 1.0
    return {int(i): float(v / length) for i, v in zip(top, values, strict=True)}


def similarity(a: dict[int, float], b: dict[int, float]) -> float:
    """Cosine of two stored centroids (both unit length)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(value * b.get(index, 0.0) for index, value in a.items())


def _vectors(comments: list[str]):
    """Unit LSA vectors of ``comments``, and the function that maps other
    comments into the same space."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    tfidf = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True, lowercase=True
    )
    matrix = tfidf.fit_transform(comments)
    dimensions = min(LSA_DIMENSIONS, matrix.shape[1] - 1, len(comments) - 1)
    svd = None
    if dimensions >= 2:
        svd = TruncatedSVD(n_components=dimensions, random_state=SEED)
        matrix = svd.fit_transform(matrix)

    def transform(others: list[str]):
        found = tfidf.transform(others)
        return normalize(svd.transform(found) if svd is not None else found)

    return normalize(matrix), transform


def _best_labels(vectors, k_range: range, min_answers: int):
    """The k-means labels of the k with the best silhouette among those whose
    every cluster reaches ``min_answers`` (silhouette alone keeps rising as
    tiny clusters split off); of every k when none does."""
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    best, best_score, best_full = None, -2.0, False
    for k in k_range:
        labels = KMeans(n_clusters=k, random_state=SEED, n_init=10).fit_predict(vectors)
        sizes = np.bincount(labels)
        if (sizes > 0).sum() < 2:
            continue
        full = bool(sizes.min() >= min_answers)
        if best_full and not full:
            continue
        score = silhouette_score(
            vectors,
            labels,
            metric="cosine",
            sample_size=min(SILHOUETTE_SAMPLE, len(labels)),
            random_state=SEED,
        )
        if score > best_score or (full and not best_full):
            best, best_score, best_full = labels, score, full
    return best


def characteristic_words(
    sets: list[set[str]], members: list[int], *, count: int = 8, min_share: float = 0.15
) -> list[str]:
    """The terms most over-represented among ``members`` against the other
    comments: share inside minus share outside, kept when a term is in at
    least ``min_share`` of the members (and in two of them or more)."""
    inside = Counter(term for i in members for term in sets[i])
    chosen = set(members)
    outside = Counter(term for i, s in enumerate(sets) if i not in chosen for term in s)
    n_in, n_out = len(members), max(len(sets) - len(members), 1)
    floor = max(2, min_share * n_in)
    scored = [
        (inside[term] / n_in - outside[term] / n_out, term)
        for term in inside
        if inside[term] >= floor
    ]
    scored = [(score, term) for score, term in scored if score > 0 and _readable(term)]
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    # Few over-represented terms (a small or mixed theme): its most frequent
    # readable terms after them, so that it always reads as something.
    frequent = sorted(
        ((-count, term) for term, count in inside.items() if count >= 2 and _readable(term))
    )
    chosen_terms = {term for _score, term in scored}
    scored += [(0.0, term) for _count, term in frequent if term not in chosen_terms]
    words: list[str] = []
    for _score, term in scored:
        if term in words:
            continue
        # Chinese pairs overlap: "快递" and "递员" from "快递员" say one thing twice.
        if _CJK_RUN.fullmatch(term) and any(set(term) & set(kept) for kept in words):
            continue
        words.append(term)
        if len(words) == count:
            break
    return words


def _readable(term: str) -> bool:
    if _CJK_RUN.fullmatch(term):
        return not set(term) & CJK_FUNCTION
    return term not in stop_words()


def cluster_comments(
    comments: list[str],
    *,
    min_themes: int = 2,
    max_themes: int = 10,
    min_answers: int = 5,
    max_clustered: int | None = None,
) -> Clustering:
    """Themes of ``comments``: each cluster of at least ``min_answers``
    comments, with its characteristic words and hashed centroid; the rest
    in ``other``. With more than ``max_clustered`` comments, a seeded sample
    of that many is clustered and every other comment joins the theme whose
    centroid (in the sample's space) is nearest: the work stays bounded."""
    import numpy as np

    everyone = list(range(len(comments)))
    if len(comments) < 2 * min_answers:
        return Clustering([], everyone)
    sample = everyone
    if max_clustered is not None and len(comments) > max(max_clustered, 2 * min_answers):
        chosen = np.random.RandomState(SEED).choice(len(comments), max_clustered, replace=False)
        sample = sorted(int(i) for i in chosen)
    vectors, transform = _vectors([comments[i] for i in sample])
    largest = min(max_themes, len(sample) // min_answers)
    labels = _best_labels(vectors, range(max(2, min_themes), largest + 1), min_answers)
    if labels is None:
        return Clustering([], everyone)
    groups: dict[int, list[int]] = {}
    for position, label in enumerate(labels):
        groups.setdefault(int(label), []).append(position)
    ordered = sorted(groups.values(), key=lambda m: (-len(m), m[0]))
    kept = [positions for positions in ordered if len(positions) >= min_answers]
    other = [sample[p] for positions in ordered if len(positions) < min_answers for p in positions]
    members = [[sample[p] for p in positions] for positions in kept]
    if len(sample) < len(comments) and kept:
        in_sample = set(sample)
        rest = [i for i in everyone if i not in in_sample]
        centres = np.vstack([vectors[positions].mean(axis=0) for positions in kept])
        nearest = np.argmax(transform([comments[i] for i in rest]) @ centres.T, axis=1)
        for index, cluster in zip(rest, nearest, strict=True):
            members[int(cluster)].append(index)
        members = [sorted(group) for group in members]
    sets = [terms(comment) for comment in comments]
    clusters = [
        Cluster(
            members=group,
            words=characteristic_words(sets, group),
            centroid=centroid_of([comments[i] for i in group]),
        )
        for group in members
    ]
    clusters.sort(key=lambda c: (-len(c.members), c.members[0]))
    return Clustering(clusters, sorted(other))
