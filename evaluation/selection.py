"""A trained baseline as a candidate scorer for ``checkworthy.builder.select`` (``checkworthy tasks``).

``checkworthy.builder.select`` picks which sentences to label with a pluggable ``Scorer``.
:class:`BaselineScorer` loads a model saved by ``checkworthy train`` and scores each
sentence with its positive-class score, so that a model trained on one dataset
version can choose the candidates of the next.

Examples
--------
>>> scorer = BaselineScorer("models/svm")  # doctest: +SKIP
>>> score_sentences(sentences, article, scorer)  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from checkworthy.builder.select import Scorer
from checkworthy.evaluation.baselines import load_model, positive_score
from checkworthy.schemas.records import Article, Sentence


class BaselineScorer(Scorer):
    """Score sentences with a trained baseline (a directory written by ``checkworthy train``).

    The score is the model's positive-class probability, or the logistic function
    of its decision value for margin classifiers (same ranking, in [0, 1]); the
    reason names the baseline, the label it predicts and the raw score against its
    tuned threshold.

    Parameters
    ----------
    directory : path-like
        Holds ``model.skops`` and ``model.json``.
    """

    name = "baseline"

    def __init__(self, directory: str | os.PathLike):
        self.model, self.metadata = load_model(directory)
        self.version = f"{self.metadata['baseline']}-{self.metadata['model_sha256'][:8]}"

    def score(self, sentences: Sequence[Sentence], article: Article) -> list[tuple[float, str]]:
        if not sentences:
            return []
        texts = [s.text for s in sentences]
        pos = self.metadata["positive_label"]
        raw = positive_score(self.model, texts, pos)
        probability = raw if hasattr(self.model, "predict_proba") else 1 / (1 + np.exp(-raw))
        predicted = self.model.predict(texts)
        threshold = self.metadata.get("threshold")
        against = f", threshold {threshold:.3f}" if threshold is not None else ""
        return [
            (round(float(p), 3), f"{self.metadata['baseline']} predicts {label} (score {r:.3f}{against})")
            for p, r, label in zip(probability, raw, predicted)
        ]
