"""Human-readable outputs of the harness: ``results.md`` and PNG plots.

``results.md`` has one table per scored split, each metric followed by its 95%
bootstrap interval. The plots are drawn on matplotlib ``Figure`` objects with the
Agg canvas (no pyplot, no display) and saved without a software tag, so the same
results give the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from checkworthy.evaluation.metrics import EXPECTED_TIES_NOTE
from checkworthy.schemas import validate
from checkworthy.schemas.documents import ResultEntry, Results
from checkworthy.schemas.errors import InputError
from checkworthy.schemas.io import atomic_path, atomic_write_json, atomic_write_text, read_json
from checkworthy.schemas.rows import SPLITS

#: The columns of the results table: (metric, heading).
TABLE_COLUMNS = (
    ("f1_positive", "F1 positive"),
    ("precision_positive", "P positive"),
    ("recall_positive", "R positive"),
    ("macro_f1", "macro F1"),
    ("accuracy", "accuracy"),
    ("average_precision", "AP"),
    ("map", "MAP"),
)

#: The files :func:`write_evaluation` writes, as glob patterns relative to its folder.
EVALUATION_FILES = ("results.json", "results.md", "pr_*.png", "confusion_*.png", "predictions/*.tsv")

#: A language's test rows from fewer articles than this get a note: their intervals, which
#: resample articles, are too narrow to mean much.
FEW_ARTICLES = 5


def _cell(entry: ResultEntry, metric: str) -> str:
    if metric not in entry.metrics:
        return "n/a"
    low, high = entry.ci95[metric]
    return f"{entry.metrics[metric]:.3f} [{low:.3f}, {high:.3f}]"


def p_value_text(p_value: float, n_resamples: int) -> str:
    """A bootstrap p-value as text: ``< 1/n`` when no replicate reached the observed difference
    (``0.000`` would claim more than ``n`` replicates can show).

    Examples
    --------
    >>> p_value_text(0.0, 50), p_value_text(0.0, 1000), p_value_text(0.04, 50)
    ('< 0.02', '< 0.001', '0.040')
    """
    if n_resamples > 0 and p_value * n_resamples < 1:
        return f"< {1 / n_resamples:.3g}"
    return f"{p_value:.3f}"


def ties_sentence(results: Results) -> str | None:
    """How the per-article ranking metrics counted tied scores, from ``results.metrics``; None without them."""
    info = results.metrics.get("map")
    if info is None:
        return None
    if EXPECTED_TIES_NOTE in info.description:
        return ("MAP and the other per-article ranking metrics count tied scores at their expected value over every "
                "order of the ties, so a baseline whose scores tie (majority, random) gets no credit from the order "
                "of the file; `checkworthy score` keeps the CheckThat! scorer's input order.")
    return ("MAP and the other per-article ranking metrics rank tied scores in file order (as the CheckThat! scorer): "
            "the MAP of a baseline whose scores tie (majority, random) reflects the order of the file, not the model.")


def results_markdown(results: Results) -> str:
    """The ``results.md`` text for a results document."""
    dataset, settings, seeds = results.dataset, results.settings, results.seeds
    lines = [
        "# Baseline results",
        "",
        f"Dataset version {dataset.version or 'n/a'} (fingerprint `{dataset.fingerprint or 'n/a'}`), "
        f"scheme `{dataset.scheme}`, positive label `{settings.positive_label}`; "
        f"sizes: " + ", ".join(f"{split} {n}" for split, n in dataset.sizes.items()) + ".",
        f"Seeds: baselines {seeds.baselines}, bootstrap {seeds.bootstrap}, "
        f"dataset splits {'n/a' if seeds.dataset is None else seeds.dataset}. "
        f"checkworthy {results.checkworthy_version}, "
        f"scikit-learn {results.packages['scikit-learn']}.",
        "",
        f"Each value is followed by its {settings.confidence:.0%} bootstrap interval "
        f"({settings.n_resamples} replicates resampling {settings.bootstrap_unit}s). "
        + (
            "Decision thresholds were tuned on validation for positive-class F1, so the validation "
            "numbers of tuned baselines are optimistic: report test."
            if settings.threshold_tuned_on == "validation"
            else "No decision threshold was tuned: every baseline kept its own decision rule "
            "(the class-balanced learned baselines predict the class with the highest balanced score)."
        ),
    ]
    ties = ties_sentence(results)
    if ties:
        lines[-1] += " " + ties
    if results.language is not None:
        lines += ["", f"Data language: `{results.language}`."]
    if results.warnings:
        lines += ["", "Warnings:", ""] + [f"- {w}" for w in results.warnings]
    for split in reversed(SPLITS):  # test first; train is never scored
        entries = results.entries(split=split)
        if not entries:
            continue
        lines += ["", f"## {split}", "", "| baseline | " + " | ".join(h for _, h in TABLE_COLUMNS) + " |",
                  "|---|" + "---|" * len(TABLE_COLUMNS)]
        lines += [f"| {e.baseline} | " + " | ".join(_cell(e, m) for m, _ in TABLE_COLUMNS) + " |" for e in entries]
    for code, entries in results.by_language.items():
        n_articles = entries[0].n_articles if entries else 0
        lines += ["", f"## test, language `{code}` ({entries[0].n_items if entries else 0} sentences, {n_articles} article(s))", ""]
        if n_articles < FEW_ARTICLES:
            lines += [f"Only {n_articles} article(s): the intervals resample articles, so they say little here "
                      f"(an interval of one article has no width). Add `{code}` articles to the test split.", ""]
        lines += ["| baseline | " + " | ".join(h for _, h in TABLE_COLUMNS) + " |", "|---|" + "---|" * len(TABLE_COLUMNS)]
        lines += [f"| {e.baseline} | " + " | ".join(_cell(e, m) for m, _ in TABLE_COLUMNS) + " |" for e in entries]
    if results.comparisons:
        lines += ["", "## Paired bootstrap tests (test, F1 positive)", "",
                  "| A | B | A - B | 95% interval | p-value |", "|---|---|---|---|---|"]
        lines += [
            f"| {c.a} | {c.b} | {c.delta:+.3f} | [{c.ci95[0]:+.3f}, {c.ci95[1]:+.3f}] | {p_value_text(c.p_value, settings.n_resamples)} |"
            for c in results.comparisons
        ]
    header = "threshold (tuned on validation)" if settings.threshold_tuned_on == "validation" else "threshold (none tuned)"
    lines += ["", "## Baselines", "", f"| baseline | {header} | description |", "|---|---|---|"]
    for name, b in results.baselines.items():
        threshold = "-" if b.threshold is None else f"{b.threshold:.4f}"
        lines.append(f"| {name} | {threshold} | {b.description} |")
    return "\n".join(lines) + "\n"


def _save(figure, path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=100, metadata={"Software": None})


def plot_pr_curves(predictions: dict, split: str, pos_label, path: Path) -> None:
    """Precision-recall curves of every baseline on ``split`` in one figure."""
    from matplotlib.figure import Figure
    from sklearn.metrics import precision_recall_curve

    figure = Figure(figsize=(6, 5))
    ax = figure.add_subplot()
    for (baseline, s), p in predictions.items():
        if s != split:
            continue
        y = np.asarray(p["y_true"], dtype=object) == pos_label
        precision, recall, _ = precision_recall_curve(y, p["y_score"])
        ax.plot(recall, precision, label=baseline, drawstyle="steps-post")
    ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02), title=f"Precision-recall ({pos_label}), {split}")
    ax.legend(loc="lower left")
    _save(figure, path)


def plot_confusion_matrix(entry: ResultEntry, path: Path) -> None:
    """The confusion matrix of one results entry (rows gold, columns predicted)."""
    from matplotlib.figure import Figure

    labels = entry.confusion_matrix["labels"]
    matrix = np.asarray(entry.confusion_matrix["matrix"])
    figure = Figure(figsize=(1.2 * len(labels) + 2, 1.2 * len(labels) + 1.5))
    ax = figure.add_subplot()
    ax.imshow(matrix, cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, str(count), ha="center", va="center", color="white" if count > matrix.max() / 2 else "black")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set(xlabel="predicted", ylabel="gold", title=f"{entry.baseline}, {entry.split}")
    figure.tight_layout()
    _save(figure, path)


def write_report(results: Results, predictions: dict, out: str | Path) -> list[Path]:
    """Write ``results.md``, ``pr_<split>.png`` and ``confusion_<baseline>_<split>.png`` in ``out``."""
    out = Path(out)
    written = [out / "results.md"]
    atomic_write_text(written[0], results_markdown(results))
    pos = results.settings.positive_label
    for split in sorted({s for _, s in predictions}):
        path = out / f"pr_{split}.png"
        plot_pr_curves(predictions, split, pos, path)
        written.append(path)
    for entry in results.results:
        path = out / f"confusion_{entry.baseline}_{entry.split}.png"
        plot_confusion_matrix(entry, path)
        written.append(path)
    return written


def write_predictions(predictions: dict, out: str | Path) -> list[Path]:
    """Each baseline's predictions as ``predictions/<baseline>_<split>.tsv`` in the CheckThat! format.

    The rows are ``id<TAB>class_label<TAB>run_id`` (with that header), so that
    ``checkworthy score`` or the official scorer can read them back.
    """
    written = []
    for (baseline, split), p in sorted(predictions.items()):
        path = Path(out) / "predictions" / f"{baseline}_{split}.tsv"
        rows = ["id\tclass_label\trun_id"] + [f"{i}\t{label}\t{baseline}" for i, label in zip(p["ids"], p["y_pred"])]
        atomic_write_text(path, "\n".join(rows) + "\n")
        written.append(path)
    return written


def write_evaluation(results: Results, predictions: dict, out: str | Path) -> list[Path]:
    """Validate ``results`` against ``results.schema.json``, then write every output into ``out``.

    Returns the paths written: ``results.json``, ``results.md``, the plots and the predictions.
    """

    out = Path(out)
    document = results.to_dict()
    validate(document, "results", f"{out / 'results.json'}")
    atomic_write_json(out / "results.json", document)
    return [out / "results.json", *write_report(results, predictions, out), *write_predictions(predictions, out)]


def written_by_evaluate(out: str | Path) -> bool:
    """Whether ``out`` holds a ``results.json`` of ``checkworthy evaluate`` (how an evaluation
    folder written before output folders had a marker is recognised)."""
    path = Path(out) / "results.json"
    try:
        document = read_json(path) if path.is_file() else None
    except InputError:
        return False
    return isinstance(document, dict) and {"checkworthy_version", "dataset", "results"} <= set(document)
