"""Issue 14: CheckThat! 2024 in four languages, and the English-only model warning."""

from __future__ import annotations

import subprocess
import sys

import pytest

from checkworthy.evaluation import baselines as baselines_module
from checkworthy.evaluation.baselines import Baseline, language_warnings, register_baseline
from checkworthy.evaluation.external import checkthat2024, tweet_id_order
from checkworthy.evaluation.harness import dataset_language, evaluate_baselines
from checkworthy.evaluation.report import results_markdown
from checkworthy.schemas import validate
from checkworthy.schemas.documents import Results
from checkworthy.schemas.errors import InputError

TWEET_HEADER = "tweet_id\ttweet_url\ttweet_text\tclass_label"


def test_english_only_models_warn_on_other_languages():
    (embed,) = language_warnings(["majority", "tfidf-svm", "embed-lr"], "nl")
    assert embed.startswith("embed-lr uses an English-only model (all-MiniLM-L6-v2) but the data is in 'nl'")
    assert [w.split()[0] for w in language_warnings(["embed-lr", "minilm-ft"], "ar")] == ["embed-lr", "minilm-ft"]
    assert language_warnings(["embed-lr", "minilm-ft"], "en") == []
    assert language_warnings(["embed-lr"], None) == []  # unknown language: nothing to say
    assert language_warnings(["tfidf-lr", "tfidf-svm", "random"], "es") == []


def test_dataset_language_from_manifest_settings():
    assert dataset_language({"corpus": "checkthat", "language": "nl"}) == "nl"
    assert dataset_language({"corpus": "checkthat"}) == "en"  # English corpus builds record no language
    assert dataset_language({"seed": 0}) is None  # built from Label Studio exports: unknown


@pytest.fixture
def english_only_lr():
    """A cheap baseline registered as English-only (TF-IDF inside, so no torch)."""
    spec = register_baseline(Baseline("english-lr", "tfidf_lr", "tfidf-lr registered as English-only", languages=("en",)))
    yield spec
    del baselines_module.BASELINES[spec.name]


def test_harness_warns_through_progress_and_records_it(checkthat_dataset, english_only_lr):
    dataset, scheme = checkthat_dataset
    messages = []
    results = evaluate_baselines(dataset, scheme, baselines=["majority", "english-lr"], n_resamples=20,
                                 progress=messages.append, language="nl").results
    assert any(m.startswith("warning: english-lr uses an English-only model") for m in messages)
    language_warnings = [w for w in results.warnings if not w.startswith("the test split: ")]  # (the fixture's test split is small)
    assert len(language_warnings) == 1 and results.language == "nl"
    document = results.to_dict()
    validate(document, "results", "results.json")
    assert Results.from_dict(document).warnings == results.warnings
    assert "english-lr uses an English-only model" in results_markdown(results)
    english = evaluate_baselines(dataset, scheme, baselines=["majority"], n_resamples=20).results.to_dict()
    assert not [w for w in english.get("warnings", []) if not w.startswith("the test split: ")]  # no language warning
    assert "language" not in english  # English results unchanged


def _write(path, rows):
    path.write_text("\n".join([TWEET_HEADER] + ["\t".join(r) for r in rows]) + "\n", encoding="utf-8")


def test_checkthat2024_language_and_train_from_dev(tmp_path):
    rows = [(str(i), f"http://x/{i}", f"El paro bajó un {i}%." if i % 2 else f"Hola {i}.", "Yes" if i % 2 else "No")
            for i in range(100, 110)]
    rows[3] = ("1,45043E+18", "https://x/1,45043E+18", "Subió un 5%.", "Yes")
    _write(tmp_path / "CT24_checkworthy_spanish_dev.tsv", rows)
    _write(tmp_path / "CT24_checkworthy_spanish_dev-test.tsv", [("118034", "NA", "Buenas noches.", "No"), ("5", "NA", "Bajó un 2%.", "Yes")])
    _write(tmp_path / "CT24_checkworthy_dutch_train.tsv", [("1", "u", "Het steeg 5 procent.", "Yes")])
    with pytest.raises(InputError, match=r"no CheckThat! file for CT24_checkworthy_spanish_train.tsv \(train\); pass train_from_dev"):
        checkthat2024(tmp_path, "es")
    dataset, problems = checkthat2024(tmp_path, "es", train_from_dev=0.7)
    assert (len(dataset["train"]), len(dataset["validation"]), len(dataset["test"])) == (7, 3, 2)
    # tweet-id order: the small ids first, the spreadsheet-notation id (1.45e18) last
    assert dataset["train"]["sentence_id"] == [str(i) for i in (100, 101, 102, 104, 105, 106, 107)]
    assert dataset["validation"]["sentence_id"] == ["108", "109", "1,45043E+18"]
    assert dataset["test"]["sentence_id"] == ["118034", "5"]
    assert any("no train file; train = the 7 dev rows with the smallest tweet ids" in p for p in problems)
    assert any("scientific notation" in p for p in problems)
    with pytest.raises(InputError, match="no CheckThat! file for CT24_checkworthy_dutch_dev.tsv"):
        checkthat2024(tmp_path, "nl", train_from_dev=0.7)  # only a missing train is cut from dev


def test_tweet_id_order_handles_spreadsheet_ids():
    assert tweet_id_order(["1,45043E+18", "20", "3", "x"]) == [2, 1, 0, 3]


def test_language_warning_loads_no_model():
    code = ("import sys; from checkworthy.evaluation.baselines import language_warnings; "
            "assert language_warnings(['embed-lr'], 'nl'); "
            "assert not {'torch', 'sentence_transformers'} & set(sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
