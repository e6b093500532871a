"""A trained baseline as a candidate scorer for ``checkworthy.builder.select`` (``checkworthy tasks``).

``checkworthy.builder.select`` picks which sentences to label with a pluggable ``Scorer``.
:class:`BaselineScorer` scores each sentence with a trained model's positive-class
score: a model saved by ``checkworthy train`` (``--scorer MODEL_DIR``), or one trained
on the fly on a dataset version by :func:`train_scorer` (``--model DIR[@VERSION]:BASELINE``),
so that a model trained on one dataset version can choose the candidates of the next.

Examples
--------
>>> scorer = BaselineScorer("models/svm")  # doctest: +SKIP
>>> scorer = train_scorer("data/ds@1.0.0:tfidf-lr")  # doctest: +SKIP
>>> score_sentences(sentences, article, scorer)  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from checkworthy.builder.select import THRESHOLD, Scorer
from checkworthy.evaluation.baselines import BASELINES, load_model
from checkworthy.evaluation.harness import train_baseline
from checkworthy.evaluation.scores import class_scores, positive_index
from checkworthy.schemas import did_you_mean
from checkworthy.schemas.errors import InputError, InputFileNotFoundError
from checkworthy.schemas.records import Article, Sentence


class BaselineScorer(Scorer):
    """Score sentences with a trained baseline (a directory written by ``checkworthy train``).

    The score is the model's positive-class probability, or the logistic function
    of its decision value for margin classifiers (same ranking, in [0, 1]); the
    reason names the baseline, the label it predicts and the raw score against its
    tuned threshold.

    Parameters
    ----------
    directory : path-like, optional
        Holds ``model.skops`` and ``model.json``.
    model, metadata : optional
        A fitted model and its ``model.json`` metadata instead (see :func:`train_scorer`).

    Attributes
    ----------
    model_version : str
        ``"<baseline>@<dataset version>+<first 12 of the dataset fingerprint>"``, as written
        in the task predictions (Label Studio matches it to the project's model version).
    threshold : float
        The model's decision threshold on the score (0.5 when it has none): ``uncertainty``
        counts a sentence as least sure there.
    """

    name = "baseline"

    def __init__(self, directory: str | os.PathLike | None = None, *, model=None, metadata: dict | None = None):
        if directory is not None:
            model, metadata = load_model(directory)
        if model is None or metadata is None:
            raise InputError("BaselineScorer needs a model directory, or both a fitted model and its metadata")
        self.model, self.metadata = model, metadata
        self.version = f"{metadata['baseline']}-{metadata.get('model_sha256', 'unsaved')[:8]}"
        raw = metadata.get("threshold")
        if raw is None:
            self.threshold = THRESHOLD
        else:
            self.threshold = float(raw) if hasattr(model, "predict_proba") else float(1 / (1 + np.exp(-raw)))

    @property
    def model_version(self) -> str:
        dataset = self.metadata.get("dataset") or {}
        if not dataset.get("version"):
            return f"{self.name}-{self.version}"
        return f"{self.metadata['baseline']}@{dataset['version']}+{str(dataset.get('fingerprint', ''))[:12]}"

    def score(self, sentences: Sequence[Sentence], article: Article) -> list[tuple[float, str]]:
        if not sentences:
            return []
        texts = [s.text for s in sentences]
        pos = self.metadata["positive_label"]
        scores = class_scores(self.model, texts)  # one pass of the model gives both the score and the label
        raw = scores[:, positive_index(self.model, pos)]
        probability = raw if hasattr(self.model, "predict_proba") else 1 / (1 + np.exp(-raw))
        predicted = self.model.decide(scores) if hasattr(self.model, "decide") else self.model.predict(texts)
        threshold = self.metadata.get("threshold")
        against = f", threshold {threshold:.3f}" if threshold is not None else ""
        return [
            (round(float(p), 3), f"{self.metadata['baseline']} predicts {label} (score {r:.3f}{against})")
            for p, r, label in zip(probability, raw, predicted)
        ]


def parse_model_ref(text: str) -> tuple[str, str]:
    """Split ``DIR[@VERSION]:BASELINE`` into the dataset reference and a registered baseline.

    Raises
    ------
    InputError
        No ``:BASELINE`` part, or an unknown baseline (with the available names).

    Examples
    --------
    >>> parse_model_ref("data/ds@1.0.0:tfidf-lr")
    ('data/ds@1.0.0', 'tfidf-lr')
    """
    ref, colon, baseline = str(text).rpartition(":")
    if not colon or not ref or not baseline:
        raise InputError(f"--model {text!r}: expected DIR[@VERSION]:BASELINE, e.g. data/ds@1.0.0:tfidf-lr "
                         f"(baselines: {', '.join(BASELINES)})")
    if baseline not in BASELINES:
        raise InputError(f"--model {text!r}: unknown baseline {baseline!r}; available: {', '.join(BASELINES)}."
                         f"{did_you_mean(baseline, list(BASELINES))}")
    return ref, baseline


def train_scorer(text: str, *, seed: int = 0) -> BaselineScorer:
    """Train a baseline on a dataset version (``DIR[@VERSION]:BASELINE``) and return it as a scorer.

    The model is trained as ``checkworthy train`` trains it (threshold tuned on
    validation) and is not saved; its ``model_version`` names the baseline, the
    dataset version and its fingerprint.

    Raises
    ------
    InputError
        A malformed reference, an unknown baseline, a missing dataset or version (the
        message lists the available ones), or a version that cannot be trained on.
    """
    ref, baseline = parse_model_ref(text)
    try:
        model, metadata = train_baseline(ref, baseline, seed=seed)
    except (InputError, InputFileNotFoundError) as exc:
        raise type(exc)(f"--model {text}: {exc}") from None
    return BaselineScorer(model=model, metadata=metadata)
