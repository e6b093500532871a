"""Fixtures of the card, Croissant and publish tests: a real dataset version, built once.

The version is built by ``checkworthy.builder.build.build_version`` from the tiny articles and
Label Studio export of ``labelstudio_fixtures``; each test gets its own copy, since
the tests rewrite the card.
"""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="session")
def built_dataset(tmp_path_factory):
    """A dataset directory with version 1.0.0 (seed 13, three annotators), shared read-only."""
    from labelstudio_fixtures import KEY, labeled_export, write_articles, write_export

    from checkworthy.builder.build import BuildConfig, build_version

    root = tmp_path_factory.mktemp("built")
    folder, sentences = write_articles(root)
    export = write_export(root / "export.json", labeled_export(sentences, {1: "CFS", 2: ["CFS", "UFS"], 3: ["NFS", "CFS", "UFS"]}))
    build_version([export], [folder], root / "ds", BuildConfig(seed=13), key=KEY)
    return root / "ds"


@pytest.fixture
def version_dir(built_dataset, tmp_path):
    """A private copy of the built dataset; returns its ``versions/1.0.0`` directory."""
    dataset = shutil.copytree(built_dataset, tmp_path / "ds")
    return dataset / "versions" / "1.0.0"
