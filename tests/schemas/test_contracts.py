"""The contracts in ``schemas/`` agree with the records and with what is derived from them."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest

from checkworthy.schemas import FROM_NAME, TO_NAME, available_schemes, load_schema, load_scheme, validate
from checkworthy.schemas.errors import InputError, SchemaError
from checkworthy.schemas.records import Article, Sentence


@pytest.mark.parametrize(
    ("record_cls", "schema"), [(Article, "article"), (Sentence, "sentence")], ids=["article", "sentence"]
)
def test_record_fields_match_schema(record_cls, schema):
    fields = {f.name for f in dataclasses.fields(record_cls)}
    assert fields == set(load_schema(schema)["properties"])


def test_shipped_schemes():
    assert available_schemes() == ["checkthat", "claimbuster"]
    assert load_scheme("claimbuster").names == ["CFS", "UFS", "NFS"]
    assert load_scheme("checkthat").names == ["Yes", "No"]
    assert [load_scheme("claimbuster").to_binary(n) for n in ["CFS", "UFS", "NFS"]] == ["Yes", "No", "No"]


@pytest.mark.parametrize("name", ["claimbuster", "checkthat"])
def test_label_config_and_class_label_derive_from_scheme(name):
    scheme = load_scheme(name)
    root = ET.fromstring(scheme.label_config())
    choices = root.find(f".//Choices[@name='{FROM_NAME}']")
    assert choices is not None and choices.get("toName") == TO_NAME
    assert [c.get("alias") for c in choices.findall("Choice")] == scheme.names  # what results and exports keep
    assert [c.get("value") for c in choices.findall("Choice")] == [label.title for label in scheme.labels]  # what the page shows
    assert all(c.get("hint") for c in choices.findall("Choice"))
    assert scheme.class_label().names == scheme.names


def test_unknown_scheme_suggests_close_name():
    with pytest.raises(InputError, match="Did you mean 'claimbuster'"):
        load_scheme("claimbustr")


def test_unknown_label_names_scheme_and_allowed_labels():
    with pytest.raises(InputError, match=r"'CFX' is not in scheme 'claimbuster' \(CFS, UFS, NFS\)"):
        load_scheme("claimbuster").label("CFX")


def test_validate_lists_every_problem_with_location():
    bad = {"article_id": "bad id!", "text": 3}
    with pytest.raises(SchemaError) as info:
        validate(bad, "article", "articles.jsonl: line 7")
    message = str(info.value)
    assert "articles.jsonl: line 7" in message
    assert "article_id" in message and "text" in message and "text_sha256" in message


@pytest.mark.parametrize(
    ("path", "file"), [("seeds/a.txt", "seeds/a.txt"), ("seeds/demo/articles.jsonl:12", "seeds/demo/articles.jsonl"), (None, None)],
    ids=["text-file", "jsonl-line", "no-path"],
)
def test_article_file_drops_the_jsonl_line(path, file):
    assert Article(article_id="a", text="x", path=path).file == file
