"""CheckThat! 2019 Task 1: MAP over the test debates of rankers trained on the training debates.

Each baseline is fitted on ``training/`` (no threshold: only the ranking counts) and
ranks every line of each ``test_annotated/`` debate by its positive-class score.
MAP, R-Precision, reciprocal rank and P@k are computed per debate by the harness
(ties in file order, as the official scorer) with 95% intervals resampling debates;
each debate's ranking is also written in the official ``line_number<TAB>score``
format and scored by ``checkworthy score``'s code as a cross-check.

Usage::

    python benchmarks/checkthat2019.py --data ../shared/bench/checkthat2019-task1 [--baselines ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from checkworthy.evaluation.baselines import make_baseline, positive_score
from checkworthy.evaluation.external import checkthat2019
from checkworthy.evaluation.harness import score_items
from checkworthy.evaluation.scoring import score_file


def main(argv=None) -> int:
    import numpy as np


    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="folder with training/ and test_annotated/")
    parser.add_argument("--baselines", default="random,tfidf-lr,tfidf-svm")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-resamples", type=int, default=1000)
    args = parser.parse_args(argv)

    data = Path(args.data)
    train, test = checkthat2019(data / "training"), checkthat2019(data / "test_annotated")
    y_train = train.features["label"].int2str(train["label"])
    y_test = np.asarray(test.features["label"].int2str(test["label"]), dtype=object)
    debates = np.asarray(test["article_id"], dtype=object)
    print(f"training: {len(train)} lines, {y_train.count('Yes')} positive; test: {len(test)} lines in {len(set(debates))} debates, "
          f"{int((y_test == 'Yes').sum())} positive. Best 2019 primary run: MAP 0.1660.")
    print("baseline     MAP [95% CI, debates]        R-Prec  RR      P@5     P@10    scorer MAP")
    for name in args.baselines.split(","):
        model = make_baseline(name, random_state=args.seed).fit(train["text"], y_train)
        scores = positive_score(model, test["text"], "Yes")
        scored = score_items(y_test, labels=["Yes", "No"], pos_label="Yes", y_score=scores, groups=debates,
                             n_resamples=args.n_resamples, random_state=args.seed)
        per_debate = []
        with tempfile.TemporaryDirectory() as tmp:
            for debate in sorted(set(debates)):
                mask = debates == debate
                lines = [sid.split(":", 1)[1] for sid in np.asarray(test["sentence_id"])[mask]]
                ranking = Path(tmp) / f"{debate}.tsv"
                ranking.write_text("".join(f"{i}\t{float(s)!r}\n" for i, s in zip(lines, scores[mask])), encoding="utf-8")
                per_debate.append(score_file(data / "test_annotated" / f"{debate}.tsv", ranking, n_resamples=1)["metrics"]["map"])
        m, ci = scored["metrics"], scored["ci95"]
        print(f"{name:<12} {m['map']:.4f} [{ci['map'][0]:.4f}, {ci['map'][1]:.4f}]   {m['r_precision']:.4f}  {m['mrr']:.4f}  "
              f"{m['p@5']:.4f}  {m['p@10']:.4f}  {np.mean(per_debate):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
