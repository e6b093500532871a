"""Subcommands of the evaluation stage: ``evaluate``, ``train`` and ``score``.

Importing this package (the CLI does, to discover the commands) also teaches
``checkworthy validate`` the evaluation's own output, ``results.json``.
"""

from builder.validation import FileKind, register_kind


def _check_results(path):
    from builder.io import read_json
    from schemas import schema_errors

    return 1, [f"{path}: {e} (schema results.schema.json)" for e in schema_errors(read_json(path), "results")]


register_kind(FileKind("results.json", lambda path: path.name == "results.json", _check_results, 10))
