"""The package's floors, enforced: import-linter's contracts (``[tool.importlinter]`` in
pyproject.toml) plus the rules it cannot express.

The repository keeps ``builder/``, ``evaluation/`` and ``schemas/`` at the top and maps
them into ``checkworthy`` at install time, while import-linter finds a package's modules
on disk. So the tests lay the package out as a wheel installs it (a copy under
``tmp_path``) and run ``lint-imports`` there in a subprocess.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: Folder of each subpackage in the repository, as pyproject.toml maps them.
PACKAGE_DIRS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-dir"]
SOURCE_DIRS = sorted({REPO / folder for folder in PACKAGE_DIRS.values()})
OLD_TOP_LEVEL = ("builder", "evaluation", "schemas")


def installed_layout(tmp_path: Path) -> Path:
    """Copy the package to ``tmp_path/checkworthy/...`` as installed; returns ``tmp_path``."""
    for package, folder in sorted(PACKAGE_DIRS.items()):
        target = tmp_path.joinpath(*package.split("."))
        shutil.copytree(REPO / folder, target, ignore=shutil.ignore_patterns("__pycache__", "*.json", "*.md"), dirs_exist_ok=True)
    return tmp_path


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True))"
    return subprocess.run([sys.executable, "-c", code, str(REPO / "pyproject.toml")], cwd=root, env=env, capture_output=True, text=True)


def test_contracts_are_kept(tmp_path):
    result = lint_imports(installed_layout(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("builder/split.py", "from checkworthy.evaluation import metrics", "Floors"),
        ("schemas/io.py", "from checkworthy.builder import store", "Floors"),
        ("evaluation/metrics.py", "from checkworthy.builder import articles", "version store"),
        ("builder/split.py", "from checkworthy.builder import tasks", "No cycles"),
    ],
)
def test_a_planted_import_breaks_a_contract(tmp_path, module, planted, contract):
    root = installed_layout(tmp_path)
    folder, name = module.split("/")
    package = next(p for p, f in PACKAGE_DIRS.items() if f == folder)
    path = root.joinpath(*package.split("."), name)
    path.write_text(path.read_text(encoding="utf-8") + f"\n{planted}  # planted by the test\n", encoding="utf-8")
    result = lint_imports(root)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout and contract in result.stdout.split("Broken contracts")[-1]


def _python_files():
    for folder in [*SOURCE_DIRS, REPO / "tests", REPO / "benchmarks"]:
        yield from sorted(folder.rglob("*.py"))


def _own(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "checkworthy"
    return isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "checkworthy" for alias in node.names)


def test_project_imports_are_at_the_top_of_each_module():
    """Imports of the project's own modules are never hidden inside functions."""
    found = []
    for path in SOURCE_DIRS:
        for file in sorted(path.rglob("*.py")):
            for function in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found += [f"{file.relative_to(REPO)}:{node.lineno}" for node in ast.walk(function) if _own(node)]
    assert found == []


def test_nothing_imports_the_old_top_level_names():
    found = []
    for file in _python_files():
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [a.name for a in node.names] if isinstance(node, ast.Import) else []
            found += [f"{file.relative_to(REPO)}:{node.lineno}: {name}" for name in names if name.split(".")[0] in OLD_TOP_LEVEL]
    assert found == []


HEAVY = ("sklearn", "torch", "datasets", "pandas", "matplotlib", "scipy", "skops", "label_studio_sdk", "transformers", "mlcroissant", "ray")


def test_help_imports_no_heavy_library():
    """``checkworthy --help`` and every ``COMMAND --help`` stay fast: no heavy library is imported."""
    code = (
        "import sys\n"
        "from checkworthy.cli import build_parser, discover_commands\n"
        "build_parser()\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in sys.argv[1:])))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, *HEAVY], capture_output=True, text=True, check=True)
    assert result.stdout.split() == []
