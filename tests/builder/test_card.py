"""The dataset card: YAML keys, sections, hand-written parts kept, ``load_dataset`` still works."""

from __future__ import annotations

import json
import re

import pytest
from huggingface_hub import DatasetCard

from checkworthy.builder.card import OWNED_YAML_KEYS, CardConfig, validate_card, write_card
from checkworthy.builder.store import read_manifest
from checkworthy.cli import main
from checkworthy.schemas.errors import InputError
from checkworthy.schemas.records import Article

SECTIONS = [
    "# Dataset Card for",
    "## Dataset Details",
    "## Uses",
    "## Dataset Structure",
    "### Fields",
    "### Example",
    "### Split sizes and label distribution",
    "## Dataset Creation",
    "#### Data Collection and Processing",
    "#### Annotation process",
    "#### Who are the annotators?",
    "#### Personal and Sensitive Information",
    "## Splits and Leakage",
    "## Baseline Results",
    "## Bias, Risks, and Limitations",
    "## License",
    "## Citation",
    "## Changelog",
]


def read_card(version_dir):
    return DatasetCard.load(version_dir / "README.md")


def test_card_has_every_yaml_key_and_section(version_dir):
    changelog = version_dir.parent.parent / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8").replace("First version.", "First version.\n\n### Notes\n\nkept detail")
    changelog.write_text(text + "\n## 9.0.0\n\nA later version.\n", encoding="utf-8")
    manifest = read_manifest(version_dir)
    write_card(version_dir)
    card = read_card(version_dir)
    data = card.data.to_dict()
    assert set(OWNED_YAML_KEYS) - {"checkworthy"} <= set(data)  # "checkworthy" only when the articles were given
    assert data["task_categories"] == ["text-classification"]
    assert data["configs"] == [
        {
            "config_name": "default",
            "data_files": [
                {"split": "train", "path": "data/train.parquet"},
                {"split": "validation", "path": "data/validation.parquet"},
                {"split": "test", "path": "data/test.parquet"},
            ],
        }
    ]
    label = next(f for f in data["dataset_info"]["features"] if f["name"] == "label")
    assert label["dtype"]["class_label"]["names"] == {"0": "CFS", "1": "UFS", "2": "NFS"}
    counts = manifest["counts"]
    assert {s["name"]: s["num_examples"] for s in data["dataset_info"]["splits"]} == {s: counts[s] for s in ("train", "validation", "test")}
    positions = [card.text.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    agreement, pair, leak = manifest["agreement"], manifest["agreement"]["pairwise_cohen_kappa"][0], manifest["leakage"]["items"][0]
    for figure in (
        f"| Fleiss' kappa | {agreement['fleiss_kappa']:.3f} |",
        f"| {' / '.join(pair['annotators'])} | {pair['items']} | {pair['percent']:.3f} | {pair['cohen_kappa']:.3f} |",
        f"| {leak['kind']} | {leak['text']} | " + ", ".join(f"{k}: {v}" for k, v in sorted(leak["counts"].items())),
        f"3 annotators: {counts['total']} sentences",
        f"Unresolved (left out of the splits): {len(manifest['unresolved'])}",
        "`seed = 13`",
        "Skip a task only when",  # the scheme's guidelines
        "**CFS** (Check-worthy factual sentence)",
        "### 1.0.0",
    ):
        assert figure in card.text, figure
    # The changelog is made from the versions, not read from CHANGELOG.md: an edit there
    # (or a section about a version that does not exist) never reaches the card.
    assert "kept detail" not in card.text and "9.0.0" not in card.text
    assert "9.0.0" not in card.text  # later versions of the changelog are left out
    assert "# checkworthy dataset, version" not in card.text  # the build's minimal card is replaced, not kept


def test_load_dataset_after_card(version_dir):
    from datasets import load_dataset

    write_card(version_dir)
    ds = load_dataset(str(version_dir))
    counts = read_manifest(version_dir)["counts"]
    assert {split: len(ds[split]) for split in ds} == {s: counts[s] for s in ("train", "validation", "test")}
    assert ds["train"].features["label"].names == ["CFS", "UFS", "NFS"]


def test_recard_keeps_hand_written_text_and_unknown_yaml_keys(version_dir):
    path = write_card(version_dir)
    first = path.read_text(encoding="utf-8")
    text = first.replace("<!-- checkworthy:end uses -->\n", "<!-- checkworthy:end uses -->\n\n### Our notes\n\nHand-written.\n", 1)
    text = text.replace("---\n", "---\nhomepage_note: kept\n", 1)
    path.write_text(text, encoding="utf-8")

    write_card(version_dir, config=CardConfig(license="cc-by-4.0"))
    second = path.read_text(encoding="utf-8")
    card = read_card(version_dir)
    assert card.data["homepage_note"] == "kept"
    assert card.data["license"] == "cc-by-4.0"
    assert "### Our notes\n\nHand-written." in second
    assert second.index("### Our notes") < second.index("## Dataset Structure")
    write_card(version_dir, config=CardConfig(license="cc-by-4.0"))
    assert path.read_text(encoding="utf-8") == second  # byte-identical on regeneration


def test_card_is_deterministic(version_dir):
    (version_dir / "README.md").unlink()
    write_card(version_dir)
    card, croissant = (version_dir / "README.md").read_bytes(), (version_dir / "croissant.json").read_bytes()
    (version_dir / "README.md").unlink()
    write_card(version_dir)
    assert (version_dir / "README.md").read_bytes() == card
    assert (version_dir / "croissant.json").read_bytes() == croissant


def test_baseline_table_with_intervals(version_dir):
    results = {
        "dataset": {"version": "1.0.0", "fingerprint": read_manifest(version_dir)["fingerprint"]},
        "results": [
            {"baseline": "tfidf-logreg", "split": "test", "metrics": {"f1_positive": 0.61, "accuracy": 0.7},
             "ci95": {"f1_positive": [0.5, 0.72], "accuracy": [0.6, 0.8]}},
            {"baseline": "majority", "split": "validation", "metrics": {"f1_positive": 0.0}, "ci95": {"f1_positive": [0.0, 0.0]}},
        ]
    }
    (version_dir / "evaluation").mkdir()
    (version_dir / "evaluation" / "results.json").write_text(json.dumps(results), encoding="utf-8")
    text = write_card(version_dir).read_text(encoding="utf-8")
    assert "| baseline | split | f1_positive | accuracy |" in text
    assert "| tfidf-logreg | test | 0.610 [0.500, 0.720] | 0.700 [0.600, 0.800] |" in text
    assert text.index("| majority | validation") < text.index("| tfidf-logreg | test")
    assert "thresholds of the learned baselines were tuned on validation" in text
    results["settings"] = {"threshold_tuned_on": None}  # checkworthy evaluate --threshold none
    (version_dir / "evaluation" / "results.json").write_text(json.dumps(results), encoding="utf-8")
    text = write_card(version_dir).read_text(encoding="utf-8")
    assert "No decision threshold was tuned" in text and "tuned on validation" not in text
    assert "Warnings of the evaluation" not in text


def test_card_says_how_map_counted_tied_scores(version_dir):
    """Results of this evaluate count ties at their expected value (recorded in the description of
    ``map``); results without that note ranked ties in file order, and the card warns what that means."""
    from checkworthy.builder.card import EXPECTED_TIES_NOTE
    from checkworthy.evaluation import metrics

    assert EXPECTED_TIES_NOTE == metrics.EXPECTED_TIES_NOTE
    results = {
        "dataset": {"version": "1.0.0", "fingerprint": read_manifest(version_dir)["fingerprint"]},
        "metrics": {"map": {"description": metrics.METRICS["map"].described("expected"), "input": "score", "best": 1.0, "official": None}},
        "results": [{"baseline": "majority", "split": "test", "metrics": {"map": 0.5}, "ci95": {"map": [0.4, 0.6]}}],
    }
    (version_dir / "evaluation").mkdir()
    (version_dir / "evaluation" / "results.json").write_text(json.dumps(results), encoding="utf-8")
    text = write_card(version_dir).read_text(encoding="utf-8")
    assert "MAP counts tied scores at their expected value over every order of the ties" in text
    results["metrics"]["map"]["description"] = metrics.METRICS["map"].described("input")
    (version_dir / "evaluation" / "results.json").write_text(json.dumps(results), encoding="utf-8")
    text = write_card(version_dir).read_text(encoding="utf-8")
    assert "MAP ranks tied scores in file order" in text and "MAP counts tied scores" not in text


def test_card_repeats_the_evaluation_warnings(version_dir):
    """An English-only model evaluated on Dutch data: the card says so under the baseline table."""
    warning = "embed-lr uses an English-only model (all-MiniLM-L6-v2) but the data is in 'nl': its embeddings are weak"
    results = {
        "dataset": {"version": "1.0.0", "fingerprint": read_manifest(version_dir)["fingerprint"]},
        "results": [{"baseline": "embed-lr", "split": "test", "metrics": {"f1_positive": 0.5}, "ci95": {"f1_positive": [0.4, 0.6]}}],
        "warnings": [warning],
    }
    (version_dir / "evaluation").mkdir()
    (version_dir / "evaluation" / "results.json").write_text(json.dumps(results), encoding="utf-8")
    text = write_card(version_dir).read_text(encoding="utf-8")
    assert f"Warnings of the evaluation (from `evaluation/results.json`):\n\n- {warning}\n" in text
    assert text.index("| embed-lr | test") < text.index(warning)


def test_license_and_fictional_from_articles_survive_recarding(version_dir):
    ids = sorted(set(read_parquet_column(version_dir, "article_id")))
    articles = [
        Article(article_id=article_id, text="x", source="Northgate Wire", meta={"fictional": True, "license": "CC0-1.0"})
        for article_id in [*ids, "not-in-this-version"]
    ]
    write_card(version_dir, articles=articles, config=CardConfig(annotators="Two project engineers, following the guidelines."))
    write_card(version_dir, config=CardConfig(annotators="Two project engineers, following the guidelines."))  # as evaluate does
    card = read_card(version_dir)
    assert card.data["license"] == "cc0-1.0"  # Hub license ids are lower case
    assert card.data["checkworthy"]["articles"]["n_articles"] == len(ids)
    assert f"The sentences come from {len(ids)} news articles (1 source: Northgate Wire)." in card.text
    assert "**All the articles are fictional**" in card.text
    assert "Two project engineers" in card.text


def test_license_is_not_claimed_when_some_articles_state_none(version_dir):
    ids = sorted(set(read_parquet_column(version_dir, "article_id")))
    articles = [Article(article_id=a, text="x", meta={"license": "cc0-1.0"} if i else {}) for i, a in enumerate(ids)]
    write_card(version_dir, articles=articles)
    card = read_card(version_dir)
    assert card.data["license"] == "other"
    assert f"{len(ids) - 1} of the {len(ids)} articles state a license in their metadata (`cc0-1.0`)" in card.text


def read_parquet_column(version_dir, column):
    import pyarrow.parquet as pq

    return [value for path in sorted((version_dir / "data").glob("*.parquet")) for value in pq.read_table(path, columns=[column])[column].to_pylist()]


def test_card_config_rejects_unknown_keys_and_wrong_types(write):
    path = write("card.json", json.dumps({"pretty_nmae": "x", "language": "en", "license": 4}))
    with pytest.raises(InputError) as info:
        CardConfig.from_file(path)
    message = str(info.value)
    assert "card.json: unknown setting 'pretty_nmae'. Did you mean 'pretty_name'?" in message
    assert "card.json: language: expected a list of strings" in message and "found 'en'" in message
    assert "card.json: license: expected a string, found 4" in message


def test_validate_card_reports_bad_values(version_dir):
    text = write_card(version_dir).read_text(encoding="utf-8")
    bad = text.replace("- n<1K", "- tiny").replace("path: data/test.parquet", "path: data/missing.parquet")
    with pytest.raises(InputError) as info:
        validate_card(bad, version_dir)
    assert "size_categories: expected" in str(info.value) and "found 'tiny'" in str(info.value)
    assert "'data/missing.parquet', which does not exist" in str(info.value)


def test_card_command(version_dir, capsys):
    dataset = version_dir.parent.parent
    (dataset / "card.json").write_text(json.dumps({"pretty_name": "Newsroom claims"}), encoding="utf-8")
    assert main(["card", f"{dataset}@1.0.0", "--license", "mit"]) == 0
    card = read_card(version_dir)
    assert (card.data["pretty_name"], card.data["license"]) == ("Newsroom claims", "mit")
    assert "croissant.json" in capsys.readouterr().out


def test_card_language_codes_are_read_as_tasks_reads_them(version_dir, capsys):
    """``card --language spa`` and a card.json ``["es-ES", "nld"]`` give the codes the card
    wants (es, nl); a code no registry knows is refused naming the flag or the file."""
    dataset = version_dir.parent.parent
    assert main(["card", str(dataset), "--language", "spa", "--language", "ar-JO"]) == 0
    assert read_card(version_dir).data["language"] == ["es", "ar"]
    (dataset / "card.json").write_text(json.dumps({"language": ["es-ES", "nld"]}), encoding="utf-8")
    assert main(["card", str(dataset)]) == 0
    assert read_card(version_dir).data["language"] == ["es", "nl"]
    capsys.readouterr()
    assert main(["card", str(dataset), "--language", "sp", "--no-croissant"]) == 1
    assert "--language: field 'language': 'sp' is not a language code" in capsys.readouterr().err
    (dataset / "card.json").write_text(json.dumps({"language": ["Spanish"]}), encoding="utf-8")
    assert main(["card", str(dataset), "--no-croissant"]) == 1
    assert f"{dataset / 'card.json'}: language: field 'language': expected a language code" in capsys.readouterr().err


def test_what_card_sets_is_kept_by_later_cards(version_dir, capsys):
    """``card --license --pretty-name`` are saved in DIR/card.json (its other keys kept), so that the card
    ``evaluate`` and ``build`` regenerate (``write_card`` without settings) and its Croissant file keep them."""
    dataset = version_dir.parent.parent
    (dataset / "card.json").write_text(json.dumps({"annotators": "Two editors.", "license": "other"}), encoding="utf-8")
    assert main(["card", str(dataset), "--license", "cc-by-4.0", "--pretty-name", "My Claims"]) == 0
    out = capsys.readouterr().out
    assert 'license: "cc-by-4.0" (was "other")' in out and 'pretty_name: set to "My Claims"' in out
    assert json.loads((dataset / "card.json").read_text(encoding="utf-8")) == {
        "annotators": "Two editors.", "license": "cc-by-4.0", "pretty_name": "My Claims"}
    settings = (dataset / "card.json").read_bytes()
    write_card(version_dir)  # as evaluate and build do
    data = read_card(version_dir).data
    croissant = json.loads((version_dir / "croissant.json").read_text(encoding="utf-8"))
    assert (data["license"], data["pretty_name"]) == ("cc-by-4.0", "My Claims")
    assert (croissant["license"], croissant["name"]) == ("cc-by-4.0", "My Claims")
    assert "Two editors." in read_card(version_dir).text
    assert main(["card", str(dataset)]) == 0  # no option: the settings file is left as it is
    assert "saved in" not in capsys.readouterr().out and (dataset / "card.json").read_bytes() == settings


def test_card_config_file_becomes_the_dataset_settings(version_dir, tmp_path, capsys):
    """``card --config FILE`` makes the card from FILE, so FILE replaces DIR/card.json (the replaced values are printed)."""
    dataset = version_dir.parent.parent
    (dataset / "card.json").write_text(json.dumps({"annotators": "Two editors."}), encoding="utf-8")
    (tmp_path / "other.json").write_text(json.dumps({"license": "mit"}), encoding="utf-8")
    assert main(["card", str(dataset), "--config", str(tmp_path / "other.json"), "--pretty-name", "P"]) == 0
    assert 'annotators: removed (was "Two editors.")' in capsys.readouterr().out
    assert json.loads((dataset / "card.json").read_text(encoding="utf-8")) == {"license": "mit", "pretty_name": "P"}
    write_card(version_dir)
    assert (read_card(version_dir).data["license"], read_card(version_dir).data["pretty_name"]) == ("mit", "P")


def test_no_croissant_never_leaves_the_two_files_disagreeing(version_dir, capsys):
    dataset = version_dir.parent.parent
    write_card(version_dir)
    before = {name: (version_dir / name).read_bytes() for name in ("README.md", "croissant.json")}
    assert main(["card", str(dataset), "--license", "cc-by-4.0", "--no-croissant"]) == 1
    err = capsys.readouterr().err
    assert "--no-croissant would leave croissant.json disagreeing with the card" in err
    assert 'license: croissant.json states "unknown", the card would state "cc-by-4.0"' in err
    assert {name: (version_dir / name).read_bytes() for name in before} == before
    assert not (dataset / "card.json").exists()  # nothing saved either
    assert main(["card", str(dataset), "--no-croissant"]) == 0  # nothing the two files share changes: allowed
    (version_dir / "croissant.json").unlink()
    assert main(["card", str(dataset), "--license", "cc-by-4.0", "--no-croissant"]) == 0  # no croissant.json to disagree with
    assert read_card(version_dir).data["license"] == "cc-by-4.0"


def test_card_command_reads_the_articles(version_dir, tmp_path):
    ids = sorted(set(read_parquet_column(version_dir, "article_id")))
    lines = [json.dumps({"id": a, "text": "Some text.", "meta": {"fictional": True}}) for a in ids]
    (tmp_path / "seeds.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["card", str(version_dir), "--articles", str(tmp_path / "seeds.jsonl"), "--no-croissant"]) == 0
    assert "**All the articles are fictional**" in read_card(version_dir).text


def test_card_command_unknown_version(version_dir, capsys):
    assert main(["card", f"{version_dir.parent.parent}@2.0.0"]) == 1
    assert "2.0.0" in capsys.readouterr().err


def test_recard_keeps_text_at_the_top_and_after_a_retired_block(version_dir):
    path = write_card(version_dir)
    text = path.read_text(encoding="utf-8")
    text = text.replace("<!-- checkworthy:begin summary -->", "Intro by hand.\n\n<!-- checkworthy:begin summary -->", 1)
    text = text.replace(
        "<!-- checkworthy:end uses -->\n",
        "<!-- checkworthy:end uses -->\n<!-- checkworthy:begin retired -->\nold generated\n<!-- checkworthy:end retired -->\nAfter retired.\n",
        1,
    )
    path.write_text(text, encoding="utf-8")
    regenerated = write_card(version_dir).read_text(encoding="utf-8")
    assert regenerated.index("Intro by hand.") < regenerated.index("# Dataset Card for")
    assert "old generated" not in regenerated
    assert regenerated.index("<!-- checkworthy:end uses -->") < regenerated.index("After retired.") < regenerated.index("## Dataset Structure")


def test_results_of_another_fingerprint_are_refused(version_dir):
    (version_dir / "evaluation").mkdir()
    (version_dir / "evaluation" / "results.json").write_text(
        json.dumps({"dataset": {"fingerprint": "ffffffffffffffff"}, "results": []}), encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"results.json: the results were computed on dataset fingerprint ffffffffffffffff"):
        write_card(version_dir)


def test_card_of_a_corpus_version_without_individual_labels(version_dir):
    manifest = read_manifest(version_dir)
    manifest["agreement"], manifest["settings"]["corpus"] = None, "checkthat"
    del manifest["files"]["annotations.parquet"]  # a corpus version has no individual labels
    (version_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (version_dir / "annotations.parquet").unlink()
    text = write_card(version_dir).read_text(encoding="utf-8")
    assert "The labels are those distributed with the `checkthat` corpus" in text
    assert "No agreement figures" in text
    import mlcroissant as mlc

    mlc.Dataset(jsonld=str(version_dir / "croissant.json"))


# --- text from the articles is inert in the card ---------------------------------------------------

HOSTILE = "a | b &lt; <!-- checkworthy:begin summary --> <script>alert(1)</script> <img src=x onerror=alert(1)> [link](javascript:alert(1)) `tick`"


@pytest.fixture
def hostile_version(tmp_path):
    """A version whose every sentence holds HTML, a javascript: link, a pipe, backticks and the card's own marker."""
    from labelstudio_fixtures import KEY, labeled_export, write_articles, write_export

    from checkworthy.builder.build import BuildConfig, build_version

    articles = {
        f"art{i:02d}": [f"Report {i}: {HOSTILE}", f"Prices rose {i + 3} percent in {2000 + i}, {HOSTILE} said the office."]
        for i in range(12)
    }
    folder, sentences = write_articles(tmp_path, articles)
    export = write_export(tmp_path / "export.json", labeled_export(sentences, {1: "CFS", 2: ["CFS", "UFS"]}))
    build_version([export], [folder], tmp_path / "ds", BuildConfig(seed=13), key=KEY)
    return tmp_path / "ds" / "versions" / "1.0.0"


def _markers(body):
    from checkworthy.builder.card import _MARKER, SECTIONS

    return [m.groups() for m in _MARKER.finditer(body)], [(kind, name) for name in SECTIONS for kind in ("begin", "end")]


def test_text_from_the_articles_is_inert_in_the_card(hostile_version):
    articles = [
        Article(article_id="art00", text="x", source=f"Wire {HOSTILE}\n---\n# heading", published="<b>2020</b>", meta={"license": "<b>mit</b>"}),
        Article(article_id="art01", text="x", source="Courier | `ok`", meta={"license": "<b>mit</b>"}),
    ]
    write_card(hostile_version, articles=articles)
    content = (hostile_version / "README.md").read_text(encoding="utf-8")
    card = DatasetCard(content)
    before, rest = card.text.split("```json\n", 1)
    example, after = rest.split("\n```\n", 1)
    assert "<" not in example and HOSTILE in json.loads(example)["text"]  # inert in a code block: the same JSON, escaped
    for raw in ("<script", "<img", "<b>", "](javascript:", "\n---\n# heading", "| b &lt;"):
        assert raw not in before + after, raw
    found, expected = _markers(card.text)
    assert found == expected  # the sentence's marker comment is not a marker of the card
    escaped = "&amp;lt; &lt;!-- checkworthy:begin summary --&gt; &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; "
    assert f"Wire a | b {escaped}[link]\\(javascript:alert(1)) \\`tick\\` --- # heading)" in card.text  # on one line
    assert re.search(r"\| near \| Report \d+: a \\\| b &amp;lt; &lt;!-- checkworthy:begin summary --&gt; &lt;script&gt;", card.text)  # a table: pipe escaped
    assert card.data["checkworthy"]["articles"]["sources"][-1] == f"Wire {HOSTILE}\n---\n# heading"  # the YAML header keeps it, quoted
    assert card.data["license"] == "other"  # an article's license that is not a license id is not claimed
    assert "&lt;b&gt;mit&lt;/b&gt;" in card.text.split("## License")[1]
    # Regenerating the card moves nothing: the data's marker is not read as one.
    (hostile_version / "README.md").write_text(content.replace("<!-- checkworthy:end details -->\n", "<!-- checkworthy:end details -->\n\nOur note.\n"))
    write_card(hostile_version)
    again = DatasetCard.load(hostile_version / "README.md")
    assert _markers(again.text)[0] == expected
    assert again.text.index("Our note.") > again.text.index("<!-- checkworthy:end details -->")
    assert again.text.replace("\nOur note.\n", "") == card.text


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"pretty_name": "Claims\n---\nlicense: mit"}, r"pretty_name \(--pretty-name\): expected one line of text"),
        ({"pretty_name": "Claims\u2028more"}, r"pretty_name \(--pretty-name\): expected one line"),
        ({"pretty_name": " Claims"}, r"pretty_name \(--pretty-name\): expected one line of text without leading or trailing spaces"),
        ({"license": "cc-by-4.0\npretty_name: x"}, r"license \(--license\): expected a Hub license id such as cc-by-4.0"),
        ({"license": "MIT License"}, r"license \(--license\): expected a Hub license id .* found 'MIT License'"),
        ({"hub_repo": "org/name\n```"}, r"hub_repo: expected ORG/NAME"),
    ],
    ids=["pretty-name-newline", "pretty-name-line-separator", "pretty-name-spaces", "license-newline", "license-with-space", "hub-repo"],
)
def test_one_line_settings_are_refused(version_dir, write, settings, message):
    with pytest.raises(InputError, match=message):
        CardConfig(**settings)
    with pytest.raises(InputError, match=r"card\.json: " + message):
        CardConfig.from_file(write("card.json", json.dumps(settings)))
    with pytest.raises(InputError, match=message):
        CardConfig().updated(**settings)


