"""Small I/O helpers shared by every stage: atomic writes, canonical JSON, hashes.

Everything the project writes goes through these functions, so that outputs are
deterministic (sorted keys, fixed separators, ``\\n`` line ends) and never left
half-written (temporary path in the same directory, then ``os.replace``).
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import fnmatch
import functools
import hashlib
import json
import os
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from checkworthy.schemas.errors import InputError, InputFileNotFoundError, VersionExistsError

#: Deepest nesting of JSON arrays and objects the readers accept; a file of the pipeline
#: needs fewer than ten levels, and a deeper one would exhaust Python's recursion limit
#: in the JSON parser or in the stages after it.
MAX_JSON_DEPTH = 100
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}\n]')


def canonical_json(obj: Any, *, indent: int | None = None) -> str:
    """Serialise ``obj`` deterministically (sorted keys, UTF-8, no trailing spaces)."""
    separators = (",", ": ") if indent is not None else (",", ":")
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, indent=indent, separators=separators)


def sha256_text(text: str) -> str:
    """Hex SHA-256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_file(path: str | os.PathLike, chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint(settings: Any) -> str:
    """Content fingerprint of JSON-able ``settings``; key order does not matter.

    Examples
    --------
    >>> fingerprint({"a": 1, "b": 2}) == fingerprint({"b": 2, "a": 1})
    True
    """
    return sha256_text(canonical_json(settings))[:16]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@functools.lru_cache(maxsize=1)
def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _owner() -> str:
    """This process's part of a temporary name: ``p<pid>.h<host>`` (see :func:`remove_stale`)."""
    return f"p{os.getpid()}.h{_host()}"


def process_running(pid: int) -> bool:
    """True when ``pid`` runs; a zombie (ended, not yet reaped) counts as ended, and is
    reaped when it is a child of this process (Linux reads the state from ``/proc``)."""
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    return True


def remove_stale(path: str | os.PathLike) -> list[str]:
    """Remove what a killed writer of ``path`` left beside it; return the names removed.

    :func:`atomic_path` and :func:`replace_directory` write to ``.NAME.p<pid>.h<host>.*.tmp``
    and rename. A ``kill -9`` (or a machine that went down) skips their cleanup, and the
    hidden file or folder stays. Only those of a process of this machine that no longer
    runs are removed: another run writing ``path`` at the same time keeps its own. A
    ``.old`` folder holds the previous ``path`` while it is swapped for the new one; if
    the swap was cut short and ``path`` is missing, the previous one is put back, so
    nothing written before is lost.
    """
    path = Path(path)
    pattern = re.compile(rf"\.{re.escape(path.name)}\.p(\d+)\.h{_host()}\.[^/]*\.(tmp|old)")
    prefix = f".{path.name}.p"
    try:
        with os.scandir(path.parent) as scan:
            entries = sorted((entry for entry in scan if entry.name.startswith(prefix)), key=lambda entry: entry.name)
    except OSError:
        return []
    removed = []
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or entry.is_symlink() or process_running(int(match.group(1))):
            continue
        stale = Path(entry.path)
        with contextlib.suppress(OSError):
            if match.group(2) == "old" and (stale / "x").exists() and not path.exists() and not path.is_symlink():
                os.replace(stale / "x", path)
            if stale.is_dir():
                shutil.rmtree(stale)
            else:
                stale.unlink()
            removed.append(stale.name)
    return removed


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary sibling of ``path``; rename it onto ``path`` on success.

    On any exception the temporary file is removed and ``path`` is untouched. The
    file gets ``mode``, by default the usual permissions (``0o666`` less the umask)
    rather than the private ones of a temporary file; give ``mode=0o600`` for
    secrets, which are then never readable by others, not even for a moment.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{_owner()}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        _name_the_path(exc, path)
        raise
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask() if mode is None else mode)
        os.replace(tmp_path, path)
    except BaseException as exc:
        tmp_path.unlink(missing_ok=True)
        _name_the_path(exc, path)
        raise


