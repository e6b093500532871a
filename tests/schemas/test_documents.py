"""The typed central documents: a real manifest and results go through ``from_dict`` / ``to_dict`` unchanged."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from checkworthy.builder.build import BuildConfig
from checkworthy.builder.from_corpus import build_from_corpus
from checkworthy.builder.store import load_manifest
from checkworthy.pipeline import RunConfig, run_pipeline
from checkworthy.schemas import load_schema
from checkworthy.schemas.documents import Manifest, Results
from checkworthy.schemas.errors import SchemaError
from checkworthy.schemas.io import canonical_json

REPO = Path(__file__).resolve().parents[2]

CT_HEADER = "Sentence_id\tText\tclass_label"


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    """A version built from the bundled seeds and label files, evaluated (two baselines, few replicates)."""
    out = tmp_path_factory.mktemp("documents") / "out"
    config = RunConfig(seeds=[str(REPO / "seeds")], out=str(out), studio=False, baselines=["majority", "tfidf-lr"], n_resamples=20)
    result = run_pipeline(config, say=lambda message: None)
    return Path(result.outputs["version"])


@pytest.fixture(scope="module")
def corpus_version(tmp_path_factory):
    """A version built from a tiny CheckThat! folder: no agreement, no annotations, corpus problems."""
    root = tmp_path_factory.mktemp("corpus")
    folder = root / "ct"
    folder.mkdir()
    files = {
        "CT24_en_train.tsv": ["1\tTaxes went up 5 percent.\tYes", "2\tThank you all.\tNo", "3\ttaxes went up 5 percent.\tNo"],
        "CT24_en_dev.tsv": ["10\tWe spent $2 trillion on the war.\tYes", "11\tGood evening.\tNo"],
        "CT24_en_dev-test.tsv": ["20\tTaxes went up 5 percent.\tYes"],
    }
    for name, lines in files.items():
        (folder / name).write_text("\n".join([CT_HEADER, *lines]) + "\n", encoding="utf-8")
    return build_from_corpus("checkthat", folder, root / "ds", BuildConfig(scheme="checkthat")).path


def _file(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    return json.loads(text), text


@pytest.mark.parametrize("which", ["evaluated", "corpus_version"])
def test_manifest_round_trips_unchanged(which, request):
    version_dir = request.getfixturevalue(which)
    document, text = _file(version_dir / "manifest.json")
    manifest = Manifest.from_dict(document, where=str(version_dir / "manifest.json"))
    assert manifest.to_dict() == document
    assert canonical_json(manifest.to_dict(), indent=2) + "\n" == text  # the bytes written
    assert load_manifest(version_dir) == manifest
    assert manifest.counts.total == sum(manifest.counts[s] for s in ("train", "validation", "test"))
    if which == "corpus_version":
        assert manifest.agreement is None and manifest.annotations is None and manifest.corpus_problems
    else:
        assert manifest.agreement["annotators"] == 2 and manifest.settings["seed"] == 0


def test_results_round_trip_unchanged(evaluated):
    path = evaluated / "evaluation" / "results.json"
    document, text = _file(path)
    results = Results.from_dict(document, where=str(path))
    assert results.to_dict() == document
    assert canonical_json(results.to_dict(), indent=2) + "\n" == text
    assert {e.baseline for e in results.results} == {"majority", "tfidf-lr"}
    assert [e.split for e in results.entries(baseline="majority")] == ["validation", "test"]
    assert results.dataset.fingerprint == load_manifest(evaluated).fingerprint
    assert results.baselines["majority"].threshold is None and results.settings.n_resamples == 20


@pytest.mark.parametrize(("cls", "schema"), [(Manifest, "manifest"), (Results, "results")])
def test_fields_and_key_order_follow_the_schema(cls, schema):
    """``to_dict`` writes the schema's properties in the schema's order, one field each."""
    names = [f.name for f in dataclasses.fields(cls) if f.name != "absent"]
    assert names == list(load_schema(schema)["properties"])


def test_optional_manifest_keys_stay_absent(corpus_version):
    document, _ = _file(corpus_version / "manifest.json")
    del document["annotations"], document["corpus_problems"], document["counts"]["total"]
    manifest = Manifest.from_dict(document)
    assert manifest.to_dict() == document
    assert list(manifest.to_dict()) == [k for k in load_schema("manifest")["properties"] if k in document]


def test_broken_manifest_names_the_file_and_the_field(corpus_version):
    path = corpus_version / "manifest.json"
    document, _ = _file(path)
    document["counts"]["train"] = -1
    del document["fingerprint"]
    with pytest.raises(SchemaError) as error:
        Manifest.from_dict(document, where=str(path))
    message = str(error.value)
    assert f"{path}: counts/train:" in message and "-1 is less than the minimum of 0" in message
    assert f"{path}: (top level): 'fingerprint' is a required property" in message


def test_broken_manifest_file_is_refused_on_load(corpus_version, tmp_path):
    document, _ = _file(corpus_version / "manifest.json")
    document["scheme_version"] = 2
    (tmp_path / "manifest.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SchemaError, match=rf"{tmp_path / 'manifest.json'}: scheme_version: 2 is not of type 'string'"):
        load_manifest(tmp_path)


def test_broken_results_name_the_file_and_the_field(evaluated):
    path = evaluated / "evaluation" / "results.json"
    document, _ = _file(path)
    document["results"][1]["split"] = "train"
    document["seeds"]["extra"] = 1
    with pytest.raises(SchemaError) as error:
        Results.from_dict(document, where=str(path))
    message = str(error.value)
    assert f"{path}: results/1/split: 'train' is not one of ['validation', 'test']" in message
    assert f"{path}: seeds: Additional properties are not allowed ('extra' was unexpected)" in message
