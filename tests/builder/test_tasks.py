"""Label Studio tasks: make_tasks records and write_tasks outputs."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from checkworthy.builder.articles import MAX_ARTICLE_BYTES, LongFirstLineWarning
from checkworthy.builder.select import score_sentences
from checkworthy.builder.split import CONTEXT_MAX_CHARS, split_article
from checkworthy.builder.tasks import OUTPUT_FILES, make_tasks, predicted_label, write_tasks
from checkworthy.schemas import FROM_NAME, TO_NAME, load_scheme, validate
from checkworthy.schemas.errors import InputError, VersionExistsError
from checkworthy.schemas.io import OUTPUT_MARKER, read_output_marker, sha256_text
from checkworthy.schemas.records import HEADLINE_MAX_CHARS, Article

TEXT = (
    "Budget talks stall\n\n"
    "By Jane Doe\n\n"
    "The deficit rose 12% to $1.2 trillion in 2023, the Treasury said. I think this is a disgrace.\n\n"
    "Will Congress act? Unemployment fell to 3.9%, the lowest level since 1969.\n\n"
    "Share this article"
)


def _scored(article):
    return score_sentences(split_article(article), article)


@pytest.fixture
def article():
    return Article("budget", TEXT, title="Budget talks stall", source="Wire", url="https://example.org/budget")


@pytest.mark.parametrize("scheme", ["claimbuster", "checkthat"])
def test_make_tasks_conform_to_the_schema(article, scheme):
    tasks = make_tasks([article], _scored(article), scheme)
    validate(tasks, "tasks", "tasks")
    assert [t["data"]["sentence"] for t in tasks] == [
        "The deficit rose 12% to $1.2 trillion in 2023, the Treasury said.",
        "I think this is a disgrace.",
        "Will Congress act?",
        "Unemployment fell to 3.9%, the lowest level since 1969.",
    ]
    first = tasks[0]
    assert first["data"]["headline"] == "Budget talks stall"
    assert first["data"]["context_before"] == "" and first["data"]["context_after"] == "I think this is a disgrace."
    assert first["data"]["text_sha256"] == sha256_text(first["data"]["sentence"])
    meta = first["meta"]
    assert TEXT[meta["start"] : meta["end"]] == first["data"]["sentence"]
    assert (meta["scheme"], meta["source"], meta["url"], meta["article_sha256"]) == (scheme, "Wire", "https://example.org/budget", article.text_sha256)
    assert meta["generator"].startswith("checkworthy ")
    [prediction] = first["predictions"]
    assert prediction["model_version"] == "heuristic-1" and prediction["score"] == meta["score"]
    [result] = prediction["result"]
    assert (result["from_name"], result["to_name"], result["type"]) == (FROM_NAME, TO_NAME, "choices")
    assert result["value"]["choices"][0] in load_scheme(scheme).names


@pytest.mark.parametrize(
    ("scheme", "score", "text", "label"),
    [
        ("checkthat", 0.5, "Prices rose 4%.", "Yes"),
        ("checkthat", 0.49, "Prices rose 4%.", "No"),
        ("claimbuster", 0.9, "Prices rose 4%.", "CFS"),
        ("claimbuster", 0.2, "The Treasury said prices rose 4% in May.", "UFS"),
        ("claimbuster", 0.2, "Is this the end?", "NFS"),
        ("claimbuster", 0.2, "I think it is bad.", "NFS"),
    ],
    ids=["checkthat-yes-at-threshold", "checkthat-no", "cfs", "ufs-factual", "nfs-question", "nfs-opinion"],
)
def test_predicted_label(scheme, score, text, label):
    assert predicted_label(load_scheme(scheme), score, text) == label


def test_make_tasks_selection_and_errors(article):
    sentences = _scored(article)
    top = make_tasks([article], sentences, "checkthat", selection="top:1")
    assert [t["data"]["sentence"] for t in top] == ["The deficit rose 12% to $1.2 trillion in 2023, the Treasury said."]
    with pytest.raises(InputError, match=r"4 body sentence\(s\) have no score .*run builder.select.score_sentences first"):
        make_tasks([article], split_article(article), "checkthat")
    with pytest.raises(InputError, match=r"sentences of unknown article\(s\) 'budget'"):
        make_tasks([], sentences, "checkthat")


def _write_inputs(write):
    write("in/budget.txt", TEXT)
    write("in/batch.jsonl", json.dumps({"id": "w1", "title": "Storm", "text": "Waves rose 3 metres on Monday, officials said.", "meta": {"fictional": True}}) + "\n")


def test_write_tasks_writes_four_valid_files(write, tmp_path):
    _write_inputs(write)
    counts = write_tasks([tmp_path / "in"], tmp_path / "out", scheme="checkthat")
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES, OUTPUT_MARKER])
    assert read_output_marker(out)["writer"].startswith("checkworthy ") and read_output_marker(out)["writer"].endswith(" tasks")
    assert counts == {"articles": 2, "sentences": 9, "tasks": 5}
    articles = [json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()]
    sentences = [json.loads(line) for line in (out / "sentences.jsonl").read_text().splitlines()]
    tasks = json.loads((out / "tasks.json").read_text())
    assert [a["article_id"] for a in articles] == ["w1", "budget"]
    assert articles[0]["meta"] == {"fictional": True}
    for record in articles:
        validate(record, "article", "articles.jsonl")
    for record in sentences:
        validate(record, "sentence", "sentences.jsonl")
        text = next(a["text"] for a in articles if a["article_id"] == record["article_id"])
        assert text[record["start"] : record["end"]] == record["text"]
    assert {s["role"] for s in sentences} == {"headline", "byline", "body", "boilerplate"}
    assert "Share this article" not in {t["data"]["sentence"] for t in tasks}
    root = ET.fromstring((out / "label_config.xml").read_text())
    assert [c.get("alias") for c in root.iter("Choice")] == ["Yes", "No"]  # exported values; the page shows the words
    assert [c.get("value") for c in root.iter("Choice")] == ["Check-worthy", "Not check-worthy"]


def test_write_tasks_is_byte_identical_across_runs_and_processes(write, tmp_path):
    _write_inputs(write)
    write_tasks([tmp_path / "in"], tmp_path / "one", jobs=1)
    write_tasks([tmp_path / "in"], tmp_path / "two", jobs=2)
    for name in OUTPUT_FILES:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_bad_input_leaves_nothing_in_out(write, tmp_path):
    _write_inputs(write)
    write("in/broken.jsonl", '{"id": "x", "text": "ok"}\n{"id": "y", "te')
    write("in/latin.txt", b"caf\xe9")
    with pytest.raises(InputError) as info:
        write_tasks([tmp_path / "in"], tmp_path / "out")
    assert "broken.jsonl: line 2" in str(info.value) and "latin.txt: line 1" in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_existing_out_is_refused_unless_overwrite(write, tmp_path):
    _write_inputs(write)
    write_tasks([tmp_path / "in"], tmp_path / "out", scheme="checkthat")
    with pytest.raises(VersionExistsError, match=r"out: already exists; .* --overwrite"):
        write_tasks([tmp_path / "in"], tmp_path / "out")
    write_tasks([tmp_path / "in"], tmp_path / "out", overwrite=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted([*OUTPUT_FILES, OUTPUT_MARKER])
    assert json.loads((tmp_path / "out" / "tasks.json").read_text())[0]["meta"]["scheme"] == "claimbuster"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]


def _tree(root):
    return sorted((str(p.relative_to(root)), p.read_bytes() if p.is_file() else None) for p in root.rglob("*"))


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("mine", r"mine: will not replace it: it has no \.checkworthy-output marker, so checkworthy did not write it"),
        ("in", r"in: will not replace it: it is the input, which would be deleted"),
        (".", r"will not replace it: it is the current directory"),
        ("notes.txt", r"notes.txt: will not replace it: it is a file, not an output folder"),
    ],
    ids=["folder-without-marker", "the-input-folder", "current-directory", "a-file"],
)
def test_overwrite_never_deletes_what_the_tool_did_not_make(write, tmp_path, monkeypatch, out, message):
    _write_inputs(write)
    write("mine/thesis.tex", "years of work")
    write("notes.txt", "keep me")
    monkeypatch.chdir(tmp_path)
    before = _tree(tmp_path)
    with pytest.raises(InputError, match=message):
        write_tasks(["in"], out, overwrite=True)
    assert _tree(tmp_path) == before


def test_overwrite_refuses_a_parent_of_an_input_even_with_a_marker(write, tmp_path):
    write("seed/a.txt", "Prices rose 4% in May, the bureau said.\n")
    write_tasks([tmp_path / "seed"], tmp_path / "out")
    _write_inputs(lambda name, text: write(f"out/{name}", text))
    before = _tree(tmp_path)
    with pytest.raises(InputError, match=r"out: will not replace it: it holds the input .*in, which would be deleted"):
        write_tasks([tmp_path / "out" / "in"], tmp_path / "out", overwrite=True)
    assert _tree(tmp_path) == before


def test_inputs_whose_every_article_is_empty_are_an_error_and_nothing_is_written(write, tmp_path):
    write("in/a.txt", "")
    write("in/b.txt", "\n\n")
    with pytest.warns(UserWarning, match="empty article"), pytest.raises(InputError, match="no article with text in .*nothing was written"):
        write_tasks([tmp_path / "in"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_overwrite_refuses_a_parent_of_the_current_directory(write, tmp_path, monkeypatch):
    _write_inputs(write)
    write_tasks([tmp_path / "in"], tmp_path / "out")
    (tmp_path / "out" / "work").mkdir()
    monkeypatch.chdir(tmp_path / "out" / "work")
    with pytest.raises(InputError, match=r"out: will not replace it: it is the current directory \(or holds it\)"):
        write_tasks([tmp_path / "in"], tmp_path / "out", overwrite=True)
    assert (tmp_path / "out" / "work").is_dir()


# --- Text without line breaks: output proportional to the input ------------------------


def _one_line_article(size: int) -> str:
    sentences = [
        f"Officials in district {i} said on Monday that {i * 37 % 1000} homes had been flooded after the river rose by {i % 9 + 1} metres."
        for i in range(size // 100 + 1)
    ]
    return " ".join(sentences)[:size]


def test_one_line_article_of_300_kb_gives_output_proportional_to_its_size(tmp_path):
    written = {}
    for size in (150_000, 300_000):
        text = _one_line_article(size)
        source = tmp_path / f"in-{size}" / "oneline.txt"
        source.parent.mkdir()
        source.write_text(text, encoding="utf-8")
        with pytest.warns(LongFirstLineWarning, match=rf"oneline\.txt: the first line has {size:,} characters, too long for a headline"):
            counts = write_tasks([source], tmp_path / f"out-{size}")
        assert counts["tasks"] > size // 150  # the line is body text, not one giant headline
        written[size] = sum(path.stat().st_size for path in (tmp_path / f"out-{size}").iterdir())
        for line in (tmp_path / f"out-{size}" / "sentences.jsonl").read_text(encoding="utf-8").splitlines()[:50]:
            assert len(line) < 2_000
    # Each ~100-character sentence costs a bounded amount (ids, hashes, its neighbours, a bounded
    # article panel): twice the input gives about twice the output (the old code: 1.55 GB from 300 KB).
    assert written[300_000] < 2.2 * written[150_000]
    assert written[300_000] < 120 * 300_000


def test_context_and_headline_are_cut_to_bounded_lengths():
    long_sentence = "Word " + "word " * 2_000 + "end."
    article = Article("a1", "Short headline " + "x" * 400 + "\n\nFirst. " + long_sentence + " Last one.", title="Short headline " + "x" * 400)
    sentences = split_article(article)
    assert all(len(s.context["headline"]) <= HEADLINE_MAX_CHARS for s in sentences)
    assert all(len(s.context["before"]) <= CONTEXT_MAX_CHARS and len(s.context["after"]) <= CONTEXT_MAX_CHARS for s in sentences)
    first, _, last = (s for s in sentences if s.role == "body")
    assert first.context["after"].startswith("Word word") and first.context["after"].endswith("\u2026")
    assert last.context["before"].startswith("\u2026") and last.context["before"].endswith("word end.")


def test_50_mb_single_line_file_is_refused_with_a_clear_message(tmp_path):
    source = tmp_path / "huge.txt"
    with open(source, "w", encoding="utf-8") as handle:
        chunk = "Prices rose again in the capital last year. " * 20_000
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(chunk)
    with pytest.raises(InputError, match=rf"huge\.txt: expected an article of at most {MAX_ARTICLE_BYTES:,} bytes .*found 52,[0-9,]+ bytes; split it"):
        write_tasks([source], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_passage_marks_the_target_between_its_neighbours_and_escapes_the_text(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("Budget approved\n\nOne <b>. Two rose 3% in May. Three firms fell sharply. Four ministers resigned on Friday.\n", encoding="utf-8")
    write_tasks([seeds], tmp_path / "tasks", context=1)
    tasks = {t["data"]["sentence"]: t["data"] for t in json.loads((tmp_path / "tasks" / "tasks.json").read_text(encoding="utf-8"))}
    data = tasks["Two rose 3% in May."]
    assert "<mark>Two rose 3% in May.</mark>" in data["passage"]
    assert "One &lt;b&gt;." in data["passage"] and "Three firms fell sharply." in data["passage"] and "Four ministers" not in data["passage"]
    assert "<h4>Headline</h4>" in data["passage"] and "Budget approved" in data["passage"]
    assert data["article"].count("<mark>") == 1 and "Four ministers" in data["article"]
    first = tasks["One <b>."]["passage"]
    assert "<mark>One &lt;b&gt;.</mark>" in first and "<p></p>" not in first  # no empty block before the first sentence


def test_a_negative_context_is_refused(tmp_path):
    with pytest.raises(InputError, match="--context must be 0 or more"):
        write_tasks([tmp_path], tmp_path / "tasks", context=-1)


def test_the_article_panel_is_bounded_around_the_target():
    from checkworthy.builder.tasks import ARTICLE_PANEL_CHARS, article_window, marked_html

    text = " ".join(f"Sentence {i} is here." for i in range(3_000))
    start = text.index("Sentence 1500 ")
    end = start + len("Sentence 1500 is here.")
    first, last = article_window(text, start, end)
    assert last - first <= ARTICLE_PANEL_CHARS + len("Sentence 1500 is here.") and first > 0 and last < len(text)
    shown = marked_html(text, start, end, (first, last), ellipsis=True)
    assert shown.startswith("<p>\u2026 ") and shown.endswith(" \u2026</p>") and "<mark>Sentence 1500 is here.</mark>" in shown
    short = "Headline\n\nOne. Two."
    assert article_window(short, 10, 14) == (0, len(short))


def test_overwrite_keeps_files_the_user_added_to_a_tasks_folder(tmp_path):
    """--overwrite replaces what tasks wrote; a note or a folder of labels put beside it is not deleted."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Headline\n\nPrices rose 4% in May, the bureau said.\n", encoding="utf-8")
    write_tasks([tmp_path / "in"], tmp_path / "out")
    (tmp_path / "out" / "my_notes.txt").write_text("my labels", encoding="utf-8")
    (tmp_path / "out" / "labels").mkdir()
    before = _tree(tmp_path / "out")
    with pytest.raises(InputError, match=r"out: will not replace it: it holds 2 file\(s\) or folder\(s\) that 'checkworthy "
                                         r"tasks' did not write \(labels/, my_notes.txt\), which --overwrite would delete"):
        write_tasks([tmp_path / "in"], tmp_path / "out", overwrite=True)
    assert _tree(tmp_path / "out") == before
    (tmp_path / "out" / "my_notes.txt").unlink()
    (tmp_path / "out" / "labels").rmdir()
    write_tasks([tmp_path / "in"], tmp_path / "out", overwrite=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted([*OUTPUT_FILES, OUTPUT_MARKER])


def test_skip_invalid_leaves_out_a_record_with_a_cut_emoji_and_keeps_the_rest(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_text(
        '{"id": "cut", "text": "Scraped text cut in an emoji \\udc00 here."}\n'
        '{"id": "nan", "text": "Prices rose 4% in May.", "score": NaN}\n'
        '{"id": "good", "text": "Taxes fell 3% in June, the minister said."}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: field 'text': invalid character U\+DC00"):
        write_tasks([tmp_path / "in"], tmp_path / "out")
    with pytest.warns(UserWarning, match="skipped 2 unreadable input"):
        write_tasks([tmp_path / "in"], tmp_path / "out", skip_invalid=True)
    written = [json.loads(line) for line in (tmp_path / "out" / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [a["article_id"] for a in written] == ["good"]
