"""How well ``checkworthy review`` finds wrong labels: CT24 English train with planted label flips.

For each seed: a seeded random 6,000-sentence slice of ``CT24_checkworthy_english_train.tsv``
has 5% of its labels flipped at random (Yes <-> No, seeded); the slice is written as a
CheckThat! folder and built with the code of ``checkworthy build --from checkthat``; the
version is reviewed with the code of ``checkworthy review`` (``review_version``; by default
``tfidf-lr``, 5 folds, no class weights, the seed as ``--seed``; ``--baseline
embed-lr`` needs the extra ``embed``). Reported: the share of the flipped labels that the
review puts in its top 10% (goal: at least 60%), the share among the items confident
learning flags, and the run time of the review (wall clock, and CPU time of all threads;
median over the seeds; the build is timed apart).

Usage::

    python benchmarks/review_bench.py --data ../shared/bench/checkthat2024 [--seeds 0 1 2] [--size 6000] [--flip 0.05] \
        [--baseline tfidf-lr|embed-lr|tfidf-lr+embed-lr|...] [--folds 5] [--class-weight balanced|none]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

import checkworthy.registry  # noqa: F401  (fills the model view of review, as the CLI does)
from checkworthy.builder.build import BuildConfig
from checkworthy.builder.corpora import read_checkthat_tsv
from checkworthy.builder.from_corpus import build_from_corpus
from checkworthy.builder.review import ReviewConfig, review_version
from checkworthy.schemas.io import quiet_progress

TRAIN = "CT24_checkworthy_english_train.tsv"


def planted_folder(frame, out: Path, size: int, share: float, seed: int) -> set[str]:
    """Write a CheckThat! folder with a seeded slice whose labels are flipped at random; returns the flipped ids."""
    rng = np.random.default_rng(seed)
    rows = frame.iloc[np.sort(rng.choice(len(frame), size=size, replace=False))]
    flipped_at = set(rng.choice(size, size=round(share * size), replace=False).tolist())
    out.mkdir(parents=True)
    flipped = set()
    with open(out / TRAIN, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(["Sentence_id", "Text", "class_label"])
        for n, (sid, text, label) in enumerate(zip(rows["id"], rows["text"], rows["label"])):
            if n in flipped_at:
                label = "No" if label == "Yes" else "Yes"
                flipped.add(str(sid))
            writer.writerow([sid, text, label])
    return flipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, type=Path, help="folder with CT24_checkworthy_english_train.tsv")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--size", type=int, default=6000)
    parser.add_argument("--flip", type=float, default=0.05)
    parser.add_argument("--top", type=float, default=0.10, help="share of the ranking counted as its top (default: 0.10)")
    parser.add_argument("--baseline", default="tfidf-lr", help="review --baseline: a baseline, several joined by + (default: tfidf-lr)")
    parser.add_argument("--folds", type=int, default=5, help="review --folds (default: 5)")
    parser.add_argument("--class-weight", default="none", choices=["none", "balanced"], help="review --class-weight (default: none)")
    args = parser.parse_args()
    frame = read_checkthat_tsv(args.data / TRAIN).frame
    print(f"{TRAIN}: {len(frame)} rows; slice {args.size}, {args.flip:.0%} flipped, top {args.top:.0%}, baseline {args.baseline}, {args.folds} folds, class weights {args.class_weight}")
    print(f"{'seed':>4} {'items':>6} {'flipped':>7} {'in top':>7} {'recall@top':>10} {'flagged':>7} {'flips flagged':>13} {'build s':>8} {'review s':>8} {'review CPU s':>12}")
    recalls, times = [], []
    with tempfile.TemporaryDirectory() as tmp, quiet_progress():
        for seed in args.seeds:
            root = Path(tmp) / f"seed{seed}"
            flipped = planted_folder(frame, root / "corpus", args.size, args.flip, seed)
            start = time.perf_counter()
            build_from_corpus("checkthat", root / "corpus", root / "ds", BuildConfig(scheme="checkthat"))
            built = time.perf_counter() - start
            start, cpu = time.perf_counter(), time.process_time()
            result = review_version(root / "ds", root / "review", ReviewConfig(baseline=args.baseline, folds=args.folds, seed=seed, class_weight=args.class_weight))
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
            ranked = [json.loads(line)["sentence_id"] for line in (root / "review" / "review.jsonl").read_text().splitlines()]
            present = flipped & set(ranked)
            top = set(ranked[: round(args.top * len(ranked))])
            flagged = {i.sentence_id for i in result.doubtful}
            recall = len(present & top) / len(present)
            recalls.append(recall)
            times.append(took)
            print(f"{seed:>4} {len(ranked):>6} {len(present):>7} {len(present & top):>7} {recall:>10.3f} {len(flagged):>7} "
                  f"{len(present & flagged):>6} ({len(present & flagged) / len(present):.2f}) {built:>8.1f} {took:>8.1f} {cpu:>12.1f}")
    print(f"recall of flipped labels in the top {args.top:.0%}: mean {statistics.mean(recalls):.3f}, "
          f"min {min(recalls):.3f}, max {max(recalls):.3f} (goal >= 0.60); review time median {statistics.median(times):.1f} s")


if __name__ == "__main__":
    main()
