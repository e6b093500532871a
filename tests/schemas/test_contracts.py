"""The contracts in ``schemas/`` agree with the records and with what is derived from them."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from importlib import resources
from xml.sax.saxutils import escape

import pytest

from checkworthy.schemas import (
    FROM_NAME,
    TO_NAME,
    Scheme,
    available_schemes,
    check_translation,
    is_right_to_left,
    load_schema,
    load_scheme,
    page_languages,
    validate,
)
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


def _words(scheme) -> list[str]:
    """Every text of a scheme that an annotator reads."""
    page = dataclasses.asdict(scheme.page)
    return ([scheme.question, scheme.guidelines, *scheme.instructions, scheme.blind_instruction, *page.values()]
            + [text for label in scheme.labels for text in (label.title, label.definition, label.example)])


@pytest.mark.parametrize("name", ["claimbuster", "checkthat"])
@pytest.mark.parametrize("language", ["es", "nl", "ar"])
def test_every_translation_changes_words_only_and_translates_them_all(name, language):
    assert language in page_languages(name)
    english, translated = load_scheme(name), load_scheme(name, language)
    assert translated.language == language
    assert (translated.name, translated.version, translated.positive) == (english.name, english.version, english.positive)
    assert [(la.name, la.binary, la.hotkey) for la in translated.labels] == [(la.name, la.binary, la.hotkey) for la in english.labels]
    words, original = _words(translated), _words(english)
    assert len(words) == len(original) and all(words)
    assert [w for w, o in zip(words, original) if w == o] == []  # nothing left in English
    root = ET.fromstring(translated.label_config())
    choices = root.find(f".//Choices[@name='{FROM_NAME}']")
    assert [c.get("alias") for c in choices.findall("Choice")] == english.names  # the same exports in every language
    assert [c.get("value") for c in choices.findall("Choice")] == [label.title for label in translated.labels]
    assert translated.question in translated.instructions_html()
    assert (root.get("style") == "direction: rtl") == is_right_to_left(language)


def test_the_scheme_language_is_the_default_page_and_english_is_unchanged():
    assert load_scheme("claimbuster", "en") == load_scheme("claimbuster") == load_scheme("claimbuster", None)
    assert ET.fromstring(load_scheme("claimbuster").label_config()).get("style") is None
    assert "dir=" not in load_scheme("claimbuster").instructions_html()


@pytest.mark.parametrize("name", ["claimbuster", "checkthat"])
@pytest.mark.parametrize("language", ["en", "es", "nl", "ar"])
def test_adjudication_instructions_leave_out_only_the_sentence_that_asks_to_label_blind(name, language):
    """The adjudication page shows the earlier labels on purpose: its instructions must not also
    say "do not look at other annotators' labels or at the model's guess"; the labeling page's
    instructions keep every paragraph word for word."""
    scheme = load_scheme(name, language)
    blind = scheme.blind_instruction
    ordinary, adjudication = scheme.instructions_html(), scheme.instructions_html(adjudication=True)
    assert sum(blind in text for text in scheme.instructions) == 1
    assert "".join(f"<p>{escape(text)}</p>" for text in scheme.instructions) in ordinary
    assert escape(blind) in ordinary and escape(blind) not in adjudication
    assert escape(scheme.page.adjudication_instruction) in adjudication
    rest = [text.replace(blind, "").strip() for text in scheme.instructions]
    assert "".join(f"<p>{escape(text)}</p>" for text in rest if text) in adjudication  # the skip rule stays
    assert adjudication.replace(f"<p><b>{escape(scheme.page.adjudication)}.</b> {escape(scheme.page.adjudication_instruction)}</p>", "") \
        == ordinary.replace(escape(scheme.instructions[-1]), escape(rest[-1]))


def test_a_blind_instruction_that_is_not_in_the_instructions_is_refused():
    data = json.loads(resources.files("checkworthy.schemas").joinpath("schemes", "claimbuster.json").read_text(encoding="utf-8"))
    data["blind_instruction"] = "Label alone."
    with pytest.raises(InputError, match=r"x\.json: blind_instruction 'Label alone\.' is not in any paragraph of the instructions; "
                                         r"copy it word for word"):
        Scheme.from_dict(data, where="x.json")


def test_a_page_language_without_translation_says_how_to_add_one():
    with pytest.raises(InputError, match=r"no labeling page in 'fi'; available: ar, en, es, nl\. To add one, copy "
                                         r"schemas/schemes/checkthat\.json to schemas/schemes/fi/checkthat\.json"):
        load_scheme("checkthat", "fi")


def test_a_translation_that_changes_more_than_words_is_refused():
    english = load_scheme("claimbuster")
    renamed = dataclasses.replace(load_scheme("claimbuster", "es"), positive="UFS",
                                  labels=(dataclasses.replace(english.labels[0], hotkey="9"), *english.labels[1:]))
    with pytest.raises(InputError) as info:
        check_translation(english, renamed, "es", "schemas/schemes/es/claimbuster.json")
    message = str(info.value)
    assert "positive is 'UFS', expected 'CFS'" in message and "labels (name, binary, hotkey)" in message
    assert "schemas/schemes/es/claimbuster.json" in message
    check_translation(english, load_scheme("claimbuster", "nl"), "nl", "x")  # a true translation passes


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
