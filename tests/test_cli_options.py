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
