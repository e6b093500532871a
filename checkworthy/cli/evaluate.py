"""``checkworthy evaluate``: train and score the baselines on a dataset version."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from checkworthy.builder.card import write_card
from checkworthy.builder.store import refuse_inside_version
from checkworthy.cli.base import REPLICATES, SEED, Command, add_json_option, add_quiet_option, print_json, progress_printer
from checkworthy.evaluation.baselines import BASELINES, CORE_BASELINES
from checkworthy.evaluation.harness import THRESHOLD_RULES, evaluate_version
from checkworthy.schemas import did_you_mean
from checkworthy.schemas.documents import Results
from checkworthy.schemas.io import read_json


def baseline_list(text: str) -> list[str]:
    """Parse ``--baselines a,b,c``; an empty list is refused (it would run the default set)."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected NAME[,NAME...], found {text!r}; leave --baselines out for the default set")
    unknown = [name for name in names if name not in BASELINES]
    if unknown:  # before any work: 'run' used to make tasks, an export and a version first
        known = list(BASELINES)
        raise argparse.ArgumentTypeError(f"unknown baseline(s) {', '.join(map(repr, unknown))}; available: {', '.join(known)}."
                                         + did_you_mean(unknown[0], known))
    return names


class EvaluateCommand(Command):
    name = "evaluate"
    order = 70
    help = "train the baselines on a dataset version and score them, with bootstrap intervals"
    description = (
        "Train each baseline on train, tune its decision threshold on validation for positive-class F1 "
        "(or keep each model's own rule with --threshold none), and score validation and test. Writes OUT/results.json (schema results.schema.json), "
        "OUT/results.md, precision-recall curves and confusion matrices (PNG), and the predictions "
        "in the CheckThat! format. The same dataset and seed give byte-identical results.json. "
        "With the default OUT the version's dataset card is regenerated with the baseline table. "
        "OUT is written whole into a temporary folder beside it and renamed into place when complete; "
        "an existing OUT is replaced whole only when it is an evaluation folder that checkworthy wrote and holds "
        "nothing else (anything else is refused before a byte is written), and a folder inside another "
        "dataset version is refused."
    )
    epilog = """examples:
  checkworthy evaluate data/mydataset                  # latest version, core baselines
  checkworthy evaluate data/mydataset@1.0.0 --baselines tfidf-lr,tfidf-svm --seed 1
  checkworthy evaluate data/mydataset --baselines embed-lr --out runs/embed   # needs checkworthy[embed]
  checkworthy evaluate data/mydataset --n-resamples 200 --quiet --json        # summary as JSON, no progress
"""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("dataset", metavar="DIR[@VERSION]", help="dataset directory, optionally @VERSION (default: latest)")
        parser.add_argument(
            "--baselines", type=baseline_list, default=list(CORE_BASELINES), metavar="NAME[,NAME...]",
            help=f"baselines to run (default: {','.join(CORE_BASELINES)}; available: {', '.join(BASELINES)})",
        )
        parser.add_argument("--seed", type=SEED, default=0, help="seed of the baselines and the bootstrap (default: 0)")
        parser.add_argument("--n-resamples", type=REPLICATES, default=1000, help="bootstrap replicates (default: 1000)")
        parser.add_argument(
            "--out", metavar="OUT",
            help="output directory (default: <version dir>/evaluation); an existing one is replaced whole, "
            "but only an evaluation folder that checkworthy wrote (a folder of your own or another command's is refused)",
        )
        parser.add_argument(
            "--threshold", choices=THRESHOLD_RULES, default="validation",
            help="decision rule of the learned baselines: a threshold tuned on validation for positive-class F1 "
            "(default), or none: each model's own class-balanced rule, for when validation comes from another "
            "collection than test",
        )
        add_json_option(parser, "out, results, results_md, predictions, card, version, fingerprint, baselines")
        add_quiet_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        if args.out is not None and not (Path(args.out).name == "evaluation" and (Path(args.out).parent / "manifest.json").is_file()):
            refuse_inside_version(args.out, "evaluate")  # a version holds only its own evaluation/
        out = evaluate_version(
            args.dataset, baselines=args.baselines, seed=args.seed, n_resamples=args.n_resamples, out=args.out,
            threshold=args.threshold, progress=progress_printer(args),
        )
        card = write_card(out.parent) if out.name == "evaluation" and (out.parent / "manifest.json").is_file() else None
        results = Results.from_dict(read_json(out / "results.json"))
        if args.quiet:  # without --quiet the progress lines showed them; --quiet drops progress, never warnings
            for warning in results.warnings:
                print(f"checkworthy evaluate: warning: {warning}", file=sys.stderr)
        if args.json:
            print_json({
                "out": str(out), "results": str(out / "results.json"), "results_md": str(out / "results.md"),
                "predictions": sorted(str(p) for p in (out / "predictions").glob("*.tsv")),
                "card": None if card is None else str(card), "version": results.dataset.version,
                "fingerprint": results.dataset.fingerprint, "baselines": sorted(results.baselines),
            })
            return 0
        print(f"wrote {out / 'results.json'}, {out / 'results.md'}, plots and predictions in {out}")
        if card is not None:
            print(f"updated the dataset card {card}")
        return 0
