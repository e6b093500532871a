"""The central documents of a version, typed: the ``Manifest`` and the evaluation ``Results``.

Their JSON shape is declared once in ``schemas/manifest.schema.json`` and
``schemas/results.schema.json``. ``from_dict`` validates a decoded document against its
schema (every problem listed, each naming the file and the field) before it builds the
dataclass; ``to_dict`` gives back exactly the document that is written: the same keys
in the same order, so that files stay byte-identical. Code reads attributes
(``manifest.counts.test``, ``entry.metrics["f1_positive"]``), not string keys.

Parts the schemas leave open (build settings, agreement figures, skipped items, ...)
stay plain ``dict`` / ``list`` values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checkworthy.schemas import validate
from checkworthy.schemas.rows import SPLITS

__all__ = [
    "Baseline",
    "Comparison",
    "DatasetRef",
    "EvaluationSettings",
    "Leakage",
    "Manifest",
    "MetricInfo",
    "ResultEntry",
    "Results",
    "Seeds",
    "SplitCounts",
]


# -- the manifest ---------------------------------------------------------------


@dataclass(frozen=True)
class SplitCounts:
    """Sentences per split (``counts`` of the manifest); ``total`` is None when the document has none."""

    train: int
    validation: int
    test: int
    total: int | None = None

    def __getitem__(self, split: str) -> int:
        """The count of a split by name (``counts[split]`` for ``split in SPLITS``)."""
        if split not in SPLITS:
            raise KeyError(split)
        return getattr(self, split)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SplitCounts":
        return cls(**{s: data[s] for s in SPLITS}, total=data.get("total"))

    def to_dict(self) -> dict[str, int]:
        counts = {s: self[s] for s in SPLITS}
        if self.total is not None:
            counts["total"] = self.total
        return counts


@dataclass(frozen=True)
class Leakage:
    """Identical or near-identical sentences across splits (``leakage`` of the manifest).

    Attributes
    ----------
    clusters, sentences : int
        Groups spanning several splits, and the sentences in them.
    exact, near : int
        Groups of exact and of near duplicates.
    removed : list of str
        Sentence ids of the later copies removed by ``--dedupe``.
    items : list of dict
        One per group: ``kind``, ``text``, ``counts``, ``sentence_ids``.
    """

    clusters: int
    sentences: int
    exact: int
    near: int
    removed: list[str]
    items: list[dict[str, Any]]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Leakage":
        return cls(clusters=data["clusters"], sentences=data["sentences"], exact=data["exact"], near=data["near"],
                   removed=data["removed"], items=data["items"])

    def to_dict(self) -> dict[str, Any]:
        return {"clusters": self.clusters, "sentences": self.sentences, "exact": self.exact, "near": self.near,
                "removed": self.removed, "items": self.items}


#: Keys of a manifest that the schema does not require (left out of ``to_dict`` when absent on read).
_OPTIONAL_MANIFEST_KEYS = ("annotations", "corpus_problems", "files", "annotator_quality", "selection")


@dataclass(frozen=True)
class Manifest:
    """``versions/<X.Y.Z>/manifest.json`` (``schemas/manifest.schema.json``).

    Attributes
    ----------
    version, parent : str, str or None
        This version and the one it was built after.
    fingerprint : str
        Content fingerprint of the inputs and settings.
    scheme, scheme_version : str
        The label scheme.
    settings : dict
        The build settings (``BuildConfig`` fields, and e.g. ``corpus``).
    inputs : dict
        Input files by role: ``[{"name", "sha256"}, ...]``.
    counts : SplitCounts
    label_distribution : dict
        ``{split: {label: count}}``.
    agreement : dict or None
        Inter-annotator agreement; None for a corpus.
    agreement_by_language : dict or None
        ``{language: agreement}``, the same figures for each language's sentences, when the
        annotated sentences have more than one language; None (and absent from the file)
        otherwise.
    annotations : dict or None
        Counts of the individual annotations; None for a corpus.
    unresolved, skipped : list of dict
    corpus_problems, warnings : list of str
    leakage : Leakage
    package_version : str
    created_with : dict
        Versions of the packages that wrote the files.
    files : dict or None
        SHA-256 of each data file (``data/*.parquet``, ``annotations.parquet``) by path
        relative to the version; None in versions built before it was recorded.
    annotator_quality : dict or None
        Gold items and each annotator's gold accuracy, leave-one-out agreement and
        Dawid-Skene confusion matrix (:mod:`checkworthy.builder.quality`); None for a
        corpus and in versions built before it was recorded.
    selection : list of dict or None
        How the labeled items were chosen (``build --tasks``: the ``selection.json`` of
        each task directory, with how many of its chosen sentences have a label here);
        None when not given.
    adjudication : dict or None
        Labels decided by adjudication (``build --adjudication``): ``sentences``,
        ``changed``, ``resolved_ties`` and ``items`` (``sentence_id``, ``before``, ``label``,
        ``adjudicators``); None (and absent from the file) without adjudication.
    absent : tuple of str
        Optional keys the document read had not (``to_dict`` leaves them out again).
    """

    version: str
    parent: str | None
    fingerprint: str
    scheme: str
    scheme_version: str
    settings: dict[str, Any]
    inputs: dict[str, list[dict[str, str]]]
    counts: SplitCounts
    label_distribution: dict[str, dict[str, int]]
    agreement: dict[str, Any] | None
    agreement_by_language: dict[str, dict[str, Any]] | None = field(default=None, kw_only=True)
    annotations: dict[str, Any] | None
    unresolved: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    corpus_problems: list[str]
    leakage: Leakage
    warnings: list[str]
    package_version: str
    created_with: dict[str, str]
    files: dict[str, str] | None = None
    annotator_quality: dict[str, Any] | None = None
    selection: list[dict[str, Any]] | None = None
    adjudication: dict[str, Any] | None = None
    absent: tuple[str, ...] = field(default=(), repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "manifest.json") -> "Manifest":
        """Validate ``data`` against ``manifest.schema.json`` and build the manifest.

        Raises
        ------
        SchemaError
            Listing every violation, each starting with ``where`` (the file).
        """
        validate(data, "manifest", where)
        return cls(
            version=data["version"],
            parent=data["parent"],
            fingerprint=data["fingerprint"],
            scheme=data["scheme"],
            scheme_version=data["scheme_version"],
            settings=data["settings"],
            inputs=data["inputs"],
            counts=SplitCounts.from_dict(data["counts"]),
            label_distribution=data["label_distribution"],
            agreement=data["agreement"],
            agreement_by_language=data.get("agreement_by_language"),
            annotations=data.get("annotations"),
            unresolved=data["unresolved"],
            skipped=data["skipped"],
            corpus_problems=data.get("corpus_problems", []),
            leakage=Leakage.from_dict(data["leakage"]),
            warnings=data["warnings"],
            package_version=data["package_version"],
            created_with=data["created_with"],
            files=data.get("files"),
            annotator_quality=data.get("annotator_quality"),
            selection=data.get("selection"),
            adjudication=data.get("adjudication"),
            absent=tuple(k for k in _OPTIONAL_MANIFEST_KEYS if k not in data),
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``manifest.json`` document, keys in the order they are written."""
        document = {
            "version": self.version,
            "parent": self.parent,
            "fingerprint": self.fingerprint,
            "scheme": self.scheme,
            "scheme_version": self.scheme_version,
            "settings": self.settings,
            "inputs": self.inputs,
            "counts": self.counts.to_dict(),
            "label_distribution": self.label_distribution,
            "agreement": self.agreement,
            "agreement_by_language": self.agreement_by_language,
            "annotations": self.annotations,
            "unresolved": self.unresolved,
            "skipped": self.skipped,
            "corpus_problems": self.corpus_problems,
            "leakage": self.leakage.to_dict(),
            "warnings": self.warnings,
            "package_version": self.package_version,
            "created_with": self.created_with,
            "files": self.files,
            "annotator_quality": self.annotator_quality,
            "selection": self.selection,
        }
        for key in self.absent:
            document.pop(key, None)
        if self.agreement_by_language is None:
            del document["agreement_by_language"]
        if self.files is None:
            del document["files"]
        if self.annotator_quality is None:
            document.pop("annotator_quality", None)
        if self.selection is None:
            document.pop("selection", None)
        if self.adjudication is not None:
            document["adjudication"] = self.adjudication
        return document


# -- the evaluation results -------------------------------------------------------


@dataclass(frozen=True)
class DatasetRef:
    """The dataset evaluated (``dataset`` of the results); version and fingerprint None for an outside corpus."""

    version: str | None
    fingerprint: str | None
    scheme: str
    sizes: dict[str, int]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DatasetRef":
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "fingerprint": self.fingerprint, "scheme": self.scheme, "sizes": self.sizes}


@dataclass(frozen=True)
class Seeds:
    """Every seed of an evaluation (``seeds``): baselines, bootstrap, and the dataset's splits (None if unknown)."""

    baselines: int | None
    bootstrap: int | None
    dataset: int | None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Seeds":
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return {"baselines": self.baselines, "bootstrap": self.bootstrap, "dataset": self.dataset}


@dataclass(frozen=True)
class EvaluationSettings:
    """How the baselines were scored (``settings`` of the results)."""

    labels: list[str]
    positive_label: str
    confidence: float
    n_resamples: int
    bootstrap_unit: str
    threshold_tuned_on: str | None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "EvaluationSettings":
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "positive_label": self.positive_label,
            "confidence": self.confidence,
            "n_resamples": self.n_resamples,
            "bootstrap_unit": self.bootstrap_unit,
            "threshold_tuned_on": self.threshold_tuned_on,
        }


@dataclass(frozen=True)
class MetricInfo:
    """One registered metric (``metrics[name]``): what it is, its input, its best value, its official name."""

    description: str
    input: str
    best: float
    official: str | None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "MetricInfo":
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return {"description": self.description, "input": self.input, "best": self.best, "official": self.official}


@dataclass(frozen=True)
class Baseline:
    """One evaluated baseline (``baselines[name]``); ``threshold`` None when none was tuned."""

    description: str
    threshold: float | None
    random_state: int | None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Baseline":
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return {"description": self.description, "threshold": self.threshold, "random_state": self.random_state}


@dataclass(frozen=True)
class ResultEntry:
    """The scores of one baseline on one split (an item of ``results``).

    ``metrics`` maps a metric name to its value and ``ci95`` to its ``[low, high]``
    bootstrap interval; ``per_class`` holds precision, recall, F1 and support per
    label; ``confusion_matrix`` its ``labels`` and ``matrix`` (rows gold).
    """

    baseline: str
    split: str
    n_items: int
    n_articles: int
    metrics: dict[str, float]
    ci95: dict[str, list[float]]
    per_class: dict[str, dict[str, Any]]
    confusion_matrix: dict[str, Any]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ResultEntry":
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "split": self.split,
            "n_items": self.n_items,
            "n_articles": self.n_articles,
            "metrics": self.metrics,
            "ci95": self.ci95,
            "per_class": self.per_class,
            "confusion_matrix": self.confusion_matrix,
        }


@dataclass(frozen=True)
class Comparison:
    """A paired bootstrap test of baseline ``a`` against ``b`` on ``split`` (an item of ``comparisons``)."""

    a: str
    b: str
    split: str
    metric: str
    delta: float
    ci95: list[float]
    p_value: float

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Comparison":
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "split": self.split, "metric": self.metric, "delta": self.delta,
                "ci95": self.ci95, "p_value": self.p_value}


@dataclass(frozen=True)
class Results:
    """``results.json`` written by ``checkworthy evaluate`` (``schemas/results.schema.json``)."""

    checkworthy_version: str
    dataset: DatasetRef
    seeds: Seeds
    settings: EvaluationSettings
    packages: dict[str, str]
    metrics: dict[str, MetricInfo]
    baselines: dict[str, Baseline]
    results: list[ResultEntry]
    comparisons: list[Comparison]
    language: str | None = None
    warnings: list[str] = field(default_factory=list)
    by_language: dict[str, list[ResultEntry]] = field(default_factory=dict)

    def entries(self, *, split: str | None = None, baseline: str | None = None) -> list[ResultEntry]:
        """The result entries of ``split`` and/or ``baseline``, in document order."""
        return [e for e in self.results if (split is None or e.split == split) and (baseline is None or e.baseline == baseline)]

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "results.json") -> "Results":
        """Validate ``data`` against ``results.schema.json`` and build the results.

        Raises
        ------
        SchemaError
            Listing every violation, each starting with ``where`` (the file).
        """
        validate(data, "results", where)
        return cls(
            checkworthy_version=data["checkworthy_version"],
            dataset=DatasetRef.from_dict(data["dataset"]),
            seeds=Seeds.from_dict(data["seeds"]),
            settings=EvaluationSettings.from_dict(data["settings"]),
            packages=data["packages"],
            metrics={name: MetricInfo.from_dict(m) for name, m in data["metrics"].items()},
            baselines={name: Baseline.from_dict(b) for name, b in data["baselines"].items()},
            results=[ResultEntry.from_dict(e) for e in data["results"]],
            comparisons=[Comparison.from_dict(c) for c in data["comparisons"]],
            warnings=list(data.get("warnings", [])),
            language=data.get("language"),
            by_language={code: [ResultEntry.from_dict(e) for e in entries] for code, entries in data.get("by_language", {}).items()},
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``results.json`` document, keys in the order they are written."""
        return {
            "checkworthy_version": self.checkworthy_version,
            "dataset": self.dataset.to_dict(),
            "seeds": self.seeds.to_dict(),
            "settings": self.settings.to_dict(),
            "packages": self.packages,
            "metrics": {name: m.to_dict() for name, m in self.metrics.items()},
            "baselines": {name: b.to_dict() for name, b in self.baselines.items()},
            "results": [e.to_dict() for e in self.results],
            "comparisons": [c.to_dict() for c in self.comparisons],
            # Written only when known / non-empty, so that English results stay as before.
            **({"language": self.language} if self.language is not None else {}),
            **({"warnings": self.warnings} if self.warnings else {}),
            **({"by_language": {code: [e.to_dict() for e in entries] for code, entries in self.by_language.items()}} if self.by_language else {}),
        }
