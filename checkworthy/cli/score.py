"""``checkworthy score``: score an outside system's predictions against gold."""

from __future__ import annotations

import argparse
import sys

from checkworthy.cli.base import REPLICATES, SEED, Command
from checkworthy.evaluation.scoring import score_file
from checkworthy.schemas.io import canonical_json
from checkworthy.schemas.rows import SPLITS


class ScoreCommand(Command):
    name = "score"
    order = 75
    help = "score a CheckThat!-format predictions file against gold, with bootstrap intervals"
    description = (
        "Score an outside system. Gold: a CheckThat! 2022-2024 TSV, a CheckThat! 2019 debate TSV, "
        "or a split of a dataset version DIR[@VERSION]. Predictions: 'id<TAB>class_label<TAB>run_id' "
        "with that header and labels Yes/No or the dataset scheme's own labels (CFS/UFS/NFS for claimbuster, "
        "as 'checkworthy evaluate' writes them), or 'id<TAB>score' lines for ranking. The scheme's labels are "
        "scored with the scheme's classes and positive label, as evaluate scores them; Yes/No against a "
        "three-class dataset are scored after mapping its gold to Yes/No (CFS -> Yes, UFS/NFS -> No). "
        "Rows are matched by id; a missing, unknown or duplicate id or a bad label makes it refuse, listing every such line."
    )
    epilog = """examples:
  checkworthy score --gold CT24_checkworthy_english_dev-test.tsv --predictions run.tsv
  checkworthy score --gold data/mydataset@1.0.0 --split test --predictions run.tsv --json
  checkworthy score --gold 20151219_3_dem.tsv --predictions ranking.tsv
  checkworthy score --gold data/cb@1.0.0 --predictions data/cb/versions/1.0.0/evaluation/predictions/tfidf-lr_test.tsv
"""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--gold", required=True, metavar="FILE", help="CheckThat! TSV, 2019 debate TSV, or DIR[@VERSION]")
        parser.add_argument("--predictions", required=True, metavar="FILE", help="predictions in a CheckThat! format")
        parser.add_argument("--split", default="test", choices=list(SPLITS), help="split of a dataset gold (default: test)")
        parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
        parser.add_argument("--n-resamples", type=REPLICATES, default=1000, help="bootstrap replicates (default: 1000)")
        parser.add_argument("--seed", type=SEED, default=0, help="bootstrap seed (default: 0)")

    def run(self, args: argparse.Namespace) -> int:
        scored = score_file(args.gold, args.predictions, split=args.split, n_resamples=args.n_resamples, random_state=args.seed)
        for warning in scored["warnings"]:
            print(f"checkworthy score: warning: {warning}", file=sys.stderr)
        if args.json:
            print(canonical_json(scored, indent=2))
            return 0
        units = "no articles: intervals resample items" if scored["n_articles"] == scored["n_items"] else f"{scored['n_articles']} articles"
        print(f"gold: {scored['gold']} ({scored['n_items']} items; {units})")
        print(f"predictions: {scored['predictions']}" + (f" (run {scored['run_id']})" if scored["run_id"] else ""))
        for name, value in scored["metrics"].items():
            low, high = scored["ci95"][name]
            print(f"{name:<20} {value:.4f}  95% CI [{low:.4f}, {high:.4f}]")
        return 0
