"""The ``checkworthy`` command line: the top floor.

Every subcommand is a ``Command`` subclass in a module of this package, and every one
is listed in :data:`COMMANDS` below: the one place that says which commands exist.
Command modules import no heavy library at module level, so that ``checkworthy
--help`` and ``checkworthy COMMAND --help`` stay fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

from checkworthy import __version__
from checkworthy.cli.base import Command
from checkworthy.cli.build import BuildCommand
from checkworthy.cli.card import CardCommand
from checkworthy.cli.diff import DiffCommand
from checkworthy.cli.evaluate import EvaluateCommand
from checkworthy.cli.publish import PublishCommand
from checkworthy.cli.pull import PullCommand
from checkworthy.cli.push import PushCommand
from checkworthy.cli.review import ReviewCommand
from checkworthy.cli.run import RunCommand
from checkworthy.cli.score import ScoreCommand
from checkworthy.cli.studio import StudioCommand
from checkworthy.cli.tasks import TasksCommand
from checkworthy.cli.train import TrainCommand
from checkworthy.cli.validate import ValidateCommand
from checkworthy.registry import register_all
from checkworthy.schemas.errors import CheckworthyError
from checkworthy.schemas.io import quiet_progress

#: Every subcommand; the help lists them by ``order`` (pipeline order), then name.
COMMANDS: tuple[type[Command], ...] = (
    RunCommand,
    TasksCommand,
    StudioCommand,
    PushCommand,
    PullCommand,
    BuildCommand,
    ReviewCommand,
    DiffCommand,
    EvaluateCommand,
    TrainCommand,
    ScoreCommand,
    CardCommand,
    PublishCommand,
    ValidateCommand,
)

__all__ = ["COMMANDS", "Command", "build_parser", "discover_commands", "main"]


def discover_commands() -> dict[str, type[Command]]:
    """The commands of :data:`COMMANDS` by name, in help order."""
    found = {command.name: command for command in COMMANDS}
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))


class SubcommandParser(argparse.ArgumentParser):
    """The parser of one subcommand: an unknown option is reported with this subcommand's usage.

    (argparse hands a subcommand's unknown arguments back to the main parser, whose
    error would show only ``usage: checkworthy [-h] [--version] COMMAND ...``.)
    """

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace, extras


def build_parser() -> argparse.ArgumentParser:
    """The ``checkworthy`` parser: one subparser per command of :data:`COMMANDS`.

    No parser guesses abbreviated options (``allow_abbrev=False``): ``--sel`` is an
    error, not ``--select``.
    """
    parser = argparse.ArgumentParser(
        prog="checkworthy",
        allow_abbrev=False,
        description="Build check-worthiness datasets from news articles with Label Studio, "
        "version them as Hugging Face datasets, and score baselines and outside systems.",
        epilog="Run 'checkworthy COMMAND --help' for the options and examples of each command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"checkworthy {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=SubcommandParser)
    for name, command_cls in discover_commands().items():
        command = command_cls()
        sub = subparsers.add_parser(
            name,
            help=command.help,
            description=command.description or command.help,
            epilog=command.epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
        )
        command.add_arguments(sub)
        sub.set_defaults(_command=command)
    return parser


def _package_dirs() -> tuple[str, ...]:
    """The folders of the project's packages (found, not imported): a warning raised by
    their code is shown as a line of the command."""
    names = ("checkworthy", "checkworthy.builder", "checkworthy.evaluation", "checkworthy.schemas")
    return tuple(str(Path(importlib.util.find_spec(name).origin).resolve().parent) + os.sep for name in names)


@contextlib.contextmanager
def _plain_warnings(command: str):
    """Format the project's own warnings as ``checkworthy COMMAND: warning: MESSAGE`` (stderr),
    without Python's file, line and source (they are meant for the user, not a traceback);
    other libraries' warnings keep Python's format, which says where they come from. Only the
    format changes: where warnings go, and whether they are recorded (``pytest.warns``), does not."""
    formatted, ours = warnings.formatwarning, _package_dirs()

    def format_warning(message, category, filename, lineno, line=None):
        if str(Path(filename).resolve()).startswith(ours) and not issubclass(category, (DeprecationWarning, PendingDeprecationWarning)):
            return f"checkworthy {command}: warning: {message}\n"
        return formatted(message, category, filename, lineno, line)

    warnings.formatwarning = format_warning
    try:
        yield
    finally:
        warnings.formatwarning = formatted


#: What an interrupt leaves besides files, for commands that send to Label Studio (push says it itself).
INTERRUPTED = {
    "run": "; what was already sent to Label Studio stays there, and the same command again completes it "
           "(tasks and annotations are not sent twice)",
}


class Terminated(KeyboardInterrupt):
    """A SIGTERM (``kill PID``, ``timeout``, a job scheduler's stop), raised where the
    command is, as Ctrl-C is: the same cleanup runs, so nothing half-written is left."""


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` for the block (the main thread only sets handlers).

    Python's default for SIGTERM ends the process at once, without the ``finally`` blocks
    that remove temporary files, release locks and say what was kept.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``checkworthy`` console script; returns the exit code."""
    register_all()
    parser = build_parser()
    args = parser.parse_args(argv)
    command = getattr(args, "_command", None)
    if command is None:
        parser.print_help()
        return 2
    try:
        with _sigterm_as_interrupt(), quiet_progress() if getattr(args, "quiet", False) else contextlib.nullcontext(), \
                _plain_warnings(args.command):
            return int(command.run(args) or 0)
    except CheckworthyError as exc:
        print(f"checkworthy {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        after = INTERRUPTED.get(args.command, "")
        if getattr(args, "engine", None) == "ray":
            after = ("; the shards finished so far are kept in the work folder beside --out (.OUT.ray-work), "
                     "and the same command again resumes from them")
        what, code = ("terminated", 143) if isinstance(exc, Terminated) else ("interrupted", 130)
        print(f"checkworthy {args.command}: {what}; nothing half-written was kept{after}", file=sys.stderr)
        return code
    except BrokenPipeError:
        # The reader of stdout went away (``checkworthy review ... | head``): files are written
        # before the summary is printed, so nothing is lost; end quietly, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:
        # A path the system refuses (no permission, a file where a folder must be, a full disk):
        # outputs are written to a temporary path and renamed, so nothing half-written is left.
        where = f"{exc.filename}: " if exc.filename else ""
        what = "a file is in the way of a folder to create" if isinstance(exc, (FileExistsError, NotADirectoryError)) else exc.strerror or exc
        print(f"checkworthy {args.command}: error: {where}{what}; nothing half-written was kept "
              "(check the path, its permissions and the free space)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
