"""What to label next: choose a budget of scored candidates by a strategy.

:func:`choose` takes scored sentences (ids, article ids, check-worthiness scores in
[0, 1], texts) and returns the ones to label, best first, each with the
``priority`` that becomes the Label Studio prediction ``score``. It does not care
how the scores were made (the heuristic, a trained baseline, a model run on a
cluster), so ``checkworthy tasks``, the active-learning benchmark and a corpus-wide
job all share it.

============ ======================================================= ==========================
strategy     picks                                                    priority (ascending = first)
============ ======================================================= ==========================
top          the most check-worthy: highest score first               ``1 - score``
uncertainty  the least sure: score closest to the decision threshold  confidence, 0 at the threshold
random       uniformly, seeded; a sentence's draw depends only on     the draw, in [0, 1)
             the seed and its id
diverse      diverse mini-batch active learning (Zhdanov 2019): the   position / budget
             ``10 x budget`` least sure, clustered by uncertainty-
             weighted k-means on their TF-IDF/LSA vectors into
             ``budget`` clusters, the least sure of each; near-
             duplicates (``splits.near_duplicate_clusters``) wait
============ ======================================================= ==========================

Label Studio (1.23, ``projects/functions/next_task.py``) serves tasks in its
"Uncertainty sampling" mode by ``predictions__score`` ascending, among the tasks
whose prediction has the project's ``model_version``; its "Sequential sampling"
serves them in task id order, i.e. import order. The priorities above are lower
for what should come first, and the tasks are written in the same order, so both
modes serve them as the strategy intends.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from checkworthy.builder.splits import near_duplicate_clusters
from checkworthy.builder.store import check_integrity, latest_version, load_manifest, resolve_version_dir
from checkworthy.schemas import did_you_mean, validate
from checkworthy.schemas.errors import InputError, InputFileNotFoundError
from checkworthy.schemas.io import read_json

STRATEGIES = ("top", "uncertainty", "random", "diverse")

#: What the Label Studio prediction score means under each strategy (recorded in ``selection.json``).
PRIORITY_MEANING = {
    "top": "1 - check-worthiness score; Label Studio serves ascending: most check-worthy first",
    "uncertainty": "confidence (0 at the decision threshold, 1 at 0 or 1); ascending: least sure first",
    "random": "seeded random draw in [0, 1); ascending: random order",
    "diverse": "position / budget: one per text cluster of the least sure, least sure first; ascending: that order",
}

@dataclass(frozen=True)
class Sampling:
    """How ``checkworthy tasks`` chooses what to label next: ``Sampling("uncertainty", 500, seed=0)``.

    Parameters
    ----------
    strategy : {"top", "uncertainty", "random", "diverse"}
    budget : int
        Sentences to choose over the whole input (not per article).
    seed : int, default=0
        For ``random``; recorded for every strategy.

    Raises
    ------
    InputError
        Unknown strategy or a budget below 1.
    """

    strategy: str
    budget: int
    seed: int = 0

    def __post_init__(self):
        check_strategy(self.strategy, self.budget)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise InputError(f"--seed must be a whole number, got {self.seed!r}")


@dataclass(frozen=True)
class Pick:
    """One chosen sentence.

    Attributes
    ----------
    index : int
        Its position in the input of :func:`choose`.
    sentence_id : str
    priority : float
        The Label Studio prediction score: lower is served first.
    reason : str
        Why it was chosen, for ``meta`` and the reviewer.
    """

    index: int
    sentence_id: str
    priority: float
    reason: str


def check_strategy(strategy: str, budget: int) -> None:
    """Raise a clear :class:`InputError` for an unknown strategy or a budget below 1."""
    if strategy not in STRATEGIES:
        raise InputError(f"unknown strategy {strategy!r}; available: {', '.join(STRATEGIES)}.{did_you_mean(strategy, list(STRATEGIES))}")
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)) or budget < 1:
        raise InputError(f"--budget must be a whole number of sentences, 1 or more; got {budget!r}")


def confidence(scores: Sequence[float], threshold: float = 0.5) -> np.ndarray:
    """How sure a score is: 0 at ``threshold``, 1 at 0 or 1 (linear on each side)."""
    p = np.asarray(scores, dtype=float)
    below = np.where(p < threshold, (threshold - p) / max(threshold, 1e-12), 0.0)
    above = np.where(p >= threshold, (p - threshold) / max(1.0 - threshold, 1e-12), 0.0)
    return np.clip(below + above, 0.0, 1.0)


def random_draw(sentence_ids: Sequence[str], seed: int) -> np.ndarray:
    """A uniform number in [0, 1) per id, from SHA-256 of the seed and the id.

    A sentence's draw does not depend on the other candidates or their order, so
    adding candidates never reshuffles the ones already there.
    """
    return np.array([int.from_bytes(hashlib.sha256(f"{seed}\0{sid}".encode()).digest()[:8], "big") / 2.0**64
                     for sid in sentence_ids], dtype=float)


def _rank_within(groups: np.ndarray, order: np.ndarray) -> np.ndarray:
    """For items visited in ``order``: how many of the same group came before (0, 1, 2, ...)."""
    seen: dict = {}
    ranks = np.empty(len(groups), dtype=np.int64)
    for i in order:
        key = groups[i]
        ranks[i] = seen.get(key, 0)
        seen[key] = ranks[i] + 1
    return ranks


#: ``diverse`` clusters the ``DIVERSE_PREFILTER * budget`` least sure candidates (Zhdanov 2019's beta).
DIVERSE_PREFILTER = 10
#: Dimensions of the LSA space (TF-IDF reduced by truncated SVD) in which ``diverse`` clusters.
DIVERSE_DIMENSIONS = 50
#: ``diverse`` seeds k-means with k-means++ while candidates x budget is at most this; above it
#: (k-means++ costs candidates x budget x log(budget) distances: 100 s for 20,000 x 2,000 on a loaded
#: 2-core machine) it draws the initial centres at random in proportion to the weights (5 s, 4% more inertia).
KMEANS_PLUSPLUS_UP_TO = 2_500_000


def text_features(texts: Sequence[str], seed: int = 0) -> np.ndarray:
    """Unit-length LSA vectors of ``texts``: word 1-2-gram TF-IDF reduced by truncated SVD (seeded).

    Few or short texts (fewer than three distinct terms) keep their TF-IDF vectors.
    """
    from sklearn.decomposition import TruncatedSVD  # heavy: only when ``diverse`` clusters
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    try:
        tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode").fit_transform(texts)
    except ValueError:  # no word at all (empty or punctuation-only texts): every text is alike
        return np.ones((len(texts), 1))
    dimensions = min(DIVERSE_DIMENSIONS, tfidf.shape[1] - 1, len(texts) - 1)
    if dimensions < 2:
        return normalize(tfidf).toarray()
    return normalize(TruncatedSVD(dimensions, n_iter=3, random_state=seed).fit_transform(tfidf))


def _diverse(ids: np.ndarray, p: np.ndarray, texts: list[str], budget: int, seed: int, threshold: float) -> list[Pick]:
    """Diverse mini-batch active learning (Zhdanov 2019, arXiv:1901.05954), with near-duplicates held back.

    1. Near-duplicate clusters (as ``build`` finds leakage) send only their least sure
       member; the others wait until every cluster has been offered.
    2. The ``DIVERSE_PREFILTER * budget`` least sure of those are clustered in
       :func:`text_features` space by k-means into ``budget`` clusters, weighted by
       uncertainty (``1 - confidence``), seeded by ``seed``: k-means++ initial centres
       (random ones, drawn in proportion to the weights, for large batches: see
       ``KMEANS_PLUSPLUS_UP_TO``), 10 Lloyd iterations.
    3. From each cluster its least sure member; the picks are served least sure first.
       Too few (empty clusters, or fewer candidates than the budget): the rest in order
       of near-duplicate rank, then sureness.
    """
    from sklearn.cluster import KMeans  # heavy: only for ``diverse``

    n = len(ids)
    sure = confidence(p, threshold)
    by_id = np.argsort(ids, kind="stable")
    duplicates = np.empty(n, dtype=np.int64)
    duplicates[by_id] = near_duplicate_clusters([texts[i] for i in by_id])
    duplicate_rank = _rank_within(duplicates, np.lexsort((ids, sure)))
    fallback = np.lexsort((ids, sure, duplicate_rank))
    firsts = fallback[: int(np.count_nonzero(duplicate_rank == 0))]
    candidates = firsts[: DIVERSE_PREFILTER * budget]
    cluster_of: dict[int, int] = {}
    if len(candidates) > budget:
        rows = np.sort(candidates)[np.argsort(ids[np.sort(candidates)], kind="stable")]  # by id: independent of input order
        features = text_features([texts[i] for i in rows], seed)
        init = "k-means++" if len(rows) * budget <= KMEANS_PLUSPLUS_UP_TO else "random"
        kmeans = KMeans(n_clusters=budget, init=init, n_init=1, max_iter=10, random_state=seed)
        labels = kmeans.fit_predict(features, sample_weight=1.0 - sure[rows] + 1e-3)
        best: dict[int, int] = {}
        for row, label in zip(rows.tolist(), labels.tolist()):
            if label not in best or (sure[row], ids[row]) < (sure[best[label]], ids[best[label]]):
                best[label] = row
        cluster_of = {row: label for label, row in best.items()}
        chosen = np.array(sorted(best.values(), key=lambda i: (sure[i], ids[i])), dtype=np.int64)
        size = np.bincount(labels, minlength=budget)
    else:
        chosen = candidates
    taken = set(chosen.tolist())
    order = np.concatenate([chosen, np.array([i for i in fallback if i not in taken][: budget - len(chosen)], dtype=np.int64)])
    dup_size = np.bincount(duplicates, minlength=n)
    picks = []
    for rank, i in enumerate(order.tolist()):
        reason = f"diverse: score {p[i]:.3f}"
        if i in cluster_of:
            reason += f", least sure of text cluster {cluster_of[i]} ({size[cluster_of[i]]} of the {len(candidates)} least sure)"
        if dup_size[duplicates[i]] > 1:
            reason += f", near-duplicate cluster of {dup_size[duplicates[i]]} (its {_ordinal(duplicate_rank[i] + 1)})"
        picks.append(Pick(int(i), str(ids[i]), round(rank / budget, 6), reason))
    return picks


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def choose(
    sentence_ids: Sequence[str],
    article_ids: Sequence[str],
    scores: Sequence[float],
    texts: Sequence[str] | None = None,
    *,
    strategy: str,
    budget: int,
    seed: int = 0,
    threshold: float = 0.5,
) -> list[Pick]:
    """Choose up to ``budget`` sentences to label, best first.

    Parameters
    ----------
    sentence_ids : sequence of str
        Unique ids of the candidates.
    article_ids : sequence of str
        The article (or document) of each candidate (checked, kept for the record; no
        strategy uses it).
    scores : sequence of float
        Check-worthiness scores in [0, 1] (positive-class probabilities).
    texts : sequence of str, optional
        The sentences; needed by ``diverse`` (text clusters and near-duplicates).
    strategy : {"top", "uncertainty", "random", "diverse"}
        See the module docstring.
    budget : int
        How many to choose (all candidates when there are fewer).
    seed : int, default=0
        For ``random``, and ``diverse``'s SVD and k-means.
    threshold : float, default=0.5
        The model's decision threshold on ``scores``: ``uncertainty`` and ``diverse``
        count a score as least sure there.

    Returns
    -------
    list of Pick
        In the order to label; ``priority`` ascends along it. Ties are broken by
        sentence id, so the result does not depend on the input order.

    Raises
    ------
    InputError
        Unknown strategy, budget below 1, sequences of different lengths, duplicate
        ids, scores outside [0, 1], or ``diverse`` without texts.

    Examples
    --------
    >>> picks = choose(["a:1", "a:2", "b:1"], ["a", "a", "b"], [0.9, 0.5, 0.1], strategy="uncertainty", budget=2)
    >>> [(p.sentence_id, p.priority) for p in picks]
    [('a:2', 0.0), ('a:1', 0.8)]
    """
    check_strategy(strategy, budget)
    n = len(sentence_ids)
    lengths = {"article_ids": len(article_ids), "scores": len(scores)} | ({"texts": len(texts)} if texts is not None else {})
    wrong = {name: size for name, size in lengths.items() if size != n}
    if wrong:
        raise InputError(f"choose: {n} sentence ids but " + ", ".join(f"{size} {name}" for name, size in wrong.items()) + "; give one of each per sentence")
    if len(set(sentence_ids)) != n:
        seen: set[str] = set()
        repeated = sorted({s for s in sentence_ids if s in seen or seen.add(s)})
        raise InputError(f"choose: sentence id(s) given more than once: {', '.join(repeated[:10])}; give each candidate once")
    p = np.asarray(scores, dtype=float)
    outside = [sentence_ids[i] for i in np.flatnonzero(~((p >= 0) & (p <= 1)))]
    if outside:
        raise InputError(f"choose: score outside [0, 1] for {len(outside)} sentence(s) (first: {', '.join(outside[:5])}); give probabilities")
    if strategy == "diverse" and texts is None:
        raise InputError("choose: strategy 'diverse' needs the texts (near-duplicate clusters)")
    ids = np.asarray(sentence_ids, dtype=object)
    if strategy == "top":
        priority = np.round(1.0 - p, 6)
        reasons = [f"top: score {s:.3f}" for s in p]
    elif strategy == "uncertainty":
        priority = np.round(confidence(p, threshold), 6)
        reasons = [f"uncertainty: score {s:.3f}, threshold {threshold:.3f}" for s in p]
    elif strategy == "random":
        priority = np.round(random_draw(sentence_ids, seed), 6)
        reasons = [f"random: seed {seed}"] * n
    else:
        return _diverse(ids, p, list(texts), budget, seed, threshold)
    order = np.lexsort((ids, priority))[:budget]
    return [Pick(int(i), str(ids[i]), float(priority[i]), reasons[i]) for i in order]


def labeled_sentence_ids(ref: str | Path) -> tuple[set[str], dict[str, str]]:
    """The sentence ids that were labeled in dataset version ``DIR[@VERSION]``: those with a
    gold label, and those whose votes tied (the manifest's ``unresolved``).

    Every row of a version's ``data/*.parquet`` carries a gold label (sentences
    without one are not in the version), so these are its ``sentence_id`` values. A tie
    has had its annotators already: a new labeling round would spend its budget on a task
    Label Studio no longer serves to them; it goes to ``checkworthy review`` (adjudication).

    Returns
    -------
    ids : set of str
    info : dict
        ``version`` and ``fingerprint`` from the manifest (for the record of the choice).

    Raises
    ------
    InputError
        ``ref`` is not a dataset or version, or its files do not match its manifest.
    """
    import pyarrow.parquet as pq  # 0.3 s to import; only when --exclude is given

    try:
        path = check_integrity(resolve_version_dir(ref))
        manifest = load_manifest(path)
    except (InputError, InputFileNotFoundError) as exc:
        raise type(exc)(f"--exclude {ref}: {exc}") from None
    ids: set[str] = set()
    for file in sorted((path / "data").glob("*.parquet")):
        ids.update(pq.read_table(file, columns=["sentence_id"]).column("sentence_id").to_pylist())
    ids.update(item["sentence_id"] for item in manifest.unresolved)
    dataset_dir = path.parent.parent
    latest = latest_version(dataset_dir)
    if latest is not None and latest != manifest.version:
        warnings.warn(f"--exclude {ref}: version {manifest.version} is not the latest version of {dataset_dir} ({latest}): sentences "
                      f"labeled since then are not excluded and may be chosen again; give --exclude {dataset_dir} (its latest "
                      "version) unless you mean the older one", OlderVersionWarning, stacklevel=2)
    return ids, {"version": manifest.version, "fingerprint": manifest.fingerprint}


class OlderVersionWarning(UserWarning):
    """``tasks --exclude`` names a dataset version that has newer versions."""


#: The file in which ``checkworthy tasks`` records how it chose (see ``builder.tasks.selection_record``).
SELECTION_FILE = "selection.json"


def read_selection(task_dir: str | Path) -> tuple[Path, dict]:
    """The ``selection.json`` of a task directory, validated: ``(path, record)``.

    Raises
    ------
    InputError
        The file is missing (the directory was written without ``--strategy``,
        ``--exclude`` or ``--blind``) or does not match ``selection.schema.json``.
    """
    path = Path(task_dir) / SELECTION_FILE
    if not path.is_file():
        raise InputFileNotFoundError(f"--tasks {task_dir}: no {SELECTION_FILE} there; give a directory that "
                                     "'checkworthy tasks --strategy ... --budget N' wrote")
    record = read_json(path)
    validate(record, "selection", str(path))
    return path, record


def selection_summary(record: dict, labeled_ids: set[str]) -> dict:
    """What a dataset version's manifest says of one ``selection.json``: the settings and how
    many of the chosen sentences have a gold label in the version."""
    return {
        "strategy": record["strategy"], "budget": record["budget"], "seed": record["seed"], "select": record["select"],
        "model_version": record["model_version"], "blind": record["blind"],
        "exclude": [e["version"] for e in record["exclude"]],
        "chosen": len(record["sentence_ids"]),
        "labeled": sum(1 for sid in record["sentence_ids"] if sid in labeled_ids),
    }
