"""The wheel installs exactly one top-level import name, ``checkworthy``, with its data files."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_has_one_top_level_package_and_its_data(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(REPO)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("checkworthy-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"checkworthy"}
    for needed in (
        "checkworthy/cli/__init__.py",
        "checkworthy/builder/store.py",
        "checkworthy/evaluation/harness.py",
        "checkworthy/schemas/manifest.schema.json",
        "checkworthy/schemas/schemes/claimbuster.json",
    ):
        assert needed in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "checkworthy = checkworthy.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
