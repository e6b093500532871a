"""The compiled fast check in ``schemas.schema_errors`` agrees with jsonschema."""

from __future__ import annotations

import pytest

from checkworthy.schemas import _uses_newer_keywords, schema_errors


def _task(**data):
    task = {"data": {"sentence_id": "a-1:0123456789ab", "article_id": "a-1", "sentence": "S.", "text_sha256": "0" * 64,
                     "headline": "", "context_before": "", "context_after": "", "passage": "<p><mark>S.</mark></p>",
                     "article": "<p><mark>S.</mark></p>"},
            "meta": {"scheme": "claimbuster", "start": 0, "end": 2, "index": 0, "score": 0.5, "reason": "r"}}
    task["data"].update(data)
    return task


def test_valid_tasks_pass_and_invalid_ones_get_detailed_messages():
    assert schema_errors([_task(), _task()], "tasks") == []
    problems = schema_errors([_task(), _task(sentence_id="bad id")], "tasks")
    assert len(problems) == 1 and problems[0].startswith("1/data/sentence_id: 'bad id' does not match")


@pytest.mark.parametrize("schema, newer", [
    ({"type": "object", "properties": {"a": {"type": "string"}}}, False),
    ({"type": "array", "prefixItems": [{"type": "string"}]}, True),
    ({"properties": {"a": {"unevaluatedProperties": False}}}, True),
    ({"items": [{"type": "string"}]}, True),
], ids=["draft7-only", "prefixItems", "nested-unevaluated", "tuple-items"])
def test_schemas_with_keywords_newer_than_draft7_skip_the_fast_check(schema, newer):
    assert _uses_newer_keywords(schema) == newer