def _name_the_path(exc: BaseException, path: Path) -> None:
    """Make an ``OSError`` raised while writing ``path`` name ``path``: a write on a full disk
    names no path, and one in the hidden temporary file or folder names that, which the user
    never asked for (``out/.tasks.json.p12.h3a.x1.tmp``: no permission, for ``out/tasks.json``)."""
    if not isinstance(exc, OSError) or exc.errno is None:
        return
    if exc.filename is None:
        exc.filename = str(path)
        return
    hidden = str(path.parent / f".{path.name}.p")
    name = os.fsdecode(exc.filename)
    if name.startswith(hidden):
        _, _, inside = name[len(hidden):].partition(os.sep)  # the temporary's name, then the path in it
        exc.filename = os.path.join(str(path), inside) if inside else str(path)


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically (``mode`` as in :func:`atomic_path`)."""
    with atomic_path(path, mode=mode) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: str | os.PathLike, text: str, *, mode: int | None = None) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (``mode`` as in :func:`atomic_path`)."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def atomic_write_json(path: str | os.PathLike, obj: Any, *, indent: int | None = 2) -> None:
    """Write canonical JSON (sorted keys, trailing newline) atomically."""
    atomic_write_text(path, canonical_json(obj, indent=indent) + "\n")


def atomic_write_jsonl(path: str | os.PathLike, records: Iterable[Any]) -> int:
    """Write one canonical JSON object per line, atomically; return the count."""
    count = 0
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        for record in records:
            handle.write(canonical_json(record))
            handle.write("\n")
            count += 1
    return count


#: The file checkworthy leaves in each output folder that it may replace later: ``--overwrite``
#: replaces a folder only when it holds this marker (JSON: the tool and what wrote the folder).
OUTPUT_MARKER = ".checkworthy-output"


def read_output_marker(directory: str | os.PathLike) -> dict[str, Any] | None:
    """The marker of an output folder checkworthy wrote, or None when there is none (or it is not ours)."""
    marker = Path(directory) / OUTPUT_MARKER
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("tool") == "checkworthy" and isinstance(data.get("writer"), str) else None


def refuse_output_folder(path: str | os.PathLike, what: str, flag: str) -> None:
    """Refuse to write ``what`` into a folder that another command wrote whole (its
    ``.checkworthy-output`` marker): that command replaces its folder with ``--overwrite``,
    and would take ``what`` with it.

    Raises
    ------
    InputError
        Names the folder, the command that wrote it and the flag to change.
    """
    marker = read_output_marker(path)
    if marker is not None:
        raise InputError(f"{path}: holds the output of '{marker['writer']}' (it has {OUTPUT_MARKER}), which its next "
                         f"--overwrite replaces whole; give {what} a folder of its own ({flag} elsewhere); nothing was written")


def check_replaceable(path: str | os.PathLike, *, inputs: Iterable[str | os.PathLike] = ()) -> None:
    """Refuse to replace anything but an output folder that checkworthy wrote.

    Parameters
    ----------
    path : path-like
        The output folder about to be replaced; nothing to check when it does not exist.
    inputs : iterable of path-like, default=()
        The files and folders the new output is read from.

    Raises
    ------
    InputError
        ``path`` is a file (or a symbolic link), the current directory or one of its
        parents, an input or a folder holding one, or a folder without the
        :data:`OUTPUT_MARKER` that checkworthy leaves in what it writes.
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return
    refusal = f"{path}: will not replace it"
    remedy = "choose a new --out folder, or move or remove this one yourself"
    if path.is_symlink() or not path.is_dir():
        kind = "a symbolic link" if path.is_symlink() else "a file"
        raise InputError(f"{refusal}: it is {kind}, not an output folder that checkworthy wrote; {remedy}")
    _refuse_deleting_what_is_used(path, refusal, remedy, inputs)
    if read_output_marker(path) is None:
        raise InputError(
            f"{refusal}: it has no {OUTPUT_MARKER} marker, so checkworthy did not write it "
            f"(or an older version did, before the marker existed) and it may hold files of your own; {remedy}"
        )


