"""``checkworthy train``: train one baseline on a dataset version and save it."""

from __future__ import annotations

import argparse
import sys

from checkworthy.builder.store import refuse_inside_version
from checkworthy.cli.base import SEED, Command
from checkworthy.evaluation.baselines import BASELINES, check_model_folder, save_model
from checkworthy.evaluation.harness import THRESHOLD_RULES, train_baseline


class TrainCommand(Command):
    name = "train"
    order = 72
    help = "train one baseline (threshold tuned on validation by default) and save it with skops"
    description = (
        "Fit a baseline on the train split of a dataset version, tune its decision threshold on "
        "validation (unless --threshold none), and save it as OUT/model.skops with OUT/model.json (metadata, seeds, SHA-256). "
        "skops stores no pickled code; loading refuses types outside an allow-list. "
        "OUT may not be inside a dataset version (or its versions/ folder). "
        "OUT must be new or empty, or (with --overwrite) hold a model that 'checkworthy train' saved and nothing else; "
        "the pair is written into a temporary folder beside OUT and renamed into place, so OUT never holds one of each."
    )
    epilog = """examples:
  checkworthy train data/mydataset --baseline tfidf-svm --out models/svm
  checkworthy train data/mydataset@1.0.0 --baseline tfidf-lr --seed 3 --out models/lr --overwrite   # replace the model there
"""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("dataset", metavar="DIR[@VERSION]", help="dataset directory, optionally @VERSION (default: latest)")
        parser.add_argument("--baseline", default="tfidf-svm", metavar="NAME", help=f"one of {', '.join(BASELINES)} (default: tfidf-svm)")
        parser.add_argument("--seed", type=SEED, default=0, help="random_state of the baseline (default: 0)")
        parser.add_argument(
            "--threshold", choices=THRESHOLD_RULES, default="validation",
            help="tune the decision threshold on validation (default) or keep the model's own rule",
        )
        parser.add_argument("--out", required=True, metavar="DIR", help="directory for model.skops and model.json (must be new or empty unless --overwrite)")
        parser.add_argument(
            "--overwrite", action="store_true",
            help="replace a model that 'checkworthy train' saved in --out, once the new one is complete",
        )

    def run(self, args: argparse.Namespace) -> int:
        refuse_inside_version(args.out, "train")  # a model is not part of a dataset version: publish would refuse it
        check_model_folder(args.out, overwrite=args.overwrite)  # before training, which can take minutes
        model, metadata = train_baseline(args.dataset, args.baseline, seed=args.seed, threshold=args.threshold)
        for warning in metadata.get("warnings", []):
            print(f"checkworthy train: warning: {warning}", file=sys.stderr)
        directory = save_model(model, args.out, metadata, overwrite=args.overwrite)
        threshold = metadata["threshold"]
        print(f"saved {metadata['baseline']} to {directory} (threshold {threshold if threshold is not None else 'none'})")
        return 0
