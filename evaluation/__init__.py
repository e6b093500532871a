"""checkworthy.evaluation: baselines, metrics, the scoring harness and benchmark adapters."""