def _refuse_deleting_what_is_used(path: Path, refusal: str, remedy: str, inputs: Iterable[str | os.PathLike]) -> None:
    """Refuse to replace ``path`` when it is the current directory or holds it, or is an input or holds one."""
    target = path.resolve()
    cwd = Path.cwd().resolve()
    if target == cwd or target in cwd.parents:
        raise InputError(f"{refusal}: it is the current directory{'' if target == cwd else ' (or holds it)'}, "
                         f"which would be deleted; {remedy}")
    for raw in [inputs] if isinstance(inputs, (str, os.PathLike)) else inputs:
        source = Path(raw).resolve()
        if source == target or target in source.parents:
            which = "it is the input" if source == target else f"it holds the input {raw}"
            raise InputError(f"{refusal}: {which}, which would be deleted; write the output to another --out folder")


def check_output_folder(
    path: str | os.PathLike,
    *,
    command: str,
    files: Iterable[str],
    overwrite: bool,
    written_before_marker: Callable[[Path], bool] | None = None,
    inputs: Iterable[str | os.PathLike] = (),
) -> None:
    """Check that ``checkworthy <command>`` may write its output folder ``path`` whole,
    replacing what is there (see :func:`replace_directory`).

    ``path`` may be new or empty, or a folder that ``command`` wrote: its
    :data:`OUTPUT_MARKER` names ``command`` or, for a folder written before the marker
    existed, ``written_before_marker(path)`` is True. Such a folder is replaced only
    with ``overwrite``, and only when every file in it is one that ``command`` writes,
    so that no file of the user's goes with it.

    Parameters
    ----------
    path : path-like
        The output folder (``--out``).
    command : str
        The command, as its marker's ``writer`` ends (``"evaluate"``, ``"train"``).
    files : iterable of str
        Glob patterns, relative to ``path``, of the files ``command`` writes there.
    overwrite : bool
        Whether an earlier output of ``command`` may be replaced (``--overwrite``).
    written_before_marker : callable, optional
        Recognises an output of ``command`` that has no marker (one written by an
        older version); without it such a folder is refused.
    inputs : iterable of path-like, default=()
        What the output is read from; never replaced, nor a folder holding it.

    Raises
    ------
    InputError
        Before anything is written: ``path`` is a file or link, the current directory
        or a folder above it, an input or a folder holding one, another command's
        output, a folder of the user's own, an output of ``command`` that holds other
        files too, or an output of ``command`` and ``overwrite`` is False.
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return
    writer = f"'checkworthy {command}'"
    refusal = f"{path}: will not write the output of {writer} here"
    remedy = "choose another --out folder"
    if path.is_symlink() or not path.is_dir():
        raise InputError(f"{refusal}: it is {'a symbolic link' if path.is_symlink() else 'a file'}; {remedy}; nothing was written")
    _refuse_deleting_what_is_used(path, refusal, remedy, inputs)
    found = sorted(
        (Path(root) / name).relative_to(path).as_posix()
        for root, folders, names in os.walk(path)
        for name in [*names, *(f for f in folders if Path(root, f).is_symlink())]
    )
    if not found:
        return
    marker = read_output_marker(path)
    if marker is not None and marker["writer"].split()[-1] != command:
        raise InputError(f"{refusal}: it holds the output of '{marker['writer']}' (it has {OUTPUT_MARKER}); {remedy}; nothing was written")
    if marker is None and not (written_before_marker is not None and written_before_marker(path)):
        raise InputError(
            f"{refusal}: it holds files that checkworthy did not write ({_some(found)}), which the output would "
            f"replace; {remedy}, or move those files away; nothing was written"
        )
    patterns = list(files)
    foreign = [name for name in found if name != OUTPUT_MARKER and not any(fnmatch.fnmatchcase(name, p) for p in patterns)]
    if foreign:
        raise InputError(
            f"{refusal}: it holds the output of {writer} but also files of other origin ({_some(foreign)}), which "
            f"replacing the folder would delete; move them away, or {remedy}; nothing was written"
        )
    if not overwrite:
        raise InputError(
            f"{refusal}: it already holds the output of {writer}; pass --overwrite to replace it (the old one is "
            f"removed only once the new one is complete), or {remedy}; nothing was written"
        )


def _some(names: list[str], shown: int = 5) -> str:
    """Up to ``shown`` of ``names``, and how many more there are."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def claim_output_folder(path: str | os.PathLike, *, writer: str, inputs: Iterable[str | os.PathLike] = ()) -> Path:
    """Make ``path`` the output folder of a command that writes several files into it
    (``checkworthy run --out``); returns it.

    The folder may be new, empty, or one that a checkworthy command claimed before (it
    holds the :data:`OUTPUT_MARKER`); then the marker is written (again). Anything
    else is refused before a byte is written, because files of the user's own there
    could be overwritten: a file or link, a non-empty folder without the marker, an
    input or a folder holding one, or a folder inside an input (its outputs would be
    read as input by the next run).

    Raises
    ------
    InputError
        Why the folder is refused, and what to do instead.
    """
    path = Path(path)
    refusal = f"{path}: will not write the outputs here"
    remedy = "choose a new --out folder"
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise InputError(f"{refusal}: it is {'a symbolic link' if path.is_symlink() else 'a file'}; {remedy}")
    target = path.resolve()
    for raw in [inputs] if isinstance(inputs, (str, os.PathLike)) else inputs:
        source = Path(raw).resolve()
        if source == target or target in source.parents:
            raise InputError(f"{refusal}: it {'is' if source == target else 'holds'} the input {raw}; {remedy}")
        if source.is_dir() and source in target.parents:
            raise InputError(f"{refusal}: it is inside the input folder {raw}, whose files the next run would read as articles; {remedy}")
    if path.is_dir() and read_output_marker(path) is None and any(path.iterdir()):
        raise InputError(
            f"{refusal}: it holds files and has no {OUTPUT_MARKER} marker, so checkworthy did not write it "
            f"(or an older version did, before the marker existed) and files of your own could be overwritten; "
            f"{remedy}, or move this one away"
        )
    path.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path / OUTPUT_MARKER, canonical_json({"tool": "checkworthy", "writer": writer}, indent=2) + "\n")
    return path


