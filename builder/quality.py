"""Gold items and the quality of each annotator.

A sentence is *gold* when its label is known in advance: a Label Studio annotation
flagged as ground truth, or a line of a gold file (``build --gold FILE``, a CSV with
the header ``sentence_id,label``). A gold label is the sentence's label in the
dataset (``label_source`` ``gold`` or ``ground_truth``), whatever the votes say; gold
sentences stay in the split their article falls in, and the manifest counts them
per split so that an evaluation on them is never a surprise.

For each annotator (by pseudonym, as in the agreement report):

- accuracy on gold items: their votes on gold sentences against the gold label. The
  author of a ground-truth annotation is not scored on that sentence (the gold label
  is their own vote);
- agreement with a leave-one-out consensus: on each sentence they labeled, the
  majority of the *other* annotators' votes, never their own. Sentences nobody else
  labeled, and sentences where the others tie, are not counted (the ties are
  counted apart). With two annotators this is their pairwise percent agreement, not
  the 1.0 that a consensus including their own vote gives when every disagreement
  is a tie;
- their Dawid-Skene confusion matrix: ``P(answer | true label)``, rows in scheme order,
  estimated by EM over every vote (seeded like the build).

``build --min-annotator-accuracy X`` leaves out of aggregation the annotators whose gold
accuracy is below ``X``; annotators without gold items are kept, and both lists go
into the manifest.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from checkworthy.builder.aggregate import Aggregation, count_matrix, dawid_skene, ds_confusion, vote_arrays
from checkworthy.schemas import Scheme, available_schemes, load_scheme
from checkworthy.schemas.errors import InputError, InputFileNotFoundError
from checkworthy.schemas.rows import SPLITS

#: The columns of a gold file, in order.
GOLD_COLUMNS = ("sentence_id", "label")

#: ``label_source`` of a label taken from a gold file, and of one from a ground-truth annotation.
GOLD_SOURCES = ("gold", "ground_truth")

_FORMAT = "a CSV file with the header 'sentence_id,label' and one gold sentence per line"


@dataclass(frozen=True)
class GoldLabels:
    """The gold label of each gold sentence, where it came from, and who wrote it.

    Attributes
    ----------
    labels : dict of str to str
        Gold label name by sentence id.
    sources : dict of str to str
        ``"gold"`` (gold file) or ``"ground_truth"`` (Label Studio flag) by sentence id.
    authors : dict of str to frozenset of str
        For ground-truth labels: the pseudonyms of the annotators who flagged them.
    """

    labels: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    authors: dict[str, frozenset[str]] = field(default_factory=dict)


# -- the gold file -------------------------------------------------------------------


def _parse_gold(path: Path) -> tuple[list[tuple[int, str, str]], list[str]]:
    """The ``(line, sentence_id, label)`` rows of a gold file and its structural problems."""
    if not path.is_file():
        raise InputFileNotFoundError(f"{path}: gold file not found; expected {_FORMAT}")
    if path.suffix.lower() != ".csv":
        return [], [f"{path}: expected {_FORMAT}, found a {path.suffix or 'extension-less'} file; save it as .csv"]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [f"{path}: not UTF-8 text ({exc}); save the file as UTF-8"]
    reader = csv.reader(text.splitlines(keepends=True))
    header = [h.strip() for h in next(reader, [])]
    if header != list(GOLD_COLUMNS):
        return [], [f"{path}: line 1: header: expected exactly 'sentence_id,label', found {','.join(header)!r}"]
    rows, problems, first_line = [], [], {}
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(GOLD_COLUMNS):
                problems.append(f"{path}: line {line}: expected 2 fields (sentence_id,label), found {len(record)}")
                continue
            sid, label = (cell.strip() for cell in record)
            where = f"{path}: line {line}" + (f" (sentence_id {sid!r})" if sid else "")
            if not sid:
                problems.append(f"{where}: sentence_id: empty; give the id of a sentence from the tasks (data.sentence_id)")
            elif sid in first_line:
                problems.append(f"{where}: sentence_id: duplicate of line {first_line[sid]}; keep one gold label per sentence")
            elif not label:
                problems.append(f"{where}: label: empty; give the sentence's gold label")
            else:
                first_line[sid] = line
                rows.append((line, sid, label))
    except csv.Error as exc:
        problems.append(f"{path}: line {reader.line_num}: not readable as CSV ({exc})")
    if not rows and not problems:
        problems.append(f"{path}: no gold sentence; expected {_FORMAT}")
    return rows, problems


def _label_problems(path: Path, rows: Sequence[tuple[int, str, str]], scheme: Scheme) -> list[str]:
    return [
        f"{path}: line {line} (sentence_id {sid!r}): label: {label!r} is not in scheme {scheme.name!r} "
        f"({', '.join(scheme.names)}); fix the label or pass the right --scheme"
        for line, sid, label in rows if label not in scheme.names
    ]


def read_gold(path: str | os.PathLike, scheme: Scheme, sentence_ids: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Read and validate a gold file (``build --gold``): gold label by sentence id.

    Parameters
    ----------
    path : path-like
        A UTF-8 CSV file with the header ``sentence_id,label``.
    scheme : Scheme
        The labels must belong to it.
    sentence_ids : mapping or set of str, optional
        The known sentences (those of the articles); each gold sentence must be one.

    Returns
    -------
    dict of str to str

    Raises
    ------
    InputError
        Listing every problem (file, line, sentence id, field).

    Examples
    --------
    >>> read_gold("gold.csv", load_scheme("claimbuster"))  # doctest: +SKIP
    {'art01:3f2a...': 'CFS'}
    """
    path = Path(path)
    rows, problems = _parse_gold(path)
    problems += _label_problems(path, rows, scheme)
    if sentence_ids is not None:
        problems += [
            f"{path}: line {line} (sentence_id {sid!r}): sentence_id: not a sentence of the given articles; "
            "use the ids of the tasks (data.sentence_id) made from these articles"
            for line, sid, _ in rows if sid not in sentence_ids
        ]
    if problems:
        raise InputError(problems, header=f"{len(problems)} problem(s) in the gold file; nothing was written:")
    return {sid: label for _, sid, label in rows}


