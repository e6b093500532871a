"""A local Label Studio server: install, initialise, start, stop, status, annotators.

The server runs from its own virtual environment (``label-studio`` pins Django and
about fifteen other packages exactly, so it must not share the project's
environment). The environment is created on first use under a user cache dir
(``$CHECKWORTHY_STUDIO_VENV``, or ``~/.cache/checkworthy/label-studio-<version>``)
and reused afterwards.

A *studio* is one data directory::

    <data_dir>/
      label-studio/     Label Studio's own data (SQLite database, media, exports)
      admin_password    the admin's password (mode 0600, never printed)
      api_token         the admin's 40-hex API token (mode 0600, never printed)
      annotators/       one ``<email>.password`` file (mode 0600) per annotator
      studio.json       url, port, pid and venv of the running server (no secrets)
      server.log        the server's output

A new studio's database is a copy of an empty, migrated one kept beside the venv
(``checkworthy-template/``), so that only the first studio on a machine pays for
the migrations. The server binds to 127.0.0.1 only, with every outbound call
switched off (version check, Sentry, analytics), and is stopped by the pid it was
started with, once that pid is checked to be this studio's server (a copied studio
folder never stops the original's).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from checkworthy.builder import processes
from checkworthy.schemas.errors import StudioError
from checkworthy.schemas.io import atomic_write_json, atomic_write_text, is_quiet, read_json

#: The Label Studio release the project pins (it pins ``label-studio-sdk==2.1.2``).
LABEL_STUDIO_VERSION = "1.23.2"
#: Login e-mail of the admin user of a local studio.
ADMIN_EMAIL = "admin@checkworthy.local"
#: Port tried when none is given.
DEFAULT_PORT = 8080
#: Environment variables that override the defaults.
ENV_VENV = "CHECKWORTHY_STUDIO_VENV"
ENV_DATA_DIR = "CHECKWORTHY_STUDIO_DIR"
#: Data dir used when neither ``--data-dir`` nor ``$CHECKWORTHY_STUDIO_DIR`` is given.
DEFAULT_DATA_DIR = Path(".checkworthy") / "studio"

_INSTALLED_MARKER = ".checkworthy-installed"
_HOST = "127.0.0.1"

# Every outbound call of the server off, sign-up closed, legacy tokens on (needed for
# the known 40-hex token; only read when the organisation is first created).
_QUIET_ENV = {
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "LABEL_STUDIO_COLLECT_ANALYTICS": "false",
    "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
    "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
    "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
}

# Creates an annotator inside the server's Django, from the server's venv, or finds an
# existing one. CHECKWORTHY_USER_ON_EXISTING says what happens to an existing account's
# password: "keep" it, "reset" it to the one given, or "refuse" (nothing is changed).
# Its display name changes only on creation or when CHECKWORTHY_USER_RENAME is "1".
# The password comes through the environment, never the command line. Prints the
# outcome ("created", "existing", "reset" or "refused") and the user's id.
_ADD_USER_SCRIPT = """
import os, sys
import label_studio
sys.path.insert(0, os.path.dirname(label_studio.__file__))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "label_studio.core.settings.label_studio")
import django
django.setup()
from organizations.models import Organization
from users.models import User
email, password = os.environ["CHECKWORTHY_USER_EMAIL"], os.environ["CHECKWORTHY_USER_PASSWORD"]
first, last = os.environ["CHECKWORTHY_USER_FIRST"], os.environ["CHECKWORTHY_USER_LAST"]
on_existing = os.environ["CHECKWORTHY_USER_ON_EXISTING"]
user = User.objects.filter(email=email).first()
if user is None:
    user, outcome = User.objects.create_user(email=email, password=password), "created"
elif on_existing == "refuse":
    print("refused", user.id)
    sys.exit(0)
elif on_existing == "reset":
    user.set_password(password)
    outcome = "reset"
else:
    outcome = "existing"
org = Organization.objects.order_by("id").first()
org.add_user(user)
user.active_organization = org
if outcome == "created" or os.environ["CHECKWORTHY_USER_RENAME"] == "1":
    user.first_name, user.last_name = first, last
