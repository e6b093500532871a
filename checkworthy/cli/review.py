"""``checkworthy review``: rank a version's items by how doubtful their label is; write adjudication tasks."""

from __future__ import annotations

import argparse

from checkworthy.builder.review import REASONS, ReviewConfig, review_version
from checkworthy.builder.store import refuse_inside_version
from checkworthy.cli.base import SEED, SHARE, Command, add_json_option, add_page_language_option, add_quiet_option, print_json, progress_printer, whole_number
from checkworthy.evaluation.baselines import BASELINES
from checkworthy.evaluation.confident import members
from checkworthy.schemas.errors import InputError

#: Rows of the table printed on stdout.
SHOWN = 15


def review_model(value: str) -> str:
    """``--baseline``: a registered baseline, several joined by ``+``, or ``none``."""
    if value != "none":
        try:
            members(value)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return value


class ReviewCommand(Command):
    name = "review"
    order = 52
    help = "rank a dataset version's labels by how doubtful they are and write adjudication tasks"
    description = (
        "Rank every item of a dataset version by how doubtful its label is, each with its reasons: "
        "the votes are tied (unresolved), the annotators disagreed, the Dawid-Skene posterior of the label is low, "
        "or a model trained on the other items (out-of-fold cross-validation of a baseline) confidently predicts "
        "another label (confident learning). Writes OUT/review.jsonl (every item, ranked), OUT/summary.json "
        "(settings, seeds, counts) and, with --articles, OUT/adjudication/ (tasks.json and label_config.xml for "
        "'checkworthy push'): the labeling page shows the earlier labels, the version's label and the model's view. "
        "Push them to their own project, label, pull, and pass the export to 'checkworthy build --adjudication': "
        "the adjudicated labels replace the aggregate in the next version."
    )
    epilog = """examples:
  checkworthy review data/ds --out out/review --articles seeds
  checkworthy review data/ds@1.0.0 --out out/review --articles seeds --top 50 --baseline tfidf-svm --seed 1
  checkworthy review data/ds --out out/review --baseline none            # annotator reasons only, no model
  checkworthy review data/ds --out out/review --baseline embed-lr        # MiniLM embeddings (pip install 'checkworthy[embed]')
  checkworthy push out/review/adjudication --project news-adjudication
  checkworthy pull --project news-adjudication --out adjudication.json
  checkworthy build export.json --adjudication adjudication.json --articles seeds --dataset data/ds
"""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("dataset", metavar="DIR[@VERSION]", help="dataset directory, optionally @X.Y.Z (default: the latest version)")
        parser.add_argument("--out", required=True, metavar="DIR", help="output folder (review.jsonl, summary.json, adjudication/)")
        parser.add_argument("--articles", nargs="+", metavar="SEEDS", help="the article files or folders the version was built from; "
                            "needed for the adjudication tasks (without them only the ranking is written)")
        parser.add_argument("--baseline", default="tfidf-lr", type=review_model, metavar="BASELINE",
                            help=f"baseline whose out-of-fold predictions give the model's view: {', '.join(BASELINES)}, several joined "
                                 "by + (their probabilities averaged, e.g. tfidf-lr+embed-lr), or none (no model). Default: tfidf-lr; "
                                 "embed-lr (optional extra embed) finds more wrong labels, see the README")
        parser.add_argument("--folds", type=whole_number(2), default=5, help="cross-validation folds (default: 5)")
        parser.add_argument("--class-weight", default="none", choices=["none", "balanced"],
                            help="train the review model without class weights, so that its probabilities follow the labels' "
                                 "own frequencies (none, the default), or with the baseline's balanced class weights")
        parser.add_argument("--seed", type=SEED, default=0, help="seed of the folds and the model (default: 0)")
        parser.add_argument("--min-posterior", type=SHARE, default=0.9, metavar="P",
                            help="a Dawid-Skene posterior of the label below P is a reason (default: 0.9)")
        parser.add_argument("--top", type=whole_number(1), default=None, metavar="N", help="adjudication tasks for the N most doubtful items only (default: all doubtful)")
        add_page_language_option(parser, "adjudication page")
        parser.add_argument("--overwrite", action="store_true", help="replace an --out folder that an earlier review wrote")
        add_json_option(parser, "out, version, items, doubtful, reasons, adjudication_tasks, top (the first items)")
        add_quiet_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        refuse_inside_version(args.out, "review")  # a version holds only what build and evaluate wrote there
        config = ReviewConfig(baseline=args.baseline, folds=args.folds, seed=args.seed, min_posterior=args.min_posterior, top=args.top,
                              class_weight=args.class_weight)
        result = review_version(args.dataset, args.out, config, articles=args.articles, page_language=args.page_language,
                                overwrite=args.overwrite,
                                step=progress_printer(args))
        summary = result.summary
        top = result.doubtful[:SHOWN]
        if args.json:
            print_json({
                "out": str(result.out_dir), "version": summary["dataset_version"], "items": summary["items"],
                "doubtful": summary["doubtful"], "reasons": summary["reasons"], "adjudication_tasks": result.tasks,
                "top": [{"rank": i.rank, "sentence_id": i.sentence_id, "label": i.label, "doubt": i.doubt,
                         "reasons": [r["reason"] for r in i.reasons]} for i in top],
            })
            return 0
        counts = ", ".join(f"{reason} {summary['reasons'][reason]}" for reason in REASONS)
        print(f"reviewed version {summary['dataset_version']}: {summary['doubtful']} of {summary['items']} labels doubtful ({counts})")
        if top:
            print(f"\n{'rank':>4}  {'doubt':>5}  {'label':<6} {'reasons':<36} sentence")
            for item in top:
                text = (item.text or item.sentence_id).replace("\n", " ")
                text = text if len(text) <= 60 else text[:57] + "..."
                reasons = ",".join(r["reason"] for r in item.reasons)
                print(f"{item.rank:>4}  {item.doubt:>5.2f}  {item.label or '-':<6} {reasons:<36} {text}")
            if len(result.doubtful) > SHOWN:
                print(f"... and {len(result.doubtful) - SHOWN} more in {result.out_dir / 'review.jsonl'}")
        print(f"\nwrote {result.out_dir / 'review.jsonl'} and {result.out_dir / 'summary.json'}")
        if result.tasks is not None:
            print(f"wrote {result.tasks} adjudication task(s) to {result.out_dir / 'adjudication'}; "
                  f"next: checkworthy push {result.out_dir / 'adjudication'} --project NAME-adjudication")
        else:
            print("no adjudication tasks: pass --articles SEEDS (the articles the version was built from) to write them")
        return 0