def check_gold_file(path: str | os.PathLike) -> tuple[int, list[str]]:
    """Validate a gold file on its own (``checkworthy validate``); the scheme is the one that holds most of its labels."""
    path = Path(path)
    rows, problems = _parse_gold(path)
    labels = [label for _, _, label in rows]
    schemes = [load_scheme(name) for name in available_schemes()]
    scheme = max(schemes, key=lambda s: sum(label in s.names for label in labels))
    return len(rows), problems + _label_problems(path, rows, scheme)


def is_gold_file(path: Path) -> bool:
    """A ``.csv`` whose first line is the gold header ``sentence_id,label``."""
    if path.suffix.lower() != ".csv":
        return False
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        first = handle.readline()
    return [h.strip() for h in first.split(",")] == list(GOLD_COLUMNS)


# -- gold labels ------------------------------------------------------------------------


def gold_labels(table, file_labels: Mapping[str, str], gold_file: str = "gold file") -> GoldLabels:
    """The gold labels of a build: the gold file's, and those of ground-truth annotations.

    Parameters
    ----------
    table : pandas.DataFrame
        The annotation table (see :func:`checkworthy.builder.read_annotations`).
    file_labels : mapping of str to str
        From :func:`read_gold` (empty without a gold file).
    gold_file : str, default="gold file"
        The gold file's name, for messages.

    Returns
    -------
    GoldLabels

    Raises
    ------
    InputError
        A gold-file label disagrees with a ground-truth annotation (every such sentence listed).
    """
    truth = table[table["ground_truth"] & table["label"].notna()]
    labels, sources, authors = {}, {}, {}
    for sid, annotator, label in zip(truth["sentence_id"], truth["annotator"], truth["label"]):
        labels[sid], sources[sid] = label, "ground_truth"
        authors[sid] = authors.get(sid, frozenset()) | {annotator}
    conflicts = [
        f"{gold_file}: sentence_id {sid!r}: label: {label!r} disagrees with the Label Studio ground-truth annotation "
        f"({labels[sid]!r}); keep one gold label: fix the gold file or the ground-truth flag"
        for sid, label in sorted(file_labels.items()) if sid in labels and labels[sid] != label
    ]
    if conflicts:
        raise InputError(conflicts, header=f"{len(conflicts)} gold label(s) contradict ground-truth annotations; nothing was written:")
    for sid, label in file_labels.items():
        labels[sid], sources[sid] = label, "gold"
        authors.pop(sid, None)
    return GoldLabels(dict(sorted(labels.items())), dict(sorted(sources.items())), dict(sorted(authors.items())))


