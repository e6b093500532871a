"""Shared pytest fixtures. Every test writes its own small inputs under ``tmp_path``."""

from __future__ import annotations

import pytest


@pytest.fixture
def write(tmp_path):
    """Write a text file under ``tmp_path`` and return its path: ``write("a/b.txt", "...")``."""

    def _write(relative: str, content: str | bytes):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write
