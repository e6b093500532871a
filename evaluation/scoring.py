"""Score an outside system's predictions against gold, as the CheckThat! scorers do.

Gold is a CheckThat! 2022-2024 TSV (``Sentence_id``, ``Text``, ``class_label``), a
CheckThat! 2019 debate TSV (``line_number``, speaker, text, 0/1 label), or a split of
a dataset version. Predictions are either

* the CheckThat! 2022-2024 format: the header ``id<TAB>class_label<TAB>run_id`` and
  one row per sentence with the label exactly ``Yes`` or ``No``, or a label of the
  gold's scheme (``CFS``, ``UFS``, ``NFS`` for a ClaimBuster dataset, as
  ``checkworthy evaluate`` writes them); or
* the ranking format of CheckThat! 2019-2021: ``id<TAB>score`` per line (a header
  ``id<TAB>score`` is allowed).

Rows are matched by id, never by position. A missing id, an unknown id, a
duplicate id, a bad label or score, or a malformed line makes :func:`read_predictions`
refuse, listing every offending line with its line number. Unlike the official
scorer, a file without the header is refused rather than silently losing its
first prediction. A JSON file (a Label Studio export, ``tasks.json``) given as gold or
as predictions is refused in one message that names the expected formats, quoting only
its first characters.

Labels of the gold's scheme are scored as the harness scores that scheme (its
classes, its positive label); ``Yes``/``No`` labels against a multi-class gold are
scored after mapping the gold through the scheme (``Label.binary``: CFS -> Yes,
UFS/NFS -> No).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from checkworthy.builder import corpora
from checkworthy.evaluation.bootstrap import N_RESAMPLES
from checkworthy.evaluation.harness import interval_warning, open_dataset, score_items
from checkworthy.schemas import Scheme, load_scheme
from checkworthy.schemas.errors import InputError, InputFileNotFoundError

#: The header line of the CheckThat! 2022-2024 prediction format.
LABEL_HEADER = ("id", "class_label", "run_id")
RANKING_HEADER = ("id", "score")
#: Predicted labels of the CheckThat! format, positive first.
BINARY_LABELS = ("Yes", "No")
#: The formats ``checkworthy score`` reads, for messages.
GOLD_FORMATS = ("a CheckThat! 2022-2024 TSV (header Sentence_id<TAB>Text<TAB>class_label, or tweet_id<TAB>tweet_url<TAB>tweet_text<TAB>class_label), "
                "a CheckThat! 2019 debate TSV (line_number<TAB>speaker<TAB>text<TAB>label lines) or a dataset directory DIR[@VERSION]")
PREDICTION_FORMATS = ("tab-separated text: the header id<TAB>class_label<TAB>run_id and one line per sentence (labels, "
                      "as 'checkworthy evaluate' writes them), or id<TAB>score lines (ranking)")
#: Characters of the start of a file read to tell its format; characters of a line quoted in a message.
HEAD_CHARS = 4096
EXCERPT_CHARS = 60


@dataclass(frozen=True)
class Gold:
    """Gold labels to score against.

    Attributes
    ----------
    ids : list of str
    labels : ndarray of str
        Label names of ``scheme``.
    scheme : schemas.Scheme
        The gold's label scheme: the dataset's, or ``checkthat`` for CheckThat! files.
    lines : list of int
        Where each id is in the gold source (its line, or row number).
    groups : ndarray or None
        The article (debate) of each item, when known.
    where : str
        Names the gold source in messages.
    """

    ids: list[str]
    labels: np.ndarray
    scheme: Scheme
    lines: list[int]
    groups: np.ndarray | None
    where: str


@dataclass(frozen=True)
class Predictions:
    """Predictions aligned to the gold ids: ``y_pred`` (labels) or ``y_score`` (scores).

    ``binary`` is true when the labels are ``Yes``/``No`` against a gold scheme with
    other classes: the gold is then mapped to ``Yes``/``No`` before scoring.
    """

    y_pred: np.ndarray | None
    y_score: np.ndarray | None
    run_id: str | None
    binary: bool = False


def read_gold(path: str | os.PathLike, *, split: str = "test") -> Gold:
    """Read gold from a CheckThat! TSV (English or tweets), a CheckThat! 2019 debate, or a dataset version ``DIR[@VERSION]``."""

    text = str(path)
    if "@" in text or Path(text).is_dir():
        return _gold_from_dataset(text, split)
    path = Path(path)
    if not path.is_file():
        raise InputFileNotFoundError(f"{path}: gold file not found; give a CheckThat! TSV or a dataset directory")
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        head = handle.read(HEAD_CHARS)  # not readline(): the first line of a minified JSON file is the whole file
    _refuse_json(path, head, "gold", GOLD_FORMATS + "; a Label Studio export or tasks.json is not gold: build a dataset version from "
                 "the export (checkworthy build EXPORT --articles SEEDS --dataset DIR) and give --gold DIR")
    if head.split("\n", 1)[0].split("\t")[0].strip() in ("Sentence_id", "tweet_id"):
        frame = corpora.read_checkthat_tsv(path).frame
        return Gold(list(frame["id"]), frame["label"].to_numpy(dtype=object), load_scheme("checkthat"), list(frame["line"]), None, str(path))
    frame = corpora.read_checkthat2019_debate(path).frame
    labels = np.where(frame["label"].to_numpy() == 1, "Yes", "No").astype(object)
    return Gold(list(frame["id"]), labels, load_scheme("checkthat"), list(frame["line"]), frame["debate"].to_numpy(dtype=object), str(path))


def _gold_from_dataset(ref: str, split: str) -> Gold:
    dataset, scheme, info, _ = open_dataset(ref)
    if split not in dataset:
        raise InputError(f"{ref}: no split {split!r}; available: {', '.join(dataset)}")
    data = dataset[split]
    labels = np.asarray(data.features["label"].int2str(data["label"]), dtype=object)
    groups = np.asarray(data["article_id"], dtype=object) if "article_id" in data.column_names else None
    # the version and fingerprint in the name: DIR alone means its latest version, whichever that is today
    where = f"{ref} ({split} of version {info['version']}, fingerprint {info['fingerprint']})"
    return Gold(list(data["sentence_id"]), labels, scheme, list(range(1, len(data) + 1)), groups, where)


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of ``text`` quoted for a message: a line of a file can be megabytes long."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


def _refuse_json(path: Path, head: str, option: str, expected: str) -> None:
    """Refuse, in one message, a JSON (or JSON Lines) file given to ``--option``: its lines are not rows to list one by one.

    The message quotes only the file's first characters: an export names its annotators (e-mail addresses) early on.
    """
    head = head.lstrip()
    if head[:1] in ("[", "{"):
        raise InputError(f"{path}: looks like JSON (it starts with {head[:16]!r}), not tab-separated text; --{option} takes {expected}")


def _allowed_labels(found: set[str], scheme: Scheme) -> tuple[tuple[str, ...], str]:
    """The label set a predictions file uses, and how to name it in messages.

    Yes/No always; the scheme's own labels instead when the file uses one that is
    not Yes/No. One file uses one set: mixing them is refused.
    """
    if scheme.names == list(BINARY_LABELS):
        return BINARY_LABELS, "exactly Yes or No"
    scheme_only = set(scheme.names) - set(BINARY_LABELS)
    alternatives = f"{', '.join(scheme.names)} (scheme {scheme.name!r})"
    if found & scheme_only:
        return tuple(scheme.names), f"one of {alternatives}; the file uses the scheme's labels, so use them on every line"
    return BINARY_LABELS, f"exactly Yes or No, or one of {alternatives} on every line"


def read_predictions(path: str | os.PathLike, gold: Gold) -> Predictions:
    """Read a predictions file and align it to ``gold`` by id.

    Raises
    ------
    InputError
        Listing every offending line: malformed lines, labels other than
        ``Yes``/``No`` or the gold scheme's (one set per file), scores that are not
        finite numbers, duplicate ids, ids not in gold, and gold ids without a
        prediction.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileNotFoundError(f"{path}: predictions file not found")
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            lines = [line.rstrip("\r\n") for line in handle]
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: expected UTF-8 text, found undecodable bytes at byte {exc.start}") from None
    if not lines:
        raise InputError(f"{path}: empty; expected the header {'<TAB>'.join(LABEL_HEADER)} and one line per sentence")
    _refuse_json(path, "\n".join(lines[:2]), "predictions", PREDICTION_FORMATS + "; a Label Studio export or tasks.json holds no predictions "
                 "to score")
    first = tuple(field.strip() for field in lines[0].split("\t"))
    if len(first) == 1 and ("," in lines[0] or ";" in lines[0]):
        raise InputError(
            f"{path}: line 1: expected tab-separated fields, found {_excerpt(lines[0])} (commas or semicolons, no tab); "
            "save the file as TSV: the header id<TAB>class_label<TAB>run_id (labels) or id<TAB>score lines (ranking)"
        )
    if len(first) == 2 and first[0].lower() == "id" and first[1].lower() != "score" and first != RANKING_HEADER:
        raise InputError(
            f"{path}: line 1: found the header {_excerpt(lines[0])}, without the run_id column; a labels file has the header "
            f"{'<TAB>'.join(LABEL_HEADER)} and three fields a line (the run_id names your system, e.g. 'myrun'); "
            "a ranking file has id<TAB>score lines"
        )
    if first == LABEL_HEADER:
        kind, start = "label", 2
    elif first == RANKING_HEADER:
        kind, start = "score", 2
    elif len(first) == 2:
        kind, start = "score", 1
    else:
        raise InputError(
            f"{path}: line 1: expected the header {'<TAB>'.join(LABEL_HEADER)} (labels) or "
            f"'id<TAB>score' lines (ranking), found {_excerpt(lines[0])}; the official scorer skips the first line, "
            "so a labels file without the header loses a prediction: add the header"
        )
    n_fields = 3 if kind == "label" else 2
    if kind == "label":
        found = {line.split("\t")[1].strip() for line in lines[1:] if line.count("\t") == 2}
        allowed, expected = _allowed_labels(found, gold.scheme)
    gold_index = {sentence_id: i for i, sentence_id in enumerate(gold.ids)}
    values: list = [None] * len(gold.ids)
    seen: dict[str, int] = {}
    problems, run_ids = [], set()
    for lineno, line in enumerate(lines[start - 1:], start=start):
        if not line.strip():
            continue
        fields = [field.strip() for field in line.split("\t")]
        if len(fields) != n_fields:
            seen.setdefault(fields[0], lineno)
            problems.append(f"line {lineno}: expected {n_fields} tab-separated fields, found {len(fields)}: {_excerpt(line)}")
            continue
        sentence_id, value = fields[0], fields[1]
        if sentence_id in seen:
            problems.append(f"line {lineno}: duplicate id {sentence_id!r} (first on line {seen[sentence_id]})")
            continue
        seen[sentence_id] = lineno
        if sentence_id not in gold_index:
            problems.append(f"line {lineno}: unknown id {sentence_id!r}: not in gold {gold.where}")
            continue
        if kind == "label":
            if value not in allowed:
                problems.append(f"line {lineno}: id {sentence_id!r}: class_label {value!r} is not {expected}")
                continue
            run_ids.add(fields[2])
        else:
            try:
                value = float(value)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                problems.append(f"line {lineno}: id {sentence_id!r}: score {fields[1]!r} is not a finite number")
                continue
        values[gold_index[sentence_id]] = value
    problems += [
        f"gold line {gold.lines[i]}: id {gold.ids[i]!r} has no prediction"
        for i, value in enumerate(values)
        if value is None and gold.ids[i] not in seen
    ]
    if problems:
        raise InputError(problems, header=f"{path}: {len(problems)} problem(s); nothing was scored:")
    if kind == "label":
        binary = allowed == BINARY_LABELS and not gold.scheme.is_binary
        return Predictions(np.asarray(values, dtype=object), None, ",".join(sorted(run_ids)), binary)
    return Predictions(None, np.asarray(values, dtype=np.float64), None)


