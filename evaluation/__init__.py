"""checkworthy.evaluation: baselines, metrics, bootstrap intervals and the scoring harness.

It reads datasets through the version store (:mod:`checkworthy.builder.store`) only.
scikit-learn and torch are imported when a model is made or loaded, not on import.
"""

from checkworthy.evaluation.baselines import BASELINES, CORE_BASELINES, load_model, make_baseline, save_model
from checkworthy.evaluation.harness import evaluate_baselines, evaluate_version
from checkworthy.evaluation.metrics import get_metric
from checkworthy.evaluation.scoring import score_file

__all__ = [
    "BASELINES",
    "CORE_BASELINES",
    "evaluate_baselines",
    "evaluate_version",
    "get_metric",
    "load_model",
    "make_baseline",
    "save_model",
    "score_file",
]
