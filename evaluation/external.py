"""Adapters from external benchmarks to the harness's ``DatasetDict``, and a throughput probe.

The files are parsed by ``checkworthy.builder.corpora``; these functions only arrange the rows
into the splits the harness expects (``train``, ``validation``, ``test``) with the
scheme's ``ClassLabel``. Nothing is copied or written: the benchmark scripts in
``benchmarks/`` call them with the path to the data.

* CheckThat! 2024 (``en``, ``ar``, ``nl``, ``es``): ``train`` / ``dev`` / ``dev-test``
  become train / validation / test. Sentences carry no article, so each is its own
  bootstrap unit. Without a train file (Spanish here), ``train_from_dev`` cuts dev in
  tweet-id order (:func:`tweet_id_order`): the first part trains, the rest validates.
* ClaimBuster: one CSV split by debate (``File_id``), with a seeded shuffle of the
  debates, so that no debate is in two splits.
* CheckThat! 2019 Task 1: a folder of debates as one split whose article is the debate.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from checkworthy.builder.corpora import (
    check_language,
    checkthat_split_files,
    missing_checkthat_splits,
    read_checkthat2019_dir,
    read_checkthat_tsv,
    read_claimbuster_csv,
    restore_lost_letters,
)
from checkworthy.schemas import load_scheme
from checkworthy.schemas.errors import InputError
from checkworthy.schemas.rows import SPLITS


def _dataset(rows: dict, scheme):
    from datasets import Dataset, Features, Value

    columns = {"sentence_id": Value("string"), "text": Value("string"), "label": scheme.class_label()}
    if "article_id" in rows:
        columns["article_id"] = Value("string")
    labels = [scheme.names.index(label) for label in rows["label"]]
    return Dataset.from_dict({**rows, "label": labels}, features=Features(columns))


def tweet_id_order(ids) -> list[int]:
    """Positions of ``ids`` sorted by numeric tweet id (tweet ids grow with time).

    Spreadsheet-notation ids (``1,45043E+18``) sort by their rounded value; ties keep
    file order.
    """
    def key(i):
        text = str(ids[i]).strip().replace(",", ".")
        try:
            return (0, int(text), i)
        except ValueError:
            try:
                return (0, int(float(text)), i)
            except ValueError:
                return (1, 0, i)
    return sorted(range(len(ids)), key=key)


def checkthat2024(directory: str | os.PathLike, language: str = "en", *, train_from_dev: float | None = None,
                  restore_letters: bool = False):
    """CheckThat! 2022-2024 Task 1 files as ``DatasetDict(train, validation=dev, test=dev-test)``.

    Parameters
    ----------
    directory : path-like
        The folder with the ``CT24_checkworthy_<language>_*.tsv`` files.
    language : {"en", "ar", "nl", "es"}, default="en"
    train_from_dev : float, optional
        When the language has no train file (Spanish here): dev is sorted by tweet id
        and its first ``train_from_dev`` fraction (the oldest tweets) becomes train, the
        rest validation. Ignored when a train file exists. Without it a missing train
        file is an error naming the file.
    restore_letters : bool, default=False
        Put back a letter a file lost (the Dutch dev-test's ``t``), learned from the
        language's other files (:func:`~checkworthy.builder.corpora.restore_lost_letters`);
        what was done is one of the returned problems.

    Returns
    -------
    dataset : datasets.DatasetDict
    problems : list of str
        Data problems reported by the reader (kept in the data, as the organisers did),
        and how train was made when it was cut from dev.
    """
    from datasets import DatasetDict


    files = checkthat_split_files(directory, check_language(language), require_train=False)
    missing = missing_checkthat_splits(files, language)
    cut = "train" not in files and train_from_dev is not None and "validation" in files
    if cut and not 0 < train_from_dev < 1:
        raise InputError(f"train_from_dev must be between 0 and 1 (exclusive), found {train_from_dev}")
    if missing and not (cut and set(files) == {"validation", "test"}):
        raise InputError(f"{directory}: no CheckThat! file for {'; '.join(missing)}"
                         + ("; pass train_from_dev (--train-from-dev) to train on part of dev" if "train" not in files else ""))
    scheme = load_scheme("checkthat")
    frames, problems = {}, []
    corpora = {split: read_checkthat_tsv(path) for split, path in files.items()}
    if restore_letters:
        corpora = restore_lost_letters(corpora)
    for split, corpus in corpora.items():
        problems += corpus.problems
        frames[split] = corpus.frame
    if cut:
        dev = frames["validation"]
        order = tweet_id_order(list(dev["id"]))
        n_train = int(round(train_from_dev * len(dev)))
        frames["train"] = dev.iloc[order[:n_train]]
        frames["validation"] = dev.iloc[order[n_train:]]
        problems.append(f"{files['validation'].name}: no train file; train = the {n_train} dev rows with the smallest tweet ids "
                        f"(first {train_from_dev:.0%} in tweet-id order), validation = the other {len(dev) - n_train}")
    splits = {split: _dataset({"sentence_id": list(f["id"]), "text": list(f["text"]), "label": list(f["label"])}, scheme)
              for split, f in frames.items()}
    return DatasetDict({s: splits[s] for s in SPLITS}), problems


def claimbuster_by_debate(path: str | os.PathLike, *, seed: int = 0, fractions=(0.7, 0.15, 0.15)):
    """One ClaimBuster CSV split into train / validation / test by debate (``File_id``).

    Debates are shuffled with ``seed`` and cut by cumulative sentence count at
    ``fractions``, so every debate lies in exactly one split.

    Returns
    -------
    dataset : datasets.DatasetDict
        ``article_id`` is the debate.
    problems : list of str
    """
    from datasets import DatasetDict


    if len(fractions) != 3 or abs(sum(fractions) - 1) > 1e-9:
        raise InputError(f"fractions must be three numbers summing to 1, found {fractions}")
    corpus = read_claimbuster_csv(path)
    frame = corpus.frame.sort_values(["debate", "line_number"], kind="stable")
    debates = sorted(frame["debate"].unique())
    order = np.random.default_rng(seed).permutation(len(debates))
    sizes = frame.groupby("debate").size()
    cumulative = np.cumsum([sizes[debates[i]] for i in order]) / len(frame)
    cuts = np.searchsorted(cumulative, np.cumsum(fractions)[:2], side="right")
    assignment = {}
    for rank, i in enumerate(order):
        assignment[debates[i]] = "train" if rank < cuts[0] else "validation" if rank < cuts[1] else "test"
    scheme = load_scheme("claimbuster")
    splits = {}
    for split in SPLITS:
        part = frame[frame["debate"].map(assignment) == split]
        splits[split] = _dataset(
            {"sentence_id": list(part["id"]), "article_id": list(part["debate"]), "text": list(part["text"]), "label": list(part["label"])},
            scheme,
        )
    return DatasetDict(splits), corpus.problems


def checkthat2019(directory: str | os.PathLike):
    """Every debate of a CheckThat! 2019 Task 1 folder as one ``Dataset`` (labels Yes/No, article = debate)."""

    rows = {"sentence_id": [], "article_id": [], "text": [], "label": []}
    for corpus in read_checkthat2019_dir(directory):
        frame = corpus.frame
        rows["sentence_id"] += [f"{d}:{i}" for d, i in zip(frame["debate"], frame["id"])]
        rows["article_id"] += list(frame["debate"])
        rows["text"] += list(frame["text"])
        rows["label"] += ["Yes" if label == 1 else "No" for label in frame["label"]]
    return _dataset(rows, load_scheme("checkthat"))


def prediction_throughput(model, texts, *, repeats: int = 3) -> float:
    """Median sentences per second of ``model.predict(texts)`` over ``repeats`` timed runs."""
    if not len(texts):
        raise InputError("throughput: no sentences to predict")
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.predict(texts)
        rates.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(rates)
