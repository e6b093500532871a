"""checkworthy: a fact-check dataset builder and evaluation harness.

One import package whose subpackages are floors; each floor imports only from the
floors below it (``tests/test_architecture.py`` enforces this with import-linter):

``checkworthy.cli``
    the ``checkworthy`` command line: one module per subcommand.
``checkworthy.pipeline``, ``checkworthy.registry``
    orchestration: the main job (``checkworthy run``) and the registrations that need
    more than one floor (a trained model as a ``tasks --scorer``).
``checkworthy.evaluation``
    baselines, metrics, bootstrap intervals, the scoring harness; it reads datasets
    through the version store (``checkworthy.builder.store``) only.
``checkworthy.builder``
    the stages: reading articles, splitting, selection, Label Studio, annotations,
    aggregation, agreement, splits, building versions and the version store, the card.
``checkworthy.schemas``
    the contracts: JSON Schemas, label schemes, the record dataclasses, the typed
    central documents (manifest, results), errors and atomic I/O.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
