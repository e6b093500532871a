"""ClaimBuster (Arslan et al. 2020; Meng et al. 2020): three-class baselines with splits by debate.

``crowdsourced.csv`` is split 70/15/15 by debate (``File_id``; seeded shuffle of the
debates), so no debate is in two splits. Each baseline is trained on train, its CFS
threshold tuned on validation, and scored on test: macro F1 over CFS/UFS/NFS and
CFS-vs-rest F1, with 95% intervals resampling debates.

Usage::

    python benchmarks/claimbuster.py --data ../shared/bench/claimbuster [--baselines ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from checkworthy.evaluation.baselines import CORE_BASELINES
from checkworthy.evaluation.external import claimbuster_by_debate
from checkworthy.evaluation.harness import evaluate_baselines
from checkworthy.schemas import load_scheme


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="folder with crowdsourced.csv")
    parser.add_argument("--file", default="crowdsourced.csv")
    parser.add_argument("--baselines", default=",".join(CORE_BASELINES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-resamples", type=int, default=1000)
    args = parser.parse_args(argv)

    dataset, problems = claimbuster_by_debate(Path(args.data) / args.file, seed=args.seed)
    sizes = {s: (len(d), len(set(d["article_id"]))) for s, d in dataset.items()}
    print(f"{args.file}: " + ", ".join(f"{s} {n} sentences / {k} debates" for s, (n, k) in sizes.items())
          + f"; {len(problems)} data problems reported (kept)")
    results = evaluate_baselines(
        dataset, load_scheme("claimbuster"), baselines=args.baselines.split(","), seed=args.seed, n_resamples=args.n_resamples,
        progress=lambda m: print(f"  .. {m}", file=sys.stderr),
    ).results
    print("baseline      test macro F1 [95% CI, debates]   test CFS F1 [95% CI]         MAP (per debate)")
    for entry in results.entries(split="test"):
        m, ci = entry.metrics, entry.ci95
        print(f"{entry.baseline:<13} {m['macro_f1']:.4f} [{ci['macro_f1'][0]:.4f}, {ci['macro_f1'][1]:.4f}]         "
              f"{m['f1_positive']:.4f} [{ci['f1_positive'][0]:.4f}, {ci['f1_positive'][1]:.4f}]   {m['map']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
