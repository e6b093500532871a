"""checkworthy.builder: articles -> sentences -> labeling tasks -> annotations -> dataset versions -> card.

The entry points are re-exported here and imported lazily, so that ``import builder``
(and the CLI's ``--help``) stays fast.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "read_articles": "builder.articles",
    "split_article": "builder.split",
    "score_sentences": "builder.select",
    "make_tasks": "builder.tasks",
    "write_tasks": "builder.tasks",
    "push_tasks": "builder.labelstudio",
    "pull_export": "builder.labelstudio",
    "read_annotations": "builder.annotations",
    "build_version": "builder.versions",
    "load_version": "builder.versions",
    "diff_versions": "builder.diff",
    "write_card": "builder.card",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'builder' has no attribute {name!r}")