def test_card_command_refuses_a_pretty_name_or_license_of_several_lines(version_dir, capsys):
    before = (version_dir / "README.md").read_bytes()
    assert main(["card", f"{version_dir.parent.parent}@1.0.0", "--pretty-name", "Claims\n---"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("checkworthy card: error: card settings: pretty_name (--pretty-name): expected one line") and "Traceback" not in err
    assert main(["card", f"{version_dir.parent.parent}@1.0.0", "--license", "cc by"]) == 1
    assert "license (--license): expected a Hub license id" in capsys.readouterr().err
    assert (version_dir / "README.md").read_bytes() == before
    assert main(["card", f"{version_dir.parent.parent}@1.0.0", "--license", "CC-BY-4.0", "--pretty-name", "Claims: 'quoted' # not a comment"]) == 0
    data = read_card(version_dir).data
    assert (data["license"], data["pretty_name"]) == ("cc-by-4.0", "Claims: 'quoted' # not a comment")


def test_a_citation_with_backticks_cannot_close_its_fence(version_dir):
    config = CardConfig(citation_bibtex="@misc{x,\n  note = {```\n# Injected heading}\n}")
    text = write_card(version_dir, config=config).read_text(encoding="utf-8")
    inside = text.split("````bibtex\n", 1)[1].split("\n````", 1)[0]
    assert inside == "@misc{x,\n  note = {```\n# Injected heading}\n}"
    assert text.count("# Injected heading") == 1  # only inside the fence
