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
import math
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


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An ``argparse`` type: a whole number from ``minimum`` (to ``maximum``); anything else is a
    usage error before any work starts (a ``--seed -1`` failed in numpy after a minute of work).

    Examples
    --------
    >>> whole_number(1)("3")
    3
    >>> whole_number(1)("0")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: expected a whole number of at least 1, found 0
    """
    return _bounded(int, "a whole number", minimum, maximum)


def real_number(minimum: float, maximum: float | None = None) -> Callable[[str], float]:
    """An ``argparse`` type: a finite number from ``minimum`` (to ``maximum``), as :func:`whole_number`."""
    return _bounded(float, "a number", minimum, maximum)


def _bounded(convert: Callable[[str], Any], noun: str, minimum, maximum) -> Callable[[str], Any]:
    def show(bound) -> str:
        return f"{bound:g}" if isinstance(bound, float) else str(bound)

    wanted = f"{noun} from {show(minimum)} to {show(maximum)}" if maximum is not None else f"{noun} of at least {show(minimum)}"

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {wanted}, found {text!r}") from None
        if not math.isfinite(value) or value < minimum or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"expected {wanted}, found {text.strip()}")
        return value

    return parse


#: The types of the options many commands share.
SEED = whole_number(0, 2**32 - 1)
REPLICATES = whole_number(1)
PORT = whole_number(0, 65535)
SHARE = real_number(0.0, 1.0)


def add_wait_argument(parser: argparse.ArgumentParser, holder: str = "another command that is writing the same dataset") -> None:
    """``--wait SECONDS``: how long a command waits for ``holder`` to release its lock."""
    parser.add_argument(
        "--wait", type=real_number(0.0), default=0.0, metavar="SECONDS",
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