@contextlib.contextmanager
def atomic_directory(
    path: str | os.PathLike,
    *,
    overwrite: bool = False,
    writer: str | None = None,
    inputs: Iterable[str | os.PathLike] = (),
) -> Iterator[Path]:
    """Yield a temporary directory beside ``path``; rename it to ``path`` on success.

    Parameters
    ----------
    path : path-like
        The final directory.
    overwrite : bool, default=False
        Replace an existing directory at ``path`` (the old one is removed only after
        the new one is complete), but only one that checkworthy wrote (see
        :func:`check_replaceable`). When False an existing ``path`` is an error.
    writer : str, optional
        What writes the folder, e.g. ``"checkworthy 0.1.0 tasks"``: recorded in an
        :data:`OUTPUT_MARKER` file in it, so that a later ``overwrite`` may replace
        it. Without it the folder gets no marker and is never replaced.
    inputs : iterable of path-like, default=()
        What the output is read from; ``overwrite`` never replaces them or a folder
        holding them.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    InputError
        ``overwrite`` is True and ``path`` is not a folder checkworthy may replace.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path}: already exists; choose another output directory or remove it first")
    if overwrite:
        check_replaceable(path, inputs=inputs)
    with replace_directory(path, writer=writer, replace=overwrite) as tmp:
        yield tmp


@contextlib.contextmanager
def replace_directory(path: str | os.PathLike, *, writer: str | None = None, replace: bool = True) -> Iterator[Path]:
    """Yield a temporary directory beside ``path``; on success rename it to ``path``,
    replacing a directory there whole (the old one is removed only after the new one is
    in place). On an error the temporary directory is removed and ``path`` is untouched.

    It checks nothing: call :func:`check_output_folder` (or use
    :func:`atomic_directory`) first. ``writer`` as in :func:`atomic_directory`. Without
    ``replace``, a ``path`` that another command made meanwhile is kept, and this one's
    output is not (:class:`~checkworthy.schemas.errors.VersionExistsError`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(path)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.{_owner()}.", suffix=".tmp", dir=path.parent))
    except OSError as exc:
        _name_the_path(exc, path)
        raise
    try:
        yield tmp
        if writer is not None:
            (tmp / OUTPUT_MARKER).write_text(canonical_json({"tool": "checkworthy", "writer": writer}, indent=2) + "\n", encoding="utf-8", newline="\n")
        os.chmod(tmp, 0o777 & ~_umask())
        if path.exists() and not replace:
            raise _made_meanwhile(path)
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.{_owner()}.", suffix=".old", dir=path.parent))
            os.replace(path, old / "x")
            os.replace(tmp, path)
            shutil.rmtree(old)
        else:
            try:
                os.replace(tmp, path)
            except OSError as exc:
                if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY) or not path.exists():
                    raise
                raise _made_meanwhile(path) from None
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        _name_the_path(exc, path)
        raise


