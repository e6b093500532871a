"""checkworthy.evaluation: baselines, metrics, the scoring harness and benchmark adapters.

The entry points are re-exported here and imported lazily, so that ``import
evaluation`` stays fast.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "evaluate_version": "evaluation.harness",
    "evaluate_baselines": "evaluation.harness",
    "score_file": "evaluation.scoring",
    "make_baseline": "evaluation.baselines",
    "load_model": "evaluation.baselines",
    "get_metric": "evaluation.metrics",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'evaluation' has no attribute {name!r}")
