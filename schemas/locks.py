"""One writer at a time: an advisory lock on a folder (a dataset), held for a command.

:func:`folder_lock` takes an exclusive ``fcntl.flock`` on ``<folder>/.checkworthy.lock``
and writes the holder (pid, host, command, start time) into it, so that a second
command can say who holds the lock. The kernel releases a flock when its process
ends, however it ends (``kill -9`` included), so a lock of a dead process never
blocks anyone: the next command simply takes it. The lock is re-entrant within one
process (a build that writes its card takes the dataset's lock once).

It protects against two commands on one machine (or on hosts that share the folder
over a file system with working ``flock``); it is advisory: only checkworthy honours it.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from checkworthy.schemas.errors import InputError, LockedError

__all__ = ["LOCK_FILE", "folder_lock", "lock_holder"]

#: The lock file of a dataset folder.
LOCK_FILE = ".checkworthy.lock"

#: Folders whose lock this process holds, with how many times (re-entrancy).
_HELD: dict[Path, int] = {}


def lock_holder(folder: str | os.PathLike) -> dict | None:
    """Who holds the lock of ``folder`` (pid, host, command, since), or None when it was
    released; after a holder died without releasing it, the dead holder (the lock is free)."""
    try:
        return json.loads((Path(folder) / LOCK_FILE).read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None


def _describe(holder: dict | None) -> str:
    if not holder:
        return "another checkworthy command"
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(holder.get("since", 0)))
    return f"'{holder.get('command', 'checkworthy')}' (pid {holder.get('pid')} on {holder.get('host')}, since {since})"


def _is_current(handle, path: Path) -> bool:
    """Whether the open ``handle`` is still the file at ``path`` (not removed or replaced)."""
    try:
        at_path = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(handle.fileno())
    return (at_path.st_dev, at_path.st_ino) == (held.st_dev, held.st_ino)


def _make_folder(folder: Path, what: str) -> None:
    """Make ``folder`` (and its parents) unless it exists; refuse a path that is, or lies inside, a file."""
    file = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if file is not None:
        inside = "" if file == folder else f" ({folder} would be inside it)"
        raise InputError(f"{file}: is a file, not a folder{inside}; cannot {what} there: give the path of a folder "
                         "(a dataset folder, e.g. data/mydataset; it is made if missing), not of a file")
    folder.mkdir(parents=True, exist_ok=True)


@contextlib.contextmanager
def folder_lock(
    folder: str | os.PathLike,
    what: str,
    *,
    wait: float = 0.0,
    say: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """Hold the exclusive lock of ``folder`` (created if missing) while the block runs.

    Parameters
    ----------
    folder : path-like
        The folder to lock (a dataset directory).
    what : str
        What this command does, recorded for the message a second command shows.
    wait : float, default=0
        Seconds to wait for a lock that another process holds; 0 refuses at once.
    say : callable, optional
        Receives one line when the command starts waiting (default: stderr).

    Raises
    ------
    LockedError
        Another process holds the lock (after ``wait`` seconds); the message names it.
    InputError
        ``folder``, or a folder above it, is a file.
    """
    import fcntl  # POSIX only; imported here so that the module imports everywhere

    folder = Path(folder).resolve()
    if _HELD.get(folder):
        _HELD[folder] += 1
        try:
            yield folder / LOCK_FILE
        finally:
            _HELD[folder] -= 1
        return
    _make_folder(folder, what)
    path = folder / LOCK_FILE
    handle = open(path, "a+", encoding="utf-8")
    try:
        deadline = time.monotonic() + max(0.0, wait)
        announced = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                if _is_current(handle, path):
                    break
                # The holder removed the lock file as it left (a failed first build takes back the
                # folder it made): this lock is on a file nobody else will open. Lock the one at the path.
                handle.close()
                _make_folder(folder, what)
                handle = open(path, "a+", encoding="utf-8")
                continue
            except BlockingIOError:
                holder = lock_holder(folder)
                if time.monotonic() >= deadline:
                    hint = "wait for it to finish, or give --wait SECONDS" if wait <= 0 else f"it still held it after {wait:g} s; give a longer --wait"
                    raise LockedError(f"{folder}: locked by {_describe(holder)}; only one command may {what} at a time: {hint}") from None
                if not announced:
                    (say or (lambda line: print(line, file=sys.stderr)))(f"{folder}: waiting up to {wait:g} s for {_describe(holder)} to finish")
                    announced = True
                time.sleep(0.2)
        record = {"pid": os.getpid(), "host": socket.gethostname(), "command": what, "since": time.time()}
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(record))
        handle.flush()
        _HELD[folder] = 1
        try:
            yield path
        finally:
            _HELD.pop(folder, None)
            handle.seek(0)
            handle.truncate()  # released: no holder to name (and the folder's files stay deterministic)
            handle.flush()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()
