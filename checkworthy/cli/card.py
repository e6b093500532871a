"""``checkworthy card``: (re)write a version's dataset card and Croissant file."""

from __future__ import annotations

import argparse

from checkworthy.builder.articles import read_articles
from checkworthy.builder.card import remembered_settings, write_card
from checkworthy.builder.facts import CardConfig, load_config
from checkworthy.builder.language import normalise_language
from checkworthy.builder.store import resolve_version_dir
from checkworthy.cli.base import Command, add_wait_argument


class CardCommand(Command):
    name = "card"
    help = "(re)write a version's Hugging Face dataset card (README.md) and croissant.json"
    description = (
        "Generate the dataset card of a version from its manifest, data, annotations, evaluation results "
        "and the dataset's CHANGELOG.md, and its Croissant 1.0 metadata. Text outside the "
        "'checkworthy:begin/end' markers and YAML keys the card does not own are kept. Settings come from "
        "DIR/card.json (pretty_name, license, annotators, ...) and the options below. --pretty-name, --license "
        "and --language (and the settings of --config FILE) are saved in DIR/card.json, so that every later card "
        "of the dataset (evaluate, build of the next version, card) keeps them."
    )
    epilog = (
        "examples:\n"
        "  checkworthy card data                      # latest version of the dataset in ./data\n"
        "  checkworthy card data@1.0.0 --license cc-by-4.0 --pretty-name 'Newsroom claims'\n"
        "  checkworthy card data@1.0.0 --articles seeds/   # the articles given to build: license, fictional flag, sources"
    )
    order = 80

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("dataset", metavar="DIR[@VERSION]", help="dataset directory, optionally @X.Y.Z (default: latest version)")
        parser.add_argument("--config", metavar="FILE", help="card settings JSON (default: DIR/card.json when it exists); it then replaces DIR/card.json, "
                            "so that later cards keep its settings")
        parser.add_argument(
            "--articles", nargs="+", metavar="PATH",
            help="the article files or folders the version was built from, as for 'build --articles' "
            "(their metadata gives the license, the fictional flag and the sources)",
        )
        parser.add_argument("--pretty-name", help="human-readable dataset name")
        parser.add_argument("--license", help="Hub license id, e.g. cc-by-4.0 (default: from the articles, else 'unknown')")
        parser.add_argument("--language", action="append", metavar="CODE", help="language code of the text (ISO 639; spa and es-ES are read as es); repeat for several. "
                            "Default: the languages of the data's language column (en for a version without it)")
        parser.add_argument("--no-croissant", action="store_true", help="write only README.md (refused when the existing croissant.json "
                            "would then state another name, license, language or version than the card)")
        add_wait_argument(parser)

    def run(self, args: argparse.Namespace) -> int:
        version_dir = resolve_version_dir(args.dataset)
        config = CardConfig.from_file(args.config) if args.config else load_config(version_dir.parent.parent)
        languages = [normalise_language(code, "--language") for code in args.language] if args.language else None
        config = config.updated(pretty_name=args.pretty_name, license=args.license, language=languages)
        articles = read_articles(args.articles) if args.articles else None
        saved, changes = remembered_settings(
            version_dir.parent.parent, {"pretty_name": args.pretty_name, "license": args.license, "language": languages},
            config_file=args.config,
        )
        path = write_card(version_dir, config=config, articles=articles, croissant=not args.no_croissant, wait=args.wait,
                          save_settings=saved if changes else None)
        if changes:
            print(f"saved in {version_dir.parent.parent / 'card.json'} (later cards of this dataset keep them): " + "; ".join(changes))
        print(f"wrote {path}")
        if not args.no_croissant:
            print(f"wrote {version_dir / 'croissant.json'}")
        return 0