def _made_meanwhile(path: Path) -> VersionExistsError:
    """The error of an output folder that another command made while this one wrote its own: theirs is kept."""
    return VersionExistsError(f"{path}: another command wrote this folder while this one was writing it; theirs is kept, nothing "
                              "of this run is (run it again, with --overwrite where the command has it, to replace theirs)")


def read_json(path: str | os.PathLike) -> Any:
    """Read a JSON file; errors name the file, line and column.

    Raises
    ------
    InputError
        Not UTF-8, not valid JSON, or nested deeper than :data:`MAX_JSON_DEPTH`.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileNotFoundError(f"{path}: file not found")
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: expected UTF-8 JSON, found undecodable bytes at byte {exc.start}") from None
    try:
        obj = _loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg}); "
            "check that the file is complete and was not truncated"
        ) from None
    except _TooDeep:
        raise InputError(f"{path}: line {_too_deep_line(text)}: {_TOO_DEEP}") from None
    except _NotStrictJson as exc:
        raise InputError(f"{path}: {exc}") from None
    return obj


class _TooDeep(Exception):
    """JSON nested deeper than :data:`MAX_JSON_DEPTH`."""


class _NotStrictJson(Exception):
    """Text that Python's parser reads but JSON forbids, or that UTF-8 cannot hold (see :func:`_loads`)."""


def _constant(name: str) -> Any:
    raise _NotStrictJson(f"{name} is not a JSON value (Python and JavaScript write it, JSON has no such number); "
                         "write null, or a number, in its place")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogate(obj: Any) -> str | None:
    """Where ``obj`` holds a string with a lone UTF-16 surrogate (``\\udc00``), and which; None when none does."""
    stack: list[tuple[Any, str]] = [(obj, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            found = _SURROGATE.search(value)
            if found:
                return (f"{f'field {where!r}' if where else 'a value'}: invalid character U+{ord(found.group()):04X} at character {found.start()} "
                        "(half of a UTF-16 surrogate pair: text cut in the middle of an emoji or a rare character, "
                        "which UTF-8 cannot store); remove it or export the text again")
        elif isinstance(value, dict):
            stack.extend((item, f"{where}.{key}" if where else key) for key, item in value.items())
            stack.extend((key, f"{where}.{key}" if where else key) for key in value if _SURROGATE.search(key))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(value))
    return None


def _loads(text: str, *, strict: bool = False) -> Any:
    """``json.loads``, raising :class:`_TooDeep` for nesting deeper than :data:`MAX_JSON_DEPTH`
    (which would otherwise end in a ``RecursionError``, in the parser or later), and
    :class:`_NotStrictJson` for a lone surrogate escape such as ``\\udc00`` (which no UTF-8
    file can hold) and, when ``strict``, for ``NaN``/``Infinity`` (which a record read from
    a user's file would carry into outputs that other JSON readers then refuse)."""
    try:
        obj = json.loads(text, parse_constant=_constant if strict else None)
    except RecursionError:
        raise _TooDeep from None
    if json_depth(obj) > MAX_JSON_DEPTH:
        raise _TooDeep
    if ("\\ud" in text or "\\uD" in text) and (where := _lone_surrogate(obj)) is not None:
        raise _NotStrictJson(where)
    return obj


_TOO_DEEP = (
    f"JSON arrays and objects nested more than {MAX_JSON_DEPTH} levels deep; "
    "this is not a file of the pipeline (or it was damaged): check where it came from"
)


def json_depth(obj: Any) -> int:
    """How deeply JSON arrays and objects nest in ``obj`` (0 for a scalar), without recursion.

    Examples
    --------
    >>> json_depth({"a": [1, {"b": []}]})
    3
    """
    deepest = 0
    stack = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, depth)
        stack.extend((item, depth + 1) for item in value)
    return deepest


