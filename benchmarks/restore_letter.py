"""Seventh round of the Dutch study: put back the lost ``t`` of the Dutch dev-test (CheckThat! 2024).

The CheckThat! 2024 Dutch dev-test (the CT22 Dutch test set) has every lowercase ``t``
replaced by a space, and every ``tt`` by a single space (``https`` is ``h ps`` all 379
times, never ``h  ps``: read from the texts, no label); the Dutch train and dev files are clean (``../shared/bench/README.md``,
and the issue itself). Models trained on clean Dutch read it damaged. This round restores
the letter before scoring, with :class:`checkworthy.builder.restore.LetterRestorer`, which
learns from clean Dutch only (it damages clean text itself the same way, so it never sees a
label or a dev-test text as training data).

(Disclosure: a first version of this script modelled the damage as one space per ``t``. Its
one smoke run, ``--baselines tfidf-svm --seeds 0``, printed tfidf-svm's dev-test F1, 0.6576 as
distributed and 0.6464 restored, before the restored texts showed ``https`` coming back as
``htps``; the damage model was then corrected from the texts, the rules below unchanged.
The first full run, with hashed features, was stopped after ``me5-ft`` seed 0, which printed
dev-test F1 0.6633 as distributed and 0.6531 restored; the restorer then moved to exact
features (``DictVectorizer``) because hashing 2**21 features made it fit in 32 s instead of
7 s, and the run was started again. Nothing else changed.)

Three steps, all printed:

1. **Restorer quality, selection data.** Fitted on Dutch train, applied to Dutch dev with its
   ``t`` blanked: accuracy over the ambiguous spaces, precision and recall of the put-back
   letter, words and texts restored exactly.
2. **Selection: does restoring recover the models' ranking?** Every model (``--baselines``,
   ``--seeds``), trained on train, scores Dutch dev three ways: clean, blanked, and blanked
   then restored (restorer fitted on train only). Average precision of each, and F1 of Yes at
   the threshold tuned on clean dev (the harness's rule).
3. **Dev-test.** The restorer is fitted on train and dev (all clean Dutch there is, no label
   used) and applied to dev-test. Each model's F1 of Yes, threshold tuned on clean dev as
   always, on dev-test as distributed and restored.

The rules, written down before this script was first run:

- Restoring is adopted for the Dutch dev-test only if, in step 2, the average precision on
  restored dev is higher than on blanked dev for ``me5-ft`` (mean over the seeds) **and** for
  ``tfidf-svm``. Dev-test (step 3) is printed whatever the outcome and never chooses.
- The Dutch goal (F1 of Yes >= 0.660 on dev-test, the organisers' n-gram 0.510 + 0.15) counts
  as met robustly only if restoring is adopted **and** ``me5-ft``'s mean over the five seeds
  0 to 4 on restored dev-test is at least 0.660. ``me5-ft`` is the model the fourth round's
  rule chose; nothing is re-chosen here.

The models are fitted exactly as in the fourth and sixth rounds (same seeds, same code), so
the "as distributed" column reproduces their dev-test figures.

Usage::

    python benchmarks/restore_letter.py --data ../shared/bench/checkthat2024 \\
        [--baselines me5-ft,tfidf-svm] [--seeds 0,1,2,3,4] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from checkworthy.builder.restore import LetterRestorer, guess_damage
from checkworthy.evaluation.baselines import f1_optimal_threshold, positive_score
from checkworthy.evaluation.external import checkthat2024
from checkworthy.evaluation.harness import SplitData, fit_baseline, score_items

GOAL = 0.660


def main(argv=None) -> int:
    from sklearn.metrics import average_precision_score, f1_score

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder with the CT24_checkworthy_dutch_*.tsv files")
    parser.add_argument("--baselines", default="me5-ft,tfidf-svm")
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--letter", default="t")
    parser.add_argument("--n-resamples", type=int, default=1000, help="bootstrap replicates of the dev-test intervals")
    parser.add_argument("--out", help="write restored texts, scores and figures here")
    args = parser.parse_args(argv)

    dataset, _ = checkthat2024(args.data, "nl")
    train, dev, test = (SplitData.from_dataset(dataset[s], s) for s in ("train", "validation", "test"))
    letter = args.letter
    dev_yes, test_yes = dev.labels == "Yes", test.labels == "Yes"

    start = time.perf_counter()
    selection_restorer = LetterRestorer(letter).fit(train.texts)
    dev_blanked = [selection_restorer.damage(t) for t in dev.texts]
    dev_restored = selection_restorer.restore(dev_blanked)
    quality = selection_restorer.evaluate(dev.texts)
    print(f"step 1: restorer fitted on train ({len(train.texts)} texts) in {time.perf_counter() - start:.1f} s; on dev with "
          f"{letter!r} blanked ({quality['positions']} ambiguous spaces): accuracy {quality['accuracy']:.4f}, precision "
          f"{quality['precision']:.4f}, recall {quality['recall']:.4f}, words found {quality['words_found']:.4f} "
          f"(blanked: {quality['damaged_words_found']:.4f}), texts exact {quality['texts_exact']:.4f}", flush=True)

    collapse, shares = guess_damage(test.texts, [*train.texts, *dev.texts], letter)
    print(f"dev-test: spaces followed by another {shares['observed']:.4f}; train + dev with each run of {letter!r} a space "
          f"{shares['runs']:.4f}, with each {letter!r} a space {shares['each']:.4f} -> "
          f"{'each run became one space' if collapse else 'each letter became a space'} (the restorer assumes the first)")
    final_restorer = LetterRestorer(letter).fit([*train.texts, *dev.texts])
    test_restored = final_restorer.restore(test.texts)
    changed = sum(a != b for a, b in zip(test.texts, test_restored))
    print(f"dev-test: {sum(r.count(letter) for r in test_restored)} {letter!r} put back in {changed} of "
          f"{len(test.texts)} texts (restorer fitted on train + dev, {len(train.texts) + len(dev.texts)} texts)", flush=True)

    figures, saved = {"restorer": quality}, {}
    for name in args.baselines.split(","):
        rows = []
        for seed in [int(s) for s in args.seeds.split(",")]:
            start = time.perf_counter()
            model, _ = fit_baseline(name, train, dev, "Yes", seed=seed, threshold="none")
            seconds = time.perf_counter() - start
            scores = {
                "dev": positive_score(model, dev.texts, "Yes"),
                "dev_blanked": positive_score(model, dev_blanked, "Yes"),
                "dev_restored": positive_score(model, dev_restored, "Yes"),
                "test": positive_score(model, test.texts, "Yes"),
                "test_restored": positive_score(model, test_restored, "Yes"),
            }
            saved.update({f"{name}_seed{seed}_{k}": v for k, v in scores.items()})
            threshold = f1_optimal_threshold(dev_yes, scores["dev"])
            row = {"seed": seed, "threshold": threshold, "train_seconds": seconds}
            for key in ("dev", "dev_blanked", "dev_restored"):
                row[f"{key}_ap"] = float(average_precision_score(dev_yes, scores[key]))
                row[f"{key}_f1"] = float(f1_score(dev_yes, scores[key] >= threshold))
            for key in ("test", "test_restored"):
                predicted = np.where(scores[key] >= threshold, "Yes", "No").astype(object)
                scored = score_items(test.labels, labels=["No", "Yes"], pos_label="Yes", y_pred=predicted, groups=test.groups,
                                     n_resamples=args.n_resamples, random_state=seed)
                row[f"{key}_f1"] = scored["metrics"]["f1_positive"]
                row[f"{key}_ci"] = scored["ci95"]["f1_positive"]
                row[f"{key}_ap"] = float(average_precision_score(test_yes, scores[key]))
                row[f"{key}_yes_rate"] = float(np.mean(predicted == "Yes"))
            rows.append(row)
            print(f"{name} seed {seed} (trained in {seconds:.0f} s) | dev AP clean {row['dev_ap']:.4f} blanked "
                  f"{row['dev_blanked_ap']:.4f} restored {row['dev_restored_ap']:.4f}; dev F1 clean {row['dev_f1']:.4f} blanked "
                  f"{row['dev_blanked_f1']:.4f} restored {row['dev_restored_f1']:.4f} | dev-test F1 as distributed "
                  f"{row['test_f1']:.4f} [{row['test_ci'][0]:.3f}, {row['test_ci'][1]:.3f}] AP {row['test_ap']:.4f} Yes rate "
                  f"{row['test_yes_rate']:.2f}; restored {row['test_restored_f1']:.4f} [{row['test_restored_ci'][0]:.3f}, "
                  f"{row['test_restored_ci'][1]:.3f}] AP {row['test_restored_ap']:.4f} Yes rate {row['test_restored_yes_rate']:.2f}",
                  flush=True)
        mean = {k: float(np.mean([r[k] for r in rows])) for k in rows[0] if k.endswith(("_ap", "_f1"))}
        figures[name] = {"seeds": rows, "mean": mean}
        print(f"{name}: mean over {len(rows)} seed(s): dev AP blanked {mean['dev_blanked_ap']:.4f} -> restored "
              f"{mean['dev_restored_ap']:.4f} (clean {mean['dev_ap']:.4f}); dev-test F1 as distributed {mean['test_f1']:.4f}, "
              f"restored {mean['test_restored_f1']:.4f}", flush=True)

    needed = [n for n in ("me5-ft", "tfidf-svm") if n in figures]
    if len(needed) == 2:
        adopted = all(figures[n]["mean"]["dev_restored_ap"] > figures[n]["mean"]["dev_blanked_ap"] for n in needed)
        mean_me5 = figures["me5-ft"]["mean"]["test_restored_f1"]
        print(f"rule: restoring {'is' if adopted else 'is not'} adopted (restored dev AP above blanked for me5-ft and tfidf-svm: "
              f"{adopted}); me5-ft mean dev-test F1 restored {mean_me5:.4f} against the goal {GOAL}: goal "
              f"{'met' if adopted and mean_me5 >= GOAL and len(figures['me5-ft']['seeds']) >= 5 else 'not met'}")
        figures["rule"] = {"adopted": adopted, "me5_ft_mean_restored": mean_me5}
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        np.savez(out / "scores.npz", **saved)
        (out / "figures.json").write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        (out / "dev-test-restored.txt").write_text("".join(t + "\n" for t in test_restored), encoding="utf-8")
        print(f"wrote {out / 'scores.npz'}, {out / 'figures.json'}, {out / 'dev-test-restored.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
