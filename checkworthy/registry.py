"""Registrations that join two floors, in one visible place.

Most registries are filled where their entries are defined: file kinds for
``validate`` (``checkworthy.builder.validation``), baselines
(``checkworthy.evaluation.baselines.BASELINES``), heuristic scorers
(``checkworthy.builder.select.SCORERS``), aggregators
(``checkworthy.builder.aggregate.METHODS``), label schemes (the JSON files of
``checkworthy.schemas``) and commands (``checkworthy.cli.COMMANDS``). The entries
here come from a higher floor than the registry they fill, so the lower floor never
imports upward: a trained model (``checkworthy.evaluation``) as the candidate scorer
of ``checkworthy tasks --scorer MODEL_DIR`` (``checkworthy.builder.select``), and the
out-of-fold model view of confident learning (``checkworthy.evaluation.confident``) for
``checkworthy review`` (``checkworthy.builder.review``).

The CLI and the main job (``checkworthy.pipeline``) import this module; Python code
that passes a model directory as a scorer imports it too (or passes a
``BaselineScorer`` instance).
"""

from __future__ import annotations

from checkworthy.builder.review import register_model_view
from checkworthy.builder.select import register_model_scorer
from checkworthy.evaluation.confident import review_view
from checkworthy.evaluation.selection import BaselineScorer

__all__ = ["register_all"]


def register_all() -> None:
    """Fill the cross-floor registries (idempotent; done once at import)."""
    register_model_scorer(BaselineScorer, name="baseline")
    register_model_view(review_view)


register_all()