user.save()
print(outcome, user.id)
"""


def default_venv(version: str = LABEL_STUDIO_VERSION) -> Path:
    """Where the server's virtual environment lives unless told otherwise.

    ``$CHECKWORTHY_STUDIO_VENV`` when set, else
    ``$XDG_CACHE_HOME/checkworthy/label-studio-<version>`` (``~/.cache`` by default).
    """
    if os.environ.get(ENV_VENV):
        return Path(os.environ[ENV_VENV]).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "checkworthy" / f"label-studio-{version}"


def default_data_dir() -> Path:
    """``$CHECKWORTHY_STUDIO_DIR`` when set, else ``.checkworthy/studio`` in the working dir."""
    return Path(os.environ.get(ENV_DATA_DIR) or DEFAULT_DATA_DIR).expanduser()


def _say(message: str) -> None:
    if not is_quiet():  # --quiet silences progress; errors still raise
        print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def _file_lock(path: Path):
    """An exclusive advisory lock, so that two processes never install into one venv."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_server(venv: str | os.PathLike | None = None, *, version: str = LABEL_STUDIO_VERSION) -> Path:
    """Install ``label-studio==version`` into its own virtual environment, once.

    An environment that holds a complete install of that version is reused; an
    incomplete one (an interrupted install) is removed and installed again. pip's
    output is shown on stderr as progress.

    Parameters
    ----------
    venv : path-like, optional
        The environment's directory; defaults to :func:`default_venv`.
    version : str, default="1.23.2"
        The Label Studio release.

    Returns
    -------
    Path
        The ``label-studio`` executable.

    Raises
    ------
    StudioError
        The environment could not be created or pip failed (PyPI unreachable, disk full).
    """
    venv = Path(venv).expanduser().absolute() if venv else default_venv(version)
    executable = venv / "bin" / "label-studio"
    marker = venv / _INSTALLED_MARKER
    if marker.is_file() and marker.read_text().strip() == version and executable.exists():
        return executable
    with _file_lock(venv.parent / f".{venv.name}.lock"):
        if marker.is_file() and marker.read_text().strip() == version and executable.exists():
            return executable
        if venv.exists():
            _say(f"Removing the incomplete Label Studio environment {venv}")
            shutil.rmtree(venv)
        _say(
            f"Installing label-studio {version} into its own virtual environment {venv}\n"
            f"(about 1 GB, one to two minutes, only once; set ${ENV_VENV} or --venv to put it elsewhere)"
        )
        commands = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
             "--progress-bar", "off", f"label-studio=={version}"],
        ]
        for command in commands:
            _run_with_progress(command)
        atomic_write_text(marker, version + "\n")
    _say(f"Label Studio {version} installed in {venv}")
    return executable


def _run_with_progress(command: list[str]) -> None:
    """Run ``command``, echoing its output to stderr; raise ``StudioError`` on failure."""
    tail: list[str] = []
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in process.stdout:
        line = line.rstrip()
        tail = (tail + [line])[-20:]
        if line.startswith("Collecting"):
            _say("  " + line.split(" (from ")[0])
        elif line.startswith("Installing collected packages:"):
            _say(f"  Installing {len(line.split(':', 1)[1].split(','))} packages")
        elif line.startswith("Successfully installed"):
            _say(f"  Successfully installed {len(line.split()) - 2} packages")
        elif line.startswith(("ERROR", "error")):
            _say("  " + line)
    if process.wait() != 0:
        raise StudioError(
            f"installing Label Studio failed: {' '.join(command[:4])} ... exited with {process.returncode}; "
            "last lines:\n" + "\n".join(tail) + "\ncheck that PyPI is reachable and that there is about 1 GB of free disk, "
            "then run the command again"
        )


