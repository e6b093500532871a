"""What the kernel says about a process: whether it runs, its command line, its environment.

Shared by the stages that start processes and must later recognise them: the worker
pool of ``checkworthy.builder.tasks`` and the Label Studio server of ``checkworthy.builder.studio``. Linux
answers from ``/proc``; where there is no ``/proc`` (or the process belongs to
another user), :func:`command_line` and :func:`environment` return None and the
caller decides what an unknown answer means.
"""

from __future__ import annotations

from pathlib import Path

from checkworthy.schemas.io import process_running as running

__all__ = ["command_line", "environment", "running"]


def command_line(pid: int) -> list[str] | None:
    """The arguments ``pid`` was started with, or None when they cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [arg.decode("utf-8", "surrogateescape") for arg in raw.split(b"\0")[:-1]] if raw else None


def environment(pid: int) -> dict[str, str] | None:
    """The environment ``pid`` was started with, or None when it cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None
    pairs = (entry.decode("utf-8", "surrogateescape").partition("=") for entry in raw.split(b"\0") if entry)
    return {name: value for name, _, value in pairs}
