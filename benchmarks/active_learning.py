"""Active learning on CheckThat! 2024 English: does choosing what to label beat labeling at random?

Simulates the loop of ``checkworthy tasks --strategy ... --budget N`` on CT24 English
train, where a label is revealed only when its sentence is chosen:

1. start from 200 sentences drawn with the ``random`` strategy (the same 200 for every
   strategy of a seed);
2. train the baseline on the labels revealed so far (threshold tuned on CT24 dev, as
   ``checkworthy train`` does), score F1 of ``Yes`` and average precision on dev-test;
3. score every unlabeled train sentence with the trained model (``BaselineScorer``, the
   scorer of ``tasks --scorer`` / ``--model``) and choose the next batch with
   ``checkworthy.builder.sampling.choose``, the function ``checkworthy tasks`` uses,
   until 500, 1,000, 2,000 and 4,000 labels; repeat 2.

(``--baseline embed-lr``, extra ``embed``: each text is encoded once, see :class:`Models`)
for the strategies ``uncertainty``, ``diverse`` and ``random`` over three seeds (the seed
draws the first 200, drives ``random`` and seeds the baseline and ``diverse``'s k-means).
``diverse`` spreads each batch over text clusters of the least sure sentences (see
``checkworthy.builder.sampling``); the articles (ClaimBuster ``File_id``, the debate,
from ``--articles``, ``crowdsourced.csv``, which has the same ids as CT24 train) are
passed to ``choose`` as ``tasks`` passes them, but no strategy uses them now.

Measures on dev-test (318 sentences): F1 with two decision rules: the threshold tuned on dev (``F1``, what
``checkworthy train`` saves) and the model's own class-balanced rule (``F1 own``, as
``--threshold none``); CT24 dev and dev-test differ in class balance, see
``benchmarks/checkthat2024.py``; and AP. Dev (1,032 sentences) only tunes the threshold,
so F1 with the model's own rule and AP are also given on dev, three times the sentences
and less noisy. The table gives the mean and min-max over seeds of
each measure and the share of ``Yes`` among the labels; the goal ("uncertainty or
diverse reaches, with at most 2,000 labels, random's mean at 4,000") is checked on each
measure, means over seeds. It also times one round (score + choose of
2,000) on 20,000 candidates for each strategy (median of 5).

Usage::

    python benchmarks/active_learning.py --data ../shared/bench/checkthat2024 [--articles ../shared/bench/claimbuster/crowdsourced.csv]
        [--baseline tfidf-lr] [--seeds 0 1 2] [--strategies uncertainty diverse random] [--threshold validation|none] [--out results.json]
    python benchmarks/active_learning.py --results a.json b.json   # one table from runs of separate strategies
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, f1_score

from checkworthy.builder.corpora import checkthat_split_files, read_checkthat_tsv
from checkworthy.builder.sampling import choose
from checkworthy.evaluation.baselines import get_baseline, make_baseline, positive_score, tune_threshold, with_threshold
from checkworthy.evaluation.estimators import PrecomputedEmbedder, encode_once
from checkworthy.evaluation.harness import SplitData
from checkworthy.evaluation.selection import BaselineScorer
from checkworthy.schemas.records import Article, Sentence

START = 200
STEPS = (500, 1000, 2000, 4000)
STRATEGIES = ("uncertainty", "diverse", "random")
TIMING_CANDIDATES = 20_000
#: The measures, as the table heads them (dev-test: 318 sentences; dev: 1,032, which only tunes the threshold).
METRICS = {"f1": "F1 (Yes), threshold tuned on dev", "f1_own": "F1 (Yes), own rule", "ap": "AP",
           "dev_f1_own": "dev F1, own rule", "dev_ap": "dev AP"}


def read_articles(path: Path | None) -> dict[str, str]:
    """ClaimBuster ``Sentence_id`` -> ``File_id`` (the debate), or {} without the file."""
    if path is None or not path.is_file():
        return {}
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, usecols=["Sentence_id", "File_id"])
    return dict(zip(frame["Sentence_id"], frame["File_id"]))


def as_sentences(ids, texts) -> list[Sentence]:
    """Candidates as the records the CLI's scorers take (offsets are not used by a baseline)."""
    return [Sentence(f"ct24:{i}", "ct24", n, 0, len(t), t, "body") for n, (i, t) in enumerate(zip(ids, texts))]


