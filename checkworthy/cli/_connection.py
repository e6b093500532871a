"""Options shared by the commands that talk to Label Studio (``push``, ``pull``)."""

from __future__ import annotations

import argparse
import sys
import warnings

from checkworthy.builder.labelstudio import connect


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """``--url``, ``--token-file`` and ``--data-dir``."""
    group = parser.add_argument_group("connection (default: the local studio)")
    group.add_argument("--url", help="Label Studio's URL (default $LABEL_STUDIO_URL, else the local studio's)")
    group.add_argument("--token-file", help="file holding the API token (default $LABEL_STUDIO_API_KEY, "
                                            "else the local studio's api_token)")
    group.add_argument("--data-dir", help="the local studio's directory (default $CHECKWORTHY_STUDIO_DIR or .checkworthy/studio)")


def connect_from_args(args: argparse.Namespace):
    """A ``Connection`` from the parsed options; connection warnings go to stderr as one line."""

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        connection = connect(args.url, token_file=args.token_file, data_dir=args.data_dir)
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    return connection
