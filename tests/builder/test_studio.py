"""The local Label Studio server: start, status, stop, busy port, secrets, annotators."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checkworthy.builder import studio
from checkworthy.schemas.errors import StudioError

REPO = Path(__file__).resolve().parents[2]


def _cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "checkworthy", *argv], capture_output=True, text=True, cwd=REPO)


def _listening(pid: int) -> list[str]:
    """The local addresses (hex, as in /proc/net/tcp) on which process ``pid`` listens."""
    fd_dir = Path(f"/proc/{pid}/fd")
    inodes = {os.readlink(fd_dir / fd)[8:-1] for fd in os.listdir(fd_dir)
              if os.readlink(fd_dir / fd).startswith("socket:[")}
    found = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:
                found.append(fields[1])
    return found


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_default_locations_follow_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(studio.ENV_VENV, str(tmp_path / "venv"))
    monkeypatch.setenv(studio.ENV_DATA_DIR, str(tmp_path / "data"))
    assert studio.default_venv() == tmp_path / "venv"
    assert studio.default_data_dir() == tmp_path / "data"
    monkeypatch.delenv(studio.ENV_VENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert studio.default_venv() == tmp_path / "cache" / "checkworthy" / f"label-studio-{studio.LABEL_STUDIO_VERSION}"


@pytest.mark.parametrize("email", ["not-an-email", "a/b@example.org", ".hidden@example.org"],
                         ids=["no-at", "slash", "leading-dot"])
def test_add_annotator_rejects_what_is_not_an_email(tmp_path, email):
    with pytest.raises(StudioError, match="is not an e-mail address"):
        studio.add_annotator(tmp_path, email)


needs_proc = pytest.mark.skipif(not Path("/proc/self/environ").is_file(), reason="needs /proc (Linux) to read a process's command line")


@contextlib.contextmanager
def _process(argv: list[str], env: dict[str, str] | None = None):
    """A harmless process that sleeps for a minute; killed at the end if still there.

    Yielded once /proc shows its command line: Popen can return while the kernel is still
    setting up the new program (its command line and environment read empty for a moment),
    and the studio's checks read both.
    """
    process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL)
    cmdline, deadline = Path(f"/proc/{process.pid}/cmdline"), time.monotonic() + 10
    while Path("/proc/self/cmdline").is_file() and process.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if cmdline.read_bytes().split(b"\0")[: len(argv)] == [os.fsencode(arg) for arg in argv]:
                break
        time.sleep(0.01)
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def _fake_state(data_dir: Path, pid: int, port: int) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "studio.json").write_text(json.dumps({"pid": pid, "port": port, "url": f"http://127.0.0.1:{port}"}))


@needs_proc
def test_stop_never_signals_a_process_that_is_not_the_server(tmp_path):
    with _process([sys.executable, "-c", "import time; time.sleep(60)"]) as sleeper:
        _fake_state(tmp_path / "studio", sleeper.pid, 8080)
        assert studio.stop(tmp_path / "studio") is False
        time.sleep(0.2)
        assert sleeper.poll() is None, "a process that is not the studio's server was signalled"
    assert studio.Studio(tmp_path / "studio").state()["pid"] is None, "the stale record is cleared"


@needs_proc
def test_stop_in_a_copied_studio_folder_leaves_the_original_server_running(tmp_path, capsys):
    """A stand-in server: a script named label-studio, started as the studio starts its server."""
    original, copy, port = tmp_path / "original", tmp_path / "copy", 18080
    script = tmp_path / "bin" / "label-studio"
    script.parent.mkdir()
    script.write_text("import time\ntime.sleep(60)\n")
    env = studio.Studio(original).env()
    argv = [sys.executable, str(script), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port)]
    with _process(argv, env) as server:
        _fake_state(original, server.pid, port)
        shutil.copytree(original, copy)
        assert studio.stop(copy) is False
        time.sleep(0.2)
        assert server.poll() is None, "stopping the copy stopped the original's server"
        assert f"pid {server.pid} is the Label Studio of {original}, not of {copy}" in capsys.readouterr().err
        assert studio.Studio(copy).state()["pid"] is None
        assert studio.Studio(original).state()["pid"] == server.pid
        assert studio.stop(original, timeout=5) is True
        assert server.poll() is not None


@needs_proc
def test_stop_leaves_a_process_whose_command_line_cannot_be_read(tmp_path, monkeypatch):
    """The recorded pid now belongs to a process /proc shows no command line for (a kernel
    thread that took over an ended server's pid, say): it is not signalled."""
    data_dir = tmp_path / "studio"
    with _process([sys.executable, "-c", "import time; time.sleep(60)"]) as other:
        _fake_state(data_dir, other.pid, 18081)
        monkeypatch.setattr(studio.processes, "command_line", lambda pid: None)
        assert studio.stop(data_dir, timeout=5) is False
        time.sleep(0.2)
        assert other.poll() is None, "stop signalled a process it could not identify"
        assert studio.Studio(data_dir).state()["pid"] is None


@pytest.mark.studio
def test_start_status_stop_leaves_no_process(studio_template, tmp_path):
    data_dir = tmp_path / "studio"
    studio.clone_studio(studio_template, data_dir)
    started = _cli("studio", "start", "--data-dir", str(data_dir), "--port", "0")
    assert started.returncode == 0, started.stderr
    status = json.loads(_cli("studio", "status", "--json", "--data-dir", str(data_dir)).stdout)
    try:
        assert set(status) == {"url", "pid", "data_dir", "token_file", "running"}
        assert status["running"] and status["url"].startswith("http://127.0.0.1:")
        assert status["url"] in started.stdout and studio.ADMIN_EMAIL in started.stdout
        assert str(data_dir / "admin_password") in started.stdout
        for secret_file in ("admin_password", "api_token"):
            secret = (data_dir / secret_file).read_text().strip()
            assert secret not in started.stdout + started.stderr
            assert stat.S_IMODE((data_dir / secret_file).stat().st_mode) == 0o600
        assert len((data_dir / "api_token").read_text().strip()) == 40
        port = int(status["url"].rsplit(":", 1)[1])
        assert _listening(status["pid"]) == [f"0100007F:{port:04X}"], "the server listens on 127.0.0.1 only"
        again = _cli("studio", "start", "--data-dir", str(data_dir), "--port", "0")
        assert again.returncode == 0 and f"pid {status['pid']}" in again.stdout, "a running studio is reused"
        shutil.copytree(data_dir, tmp_path / "copy")
        in_copy = _cli("studio", "stop", "--data-dir", str(tmp_path / "copy"))
        assert in_copy.returncode == 0 and "no Label Studio was running" in in_copy.stdout and "it was not stopped" in in_copy.stderr
        assert json.loads(_cli("studio", "status", "--json", "--data-dir", str(data_dir)).stdout)["running"], "the original still runs"
    finally:
        stopped = _cli("studio", "stop", "--data-dir", str(data_dir))
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert _gone(status["pid"]), "no process is left (a zombie waiting for init to reap it has ended)"
    after = json.loads(_cli("studio", "status", "--json", "--data-dir", str(data_dir)).stdout)
    assert after == {**status, "running": False, "url": None, "pid": None}
    assert "no Label Studio was running" in _cli("studio", "stop", "--data-dir", str(data_dir)).stdout


@pytest.mark.studio
def test_a_busy_port_is_detected_before_start(studio_template, tmp_path):
    data_dir = tmp_path / "studio"
    studio.clone_studio(studio_template, data_dir)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(StudioError, match=rf"port {port} on 127.0.0.1 is already in use.*--port"):
            studio.start(data_dir, port=port)
        done = _cli("studio", "start", "--data-dir", str(data_dir), "--port", str(port))
    assert done.returncode == 1 and "already in use" in done.stderr
    assert not (data_dir / "studio.json").exists(), "nothing was started"


@pytest.mark.studio
def test_add_annotator_writes_a_private_password_the_user_can_log_in_with(studio_server):
    done = _cli("studio", "add-annotator", "ann9@example.org", "--data-dir", studio_server["data_dir"])
    assert done.returncode == 0, done.stderr
    password_file = Path(studio_server["data_dir"]) / "annotators" / "ann9@example.org.password"
    assert str(password_file) in done.stdout
    password = password_file.read_text().strip()
    assert password not in done.stdout + done.stderr
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert _can_log_in(studio_server["url"], "ann9@example.org", password)
    users = studio_server["connection"].client().users.list()
    assert "ann9@example.org" in {user.email for user in users}


def _can_log_in(url: str, email: str, password: str) -> bool:
    """Whether Label Studio's login form accepts ``email`` and ``password`` (it redirects on success)."""
    import requests

    session = requests.Session()
    login = f"{url}/user/login/"
    session.get(login, timeout=30)
    answer = session.post(login, data={"email": email, "password": password,
                                       "csrfmiddlewaretoken": session.cookies.get("csrftoken")},
                          headers={"Referer": login}, timeout=30, allow_redirects=False)
    return answer.status_code == 302


@pytest.mark.studio
def test_adding_an_annotator_again_keeps_the_password_already_sent(studio_server):
    email, data_dir = "ann10@example.org", studio_server["data_dir"]
    first = _cli("studio", "add-annotator", email, "--data-dir", data_dir, "--name", "Ann Ten")
    assert first.returncode == 0 and "can log in" in first.stdout, first.stderr
    password_file = Path(data_dir) / "annotators" / f"{email}.password"
    sent = password_file.read_text().strip()
    again = _cli("studio", "add-annotator", email, "--data-dir", data_dir)
    assert again.returncode == 0, again.stderr
    assert "already exists" in again.stdout and "unchanged" in again.stdout and str(password_file) in again.stdout
    assert password_file.read_text().strip() == sent
    assert _can_log_in(studio_server["url"], email, sent)
    account = studio.add_annotator(data_dir, email)
    assert (account.created, account.password_changed, studio.read_secret(account)) == (False, False, sent)
    user = next(u for u in studio_server["connection"].client().users.list() if u.email == email)
    assert (user.first_name, user.last_name) == ("Ann", "Ten"), "adding again without --name keeps the name"

    reset = _cli("studio", "add-annotator", email, "--data-dir", data_dir, "--reset-password")
    assert reset.returncode == 0, reset.stderr
    assert "new password" in reset.stdout and "no longer works" in reset.stdout
    new = password_file.read_text().strip()
    assert new != sent and new not in reset.stdout + reset.stderr
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert _can_log_in(studio_server["url"], email, new)
    assert not _can_log_in(studio_server["url"], email, sent)


@pytest.mark.studio
def test_an_account_without_its_password_file_is_not_given_a_new_password_silently(studio_server):
    email, data_dir = "ann11@example.org", studio_server["data_dir"]
    password_file = studio.add_annotator(data_dir, email).password_file
    sent = studio.read_secret(password_file)
    password_file.unlink()
    with pytest.raises(StudioError, match=r"already has an account.*no password file.*--reset-password"):
        studio.add_annotator(data_dir, email)
    assert not password_file.exists()
    assert _can_log_in(studio_server["url"], email, sent)
    account = studio.add_annotator(data_dir, email, reset_password=True)
    assert account.password_changed and not account.created
    assert _can_log_in(studio_server["url"], email, studio.read_secret(account))


def test_ensure_server_reuses_a_complete_install(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "label-studio").write_text("#!/bin/sh\n")
    (venv / ".checkworthy-installed").write_text(studio.LABEL_STUDIO_VERSION + "\n")
    assert studio.ensure_server(venv) == venv / "bin" / "label-studio"
    assert sorted(os.listdir(venv)) == [".checkworthy-installed", "bin"]


def test_studio_messages_follow_quiet(capsys):
    from checkworthy.schemas.io import quiet_progress

    with quiet_progress():
        studio._say("installing Label Studio ...")
    studio._say("studio running")
    assert capsys.readouterr().err == "studio running\n"
