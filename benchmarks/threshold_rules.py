"""Sixth round of the Dutch study: a steadier threshold for the same models (CheckThat! 2024).

What varies most between seeds of ``me5-ft`` on Dutch dev-test is the decision
threshold, tuned for F1 of Yes on Dutch dev's 252 tweets (see the README's CheckThat! 2024
section). This script compares two threshold rules on the same fitted models, so the
models and their scores are identical under both:

``validation``
    the harness's rule: the lowest threshold that maximises F1 of Yes on dev
    (:func:`checkworthy.evaluation.baselines.f1_optimal_threshold`).
``bagged``
    bootstrap aggregation of that threshold: the median, over ``--bootstrap`` (200)
    resamples of dev drawn with replacement, of each resample's F1-optimal threshold
    (resamples without a Yes are skipped). Bagging lowers the variance of an estimate
    that jumps between the plateaus of a small sample's F1 curve.

The rule, written down before this script was first run: for each model, ``bagged``
replaces ``validation`` only if, **on selection data**, its mean held-out F1 of Yes over
the seeds is higher **and** it is higher for a majority of the seeds. Selection data: dev
only, split ``--splits`` (500) times into two stratified halves (``StratifiedShuffleSplit``,
``random_state`` 0); each rule tunes on one half and is scored on the other. Dev-test is
scored under both rules whatever the outcome and is never used to choose.

For every model and seed: trained on train (``--seeds``, default 0 to 4, the seeds of the
earlier ``me5-ft`` runs; the ``validation`` rule reproduces their dev-test F1), scored on
dev and dev-test once; the positive-class scores are saved to ``--out`` (``scores.npz``)
when given.

Usage::

    python benchmarks/threshold_rules.py --data ../shared/bench/checkthat2024 --language nl \\
        [--baselines me5-ft,tfidf-svm] [--seeds 0,1,2,3,4] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from checkworthy.evaluation.baselines import f1_optimal_threshold, positive_score
from checkworthy.evaluation.external import checkthat2024
from checkworthy.evaluation.harness import SplitData, fit_baseline, score_items


def bagged_f1_threshold(y_binary, scores, *, n_resamples: int = 200, random_state: int = 0) -> float:
    """Median of the F1-optimal thresholds of ``n_resamples`` bootstrap resamples."""
    rng = np.random.default_rng(random_state)
    y_binary, scores = np.asarray(y_binary, dtype=bool), np.asarray(scores, dtype=float)
    values = []
    for _ in range(n_resamples):
        index = rng.integers(0, len(scores), len(scores))
        if y_binary[index].any():
            values.append(f1_optimal_threshold(y_binary[index], scores[index]))
    return float(np.median(values))


RULES = {
    "validation": lambda y, s, bootstrap: f1_optimal_threshold(y, s),
    "bagged": lambda y, s, bootstrap: bagged_f1_threshold(y, s, n_resamples=bootstrap),
}


def selection_f1(y_binary, scores, *, splits: int, bootstrap: int) -> dict[str, float]:
    """Mean held-out F1 of Yes of each rule over ``splits`` stratified half-splits of dev."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedShuffleSplit

    folds = StratifiedShuffleSplit(n_splits=splits, test_size=0.5, random_state=0).split(scores, y_binary)
    totals = dict.fromkeys(RULES, 0.0)
    for tune, held in folds:
        for rule, threshold_of in RULES.items():
            threshold = threshold_of(y_binary[tune], scores[tune], bootstrap)
            totals[rule] += f1_score(y_binary[held], scores[held] >= threshold, zero_division=0.0)
    return {rule: total / splits for rule, total in totals.items()}


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """``--data``, ``--language`` and ``--train-from-dev``, as ``checkthat2024.py`` reads them (also ``label_shift.py``)."""
    parser.add_argument("--data", required=True, help="folder with the CT24_checkworthy_*.tsv files")
    parser.add_argument("--language", default="nl", choices=["en", "ar", "nl", "es"])
    parser.add_argument("--train-from-dev", type=float, default=0.7, help="without a train file (Spanish): as checkthat2024.py")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_arguments(parser)
    parser.add_argument("--baselines", default="me5-ft,tfidf-svm")
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--splits", type=int, default=500, help="stratified half-splits of dev for the selection (default 500)")
    parser.add_argument("--bootstrap", type=int, default=200, help="resamples of the bagged threshold (default 200)")
    parser.add_argument("--n-resamples", type=int, default=1000, help="bootstrap replicates of the dev-test intervals")
    parser.add_argument("--out", help="save the scores here (scores.npz)")
    args = parser.parse_args(argv)

    dataset, _ = checkthat2024(args.data, args.language, train_from_dev=args.train_from_dev)
    train, dev, test = (SplitData.from_dataset(dataset[s], s) for s in ("train", "validation", "test"))
    dev_yes, test_yes = dev.labels == "Yes", test.labels == "Yes"
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"{args.language}: train {len(train.texts)}, dev {len(dev.texts)} ({dev_yes.mean():.1%} Yes), "
          f"dev-test {len(test.texts)} ({test_yes.mean():.1%} Yes); seeds {seeds}; {args.splits} half-splits; "
          f"bagged over {args.bootstrap} resamples")
    saved = {}
    for name in args.baselines.split(","):
        rows = []
        for seed in seeds:
            start = time.perf_counter()
            model, _ = fit_baseline(name, train, dev, "Yes", seed=seed, threshold="none")
            seconds = time.perf_counter() - start
            dev_scores, test_scores = positive_score(model, dev.texts, "Yes"), positive_score(model, test.texts, "Yes")
            saved[f"{name}_seed{seed}_dev"], saved[f"{name}_seed{seed}_test"] = dev_scores, test_scores
            selection = selection_f1(dev_yes, dev_scores, splits=args.splits, bootstrap=args.bootstrap)
            row = {"selection": selection}
            for rule, threshold_of in RULES.items():
                threshold = threshold_of(dev_yes, dev_scores, args.bootstrap)
                predicted = np.where(test_scores >= threshold, "Yes", "No").astype(object)
                scored = score_items(test.labels, labels=["No", "Yes"], pos_label="Yes", y_pred=predicted, groups=test.groups,
                                     n_resamples=args.n_resamples, random_state=seed)
                row[rule] = {"threshold": threshold, "f1": scored["metrics"]["f1_positive"], "ci": scored["ci95"]["f1_positive"],
                             "yes_rate": float(np.mean(predicted == "Yes")), "dev_yes_rate": float(np.mean(dev_scores >= threshold))}
            rows.append(row)
            print(f"{name} seed {seed} (trained in {seconds:.0f} s): selection F1 validation {selection['validation']:.4f} "
                  f"bagged {selection['bagged']:.4f} | dev-test " + "; ".join(
                      f"{rule} threshold {row[rule]['threshold']:.4f} F1 {row[rule]['f1']:.4f} "
                      f"[{row[rule]['ci'][0]:.3f}, {row[rule]['ci'][1]:.3f}] Yes rate dev {row[rule]['dev_yes_rate']:.2f} "
                      f"dev-test {row[rule]['yes_rate']:.2f}" for rule in RULES),
                  flush=True)
        mean_selection = {rule: float(np.mean([r["selection"][rule] for r in rows])) for rule in RULES}
        wins = sum(r["selection"]["bagged"] > r["selection"]["validation"] for r in rows)
        chosen = "bagged" if mean_selection["bagged"] > mean_selection["validation"] and wins > len(rows) / 2 else "validation"
        print(f"{name}: selection mean F1 validation {mean_selection['validation']:.4f}, bagged {mean_selection['bagged']:.4f}; "
              f"bagged higher for {wins} of {len(rows)} seeds -> the rule keeps {chosen!r}")
        for rule in RULES:
            f1s = [r[rule]["f1"] for r in rows]
            print(f"{name}: dev-test F1 Yes under {rule!r}: " + " / ".join(f"{v:.4f}" for v in f1s)
                  + f"; mean {np.mean(f1s):.4f}, median {np.median(f1s):.4f}")
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        np.savez(Path(args.out) / "scores.npz", **saved)
        print(f"wrote {Path(args.out) / 'scores.npz'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
