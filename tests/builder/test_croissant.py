"""``croissant.json``: Croissant 1.0 with RAI fields, validated and read by ``mlcroissant``."""

from __future__ import annotations

import json

import pytest

from checkworthy.builder.card import write_card
from checkworthy.builder.store import read_manifest
from checkworthy.schemas.io import sha256_file

RAI_FIELDS = [
    "rai:dataCollection",
    "rai:dataAnnotationProtocol",
    "rai:annotatorDemographics",
    "rai:dataBiases",
    "rai:dataLimitations",
    "rai:personalSensitiveInformation",
    "rai:dataUseCases",
]


@pytest.fixture
def croissant(version_dir):
    from checkworthy.builder.card import CardConfig

    write_card(version_dir, config=CardConfig(annotator_demographics="Two adults, fluent in English; no other data collected."))
    return version_dir / "croissant.json"


def test_croissant_has_sha256_and_rai_fields(croissant, version_dir):
    doc = json.loads(croissant.read_text(encoding="utf-8"))
    assert doc["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    files = {f["contentUrl"]: f["sha256"] for f in doc["distribution"]}
    for name in ("data/train.parquet", "data/validation.parquet", "data/test.parquet", "annotations.parquet"):
        assert files[name] == sha256_file(version_dir / name)
    for key in RAI_FIELDS:
        assert doc[key], key
    train = next(rs for rs in doc["recordSet"] if rs["@id"] == "train")
    assert [f["name"] for f in train["field"]][:4] == ["sentence_id", "article_id", "text", "label"]


def test_croissant_validates_and_loads_with_mlcroissant(croissant, monkeypatch):
    import socket

    import mlcroissant as mlc

    def no_network(*args, **kwargs):
        raise OSError("the Croissant file must be readable offline, but a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)

    dataset = mlc.Dataset(jsonld=str(croissant))  # raises mlc.ValidationError on any error
    assert not dataset.metadata.ctx.issues.errors
    labels = [r["label_names/name"] for r in dataset.records(record_set="label_names")]
    assert labels == ["CFS", "UFS", "NFS"]
    rows = list(dataset.records(record_set="test"))
    assert len(rows) == read_manifest(croissant.parent)["counts"]["test"]
    assert {r["test/label"] for r in rows} <= {0, 1, 2}
