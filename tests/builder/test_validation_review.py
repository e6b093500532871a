"""``checkworthy validate`` on the output folder of ``checkworthy review``: checked as a review, not read as articles."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from checkworthy.builder.review import ReviewConfig, review_version
from checkworthy.builder.validation import validate_file
from checkworthy.cli import main


@pytest.fixture(scope="module")
def reviewed(built_dataset, tmp_path_factory):
    """A review of the built dataset (annotator reasons only, no model), with its adjudication tasks."""
    out = tmp_path_factory.mktemp("review") / "review"
    result = review_version(built_dataset, out, ReviewConfig(baseline="none"), articles=[built_dataset.parent / "articles"])
    assert result.tasks  # the fixture's annotators disagree: there is something to adjudicate
    return out


@pytest.fixture
def review_dir(reviewed, tmp_path):
    """A private copy of the review folder, to edit."""
    return shutil.copytree(reviewed, tmp_path / "review")


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write_lines(path, records):
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")


def test_a_review_folder_is_checked_as_one(reviewed, capsys):
    kind, count, problems = validate_file(reviewed)
    assert (kind, problems) == ("review folder", [])
    items = len(_lines(reviewed / "review.jsonl"))
    tasks = len(json.loads((reviewed / "adjudication" / "tasks.json").read_text(encoding="utf-8")))
    assert count > items + tasks  # the items, the summary, the marker and the adjudication folder's records
    assert main(["validate", str(reviewed)]) == 0
    captured = capsys.readouterr()
    assert f"{reviewed}: review folder: ok" in captured.out and "missing required field" not in captured.err


def test_its_files_are_recognised_one_by_one(reviewed):
    assert validate_file(reviewed / "review.jsonl")[0::2] == ("review.jsonl", [])
    assert validate_file(reviewed / "summary.json")[0::2] == ("review summary.json", [])
    assert validate_file(reviewed / "adjudication")[0::2] == ("tasks folder", [])


def test_a_review_without_adjudication_tasks_is_ok(built_dataset, tmp_path):
    out = tmp_path / "ranking-only"
    review_version(built_dataset, out, ReviewConfig(baseline="none"))
    assert validate_file(out)[0::2] == ("review folder", [])


def _edit_items(review_dir, edit):
    path = review_dir / "review.jsonl"
    records = _lines(path)
    edit(records)
    _write_lines(path, records)


def _drop_field(records):
    del records[0]["rank"]


def _swap_first_two(records):
    records[0], records[1] = records[1], records[0]


def _unknown_reason(records):
    records[0]["reasons"] = [{"reason": "gut-feeling", "doubt": 0.5}]


def _doubt_out_of_range(records):
    records[0]["doubt"] = 1.5


def _duplicate(records):
    records.append({**records[0], "rank": len(records) + 1})


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_drop_field, r"review.jsonl: line 1: expected the fields of a review item \(rank, sentence_id, .*\): missing rank"),
        (_swap_first_two, r"review.jsonl: line 1 \(sentence_id .*\): rank 2, expected 1"),
        (_unknown_reason, r"review.jsonl: line 1 \(sentence_id .*\): reasons .*gut-feeling.* are not objects with a reason of tie, "),
        (_doubt_out_of_range, r"review.jsonl: line 1 \(sentence_id .*\): doubt 1.5 is not a number in \[0, 1\]"),
        (_duplicate, r"review.jsonl: line \d+ \(sentence_id .*\): duplicate sentence_id \(first on line 1\)"),
    ],
    ids=["missing-field", "ranks-out-of-order", "unknown-reason", "doubt-out-of-range", "duplicate-sentence"],
)
def test_a_broken_ranking_is_reported(review_dir, edit, message):
    _edit_items(review_dir, edit)
    kind, _, problems = validate_file(review_dir)
    assert kind == "review folder"
    assert any(re.search(message, p) for p in problems), problems


def test_summary_counts_are_checked_against_the_ranking_and_the_tasks(review_dir):
    summary_path = review_dir / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    summary["doubtful"] += 1
    summary["adjudication_tasks"] += 2
    summary_path.write_text(json.dumps(summary), encoding="utf-8")
    problems = validate_file(review_dir)[2]
    assert any(f"summary.json: doubtful is {summary['doubtful']} but review.jsonl has {summary['doubtful'] - 1}" in p for p in problems)
    assert any(f"summary.json: adjudication_tasks is {summary['adjudication_tasks']} but " in p and "tasks.json holds" in p for p in problems)


def test_a_missing_adjudication_file_is_reported(review_dir):
    (review_dir / "adjudication" / "label_config.xml").unlink()
    problems = validate_file(review_dir)[2]
    assert any(p.startswith(f"{review_dir / 'adjudication' / 'label_config.xml'}: missing") for p in problems), problems