def score_file(
    gold_path: str | os.PathLike,
    predictions_path: str | os.PathLike,
    *,
    split: str = "test",
    n_resamples: int = N_RESAMPLES,
    random_state: int = 0,
) -> dict:
    """Score a predictions file against gold.

    Returns
    -------
    dict
        :func:`checkworthy.evaluation.harness.score_items`' result (``metrics`` with the
        CheckThat! 2022-2024 official ``f1_positive`` for labels, ``ci95``, ...)
        plus ``gold``, ``predictions``, ``run_id``, ``labels`` (the classes scored)
        and ``pos_label``. Labels of the gold's scheme are scored with its classes
        and positive label, as ``checkworthy evaluate`` scores them; ``Yes``/``No``
        against a multi-class gold are scored against the gold mapped to Yes/No.
    """
    gold = read_gold(gold_path, split=split)
    predictions = read_predictions(predictions_path, gold)
    y_true, labels, pos_label = gold.labels, gold.scheme.names, gold.scheme.positive
    if predictions.binary:
        y_true = np.asarray([gold.scheme.to_binary(name) for name in gold.labels], dtype=object)
        labels, pos_label = list(BINARY_LABELS), "Yes"
    scored = score_items(
        y_true, labels=labels, pos_label=pos_label, y_pred=predictions.y_pred, y_score=predictions.y_score,
        groups=gold.groups, n_resamples=n_resamples, random_state=random_state,
    )
    few = interval_warning(scored["n_articles"], scored["n_items"], gold.where)
    return {"gold": gold.where, "predictions": str(predictions_path), "run_id": predictions.run_id,
            "labels": labels, "pos_label": pos_label, **scored, "warnings": [few] if few else []}
