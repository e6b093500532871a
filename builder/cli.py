"""The ``checkworthy`` command line.

Subcommands are discovered in ``builder.commands`` and ``evaluation.commands``:
each module there defines a ``Command`` subclass named ``COMMAND``-style (see
``builder.commands.base``). Modules import heavy libraries inside ``run`` only, so
that ``checkworthy --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from builder import __version__
from builder.commands.base import Command
from builder.errors import CheckworthyError

COMMAND_PACKAGES = ("builder.commands", "evaluation.commands")


def discover_commands() -> dict[str, type[Command]]:
    """Every ``Command`` subclass defined in the command packages, by name."""
    found: dict[str, type[Command]] = {}
    for package_name in COMMAND_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_") or info.name == "base":
                continue
            module = importlib.import_module(f"{package_name}.{info.name}")
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, Command) and value is not Command and value.name:
                    if value.__module__ == module.__name__:
                        found[value.name] = value
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="checkworthy",
        description="Build check-worthiness datasets from news articles with Label Studio, "
        "version them as Hugging Face datasets, and score baselines and outside systems.",
        epilog="Run 'checkworthy COMMAND --help' for the options and examples of each command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"checkworthy {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, command_cls in discover_commands().items():
        command = command_cls()
        sub = subparsers.add_parser(
            name,
            help=command.help,
            description=command.description or command.help,
            epilog=command.epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(sub)
        sub.set_defaults(_command=command)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``checkworthy`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    command = getattr(args, "_command", None)
    if command is None:
        parser.print_help()
        return 2
    try:
        return int(command.run(args) or 0)
    except CheckworthyError as exc:
        print(f"checkworthy {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"checkworthy {args.command}: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