def apply_gold(aggregation: Aggregation, gold: GoldLabels, scheme: Scheme) -> None:
    """Make each gold label the label of its sentence (in place), so that it is no longer unresolved."""
    position = {sid: i for i, sid in enumerate(aggregation.sentence_ids)}
    index = {name: i for i, name in enumerate(scheme.names)}
    for sid, label in gold.labels.items():
        if sid in position:
            aggregation.gold[position[sid]] = index[label]
            aggregation.label_source[position[sid]] = gold.sources[sid]
    aggregation.unresolved = [u for u in aggregation.unresolved if u["sentence_id"] not in gold.labels]


# -- annotator quality ---------------------------------------------------------------------


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 6) if denominator else None


def leave_one_out(dense: np.ndarray, counts: np.ndarray) -> list[dict[str, int | float | None]]:
    """Each annotator's agreement with the majority of the *other* annotators.

    Parameters
    ----------
    dense : numpy.ndarray of shape (n_annotators, n_items)
        Label index of each annotator's vote, -1 where they gave none.
    counts : numpy.ndarray of shape (n_items, n_labels)
        Votes per item and label (every annotator's).

    Returns
    -------
    list of dict
        One per annotator: ``items`` (counted), ``agreement`` (share of them where the
        others' majority is the annotator's label; None without items) and ``ties``
        (items left out because the others tie).
    """
    n_labels = counts.shape[1]
    result = []
    for mine in dense:
        voted = mine >= 0
        others = counts[voted] - np.eye(n_labels, dtype=counts.dtype)[mine[voted]]
        best = others.max(axis=1, keepdims=True)
        winners = (others == best) & (best > 0)
        tie = winners.sum(axis=1) > 1
        counted = winners.sum(axis=1) == 1
        agree = int((winners[counted].argmax(axis=1) == mine[voted][counted]).sum())
        items = int(counted.sum())
        result.append({"items": items, "agreement": _ratio(agree, items), "ties": int(tie.sum())})
    return result


