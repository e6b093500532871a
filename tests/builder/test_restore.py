"""Putting back a letter a corpus lost (``checkworthy.builder.restore``), alone and through the CheckThat! adapter."""

from __future__ import annotations

import json
import random

import pytest
from corpus_fixtures import TWEET_HEADER

from checkworthy.builder.corpora import read_checkthat_tsv, restore_lost_letters
from checkworthy.builder.restore import LetterRestorer, blank_letter, guess_damage, missing_letters
from checkworthy.builder.store import load_manifest, load_version, resolve_version_dir
from checkworthy.cli import main
from checkworthy.evaluation.external import checkthat2024

WORDS = ("het is niet dat de met zitten moeten straat tot tijd mensen maatregelen testen kabinet minister wat ook een op "
         "van en in wordt gaat staat nu meer dan patiënten ziekenhuis totaal weten beter later zorg regels dag week thuis "
         "school kinderen werk geld https://t.co/x9").split()


def dutch(n: int, seed: int) -> list[str]:
    """``n`` sentences of 6 to 14 words drawn from a small Dutch vocabulary (rich in 't' and 'tt')."""
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize() + "." for _ in range(n)]


@pytest.fixture(scope="module")
def restorer():
    return LetterRestorer("t").fit(dutch(400, seed=1))


def test_blank_letter_turns_each_run_into_one_space():
    assert blank_letter("het zitten https", "t") == "he  zi en h ps"
    assert blank_letter("het zitten https", "t", collapse_runs=False) == "he  zi  en h  ps"
    assert blank_letter("Tot", "t") == "To "  # only the letter itself, not its capital


def test_restorer_puts_back_single_and_double_letters(restorer):
    clean = "Het is niet dat de mensen thuis zitten met https://t.co/x9."
    damaged = blank_letter(clean, "t")
    assert "t" not in damaged
    assert restorer.restore([damaged]) == [clean]


def test_restorer_is_measured_on_held_out_text(restorer):
    scores = restorer.evaluate(dutch(80, seed=2))
    assert scores["positions"] > 500
    assert scores["accuracy"] > 0.97
    assert scores["precision"] > 0.95 and scores["recall"] > 0.95
    assert scores["words_found"] > 0.95 > scores["damaged_words_found"]
    assert scores["damaged_texts_exact"] == 0.0 < scores["texts_exact"]


def test_restorer_leaves_texts_without_spaces_and_real_spaces_alone(restorer):
    assert restorer.restore(["", "Ok", "@user"]) == ["", "Ok", "@user"]
    assert restorer.restore(["De school en de kinderen."]) == ["De school en de kinderen."]


def test_restorer_refuses_what_it_cannot_do():
    with pytest.raises(ValueError, match="one character other than a space"):
        LetterRestorer("tt")
    with pytest.raises(ValueError, match="one character other than a space"):
        LetterRestorer(" ")
    with pytest.raises(ValueError, match="none of the 2 clean texts contains 'q'"):
        LetterRestorer("q").fit(["Het is niet.", "Dat wel."])
    with pytest.raises(ValueError, match="the 2 clean texts have no real space"):
        LetterRestorer("t").fit(["tt", "Het"])
    with pytest.raises(RuntimeError, match="before fit"):
        LetterRestorer("t").restore(["he  is"])


def test_restorer_is_deterministic():
    texts = [blank_letter(t, "t") for t in dutch(30, seed=3)]
    first = LetterRestorer("t").fit(dutch(200, seed=4)).restore(texts)
    assert LetterRestorer("t").fit(dutch(200, seed=4)).restore(texts) == first


def test_missing_letters_needs_a_common_letter_and_enough_text():
    clean = dutch(100, seed=5)
    damaged = [blank_letter(t, "t") for t in dutch(100, seed=6)]
    assert missing_letters(damaged, clean) == ["t"]
    assert missing_letters(clean, clean) == []
    assert missing_letters(damaged[:1], clean) == []  # too short: a few dozen letters prove nothing
    assert missing_letters(["هل ارتفعت الضرائب بنسبة خمسة في المئة؟"] * 200, clean) == []  # another script


@pytest.mark.parametrize("collapse", [True, False])
def test_guess_damage_tells_runs_from_single_letters(collapse):
    clean = dutch(200, seed=10)
    damaged = [blank_letter(t, "t", collapse_runs=collapse) for t in dutch(100, seed=11)]
    guessed, shares = guess_damage(damaged, clean, "t")
    assert guessed is collapse
    assert shares["each"] > shares["runs"]  # "tt" leaves two spaces only when each letter became one


def test_restorer_for_one_space_per_letter():
    restorer = LetterRestorer("t", collapse_runs=False).fit(dutch(300, seed=12))
    clean = "Het is niet dat de mensen thuis zitten met https://t.co/x9."
    assert restorer.damage(clean).count(" ") == clean.count(" ") + clean.count("t")
    assert restorer.restore([restorer.damage(clean)]) == [clean]
    assert restorer.evaluate(dutch(50, seed=13))["accuracy"] > 0.97




def _tweets(texts: list[str], start: int) -> str:
    rows = [f"{start + i}\thttp://twitter.com/u/status/{start + i}\t{t}\t{'Yes' if i % 3 == 0 else 'No'}" for i, t in enumerate(texts)]
    return "\n".join([TWEET_HEADER, *rows]) + "\n"


