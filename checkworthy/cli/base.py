"""The base class of CLI subcommands.

One small class per subcommand: ``add_arguments`` declares its options, ``run``
does the work and returns an exit code. Put usage examples in ``epilog``.
"""

from __future__ import annotations

import argparse


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


def add_wait_argument(parser: argparse.ArgumentParser) -> None:
    """``--wait SECONDS``: how long a command waits for another that holds the dataset's lock."""
    parser.add_argument(
        "--wait", type=float, default=0.0, metavar="SECONDS",
        help="wait up to SECONDS for another command that is writing the same dataset (default: 0, refuse at once)",
    )
