"""Options read the same way across commands."""

from __future__ import annotations

import pytest

from checkworthy.cli import main


def test_build_reads_language_codes_as_tasks_does(tmp_path, capsys):
    nowhere = str(tmp_path / "no-corpus")
    assert main(["build", "--from", "checkthat", nowhere, "--language", "es-ES", "--dataset", str(tmp_path / "ds")]) == 1
    err = capsys.readouterr().err
    assert "--language" not in err and "no-corpus" in err  # es-ES was read as es; the missing folder is what stops it
    assert main(["build", "--from", "checkthat", nowhere, "--language", "fr", "--dataset", str(tmp_path / "ds")]) == 1
    assert "--language fr: the CheckThat! 2024 files are in ar, en, es, nl" in capsys.readouterr().err
    assert main(["build", "--from", "checkthat", nowhere, "--language", "sp", "--dataset", str(tmp_path / "ds")]) == 1
    assert "'sp' is not a language code" in capsys.readouterr().err


def test_a_corpus_file_given_for_its_folder_and_an_empty_baseline_list_are_named(tmp_path, capsys):
    tsv = tmp_path / "CT24_checkworthy_english_train.tsv"
    tsv.write_text("Sentence_id\tText\tclass_label\n1\tJobs fell 5%.\tYes\n", encoding="utf-8")
    assert main(["build", "--from", "checkthat", str(tsv), "--dataset", str(tmp_path / "ds")]) == 1
    assert f"{tsv}: is a file; --from takes the corpus's folder (here {tmp_path})" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:  # argparse's usage error
        main(["evaluate", str(tmp_path / "ds"), "--baselines", ""])
    assert exited.value.code == 2
    assert "--baselines: expected NAME[,NAME...], found ''; leave --baselines out for the default set" in capsys.readouterr().err



@pytest.mark.parametrize(("argv", "said"), [
    (["run", "seeds", "--out", "o", "--seed", "-1"], "argument --seed: expected a whole number from 0 to 4294967295, found -1"),
    (["run", "seeds", "--out", "o", "--n-resamples", "0"], "argument --n-resamples: expected a whole number of at least 1, found 0"),
    (["run", "seeds", "--out", "o", "--wait", "-3"], "argument --wait: expected a number of at least 0, found -3"),
    (["run", "seeds", "--out", "o", "--port", "-1"], "argument --port: expected a whole number from 0 to 65535, found -1"),
    (["score", "p.tsv", "--gold", "g", "--seed", "x"], "argument --seed: expected a whole number from 0 to 4294967295, found 'x'"),
    (["review", "ds", "--out", "r", "--folds", "1"], "argument --folds: expected a whole number of at least 2, found 1"),
    (["review", "ds", "--out", "r", "--min-posterior", "nan"], "argument --min-posterior: expected a number from 0 to 1, found nan"),
    (["tasks", "in", "--out", "o", "--jobs", "0"], "argument --jobs: expected a whole number of at least 1, found 0"),
    (["tasks", "in", "--out", "o", "--context", "-1"], "argument --context: expected a whole number of at least 0, found -1"),
    (["tasks", "in", "--out", "o", "--min-score", "1.5"], "argument --min-score: expected a number from 0 to 1, found 1.5"),
    (["tasks", "in", "--out", "o", "--engine", "ray", "--batch-size", "0"], "argument --batch-size: expected a whole number of at least 1"),
    (["train", "ds", "--out", "m", "--seed", "-2"], "argument --seed: expected a whole number from 0 to 4294967295, found -2"),
    (["push", "tasks", "--batch-size", "0"], "argument --batch-size: expected a whole number of at least 1, found 0"),
    (["studio", "start", "--port", "70000"], "argument --port: expected a whole number from 0 to 65535, found 70000"),
    (["run", "seeds", "--out", "o", "--baselines", "majority,tfidf-lrr"], "argument --baselines: unknown baseline(s) 'tfidf-lrr'; "
                                                                          "available: "),
    (["evaluate", "ds", "--baselines", "tfidf-lrr"], "Did you mean 'tfidf-lr'?"),
])
def test_an_impossible_number_is_a_usage_error_before_any_work(argv, said, capsys, tmp_path, monkeypatch):
    """'run --seed -1' used to do tasks, export and build, then fail in numpy with a traceback."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert said in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_tasks_that_write_no_task_say_so(tmp_path, capsys):
    """A --min-score too high or an --exclude that takes everything wrote an empty tasks.json without a word."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Standings\n\n5040\n\n2.900.000\n", encoding="utf-8")
    with pytest.warns(UserWarning, match=r"out: no task was written: no body sentence scores at least 0\.9 \(--min-score\), "
                                         r"or no body sentence with a word"):
        assert main(["tasks", str(folder), "--out", str(tmp_path / "out"), "--min-score", "0.9", "--quiet"]) == 0
    assert (tmp_path / "out" / "tasks.json").read_text(encoding="utf-8") == "[]\n"