def annotator_quality(table, gold: GoldLabels, scheme: Scheme, *, seed: int = 0) -> dict[str, Any]:
    """Gold accuracy, leave-one-out agreement and Dawid-Skene confusion matrix of each annotator.

    Parameters
    ----------
    table : pandas.DataFrame
        The annotation table (see :func:`checkworthy.builder.read_annotations`), every annotator.
    gold : GoldLabels
        From :func:`gold_labels`.
    scheme : Scheme
        The label scheme (order of the confusion matrices' rows and columns).
    seed : int, default=0
        Seed of Dawid-Skene.

    Returns
    -------
    dict
        ``labels``, ``gold`` (``items``, ``from_file``, ``from_ground_truth``, ``without_votes``)
        and ``annotators``: by pseudonym, ``votes``, ``gold_items``, ``gold_correct``,
        ``gold_accuracy``, ``loo_items``, ``loo_agreement``, ``loo_ties``, ``ds_confusion``
        (rows: true label, columns: the annotator's answer) and ``ds_true_items`` (the
        expected number of the annotator's items of each true label: the evidence behind each row).
    """
    sentence_ids, item, rater, annotators, label = vote_arrays(table, scheme)
    n_items, n_labels = len(sentence_ids), len(scheme.names)
    counts = count_matrix(item, label, n_items, n_labels)
    dense = np.full((len(annotators), n_items), -1, dtype=np.int64)
    dense[rater, item] = label
    index = {name: i for i, name in enumerate(scheme.names)}
    gold_index = np.array([index[gold.labels[s]] if s in gold.labels else -1 for s in sentence_ids], dtype=np.int64)
    posterior = dawid_skene(item, rater, label, n_items, len(annotators), n_labels, seed=seed)
    confusion = ds_confusion(posterior, item, rater, label, len(annotators))
    evidence = np.zeros((len(annotators), n_labels))
    np.add.at(evidence, rater, posterior[item])
    agreement = leave_one_out(dense, counts)
    position, rater_of = {s: i for i, s in enumerate(sentence_ids)}, {name: r for r, name in enumerate(annotators)}
    authored = np.zeros_like(dense, dtype=bool)
    for sid, names in gold.authors.items():
        for name in names:
            authored[rater_of[name], position[sid]] = True
    people = {}
    for r, name in enumerate(annotators):
        scored = (dense[r] >= 0) & (gold_index >= 0) & ~authored[r]
        correct = int((dense[r, scored] == gold_index[scored]).sum())
        people[name] = {
            "votes": int((dense[r] >= 0).sum()),
            "gold_items": int(scored.sum()),
            "gold_correct": correct,
            "gold_accuracy": _ratio(correct, int(scored.sum())),
            "loo_items": agreement[r]["items"],
            "loo_agreement": agreement[r]["agreement"],
            "loo_ties": agreement[r]["ties"],
            "ds_confusion": np.round(confusion[r], 6).tolist(),
            "ds_true_items": np.round(evidence[r], 3).tolist(),
        }
    voted = set(sentence_ids)
    sources = list(gold.sources.values())
    return {
        "labels": list(scheme.names),
        "gold": {
            "items": len(gold.labels),
            "from_file": sources.count("gold"),
            "from_ground_truth": sources.count("ground_truth"),
            "without_votes": sum(s not in voted for s in gold.labels),
        },
        "min_accuracy": None,
        "excluded": [],
        "kept_without_gold": [],
        "annotators": people,
    }


def exclude_below(quality: dict[str, Any], min_accuracy: float) -> dict[str, Any]:
    """The quality report with ``min_accuracy``, the annotators it leaves out, and those kept without gold items.

    An annotator is left out when their gold accuracy is below ``min_accuracy``; one with
    no gold item is kept (nothing says they are below it) and listed as such.
    """
    people = quality["annotators"]
    excluded = [
        {"annotator": name, "gold_accuracy": p["gold_accuracy"], "gold_items": p["gold_items"],
         "reason": f"gold accuracy {p['gold_accuracy']:.3f} on {p['gold_items']} gold item(s) is below {min_accuracy}"}
        for name, p in people.items() if p["gold_accuracy"] is not None and p["gold_accuracy"] < min_accuracy
    ]
    kept = [name for name, p in people.items() if p["gold_accuracy"] is None]
    return {**quality, "min_accuracy": min_accuracy, "excluded": excluded, "kept_without_gold": kept}


def gold_per_split(quality: dict[str, Any], rows_by_split: Mapping[str, Sequence[Any]]) -> dict[str, Any]:
    """The quality report with ``gold.per_split``: the rows labeled from gold in each split (``label_source`` gold or ground_truth)."""
    per_split = {s: sum(r.label_source in GOLD_SOURCES for r in rows_by_split.get(s, ())) for s in SPLITS}
    return {**quality, "gold": {**quality["gold"], "per_split": per_split}}