@dataclasses.dataclass(frozen=True)
class Studio:
    """The files of one local studio (see the module docstring for the layout).

    Parameters
    ----------
    data_dir : path-like
        The studio's directory; made absolute.
    """

    data_dir: Path

    def __post_init__(self):
        object.__setattr__(self, "data_dir", Path(self.data_dir).expanduser().absolute())

    @property
    def label_studio_dir(self) -> Path:
        return self.data_dir / "label-studio"

    @property
    def password_file(self) -> Path:
        return self.data_dir / "admin_password"

    @property
    def token_file(self) -> Path:
        return self.data_dir / "api_token"

    @property
    def state_file(self) -> Path:
        return self.data_dir / "studio.json"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "server.log"

    @property
    def annotators_dir(self) -> Path:
        return self.data_dir / "annotators"

    @property
    def initialised(self) -> bool:
        return (self.label_studio_dir / "label_studio.sqlite3").is_file() and self.token_file.is_file()

    def state(self) -> dict[str, Any]:
        """What ``studio.json`` records (empty when the studio was never started)."""
        return read_json(self.state_file) if self.state_file.is_file() else {}

    def env(self) -> dict[str, str]:
        """The environment the server's commands run with (no secrets in it)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "DJANGO_"))}
        env.update(_QUIET_ENV)
        env["LABEL_STUDIO_BASE_DATA_DIR"] = str(self.label_studio_dir)
        env["PYTHONUNBUFFERED"] = "1"  # the log shows the bound port as soon as it is printed
        return env


def _write_secret(path: Path, value: str) -> None:
    """Write a secret to a file readable by its owner only (mode 0600)."""
    atomic_write_text(path, value + "\n", mode=0o600)


def read_secret(path: str | os.PathLike) -> str:
    """Read a password or token file written by :func:`init_studio` (stripped)."""
    path = Path(path)
    if not path.is_file():
        raise StudioError(f"{path}: secret file not found; run 'checkworthy studio start' to create the studio")
    return path.read_text(encoding="utf-8").strip()


def init_studio(data_dir: str | os.PathLike, *, venv: str | os.PathLike | None = None) -> Studio:
    """Create a studio: random admin password and API token, database, admin user.

    The database is copied from an empty, migrated template kept beside the
    server's venv (built once, 20-40 s); then ``label-studio init`` creates the
    admin (a few seconds). A studio that is already initialised is left as it is.

    Parameters
    ----------
    data_dir : path-like
        The studio's directory (created with mode 0700).
    venv : path-like, optional
        The server's environment (see :func:`ensure_server`).

    Returns
    -------
    Studio
    """
    studio = Studio(data_dir)
    if studio.initialised:
        return studio
    executable = ensure_server(venv)
    template = _database_template(executable)
    studio.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    studio.label_studio_dir.mkdir(exist_ok=True, mode=0o700)
    shutil.copyfile(template, studio.label_studio_dir / template.name)
    _write_secret(studio.password_file, secrets.token_urlsafe(18))
    _write_secret(studio.token_file, secrets.token_hex(20))
    env = studio.env()
    env.update(
        LABEL_STUDIO_USERNAME=ADMIN_EMAIL,
        LABEL_STUDIO_PASSWORD=read_secret(studio.password_file),
        LABEL_STUDIO_USER_TOKEN=read_secret(studio.token_file),
    )
    _say(f"Creating the studio's admin user in {studio.data_dir}")
    _run_init(executable, env, studio.data_dir, studio.log_file)
    return studio


def _run_init(executable: Path, env: dict[str, str], cwd: Path, log_file: Path) -> None:
    """``label-studio init --quiet``: migrate the database, create the admin if the env names one."""
    with open(log_file, "ab") as log:
        result = subprocess.run(
            [str(executable), "init", "--quiet", "--no-browser", "--enable-legacy-api-token"],
            env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    if result.returncode != 0:
        raise StudioError(f"{cwd}: 'label-studio init' failed (exit {result.returncode}); see {log_file}; "
                          "remove the directory and try again")


def _database_template(executable: Path) -> Path:
    """A migrated, empty Label Studio database kept beside the server's venv.

    Migrating a new database takes 20-40 s; a studio starts from a copy of this one
    instead. It holds no user, token or secret key: each studio makes its own.
    """
    venv = executable.parent.parent
    template = venv / "checkworthy-template" / "label_studio.sqlite3"
    if template.is_file():
        return template
    with _file_lock(venv.parent / f".{venv.name}.lock"):
        if template.is_file():
            return template
        _say(f"Preparing an empty Label Studio database in {template.parent} (20-40 s, only once)")
        work = Path(tempfile.mkdtemp(prefix=".template-", dir=venv))
        try:
            studio = Studio(work)
            _run_init(executable, studio.env(), work, work / "init.log")
            template.parent.mkdir(exist_ok=True)
            os.replace(studio.label_studio_dir / template.name, template)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return template


def clone_studio(template: str | os.PathLike, data_dir: str | os.PathLike) -> Studio:
    """Copy an initialised, stopped studio to a new directory (same admin, token, data).

    A copy starts in about 2 s instead of 20 s for a fresh one: tests build one
    template per session and clone it for each server.

    Raises
    ------
    StudioError
        ``template`` is not initialised, or ``data_dir`` already exists.
    """
    source = Studio(template)
    if not source.initialised:
        raise StudioError(f"{source.data_dir}: not an initialised studio; create it with init_studio() first")
    target = Studio(data_dir)
    if target.data_dir.exists():
        raise StudioError(f"{target.data_dir}: already exists; clone into a new directory")
    shutil.copytree(
        source.data_dir, target.data_dir,
        ignore=shutil.ignore_patterns(source.state_file.name, source.log_file.name, "export"),
    )
    return target


def port_in_use(port: int, host: str = _HOST) -> bool:
    """True when something accepts connections on, or holds, ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        if probe.connect_ex((host, port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def free_port(host: str = _HOST) -> int:
    """A port on ``host`` that nothing uses right now (picked by the kernel)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _is_our_server(studio: Studio, pid: int, port: int | None) -> bool:
    """True when ``pid`` is a ``label-studio start`` on ``port`` serving ``studio``'s data.

    Guards against a reused pid and against a copied studio folder, whose
    ``studio.json`` names the server of the original: the command line must be the
    server's and its ``LABEL_STUDIO_BASE_DATA_DIR`` this studio's. Without ``/proc``
    the recorded pid is all there is to go by; with it, a process whose command line
    cannot be read (a kernel thread that took over an ended server's pid) is not ours.
    """
    if not processes.running(pid):
        return False
    args = processes.command_line(pid)
    if args is None:
        return not Path("/proc/self/cmdline").is_file()
    return str(port) in args and _served_dir(pid) == studio.label_studio_dir.resolve()


def _served_dir(pid: int) -> Path | None:
    """The data folder (``LABEL_STUDIO_BASE_DATA_DIR``) that process ``pid`` serves, when it
    is a ``label-studio start`` whose command line and environment can be read."""
    args = processes.command_line(pid) or []
    if not (any(a.endswith("label-studio") for a in args) and "start" in args):
        return None
    served = (processes.environment(pid) or {}).get("LABEL_STUDIO_BASE_DATA_DIR")
    return Path(served).resolve() if served else None


def _healthy(url: str, timeout: float = 2.0) -> bool:
    import requests

    try:
        response = requests.get(f"{url}/health", timeout=timeout)
        return response.ok and response.json().get("status") == "UP"
    except (requests.RequestException, ValueError):
        return False


def status(data_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """The studio's state: ``{"url", "pid", "data_dir", "token_file", "running"}``.

    ``running`` is True when the recorded pid is alive, is the server, and
    ``/health`` answers; ``url`` and ``pid`` are None when it was never started or
    has stopped.
    """
    studio = Studio(data_dir or default_data_dir())
    state = studio.state()
    pid, url = state.get("pid"), state.get("url")
    running = bool(pid) and _is_our_server(studio, pid, state.get("port")) and _healthy(url, timeout=10.0)
    return {
        "url": url if running else None,
        "pid": pid if running else None,
        "data_dir": str(studio.data_dir),
        "token_file": str(studio.token_file),
        "running": running,
    }


def start(
    data_dir: str | os.PathLike | None = None,
    *,
    port: int | None = None,
    venv: str | os.PathLike | None = None,
    timeout: float = 120.0,
) -> dict[str, Any]:
    """Start the studio's server on 127.0.0.1 and wait until ``/health`` answers.

    Installs Label Studio (:func:`ensure_server`) and initialises the studio
    (:func:`init_studio`) when needed. A studio whose server is already running (or
    still starting) is left running and its status returned.

    Parameters
    ----------
    data_dir : path-like, optional
        Defaults to :func:`default_data_dir`.
    port : int, optional
        The port; 0 picks a free one. Defaults to 8080.
    venv : path-like, optional
        The server's environment (see :func:`ensure_server`).
    timeout : float, default=120.0
        Seconds to wait for ``/health``.

    Returns
    -------
    dict
        As :func:`status`.

    Raises
    ------
    StudioError
        The port is busy, or the server exited or did not become healthy in time
        (the message points at ``server.log``).
    """
    studio = Studio(data_dir or default_data_dir())
    state = studio.state()
    if state.get("pid") and _is_our_server(studio, state["pid"], state.get("port")):
        _wait_until_healthy(studio, state["url"], timeout, lambda: processes.running(state["pid"]))
        return status(studio.data_dir)
    port = DEFAULT_PORT if port is None else port
    if port == 0:
        port = free_port()
    elif port_in_use(port):
        raise StudioError(
            f"port {port} on {_HOST} is already in use by another program; "
            f"choose a free one with --port N (or --port 0 for any free port)"
        )
    executable = ensure_server(venv)
    init_studio(studio.data_dir, venv=venv)
    url = f"http://{_HOST}:{port}"
    log_offset = studio.log_file.stat().st_size if studio.log_file.exists() else 0
    with open(studio.log_file, "ab") as log:
        process = subprocess.Popen(
            [str(executable), "start", "--no-browser", "--internal-host", _HOST, "--port", str(port)],
            env=studio.env(), cwd=studio.data_dir, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    atomic_write_json(studio.state_file, {"pid": process.pid, "port": port, "url": url,
                                          "venv": str(executable.parent.parent), "version": LABEL_STUDIO_VERSION})
    _wait_until_healthy(studio, url, timeout, lambda: process.poll() is None)
    with open(studio.log_file, "rb") as log:
        log.seek(log_offset)
        started = f"Starting development server at {url}/".encode() in log.read()
    if not started:
        stop(studio.data_dir)
        raise StudioError(
            f"Label Studio did not report serving on {url} (another program may have taken port {port}); "
            f"see {studio.log_file} and start again with another --port"
        )
    return status(studio.data_dir)


def _wait_until_healthy(studio: Studio, url: str, timeout: float, alive) -> None:
    """Poll ``url/health`` until it answers; stop the server and raise if it never does."""
    deadline = time.monotonic() + timeout
    while not _healthy(url, timeout=1.0):
        if not alive():
            raise StudioError(f"Label Studio exited while starting; see {studio.log_file}")
        if time.monotonic() > deadline:
            stop(studio.data_dir)
            raise StudioError(f"Label Studio did not answer {url}/health within {timeout:.0f} s; see {studio.log_file}")
        time.sleep(0.3)


def stop(data_dir: str | os.PathLike | None = None, *, timeout: float = 15.0) -> bool:
    """Stop the studio's server: SIGTERM to its recorded pid, SIGKILL after ``timeout``.

    Only the process recorded in ``studio.json`` is signalled, and only when it is
    still a ``label-studio start`` on the recorded port serving this studio's data
    folder (see :func:`_is_our_server`). Otherwise the record is stale (the server
    ended, or the folder is a copy of another studio's): it is cleared and nothing
    is signalled; a server of another folder is named on stderr.

    Returns
    -------
    bool
        True when a running server was stopped, False when none was running.
    """
    studio = Studio(data_dir or default_data_dir())
    state = studio.state()
    pid = state.get("pid")
    if not pid or not _is_our_server(studio, pid, state.get("port")):
        if pid:
            served = _served_dir(pid)
            if served is not None:
                _say(f"{studio.state_file}: pid {pid} is the Label Studio of {served.parent}, not of {studio.data_dir} "
                     f"(a copied studio folder?); it was not stopped. Stop it with: checkworthy studio stop --data-dir {served.parent}")
            atomic_write_json(studio.state_file, {**state, "pid": None})
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while processes.running(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + timeout
        time.sleep(0.1)
    atomic_write_json(studio.state_file, {**state, "pid": None})
    return True


def display_name(email: str) -> tuple[str, str]:
    """``(first, last)`` name from an e-mail's local part: ``ann.lee@x.org`` -> ``("Ann", "Lee")``.

    Examples
    --------
    >>> display_name("annotator-2@example.org")
    ('Annotator', '2')
    """
    words = [word for word in re.split(r"[._+-]+", email.split("@")[0]) if word]
    words = [word[:1].upper() + word[1:] for word in words] or [email]
    return words[0], " ".join(words[1:])


@dataclasses.dataclass(frozen=True)
class Annotator:
    """What :func:`add_annotator` did; usable wherever the password file's path is expected.

    Parameters
    ----------
    email : str
        The login.
    user_id : int
        The account's id in Label Studio.
    password_file : Path
        ``annotators/<email>.password``, holding the password the annotator logs in with.
    created : bool
        The account was created now (False: it already existed).
    password_changed : bool
        A password that was already given out (an existing account's, or the one in an
        existing password file) was replaced by a new one (``reset_password=True``).
    """

    email: str
    user_id: int
    password_file: Path
    created: bool
    password_changed: bool

    def __fspath__(self) -> str:
        return str(self.password_file)


def add_annotator(data_dir: str | os.PathLike | None, email: str, *, venv: str | os.PathLike | None = None,
                  name: str | None = None, reset_password: bool = False) -> Annotator:
    """Create an annotator account, or make sure an existing one is in the organisation.

    A new account gets a random password, written to ``annotators/<email>.password``
    (mode 0600). Adding an annotator again keeps their password (the one already sent to
    them goes on working) and their display name, unless ``name`` is given; only
    ``reset_password=True`` gives them a new password, and the old one stops working.
    The account gets a display name (first and last name), so that Label Studio tells
    annotators apart by name and by the initials of their avatars.
    Works whether or not the server is running.

    Parameters
    ----------
    data_dir : path-like or None
        The studio; None for :func:`default_data_dir`.
    email : str
        The login.
    venv : path-like, optional
        The server's environment.
    name : str, optional
        ``"First Last"``; by default :func:`display_name` of the e-mail for a new account,
        and the name it has for an existing one.
    reset_password : bool, default=False
        Give the annotator a new random password (and rewrite the password file).

    Returns
    -------
    Annotator
        The account, its password file and whether it was created or its password changed;
        ``read_secret(add_annotator(...))`` reads the password.

    Raises
    ------
    StudioError
        ``email`` is not an e-mail address, the studio is not initialised, or the account
        exists without a password file here (its password is unknown: ``reset_password``).

    Examples
    --------
    >>> add_annotator(".checkworthy/studio", "ann@example.org").created      # doctest: +SKIP
    True
    >>> add_annotator(".checkworthy/studio", "ann@example.org").created      # doctest: +SKIP
    False
    """
    if "@" not in email or any(c in email for c in "/\\ \0") or email.startswith("."):
        raise StudioError(f"{email!r} is not an e-mail address; an annotator logs in with an e-mail like ann@example.org")
    studio = Studio(data_dir or default_data_dir())
    if not studio.initialised:
        raise StudioError(f"{studio.data_dir}: no studio here yet; run 'checkworthy studio start' first")
    python = ensure_server(venv or studio.state().get("venv")).parent / "python"
    password_file = studio.annotators_dir / f"{email}.password"
    known = password_file.is_file() and not reset_password
    password = read_secret(password_file) if known else secrets.token_urlsafe(12)
    if not password:
        raise StudioError(f"{password_file} is empty; give {email} a new password with "
                          f"'checkworthy studio add-annotator {email} --reset-password'")
    env = studio.env()
    first, last = name.strip().partition(" ")[::2] if name and name.strip() else display_name(email)
    env.update(CHECKWORTHY_USER_EMAIL=email, CHECKWORTHY_USER_PASSWORD=password,
               CHECKWORTHY_USER_FIRST=first, CHECKWORTHY_USER_LAST=last.strip(),
               CHECKWORTHY_USER_ON_EXISTING="reset" if reset_password else "keep" if known else "refuse",
               CHECKWORTHY_USER_RENAME="1" if name and name.strip() else "0")
    result = subprocess.run([str(python), "-c", _ADD_USER_SCRIPT], env=env, cwd=studio.data_dir,
                            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise StudioError(f"could not create annotator {email}: {result.stderr.strip().splitlines()[-1:]}; see the output above")
    outcome, user_id = result.stdout.split()[-2:]
    if outcome == "refused":
        raise StudioError(f"annotator {email} already has an account in {studio.data_dir}, but there is no password file "
                          f"{password_file}, so their password is unknown here; give them a new one with "
                          f"'checkworthy studio add-annotator {email} --reset-password'")
    had_file = password_file.is_file()
    if not known:
        studio.annotators_dir.mkdir(mode=0o700, exist_ok=True)
        _write_secret(password_file, password)
    return Annotator(email=email, user_id=int(user_id), password_file=password_file, created=outcome == "created",
                     password_changed=reset_password and (had_file or outcome == "reset"))
