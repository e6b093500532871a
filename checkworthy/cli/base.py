"""The base class of CLI subcommands.

One small class per subcommand: ``add_arguments`` declares its options, ``run``
does the work and returns an exit code. Put usage examples in ``epilog``.

Output conventions: results and summaries go to stdout, progress, warnings and
problems to stderr. Commands that take :func:`add_json_option` print one JSON
object on stdout instead of their summary lines; commands that take
:func:`add_quiet_option` show no progress (bars or step lines) with ``--quiet``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from checkworthy.schemas import available_schemes, page_languages
from checkworthy.schemas.io import canonical_json


class Command:
    """A ``checkworthy`` subcommand.

    Attributes
    ----------
    name : str
        The subcommand's name on the command line.
    help : str
        One line for ``checkworthy --help``.
    description : str
        A longer text for ``checkworthy NAME --help`` (defaults to ``help``).
    epilog : str
        Examples, shown at the end of ``checkworthy NAME --help``.
    order : int
        Position in the help listing (pipeline order).
    """

    name: str = ""
    help: str = ""
    description: str = ""
    epilog: str = ""
    order: int = 100

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Declare the subcommand's options on ``parser``."""

    def run(self, args: argparse.Namespace) -> int:
        """Do the work; return the process exit code."""
        raise NotImplementedError


def add_wait_argument(parser: argparse.ArgumentParser, holder: str = "another command that is writing the same dataset") -> None:
    """``--wait SECONDS``: how long a command waits for ``holder`` to release its lock."""
    parser.add_argument(
        "--wait", type=float, default=0.0, metavar="SECONDS",
        help=f"wait up to SECONDS for {holder} (default: 0, refuse at once)",
    )


def add_json_option(parser: argparse.ArgumentParser, fields: str) -> None:
    """``--json``: print a machine-readable summary (``fields``) on stdout instead of the summary lines."""
    parser.add_argument("--json", action="store_true", help=f"print a JSON summary on stdout ({fields}); progress stays on stderr")


def add_page_language_option(parser: argparse.ArgumentParser, page: str = "labeling page") -> None:
    """``--page-language CODE``: the language of the words of the ``page`` (a translation of the scheme)."""
    languages = sorted({language for name in available_schemes() for language in page_languages(name)})
    parser.add_argument("--page-language", metavar="CODE", default=None,
                        help=f"language of the {page}'s words (question, labels, meanings, headers, instructions): "
                             f"one of {', '.join(languages)} (default: the scheme's, en); the exported labels are the same in every language")


def add_quiet_option(parser: argparse.ArgumentParser) -> None:
    """``--quiet``: no progress bars or step lines on stderr; warnings and errors still show."""
    parser.add_argument("--quiet", action="store_true", help="show no progress on stderr (warnings and errors still show)")


def print_json(summary: dict[str, Any]) -> None:
    """Print ``summary`` on stdout as canonical, indented JSON (the ``--json`` output)."""
    print(canonical_json(summary, indent=2))


def progress_printer(args: argparse.Namespace) -> Callable[[str], None] | None:
    """A callable printing one progress line on stderr, or None with ``--quiet``."""
    if getattr(args, "quiet", False):
        return None
    return lambda message: print(message, file=sys.stderr, flush=True)