@pytest.fixture(scope="module")
def dutch_folder(tmp_path_factory):
    """CT24-style Dutch files: clean train and dev, a dev-test whose 't' became spaces; also the clean dev-test."""
    folder = tmp_path_factory.mktemp("ct24")
    clean_test = dutch(60, seed=9)
    (folder / "CT24_checkworthy_dutch_train.tsv").write_text(_tweets(dutch(300, seed=7), 1000), encoding="utf-8")
    (folder / "CT24_checkworthy_dutch_dev.tsv").write_text(_tweets(dutch(100, seed=8), 2000), encoding="utf-8")
    (folder / "CT24_checkworthy_dutch_dev-test.tsv").write_text(
        _tweets([blank_letter(t, "t") for t in clean_test], 3000), encoding="utf-8")
    return folder, clean_test


def test_adapter_restores_the_file_that_lost_a_letter(dutch_folder):
    folder, clean_test = dutch_folder
    files = {s: read_checkthat_tsv(folder / f"CT24_checkworthy_dutch_{p}.tsv")
             for s, p in (("train", "train"), ("validation", "dev"), ("test", "dev-test"))}
    restored = restore_lost_letters(files)
    assert restored["train"] is files["train"] and restored["validation"] is files["validation"]
    texts = list(restored["test"].frame["text"])
    assert sum(a == b for a, b in zip(texts, clean_test)) >= 50  # of 60
    (note,) = [p for p in restored["test"].problems if "restored 't'" in p]
    assert "CT24_checkworthy_dutch_dev-test.tsv: restored 't'" in note
    assert "learned from the 400 texts of CT24_checkworthy_dutch_train.tsv, CT24_checkworthy_dutch_dev.tsv" in note
    assert "held out" in note and "spaces right" in note
    assert "each run of it taken to have become one space" in note
    assert any("no lowercase 't'" in p for p in restored["test"].problems)  # the reader's report stays


def test_adapter_reads_the_kind_of_damage_from_the_file(dutch_folder, tmp_path):
    folder, clean_test = dutch_folder
    files = {s: read_checkthat_tsv(folder / f"CT24_checkworthy_dutch_{p}.tsv") for s, p in (("train", "train"), ("validation", "dev"))}
    each = tmp_path / "CT24_checkworthy_dutch_dev-test.tsv"
    each.write_text(_tweets([blank_letter(t, "t", collapse_runs=False) for t in clean_test], 3000), encoding="utf-8")
    restored = restore_lost_letters({**files, "test": read_checkthat_tsv(each)})
    assert sum(a == b for a, b in zip(restored["test"].frame["text"], clean_test)) >= 50
    assert any("each one taken to have become one space" in p for p in restored["test"].problems)


def test_build_restore_letters_to_load_dataset(dutch_folder, tmp_path, capsys):
    folder, clean_test = dutch_folder
    assert main(["build", "--from", "checkthat", str(folder), "--language", "nl", "--restore-letters",
                 "--dataset", str(tmp_path / "restored"), "--quiet"]) == 0
    assert main(["build", "--from", "checkthat", str(folder), "--language", "nl", "--dataset", str(tmp_path / "as-is"), "--quiet"]) == 0
    restored, as_is = load_version(tmp_path / "restored"), load_version(tmp_path / "as-is")
    assert not any("t" in t for t in as_is["test"]["text"])
    assert sum(a == b for a, b in zip(restored["test"]["text"], clean_test)) >= 50
    assert restored["train"]["text"] == as_is["train"]["text"]  # clean files are untouched
    manifest, plain = (load_manifest(resolve_version_dir(tmp_path / d)) for d in ("restored", "as-is"))
    assert manifest.settings["restore_letters"] is True
    assert "restore_letters" not in plain.settings
    assert manifest.fingerprint != plain.fingerprint
    assert any("restored 't'" in p for p in manifest.corpus_problems)
    assert str(folder) not in json.dumps(manifest.to_dict())


def test_evaluation_reader_restores_too(dutch_folder):
    folder, clean_test = dutch_folder
    dataset, problems = checkthat2024(folder, "nl", restore_letters=True)
    assert sum(a == b for a, b in zip(dataset["test"]["text"], clean_test)) >= 50
    assert any("restored 't'" in p for p in problems)
    plain, _ = checkthat2024(folder, "nl")
    assert not any("t" in t for t in plain["test"]["text"])


def test_build_says_when_there_was_nothing_to_restore(dutch_folder, tmp_path, capsys):
    folder, _ = dutch_folder
    clean = tmp_path / "clean"
    clean.mkdir()
    for name in ("train", "dev"):
        (clean / f"CT24_checkworthy_dutch_{name}.tsv").write_bytes((folder / f"CT24_checkworthy_dutch_{name}.tsv").read_bytes())
    assert main(["build", "--from", "checkthat", str(clean), "--language", "nl", "--restore-letters",
                 "--dataset", str(tmp_path / "ds"), "--quiet"]) == 0
    assert "--restore-letters: no dutch file lacks a letter the others have; nothing was restored" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["export.json", "--articles", "seeds"], ["--from", "claimbuster", "cb"]])
def test_restore_letters_is_for_checkthat_only(args, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cb").mkdir()
    (tmp_path / "cb" / "crowdsourced.csv").write_text(
        "Sentence_id,Text,Speaker,Speaker_title,Speaker_party,File_id,Length,Line_number,Sentiment,Verdict\n"
        "1,Taxes went up.,A,,D,d1,3,1,0,1\n", encoding="utf-8")
    assert main(["build", *args, "--restore-letters", "--dataset", "ds"]) == 1
    assert "--restore-letters is for --from checkthat" in capsys.readouterr().err
