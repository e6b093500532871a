"""Review of doubtful labels: rank a version's items by how doubtful their label is, and
write a Label Studio task set to adjudicate them.

Each item gets zero or more reasons, each with a doubt in [0, 1]:

================ =====================================================================
reason           when, and its doubt
================ =====================================================================
tie              aggregation left the sentence unresolved (listed in the manifest): 1
disagreement     annotators gave more than one label: 1 - agreement (the share of the
                 votes that went to another label than the gold one)
low-posterior    the Dawid-Skene posterior of the gold label is below ``min_posterior``:
                 1 - posterior
model-disagrees  confident learning: an out-of-fold prediction confidently names another
                 label (see ``checkworthy.evaluation.confident``): 1 - self-confidence
================ =====================================================================

An item's doubt combines its reasons as ``1 - prod(1 - doubt)``; items are ranked by doubt
(highest first), then by the model's self-confidence (lowest first), then by sentence id.
Labels a person already settled (``label_source`` ``adjudication``, ``ground_truth`` or ``gold``)
get no reason. The model is trained a floor up (``checkworthy.evaluation``); it reaches
this module through :data:`MODEL_VIEWS`, which ``checkworthy.registry`` fills.

Outputs of :func:`review_version` (in ``out_dir``, written atomically):
``review.jsonl`` (every item, ranked), ``summary.json`` (settings, seeds, counts) and,
when the articles are given, ``adjudication/`` (``tasks.json`` and ``label_config.xml``
for ``checkworthy push``, and ``articles.jsonl`` with the articles of its tasks). Adjudicated labels come back with ``checkworthy build
--adjudication EXPORT`` (see :mod:`checkworthy.builder.adjudication`).
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from checkworthy import __version__
from checkworthy.builder.aggregate import dawid_skene, vote_arrays
from checkworthy.builder.articles import read_articles
from checkworthy.builder.split import split_article
from checkworthy.builder.store import check_integrity, load_manifest, resolve_version_dir
from checkworthy.builder.tasks import load_page_scheme, passage_html, task_data, warn_page_language
from checkworthy.schemas import Scheme, is_right_to_left, load_scheme, validate
from checkworthy.schemas.errors import InputError, VersionExistsError
from checkworthy.schemas.io import atomic_directory, canonical_json, check_replaceable
from checkworthy.schemas.rows import SPLITS

#: The reasons an item can be doubtful, in the order they are listed.
REASONS = ("tie", "disagreement", "low-posterior", "model-disagrees")

#: Label sources settled by a person: never sent back for review.
SETTLED = ("adjudication", "ground_truth", "gold")

#: The marker key in a task's ``meta`` that makes it an adjudication task.
MARKER = "adjudication"

#: Files written into the output folder.
OUTPUT_FILES = ("review.jsonl", "summary.json")
ADJUDICATION_DIR = "adjudication"

#: Makes the model's view of the labeled items (``checkworthy.evaluation.confident.review_view``);
#: filled by ``checkworthy.registry``, never imported from here.
MODEL_VIEWS: dict[str, Callable[..., Any]] = {}


def register_model_view(factory: Callable[..., Any], name: str = "confident-learning") -> None:
    """Let :func:`review_version` ask a model: ``factory(texts, labels, n_classes, baseline=, folds=, seed=, class_weight=)``
    returns an object with ``description``, ``probabilities`` (n, k) and ``issues`` (``issue``,
    ``self_confidence``, ``confident_label``, ``thresholds``)."""
    MODEL_VIEWS[name] = factory


@dataclass(frozen=True)
class ReviewConfig:
    """Settings of a review; all of them are recorded in ``summary.json``.

    Parameters
    ----------
    baseline : str, default="tfidf-lr"
        The registered baseline whose out-of-fold predictions give the model's view, or
        several joined by ``+`` (their probabilities averaged); ``"none"`` leaves the model
        out (annotator reasons only). ``embed-lr`` (optional extra ``embed``) encodes each
        sentence once and finds more wrong labels than ``tfidf-lr`` (README, benchmark).
    folds : int, default=5
        Cross-validation folds.
    seed : int, default=0
        Seeds the folds and the model; Dawid-Skene uses the version's own build seed.
    min_posterior : float, default=0.9
        A Dawid-Skene posterior of the gold label below this is a reason.
    class_weight : {"none", "balanced"}, default="none"
        ``"none"`` trains the review model without class weights, so that its probabilities
        follow the labels' own frequencies, as confident learning assumes (see
        ``checkworthy.evaluation.confident.unweighted``); ``"balanced"`` keeps the baseline's
        balanced class weights (made for F1 of the rare class, not for probabilities).
    top : int or None, default=None
        Adjudication tasks for at most this many of the doubtful items (all when None).
    config_version : int, default=1
    """

    baseline: str = "tfidf-lr"
    folds: int = 5
    seed: int = 0
    min_posterior: float = 0.9
    top: int | None = None
    class_weight: str = "none"
    config_version: int = 1

    def __post_init__(self):
        if self.class_weight not in ("balanced", "none"):
            raise InputError(f"--class-weight must be balanced or none, found {self.class_weight!r}")
        if not 0 < self.min_posterior <= 1:
            raise InputError(f"--min-posterior must be in (0, 1], found {self.min_posterior}")
        if self.folds < 2:
            raise InputError(f"--folds must be 2 or more, found {self.folds}")
        if self.top is not None and self.top < 1:
            raise InputError(f"--top must be 1 or more, found {self.top}")


@dataclass
class ReviewItem:
    """One item of the ranking (a line of ``review.jsonl``)."""

    rank: int
    sentence_id: str
    article_id: str | None
    text: str | None
    split: str | None
    label: str | None
    label_source: str | None
    votes: dict[str, int]
    doubt: float
    reasons: list[dict[str, Any]] = field(default_factory=list)
    posterior: float | None = None
    model: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ReviewResult:
    """What :func:`review_version` found and wrote.

    Attributes
    ----------
    items : list of ReviewItem
        Every item, ranked (doubtful ones first).
    summary : dict
        The content of ``summary.json``.
    out_dir : Path
    tasks : int or None
        Adjudication tasks written (None when no articles were given).
    """

    items: list[ReviewItem]
    summary: dict[str, Any]
    out_dir: Path
    tasks: int | None

    @property
    def doubtful(self) -> list[ReviewItem]:
        return [item for item in self.items if item.reasons]


def _read_rows(version_dir: Path, names: Sequence[str]) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq  # 0.3 s to import

    rows = []
    for split in SPLITS:
        file = version_dir / "data" / f"{split}.parquet"
        if not file.exists():
            continue
        table = pq.read_table(file).to_pylist()
        for row in table:
            rows.append({**row, "split": split, "label": names[row["label"]], "votes": dict(zip(names, row["votes"]))})
    return sorted(rows, key=lambda r: r["sentence_id"])


def _posteriors(version_dir: Path, scheme: Scheme, seed: int) -> dict[str, np.ndarray]:
    """Dawid-Skene posteriors by sentence id from ``annotations.parquet`` (empty for a corpus)."""
    path = version_dir / "annotations.parquet"
    if not path.is_file():
        return {}
    import pandas as pd  # 1 s to import

    table = pd.read_parquet(path)
    if not table["label"].notna().any():
        return {}
    ids, item, rater, annotators, label = vote_arrays(table, scheme)
    posterior = dawid_skene(item, rater, label, len(ids), len(annotators), len(scheme.names), seed=seed)
    return dict(zip(ids, posterior))


def rank_items(rows: Sequence[dict[str, Any]], unresolved: Sequence[dict[str, Any]], scheme: Scheme,
               posteriors: dict[str, np.ndarray], view: Any | None, min_posterior: float) -> list[ReviewItem]:
    """The ranked review items (see the module docstring for the reasons and the order).

    Parameters
    ----------
    rows : sequence of dict
        The version's rows (``sentence_id``, ``label`` name, ``votes`` by name, ``agreement``, ...).
    unresolved : sequence of dict
        The manifest's unresolved sentences (``sentence_id``, ``votes``, ``reason``).
    posteriors : dict
        Dawid-Skene posterior per sentence id (may be empty).
    view : object or None
        The model's view of ``rows`` in that order (see :func:`register_model_view`).
    min_posterior : float
    """
    names = list(scheme.names)
    items: list[tuple[tuple, ReviewItem]] = []
    for number, row in enumerate(rows):
        gold = names.index(row["label"])
        settled = row["label_source"] in SETTLED
        reasons = []
        posterior = posteriors.get(row["sentence_id"])
        if not settled and sum(1 for v in row["votes"].values() if v > 0) > 1:
            reasons.append({"reason": "disagreement", "doubt": round(1 - float(row["agreement"]), 4),
                            "detail": "annotators gave " + ", ".join(f"{k} {v}" for k, v in row["votes"].items() if v)})
        if not settled and posterior is not None and posterior[gold] < min_posterior:
            reasons.append({"reason": "low-posterior", "doubt": round(1 - float(posterior[gold]), 4),
                            "detail": f"Dawid-Skene posterior of {row['label']} is {posterior[gold]:.3f} (< {min_posterior})"})
        model = None
        confidence = 1.0
        if view is not None:
            probs = view.probabilities[number]
            issues = view.issues
            confidence = float(issues.self_confidence[number])
            confident = int(issues.confident_label[number])
            model = {
                "probabilities": {n: round(float(p), 4) for n, p in zip(names, probs)},
                "predicted": names[int(np.argmax(probs))],
                "confident_label": names[confident] if confident >= 0 else None,
                "self_confidence": round(confidence, 4),
            }
            if not settled and bool(issues.issue[number]):
                reasons.append({"reason": "model-disagrees", "doubt": round(1 - confidence, 4),
                                "detail": f"out-of-fold model confidently says {names[confident]} ({probs[confident]:.2f} >= threshold "
                                          f"{issues.thresholds[confident]:.2f}); p({row['label']}) = {confidence:.2f}"})
        doubt = round(1 - float(np.prod([1 - r["doubt"] for r in reasons])), 4) if reasons else 0.0
        item = ReviewItem(0, row["sentence_id"], row["article_id"], row["text"], row["split"], row["label"], row["label_source"],
                          row["votes"], doubt, reasons, None if posterior is None else round(float(posterior[gold]), 4), model)
        items.append(((-doubt, confidence, row["sentence_id"]), item))
    for entry in unresolved:
        sid = entry["sentence_id"]
        item = ReviewItem(0, sid, None, None, None, None, None, dict(entry["votes"]), 1.0,
                          [{"reason": "tie", "doubt": 1.0, "detail": entry.get("reason", "tie")}])
        items.append(((-1.0, 0.0, sid), item))
    items.sort(key=lambda pair: pair[0])
    ranked = []
    for rank, (_, item) in enumerate(items, start=1):
        item.rank = rank
        ranked.append(item)
    return ranked


def review_version(
    ref: str | os.PathLike,
    out_dir: str | os.PathLike,
    config: ReviewConfig | None = None,
    *,
    articles: Iterable[str | os.PathLike] | None = None,
    page_language: str | None = None,
    overwrite: bool = False,
    step: Callable[[str], None] | None = None,
) -> ReviewResult:
    """Rank a dataset version's items by how doubtful their label is; write the ranking and,
    with ``articles``, an adjudication task set.

    Parameters
    ----------
    ref : path-like
        ``DIR``, ``DIR@X.Y.Z`` or a version directory.
    out_dir : path-like
        Output folder (``review.jsonl``, ``summary.json``, ``adjudication/``).
    config : ReviewConfig, optional
    articles : iterable of path-like, optional
        The article files the version was built from; needed for the adjudication tasks
        (the labeling page shows the passage and the article).
    page_language : str, optional
        The language of the adjudication page (``--page-language``: its question, labels,
        headers, review block and project instructions), as for ``checkworthy tasks``; the
        scheme's own (English) when None. Recorded in each task's ``meta.page_language``
        and in ``summary.json`` when it is not the scheme's own.
    overwrite : bool, default=False
        Replace an ``out_dir`` that an earlier review wrote.
    step : callable, optional
        Called with a line of progress.

    Returns
    -------
    ReviewResult

    Raises
    ------
    InputError
        A missing or tampered version, bad settings, no model view registered, too few
        items for cross-validation, or doubtful sentences missing from ``articles``.
    VersionExistsError
        ``out_dir`` exists and ``overwrite`` is False.

    Examples
    --------
    >>> result = review_version("data/ds@1.0.0", "out/review", articles=["seeds"])  # doctest: +SKIP
    >>> [(i.sentence_id, [r["reason"] for r in i.reasons]) for i in result.doubtful[:3]]  # doctest: +SKIP
    """
    config = config or ReviewConfig()
    step = step or (lambda message: None)
    out_dir = Path(out_dir)
    if out_dir.exists() and not overwrite:
        raise VersionExistsError(f"{out_dir}: already exists; choose another --out directory or pass --overwrite to replace it")
    article_paths = list(articles) if articles is not None else None
    if overwrite:
        check_replaceable(out_dir, inputs=article_paths or ())
    version_dir = check_integrity(resolve_version_dir(ref))
    manifest = load_manifest(version_dir)
    scheme = load_scheme(manifest.scheme)
    page = load_page_scheme(manifest.scheme, page_language)
    rows = _read_rows(version_dir, scheme.names)
    posteriors = _posteriors(version_dir, scheme, int(manifest.settings.get("seed", 0)))
    view = None
    if config.baseline != "none":
        if not MODEL_VIEWS:
            raise InputError("the model's view needs checkworthy.evaluation: import checkworthy.registry first (the CLI does), "
                             "or pass ReviewConfig(baseline='none')")
        step(f"training {config.baseline} in {config.folds} folds on {len(rows)} labeled sentences")
        labels = np.array([scheme.names.index(r["label"]) for r in rows], dtype=np.int64)
        view = next(iter(MODEL_VIEWS.values()))([r["text"] for r in rows], labels, len(scheme.names),
                                                baseline=config.baseline, folds=config.folds, seed=config.seed,
                                                class_weight=config.class_weight, label_names=scheme.names)
    items = rank_items(rows, manifest.unresolved, scheme, posteriors, view, config.min_posterior)
    doubtful = [item for item in items if item.reasons]
    chosen = doubtful if config.top is None else doubtful[: config.top]
    tasks = None
    if article_paths is not None:
        step(f"making {len(chosen)} adjudication task(s)")
        found = locate_sentences(article_paths, {item.sentence_id for item in doubtful})
        for item in doubtful:
            if item.text is None and item.sentence_id in found:
                item.article_id, item.text = found[item.sentence_id][1].article_id, found[item.sentence_id][1].text
        tasks = adjudication_tasks(chosen, found, page, manifest.version, manifest.fingerprint,
                                   view.description if view is not None else None)
        articles_of_tasks = adjudication_articles(chosen, found)
        warn_page_language({found[item.sentence_id][1].language for item in chosen}, page, page_language)
    summary = {
        "dataset_version": manifest.version,
        "fingerprint": manifest.fingerprint,
        "scheme": scheme.name,
        **({"page_language": page.language} if page.language != scheme.language else {}),
        "settings": asdict(config),
        "build_seed": int(manifest.settings.get("seed", 0)),
        "model": None if view is None else {
            "description": view.description,
            "thresholds": {n: None if np.isnan(t) else round(float(t), 4) for n, t in zip(scheme.names, view.issues.thresholds)},
            "confident_joint": view.issues.confident_joint.tolist(),
        },
        "items": len(items),
        "doubtful": len(doubtful),
        "reasons": {reason: sum(1 for i in items if any(r["reason"] == reason for r in i.reasons)) for reason in REASONS},
        "adjudication_tasks": None if tasks is None else len(tasks),
        "package_version": __version__,
    }
    inputs = article_paths or ()
    with atomic_directory(out_dir, overwrite=overwrite, writer=f"checkworthy {__version__} review", inputs=inputs) as tmp:
        with open(tmp / "review.jsonl", "w", encoding="utf-8", newline="\n") as handle:
            for item in items:
                handle.write(canonical_json(item.to_dict()) + "\n")
        (tmp / "summary.json").write_text(canonical_json(summary, indent=2) + "\n", encoding="utf-8", newline="\n")
        if tasks is not None:
            (tmp / ADJUDICATION_DIR).mkdir()
            with open(tmp / ADJUDICATION_DIR / "tasks.json", "w", encoding="utf-8", newline="\n") as handle:
                handle.write("[" + ",".join("\n" + canonical_json(t) for t in tasks) + ("\n]\n" if tasks else "]\n"))
            (tmp / ADJUDICATION_DIR / "label_config.xml").write_text(page.label_config(), encoding="utf-8", newline="\n")
            with open(tmp / ADJUDICATION_DIR / "articles.jsonl", "w", encoding="utf-8", newline="\n") as handle:
                handle.writelines(canonical_json(record) + "\n" for record in articles_of_tasks)
    return ReviewResult(items, summary, out_dir, None if tasks is None else len(tasks))


# -- the adjudication task set ------------------------------------------------


def locate_sentences(article_paths: Sequence[str | os.PathLike], wanted: set[str]) -> dict[str, tuple]:
    """``sentence_id -> (article, sentence, body sentences of the article)`` for the ``wanted`` ids.

    Raises
    ------
    InputError
        Wanted sentences that the articles do not hold (listed).
    """
    found: dict[str, tuple] = {}
    for article in read_articles(article_paths):
        sentences = split_article(article)
        body = [s for s in sentences if s.role == "body"]
        for sentence in sentences:
            if sentence.sentence_id in wanted:
                found[sentence.sentence_id] = (article, sentence, body)
    missing = sorted(wanted - found.keys())
    if missing:
        raise InputError([f"sentence_id {sid!r}" for sid in missing[:50]] + ([f"... and {len(missing) - 50} more"] if len(missing) > 50 else []),
                         header=f"{len(missing)} doubtful sentence(s) are not in the given articles; pass the articles the version was built from (--articles):")
    return found


def adjudication_tasks(items: Sequence[ReviewItem], found: dict[str, tuple], scheme: Scheme,
                       version: str, fingerprint: str, model: str | None) -> list[dict[str, Any]]:
    """Label Studio tasks (the format of ``checkworthy tasks``) for adjudicating ``items``.

    The labeling page is the usual one, in the language of ``scheme`` (a translation
    from :func:`~checkworthy.schemas.load_scheme` sets ``meta.page_language``); its passage
    opens with a review block: why the sentence is back, the earlier votes, the label in
    the version and the model's view. ``meta.adjudication`` marks the task (and carries
    the same facts as data).
    ``found`` locates each item's sentence (:func:`locate_sentences`).
    """
    tasks = []
    for item in items:
        article, sentence, body = found[item.sentence_id]
        span = _span(body, sentence)
        marker = {
            "dataset_version": version,
            "fingerprint": fingerprint,
            "label": item.label,
            "label_source": item.label_source,
            "votes": item.votes,
            "reasons": [r["reason"] for r in item.reasons],
            "doubt": item.doubt,
            "rank": item.rank,
            "model": None if item.model is None else {"description": model, **item.model},
        }
        task = {
            "data": task_data(article, sentence, _review_block(item, scheme, version, model) + passage_html(article, sentence, scheme, span),
                              scheme.language),
            "meta": {
                "scheme": scheme.name,
                "start": sentence.start,
                "end": sentence.end,
                "index": sentence.index,
                "score": item.doubt,
                "reason": "; ".join(r["detail"] for r in item.reasons),
                "source": article.source,
                "url": article.url,
                "published": article.published,
                "article_sha256": article.text_sha256,
                "generator": f"checkworthy {__version__} review",
                **({"page_language": scheme.language} if scheme.language != load_scheme(scheme.name).language else {}),
                MARKER: marker,
            },
        }
        tasks.append(task)
    validate(tasks, "tasks", "adjudication/tasks.json")
    return tasks


def adjudication_articles(items: Sequence[ReviewItem], found: dict[str, tuple]) -> list[dict[str, Any]]:
    """The records of ``articles.jsonl`` in the adjudication folder: each article that holds a
    sentence of ``items``, once, by id, in the format of the tasks stage's ``articles.jsonl``
    (``build --articles`` reads it; beside the original articles, the same article is read once)."""
    records = {}
    for item in items:
        article = found[item.sentence_id][0]
        if article.article_id not in records:
            record = article.to_dict()
            validate(record, "article", f"adjudication/articles.jsonl: article_id {article.article_id!r}")
            records[article.article_id] = record
    return [records[key] for key in sorted(records)]


def _span(body: list, sentence) -> tuple[int, int]:
    """The passage around ``sentence``: two body sentences before and after it (the sentence alone when it is not body)."""
    ids = [s.sentence_id for s in body]
    if sentence.sentence_id not in ids:
        return sentence.start, sentence.end
    position = ids.index(sentence.sentence_id)
    return body[max(0, position - 2)].start, body[min(len(body) - 1, position + 2)].end


def _review_block(item: ReviewItem, scheme: Scheme, version: str, model: str | None) -> str:
    """The adjudication block at the top of the passage, in the words and punctuation of the
    scheme's page (its language): every text HTML-escaped; its bar on the side the page's text
    starts from."""
    esc, words = html.escape, scheme.page
    why = scheme.list_separator.join(words.reason(r["reason"]) for r in item.reasons)
    votes = " · ".join(f"{esc(name)} {item.votes[name]}" for name in scheme.names if item.votes.get(name)) or esc(words.no_votes)
    label = f"{esc(item.label)} ({esc(item.label_source or '')})" if item.label else esc(words.tie)
    lines = [
        f"<p><b>{esc(words.adjudication)}</b>: {esc(why)}. {esc(words.adjudication_choose)}</p>",
        f"<p>{esc(words.earlier_labels)}: {votes}. {esc(words.version_label)} {esc(version)}: {label}.</p>",
    ]
    if item.model is not None and model is not None:
        probs = " · ".join(f"{esc(n)} {scheme.number(p)}" for n, p in sorted(item.model["probabilities"].items(), key=lambda kv: -kv[1]))
        lines.append(f"<p>{esc(words.model)} ({esc(model)}): {probs}.</p>")
    side = "right" if is_right_to_left(scheme.language) else "left"
    return f"<div class=\"cw-review\" style=\"border-{side}: 3px solid #e8a33d; padding-{side}: 0.6em\">{''.join(lines)}</div>"
