"""The README stays in step with the CLI and with CI."""

from __future__ import annotations

import re
from pathlib import Path

from checkworthy.cli import build_parser, discover_commands

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _quick_start() -> list[str]:
    block = re.search(r"## Quick start.*?```bash\n(.*?)```", README, re.S)
    assert block, "README has no Quick start code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_is_two_commands_and_ci_runs_the_test_command():
    commands = _quick_start()
    assert len(commands) == 2
    assert "checkworthy run seeds" in commands[0]
    assert "pytest" in commands[1]
    assert commands[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_cli_reference_lists_every_command():
    listed = set(re.findall(r"^\| `checkworthy ([a-z-]+)` \|", README, re.M))
    assert listed == set(discover_commands())


def test_every_command_has_help_and_examples():
    parser = build_parser()
    for name, command in discover_commands().items():
        assert command.help, name
        assert "examples:" in command.epilog and f"checkworthy {name}" in command.epilog, name
    assert parser.prog == "checkworthy"


def test_python_api_example_runs(tmp_path, monkeypatch):
    """The README's "Python API" block runs as written, from a folder that has the seeds."""
    block = re.search(r"## Python API.*?```python\n(.*?)```", README, re.S)
    assert block, "README has no Python API code block"
    (tmp_path / "seeds").symlink_to(REPO / "seeds")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(block.group(1), "README.md (Python API)", "exec"), namespace)
    assert namespace["built"].version == "1.0.0"
    assert namespace["built"].path.joinpath("README.md").is_file()
    assert set(namespace["dataset"]) == {"train", "validation", "test"}
    assert (tmp_path / "out/api/dataset/versions/1.0.0/croissant.json").is_file()