class Models:
    """Unfitted baselines whose sentence encoder (``embed-lr``) has encoded every text once.

    The encoder learns nothing from the labels, so each of the benchmark's texts (train,
    dev and dev-test) is encoded on the first :meth:`make` and looked up afterwards
    (:func:`checkworthy.evaluation.estimators.encode_once`, as ``checkworthy review`` does);
    the model is the one ``checkworthy train`` fits, without encoding 23,000 sentences each round.
    A baseline without an encoder (``tfidf-lr``) is made as it is.
    """

    def __init__(self, baseline: str, texts):
        self.baseline, self.texts, self.embedders = baseline, list(texts), None

    def make(self, seed: int):
        model = make_baseline(self.baseline, random_state=seed)
        if self.embedders is None:
            started = time.perf_counter()
            encoded = encode_once(model, self.texts)
            params = encoded.get_params(deep=True) if encoded is not model else {}
            self.embedders = {name: value for name, value in params.items() if isinstance(value, PrecomputedEmbedder)}
            if self.embedders:
                print(f"encoded {len(set(self.texts))} distinct texts once in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            return encoded
        return model.set_params(**self.embedders) if self.embedders else model


def train(models: Models, ids, texts, labels, dev: SplitData, seed: int, rule: str = "validation"):
    """Fit on the revealed labels; the scorer and the untuned model.

    With ``rule="validation"`` the scorer is the model with its threshold tuned on dev
    (``checkworthy train``); with ``"none"`` it is the untuned model, whose decision
    threshold is 0.5 (``checkworthy train --threshold none``). ``F1`` always uses the tuned threshold.
    """
    baseline = models.baseline
    own = models.make(seed).fit(list(texts), np.asarray(labels, dtype=object))
    threshold = tune_threshold(own, dev.texts, dev.labels, "Yes")
    tuned = with_threshold(own, "Yes", threshold, dev.texts, dev.labels)
    metadata = {"baseline": baseline, "positive_label": "Yes", "threshold": threshold if rule == "validation" else None,
                "dataset": {"version": "ct24-train-al", "fingerprint": f"seed{seed}n{len(ids)}"}}
    scorer = BaselineScorer(model=tuned if rule == "validation" else own, metadata=metadata)
    return scorer, own, tuned


def evaluate(tuned, own, test: SplitData, dev: SplitData) -> dict[str, float]:
    """F1 (tuned threshold), F1 own rule and AP on dev-test; F1 own rule and AP on dev too.

    Dev (1,032 sentences, three times dev-test) only tunes the threshold, so the measures
    that do not use the threshold are held out there as well, and less noisy.
    """
    y = test.labels == "Yes"
    y_dev = dev.labels == "Yes"
    return {
        "f1": float(f1_score(y, tuned.predict(test.texts) == "Yes")),
        "f1_own": float(f1_score(y, own.predict(test.texts) == "Yes")),
        "ap": float(average_precision_score(y, positive_score(own, test.texts, "Yes"))),
        "dev_f1_own": float(f1_score(y_dev, own.predict(dev.texts) == "Yes")),
        "dev_ap": float(average_precision_score(y_dev, positive_score(own, dev.texts, "Yes"))),
    }


def one_round(scorer: BaselineScorer, pool: list[Sentence], articles: list[str], strategy: str, budget: int, seed: int):
    """Score the unlabeled pool and choose ``budget`` of it: what ``checkworthy tasks`` does."""
    scores = [value for value, _ in scorer.score(pool, ARTICLE)]
    return choose([s.sentence_id for s in pool], articles, scores, [s.text for s in pool],
                  strategy=strategy, budget=budget, seed=seed, threshold=scorer.threshold)


ARTICLE = Article("ct24", "CT24 English train")


def run(args) -> dict:
    files = checkthat_split_files(args.data, "en")
    frames = {split: read_checkthat_tsv(path).frame for split, path in files.items()}
    dev = SplitData(frames["validation"]["id"].to_numpy(object), frames["validation"]["text"].tolist(),
                    frames["validation"]["label"].to_numpy(object), None)
    test = SplitData(frames["test"]["id"].to_numpy(object), frames["test"]["text"].tolist(),
                     frames["test"]["label"].to_numpy(object), None)
    train_frame = frames["train"]
    debates = read_articles(args.articles)
    sentences = as_sentences(train_frame["id"].tolist(), train_frame["text"].tolist())
    labels = dict(zip((s.sentence_id for s in sentences), train_frame["label"].tolist()))
    article_of = {s.sentence_id: debates.get(s.sentence_id.split(":", 1)[1], s.sentence_id) for s in sentences}
    print(f"train {len(sentences)} sentences ({sum(v == 'Yes' for v in labels.values())} Yes), dev {len(dev.texts)}, "
          f"dev-test {len(test.texts)}; articles: {len(set(article_of.values()))} "
          f"({'ClaimBuster File_id' if debates else 'none given: one per sentence'})", file=sys.stderr)
    models = Models(args.baseline, [s.text for s in sentences] + list(dev.texts) + list(test.texts))
    curves: dict = {}
    timings: dict = {}
    for seed in args.seeds:
        print(f"seed {seed}: the scorer's decision threshold is {'tuned on dev' if args.threshold == 'validation' else '0.5 (own rule)'}",
              file=sys.stderr)
        first = choose([s.sentence_id for s in sentences], [article_of[s.sentence_id] for s in sentences],
                       [0.5] * len(sentences), strategy="random", budget=START, seed=seed)
        for strategy in args.strategies:
            labeled = [sentences[p.index] for p in first]
            chosen = {s.sentence_id for s in labeled}
            points = []
            for step in (START, *STEPS):
                started = time.perf_counter()
                scorer, own, tuned = train(models, [s.sentence_id for s in labeled], [s.text for s in labeled],
                                           [labels[s.sentence_id] for s in labeled], dev, seed, args.threshold)
                fit_seconds = time.perf_counter() - started
                point = {"labels": len(labeled), "yes": sum(labels[s.sentence_id] == "Yes" for s in labeled),
                         **evaluate(tuned, own, test, dev), "fit_seconds": round(fit_seconds, 3)}
                if step != STEPS[-1]:
                    pool = [s for s in sentences if s.sentence_id not in chosen]
                    next_step = STEPS[STEPS.index(step) + 1] if step in STEPS else STEPS[0]
                    started = time.perf_counter()
                    picks = one_round(scorer, pool, [article_of[s.sentence_id] for s in pool], strategy, next_step - len(labeled), seed)
                    point["round_seconds"] = round(time.perf_counter() - started, 3)
                    if strategy not in timings and len(pool) >= TIMING_CANDIDATES:
                        timings[strategy] = time_round(scorer, pool[:TIMING_CANDIDATES], article_of, strategy, seed)
                    labeled += [pool[p.index] for p in picks]
                    chosen.update(pool[p.index].sentence_id for p in picks)
                points.append(point)
                print(f"seed {seed} {strategy:<11} {point['labels']:>5} labels ({point['yes']} Yes): F1 {point['f1']:.3f} "
                      f"F1 own {point['f1_own']:.3f} AP {point['ap']:.3f}; dev: F1 own {point['dev_f1_own']:.3f} AP {point['dev_ap']:.3f}", file=sys.stderr)
            curves.setdefault(strategy, {})[seed] = points
    return {"baseline": args.baseline, "threshold": args.threshold, "seeds": args.seeds, "start": START, "steps": list(STEPS),
            "articles": "ClaimBuster File_id" if debates else None, "curves": curves, "round_seconds_20k": timings}


def time_round(scorer, pool, article_of, strategy, seed, repeats: int = 5) -> dict[str, float]:
    """Median seconds of scoring and of choosing on ``pool`` (a 2,000-sentence batch)."""
    score_times, choose_times = [], []
    ids, texts, articles = [s.sentence_id for s in pool], [s.text for s in pool], [article_of[s.sentence_id] for s in pool]
    for _ in range(repeats):
        started = time.perf_counter()
        scores = [value for value, _ in scorer.score(pool, ARTICLE)]
        middle = time.perf_counter()
        choose(ids, articles, scores, texts, strategy=strategy, budget=2000, seed=seed, threshold=scorer.threshold)
        score_times.append(middle - started)
        choose_times.append(time.perf_counter() - middle)
    return {"candidates": len(pool), "score": round(statistics.median(score_times), 3),
            "choose": round(statistics.median(choose_times), 3),
            "total": round(statistics.median(s + c for s, c in zip(score_times, choose_times)), 3)}


def table(results: dict) -> str:
    """Mean (min-max over seeds) of F1, F1 own and AP per strategy and number of labels, and the
    mean share of ``Yes`` among the labels (``tfidf-lr`` weighs the classes by it: ``class_weight="balanced"``)."""
    metrics = [m for m in METRICS if all(m in run[0] for by_seed in results["curves"].values() for run in by_seed.values())]
    lines = ["| strategy | labels | Yes share | " + " | ".join(METRICS[m] for m in metrics) + " |", "|---|---|---|" + "---|" * len(metrics)]
    for strategy, by_seed in results["curves"].items():
        runs = list(by_seed.values())
        for k in range(len(runs[0])):
            cells = []
            for metric in metrics:
                values = [run[k][metric] for run in runs]
                cells.append(f"{statistics.mean(values):.3f} ({min(values):.3f}-{max(values):.3f})")
            share = statistics.mean(run[k]["yes"] / run[k]["labels"] for run in runs)
            lines.append(f"| {strategy} | {runs[0][k]['labels']} | {share:.2f} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("| strategy | one round on 20,000 candidates: score | choose | total (s, median of 5) |")
    lines.append("|---|---|---|---|")
    for strategy, t in results["round_seconds_20k"].items():
        lines.append(f"| {strategy} | {t['score']} | {t['choose']} | {t['total']} |")
    return "\n".join(lines)


def goal(results: dict) -> str:
    """Does uncertainty or diverse reach, with at most 2,000 labels, random's F1 at 4,000?"""
    def mean_at(strategy, labels, metric):
        return statistics.mean(run[k][metric] for run in results["curves"][strategy].values()
                               for k in range(len(run)) if run[k]["labels"] == labels)

    out = []
    if "random" not in results["curves"]:
        return "(random not run: no goal to compare with)"
    for metric in [m for m in METRICS if all(m in run[0] for by_seed in results["curves"].values() for run in by_seed.values())]:
        target = mean_at("random", STEPS[-1], metric)
        for strategy in [s for s in ("uncertainty", "diverse") if s in results["curves"]]:
            reached = [n for n in (START, *STEPS) if n <= 2000 and mean_at(strategy, n, metric) >= target]
            out.append(f"{metric}: random at 4000 = {target:.3f}; {strategy} reaches it with "
                       + (f"{reached[0]} labels" if reached else "no budget up to 2000") + f" (at 2000: {mean_at(strategy, 2000, metric):.3f})")
    return "\n".join(out)


def merge(runs: list[dict]) -> dict:
    """Several ``--out`` files of the same settings as one: their curves and timings together."""
    settings = {(r["baseline"], r["threshold"], tuple(r["seeds"]), r["start"], tuple(r["steps"])) for r in runs}
    if len(settings) != 1:
        raise SystemExit(f"--results: the files were run with different settings: {sorted(settings)}")
    merged = dict(runs[0], curves={}, round_seconds_20k={})
    for r in runs:
        for strategy, by_seed in r["curves"].items():
            merged["curves"][strategy] = {int(seed): points for seed, points in by_seed.items()}
        merged["round_seconds_20k"].update(r["round_seconds_20k"])
    return merged


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="folder with CT24_checkworthy_english_{train,dev,dev-test}.tsv")
    parser.add_argument("--results", type=Path, nargs="+", help="print the table and goal of earlier --out files "
                        "(e.g. strategies run in separate processes), merged, and run nothing")
    parser.add_argument("--articles", type=Path, help="ClaimBuster crowdsourced.csv for the debate of each sentence "
                        "(default: ../claimbuster/crowdsourced.csv beside --data, when present)")
    parser.add_argument("--baseline", default="tfidf-lr", help="registered baseline (default: tfidf-lr)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--strategies", nargs="+", choices=STRATEGIES, default=list(STRATEGIES))
    parser.add_argument("--threshold", choices=["validation", "none"], default="validation",
                        help="the scorer's decision threshold: tuned on dev (default, as 'checkworthy train') or the "
                             "model's own rule, 0.5 ('train --threshold none'); uncertainty is least sure there")
    parser.add_argument("--out", type=Path, help="write the curves and timings as JSON here")
    args = parser.parse_args(argv)
    if args.results:
        results = merge([json.loads(path.read_text(encoding="utf-8")) for path in args.results])
        print(table(results))
        print()
        print(goal(results))
        return 0
    if args.data is None:
        parser.error("--data is required (or --results)")
    get_baseline(args.baseline)
    if args.articles is None:
        args.articles = args.data.parent / "claimbuster" / "crowdsourced.csv"
    results = run(args)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    print()
    print(goal(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
