"""``checkworthy build``: labels (or an existing corpus) -> a new immutable dataset version.
"""

from __future__ import annotations

import argparse
import sys

from checkworthy.builder.aggregate import METHODS
from checkworthy.builder.articles import read_articles
from checkworthy.builder.build import GROUP_BY, BuildConfig, build_version, refuse_dataset_among_articles
from checkworthy.builder.card import write_card
from checkworthy.builder.corpora import CHECKTHAT_LANGUAGES
from checkworthy.builder.diff import adjudication_line
from checkworthy.builder.from_corpus import CORPORA, build_from_corpus
from checkworthy.builder.language import normalise_language
from checkworthy.cli.base import SEED, SHARE, Command, add_json_option, add_quiet_option, add_wait_argument, print_json
from checkworthy.schemas.errors import InputError


class BuildCommand(Command):
    name = "build"
    order = 50
    help = "validate and aggregate Label Studio exports into a new dataset version"
    description = (
        "Read Label Studio exports, check them against the articles the tasks were made from, "
        "aggregate the labels, measure agreement, split by article and write an immutable version "
        "DIR/versions/X.Y.Z (parquet splits, annotations.parquet, manifest.json, the dataset card README.md "
        "and croissant.json). "
        "Building the same inputs and settings again writes nothing. Annotators are pseudonymised "
        "with the secret key DIR/annotator.key (created on first build; keep it private)."
    )
    epilog = """examples:
  checkworthy build export.json --articles seeds --dataset data/ds
  checkworthy build a.json b.json --articles seeds --dataset data/ds --aggregate dawid-skene --seed 3
  checkworthy build export.json --articles news --dataset data/ds --tasks out/next   # says how items were chosen
  checkworthy build export.json --articles seeds --dataset data/ds --skip-invalid --dedupe --version 2.0.0
  checkworthy build export.json --articles seeds --dataset data/ds --gold gold.csv --min-annotator-accuracy 0.7
  checkworthy build export.json --adjudication adjudication.json --articles seeds --dataset data/ds
  checkworthy build --from checkthat ../shared/bench/checkthat2024 --dataset data/ct24
  checkworthy build --from checkthat ../shared/bench/checkthat2024 --language nl --dataset data/ct24-nl
  checkworthy build --from checkthat ../shared/bench/checkthat2024 --language nl --restore-letters --dataset data/ct24-nl-restored
  checkworthy build --from claimbuster ../shared/bench/claimbuster --dataset data/cb
  checkworthy build --from claimbuster ../shared/bench/claimbuster --dataset data/cb --json   # summary as JSON
"""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("exports", nargs="*", metavar="EXPORT", help="Label Studio export files (JSON; JSON_MIN/CSV lose skips and ground truth)")
        parser.add_argument("--articles", nargs="+", metavar="SEEDS", help="article files or folders the tasks were made from, or the articles.jsonl that tasks wrote")
        parser.add_argument("--adjudication", nargs="+", action="extend", default=[], metavar="EXPORT",
                            help="JSON exports of the adjudication tasks written by 'checkworthy review': their labels override the "
                                 "aggregate; it takes every file after it (put the EXPORT files first) and may be repeated")
        parser.add_argument("--from", dest="corpus", nargs=2, metavar=("{" + ",".join(CORPORA) + "}", "DIR"),
                            help="build from an existing corpus folder instead of exports")
        parser.add_argument("--language", metavar="{" + ",".join(CHECKTHAT_LANGUAGES) + "}", default=None,
                            help="with --from checkthat: the language whose CT24_checkworthy_<language>_*.tsv files are read "
                                 "(default: en; es-ES and spa are read as es, as tasks --language reads them)")
        parser.add_argument("--restore-letters", action="store_true",
                            help="with --from checkthat: put back a letter a file lost (the Dutch dev-test has no lowercase 't'), "
                                 "learned from the language's other files; its measured accuracy goes to manifest.json")
        parser.add_argument("--dataset", required=True, metavar="DIR", help="dataset directory (versions go to DIR/versions/X.Y.Z)")
        parser.add_argument("--scheme", default=None, help="label scheme (default: claimbuster; checkthat for --from checkthat)")
        parser.add_argument("--aggregate", default="majority", choices=METHODS, help="how votes become a gold label (default: majority; ties stay unresolved)")
        parser.add_argument("--seed", type=SEED, default=0, help="seed of the split assignment and of Dawid-Skene (default: 0)")
        parser.add_argument("--group-by", default="article", choices=GROUP_BY, help="what a split keeps together (default: article)")
        parser.add_argument("--dedupe", action="store_true", help="remove later copies of sentences that leak across splits")
        parser.add_argument("--allow-removal", action="store_true",
                            help="let the new version drop labeled sentences of the latest version that none of the exports "
                                 "(or, with --from, the corpus files) holds, or its adjudicated labels that no --adjudication export "
                                 "decides (refused by default: pass the earlier exports and adjudication exports too); a dataset "
                                 "built from another kind of input (exports, another corpus or language) is refused either way")
        parser.add_argument("--skip-invalid", action="store_true", help="build without invalid items and record them in the manifest")
        parser.add_argument("--gold", metavar="FILE",
                            help="gold labels: a CSV with the header sentence_id,label; they become the sentences' labels "
                                 "and measure each annotator's accuracy (Label Studio ground-truth annotations count too)")
        parser.add_argument("--min-annotator-accuracy", type=SHARE, metavar="X",
                            help="leave annotators whose accuracy on gold items is below X (0-1) out of aggregation; "
                                 "annotators without gold items are kept (both recorded in manifest.json)")
        parser.add_argument("--tasks", action="append", default=[], metavar="DIR",
                            help="a task directory of 'tasks --strategy': record how its items were chosen (repeatable)")
        parser.add_argument("--version", dest="new_version", metavar="X.Y.Z", help="version to write (default: bumped from the latest)")
        add_wait_argument(parser)
        add_json_option(parser, "version, path, created, parent, fingerprint, counts, unresolved, skipped, leakage_groups, warnings, card")
        add_quiet_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        if args.language is not None:
            args.language = normalise_language(args.language, "--language")
            if args.language not in CHECKTHAT_LANGUAGES:
                raise InputError(f"--language {args.language}: the CheckThat! 2024 files are in {', '.join(CHECKTHAT_LANGUAGES)}; "
                                 "give one of them")
        if args.corpus:
            kind, directory = args.corpus
            if kind not in CORPORA:
                raise InputError(f"--from {kind!r}: expected one of {', '.join(CORPORA)}")
            if args.exports or args.articles or args.tasks or args.adjudication:
                raise InputError("--from builds from a corpus folder alone; drop the EXPORT files, --articles, --tasks and --adjudication")
            if args.gold or args.min_annotator_accuracy is not None:
                raise InputError("--gold and --min-annotator-accuracy are for Label Studio exports (they need individual annotators); drop them with --from")
            config = BuildConfig(scheme=args.scheme or CORPORA[kind], aggregate=args.aggregate, seed=args.seed,
                                 group_by=args.group_by, dedupe=args.dedupe, skip_invalid=args.skip_invalid)
            result = build_from_corpus(kind, directory, args.dataset, config, version=args.new_version,
                                       finish=lambda tmp: write_card(tmp), wait=args.wait, language=args.language or "en",
                                       restore_letters=args.restore_letters, allow_removal=args.allow_removal)
        else:
            if args.language or args.restore_letters:
                raise InputError(f"{'--language' if args.language else '--restore-letters'} is for --from checkthat DIR; "
                                 "drop it when building from Label Studio exports")
            if not args.exports or not args.articles:
                swallowed = (" (--adjudication takes every file after it: give the EXPORT files before --adjudication, "
                             f"or repeat it per file; it got {len(args.adjudication)} file(s))") if not args.exports and len(args.adjudication) > 1 else ""
                raise InputError(f"expected EXPORT file(s) and --articles SEEDS (or --from checkthat|claimbuster DIR){swallowed}")
            config = BuildConfig(scheme=args.scheme or "claimbuster", aggregate=args.aggregate, seed=args.seed,
                                 group_by=args.group_by, dedupe=args.dedupe, skip_invalid=args.skip_invalid,
                                 min_annotator_accuracy=args.min_annotator_accuracy)
            refuse_dataset_among_articles(args.dataset, args.articles)  # before the articles are read
            articles = read_articles(args.articles)
            result = build_version(args.exports, args.articles, args.dataset, config, version=args.new_version,
                                   finish=lambda tmp: write_card(tmp, articles=articles), wait=args.wait, gold=args.gold,
                                   tasks=args.tasks, adjudications=args.adjudication, allow_removal=args.allow_removal)
        for warning in result.warnings:
            print(f"checkworthy build: warning: {warning}", file=sys.stderr)
        if not result.created and not (result.path / "croissant.json").is_file():
            # A version made by an older release, whose card was written after the version
            # appeared and never completed: complete it now.
            write_card(result.path, articles=read_articles(args.articles) if args.articles else None, wait=args.wait)
            print(f"checkworthy build: completed the card and croissant.json of {result.path}", file=sys.stderr)
        card = result.path / "README.md" if result.created else None
        manifest = result.manifest
        if args.json:
            print_json({
                "version": result.version, "path": str(result.path), "created": result.created, "parent": manifest.parent,
                "fingerprint": manifest.fingerprint, "counts": manifest.counts.to_dict(), "unresolved": len(manifest.unresolved),
                "skipped": len(manifest.skipped), "leakage_groups": manifest.leakage.clusters, "warnings": result.warnings,
                "card": None if card is None else str(card),
            })
        elif result.created:
            counts = manifest.counts
            print(f"built version {result.version} at {result.path} (parent {manifest.parent or 'none'}, fingerprint {manifest.fingerprint}): "
                  f"train {counts.train}, validation {counts.validation}, test {counts.test}; "
                  f"{len(manifest.unresolved)} unresolved, {len(manifest.skipped)} skipped, "
                  f"{manifest.leakage.clusters} leakage group(s)")
            if manifest.adjudication:
                print(adjudication_line(manifest.adjudication).strip())
        else:
            print(f"no new version: {result.version} at {result.path} already has fingerprint {manifest.fingerprint}")
        return 0
