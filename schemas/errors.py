"""One base exception for the whole project, and the few subclasses callers catch.

Every subclass also inherits the matching built-in exception, so that callers can
catch either ``CheckworthyError`` or the usual ``ValueError`` / ``FileNotFoundError``.
Messages say where (file, record, field), what was expected, what was found, and
how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable


class CheckworthyError(Exception):
    """Base class of every error raised on purpose by checkworthy."""


class InputError(CheckworthyError, ValueError):
    """A file or value given by the user is not what it should be.

    Parameters
    ----------
    problems : str or iterable of str
        One message, or several; several are listed one per line so that every
        bad record is reported at once.
    header : str, optional
        A first line that introduces a list of problems.
    """

    def __init__(self, problems: str | Iterable[str], header: str | None = None):
        if isinstance(problems, str):
            self.problems = [problems]
        else:
            self.problems = list(problems)
        lines = [header] if header else []
        if header:
            lines += [f"  - {p}" for p in self.problems]
        else:
            lines += self.problems
        super().__init__("\n".join(lines))


class SchemaError(InputError):
    """A record does not match its JSON Schema in ``schemas/``."""


class InputFileNotFoundError(CheckworthyError, FileNotFoundError):
    """A path given by the user does not exist."""


class VersionExistsError(CheckworthyError, FileExistsError):
    """A dataset version (or another immutable output) already exists."""


class StudioError(CheckworthyError, RuntimeError):
    """Label Studio could not be installed, started, reached or used."""


class PublishError(CheckworthyError, RuntimeError):
    """Publishing to the Hugging Face Hub was refused or failed."""


class LockedError(CheckworthyError, RuntimeError):
    """Another command holds the lock of a dataset (one writer at a time)."""


class TamperedError(InputError):
    """A file of a dataset version differs from the SHA-256 its manifest records."""
