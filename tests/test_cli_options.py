"""Options read the same way across commands."""

from __future__ import annotations

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
    import pytest

    with pytest.raises(SystemExit) as exited:  # argparse's usage error
        main(["evaluate", str(tmp_path / "ds"), "--baselines", ""])
    assert exited.value.code == 2
    assert "--baselines: expected NAME[,NAME...], found ''; leave --baselines out for the default set" in capsys.readouterr().err