def _too_deep_line(text: str) -> int:
    """The line of ``text`` where JSON nesting first exceeds :data:`MAX_JSON_DEPTH` (1 when it never does)."""
    line, depth = 1, 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
        elif token in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return line
        elif token in "]}":
            depth -= 1
    return 1


def parse_jsonl_line(line: str, where: str) -> dict | str:
    """One line of a JSONL file: its object, or the problem (a message starting with ``where``).

    Beyond JSON's syntax, a line is refused when it is not an object, nests deeper than
    :data:`MAX_JSON_DEPTH`, holds ``NaN``/``Infinity`` or a lone surrogate escape (see :func:`_loads`).
    """
    try:
        obj = _loads(line, strict=True)
    except json.JSONDecodeError as exc:
        return f"{where}: expected a JSON object, found invalid JSON ({exc.msg})"
    except _TooDeep:
        return f"{where}: {_TOO_DEEP}"
    except _NotStrictJson as exc:
        return f"{where}: {exc}"
    return obj if isinstance(obj, dict) else f"{where}: expected a JSON object, found {type(obj).__name__}"


def iter_jsonl(path: str | os.PathLike, *, inline: bool = False) -> Iterator[tuple[int, dict | str]]:
    """Yield ``(line_number, object)`` for each non-empty line of a JSONL file.

    With ``inline``, a line that is not a JSON object is yielded as ``(line_number, message)``
    in its place instead, so that a reader checks the file's other lines too and lists every
    problem at once (as the article reader does).

    Raises
    ------
    InputError
        Listing every line that is not a JSON object (not with ``inline``), or a file that is
        not UTF-8.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileNotFoundError(f"{path}: file not found")
    problems = []
    records = []
    try:
        with open(path, encoding="utf-8-sig") as handle:
            for lineno, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                obj = parse_jsonl_line(line, f"{path}: line {lineno}")
                if isinstance(obj, dict) or inline:
                    records.append((lineno, obj))
                else:
                    problems.append(obj)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: expected UTF-8 text, found undecodable bytes at byte {exc.start}") from None
    if problems:
        raise InputError(problems)
    yield from records


#: True inside :func:`quiet_progress`: every :func:`progress` bar is disabled.
_QUIET = contextvars.ContextVar("checkworthy_quiet_progress", default=False)


@contextlib.contextmanager
def quiet_progress() -> Iterator[None]:
    """Within this block no :func:`progress` bar is shown, even on a terminal (``--quiet``)."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def is_quiet() -> bool:
    """Whether progress output is silenced (inside :func:`quiet_progress`, i.e. ``--quiet``)."""
    return _QUIET.get()


def progress(iterable: Iterable | None = None, **kwargs: Any):
    """A progress bar on stderr that stays quiet when stderr is not a terminal or inside :func:`quiet_progress`."""
    kwargs.setdefault("disable", _QUIET.get() or not sys.stderr.isatty())
    kwargs.setdefault("file", sys.stderr)
    kwargs.setdefault("leave", False)
    return tqdm(iterable, **kwargs)
