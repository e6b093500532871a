"""``checkworthy build --from checkthat|claimbuster`` on small corpus folders written here."""

from __future__ import annotations

import re

import pytest
from corpus_fixtures import tweets_tsv

from checkworthy.builder.from_corpus import build_from_corpus
from checkworthy.builder.build import BuildConfig
from checkworthy.builder.store import load_manifest, load_version, resolve_version_dir
from checkworthy.cli import main
from checkworthy.schemas.errors import InputError

CT_HEADER = "Sentence_id\tText\tclass_label"
CB_HEADER = "Sentence_id,Text,Speaker,Speaker_title,Speaker_party,File_id,Length,Line_number,Sentiment,Verdict"


@pytest.fixture
def checkthat(tmp_path, write):
    write("ct/CT24_en_train.tsv", "\n".join([CT_HEADER, "1\t#NAME?\tNo", "2\tTaxes went up 5 percent.\tYes",
                                             "3\ttaxes went up 5 percent.\tNo", '4\t"He said ""no"" twice."\tNo']) + "\n")
    write("ct/CT24_en_dev.tsv", "\r\n".join([CT_HEADER, "10\tWe spent $2 trillion on the war.\tYes", "11\tThank you.\tNo"]) + "\r\n")
    write("ct/CT24_en_dev-test.tsv", "\r\n".join([CT_HEADER, "20\tTaxes went up 5 percent.\tYes"]) + "\r\n")
    return tmp_path / "ct"


def test_checkthat_keeps_its_splits_and_reports_problems(checkthat, tmp_path):
    result = build_from_corpus("checkthat", checkthat, tmp_path / "ds")
    manifest = result.manifest
    assert manifest.counts.to_dict() == {"train": 3, "validation": 2, "test": 1, "total": 6}
    assert manifest.label_distribution["validation"] == {"Yes": 1, "No": 1}
    assert [s["sentence_id"] for s in manifest.skipped] == ["1"]
    assert any("conflicting labels" in p for p in manifest.corpus_problems)
    assert str(tmp_path) not in str(manifest.to_dict())
    assert manifest.leakage.exact == 1
    assert [f["name"] for f in manifest.inputs["corpus"]] == ["CT24_en_dev-test.tsv", "CT24_en_dev.tsv", "CT24_en_train.tsv"]
    loaded = load_version(tmp_path / "ds")
    assert loaded["train"].features["label"].names == ["Yes", "No"]
    assert 'He said "no" twice.' in loaded["train"]["text"]
    row = loaded["test"][0]
    assert (row["sentence_id"], row["votes"], row["n_annotators"], row["label_source"]) == ("20", [1, 0], 1, "corpus")


def test_claimbuster_rebuilds_debates_and_groups_by_debate(tmp_path, write):
    lines = [CB_HEADER]
    for debate in range(12):
        for n, (text, verdict) in enumerate([("We cut taxes by 10 percent.", 1), ("I like this town.", -1), (f"It was debate {debate}.", 0)]):
            lines.append(f"{debate * 10 + n},{text},X,,P,{1990 + debate}-01-01.txt,5,{3 - n},0,{verdict}")
    write("cb/crowdsourced.csv", "\n".join(lines) + "\n")
    write("cb/groundtruth.csv", CB_HEADER + "\n999,\"Spending rose, again.\",X,,P,1990-01-01.txt,3,9,0,1\n")
    assert main(["build", "--from", "claimbuster", str(tmp_path / "cb"), "--dataset", str(tmp_path / "ds")]) == 0
    loaded = load_version(tmp_path / "ds")
    rows = [dict(r, split=name) for name, split in loaded.items() for r in split]
    assert len(rows) == 37
    by_debate = {}
    for r in rows:
        by_debate.setdefault(r["article_id"], set()).add(r["split"])
    assert all(len(splits) == 1 for splits in by_debate.values())
    first = sorted((r for r in rows if r["article_id"] == "1990-01-01"), key=lambda r: r["start"])
    assert [r["text"] for r in first] == ["It was debate 0.", "I like this town.", "We cut taxes by 10 percent.", "Spending rose, again."]
    assert first[1]["start"] == len("It was debate 0.") + 1
    assert first[-1]["label_source"] == "ground_truth"
    assert loaded[next(iter(loaded))].features["label"].names == ["CFS", "UFS", "NFS"]


def test_corpus_needs_its_scheme(checkthat, tmp_path):
    with pytest.raises(InputError, match="needs the 'checkthat' scheme"):
        build_from_corpus("checkthat", checkthat, tmp_path / "ds", BuildConfig(scheme="claimbuster"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "checkthat", "CT", "extra.json"], "--from builds from a corpus folder alone"),
        (["--from", "claimbustr", "CT"], "--from 'claimbustr': expected one of checkthat, claimbuster"),
        (["export.json"], "expected EXPORT file\\(s\\) and --articles SEEDS"),
    ],
    ids=["from-with-exports", "unknown-corpus", "exports-without-articles"],
)
def test_cli_rejects_mixed_inputs(checkthat, tmp_path, capsys, args, message):
    args = [str(checkthat) if a == "CT" else a for a in args]
    assert main(["build", *args, "--dataset", str(tmp_path / "ds")]) == 1
    assert re.search(message, capsys.readouterr().err)




@pytest.fixture
def multilingual(tmp_path, write):
    """A CT24-style folder with Dutch (complete), Arabic (one tweet in train and dev-test) and Spanish (no train)."""
    write("ct/CT24_checkworthy_dutch_train.tsv", tweets_tsv([
        ("1240603314980392966", "http://twitter.com/user/status/1240603314980392966", "Het RIVM meldt 534 nieuwe besmettingen.", "Yes"),
        ("1.24105E+18", "http://twitter.com/user/status/1.24105E+18", "Goedemorgen allemaal!", "No")]))
    write("ct/CT24_checkworthy_dutch_dev.tsv", tweets_tsv([("1254745849286004736", "http://x/1", '"Hij zei ""nee""."', "No")]))
    write("ct/CT24_checkworthy_dutch_dev-test.tsv", tweets_tsv([("1256120472875524096", "http://x/2", "Ik merk op da  de winkel nie  open is.", "Yes")]))
    write("ct/CT24_checkworthy_arabic_train.tsv", tweets_tsv([("1367162834006773761", "http://x/3", "تم إعطاء أكثر من 950 مليون لقاح", "Yes"),
                                                          ("11", "http://x/4", "صباح الخير", "No")]))
    write("ct/CT24_checkworthy_arabic_dev.tsv", tweets_tsv([("12", "http://x/5", "شكرا لكم", "No")]))
    write("ct/CT24_checkworthy_arabic_dev-test.tsv", tweets_tsv([("1367162834006773761", "http://x/3", "تم إعطاء أكثر من 950 مليون لقاح", "Yes")]))
    write("ct/CT24_checkworthy_spanish_dev.tsv", tweets_tsv([("1,45043E+18", "https://twitter.com/user/status/1,45043E+18", "El paro bajó un 3%.", "Yes")]))
    write("ct/CT24_checkworthy_spanish_dev-test.tsv", tweets_tsv([("118034", "NA", "Buenas noches.", "No")]))
    return tmp_path / "ct"


def test_checkthat_dutch_records_its_language(multilingual, tmp_path, capsys):
    assert main(["build", "--from", "checkthat", str(multilingual), "--language", "nl", "--dataset", str(tmp_path / "nl")]) == 0
    manifest = load_manifest(resolve_version_dir(str(tmp_path / "nl")))
    assert manifest.settings["language"] == "nl"
    assert manifest.settings["corpus"] == "checkthat"
    assert manifest.counts.to_dict() == {"train": 2, "validation": 1, "test": 1, "total": 4}
    assert [f["name"] for f in manifest.inputs["corpus"]] == [
        "CT24_checkworthy_dutch_dev-test.tsv", "CT24_checkworthy_dutch_dev.tsv", "CT24_checkworthy_dutch_train.tsv"]
    assert any("1.24105E+18" in p and "scientific notation" in p for p in manifest.corpus_problems)
    assert any("CSV-quoted" in p for p in manifest.corpus_problems)
    loaded = load_version(tmp_path / "nl")
    assert "1.24105E+18" in loaded["train"]["sentence_id"]
    assert 'Hij zei "nee".' in loaded["validation"]["text"]


def test_checkthat_tweet_in_two_splits_stays_in_the_later(multilingual, tmp_path):
    result = build_from_corpus("checkthat", multilingual, tmp_path / "ar", language="ar")
    manifest = result.manifest
    assert manifest.settings["language"] == "ar"
    assert manifest.counts.to_dict() == {"train": 1, "validation": 1, "test": 1, "total": 3}
    (skipped,) = manifest.skipped
    assert skipped["sentence_id"] == "1367162834006773761" and skipped["file"] == "CT24_checkworthy_arabic_train.tsv"
    assert "CT24_checkworthy_arabic_dev-test.tsv" in skipped["problem"]


def test_checkthat_missing_split_is_reported(multilingual, tmp_path, capsys):
    assert main(["build", "--from", "checkthat", str(multilingual), "--language", "es", "--dataset", str(tmp_path / "es")]) == 0
    err = capsys.readouterr().err
    assert "no file for CT24_checkworthy_spanish_train.tsv (train): the version has only the splits found (validation, test)" in err
    manifest = load_manifest(resolve_version_dir(str(tmp_path / "es")))
    assert manifest.settings["language"] == "es"
    assert manifest.counts.to_dict() == {"train": 0, "validation": 1, "test": 1, "total": 2}
    assert any("no tweet url ('NA')" in p for p in manifest.corpus_problems)


def test_checkthat_english_default_records_no_language(checkthat, tmp_path):
    # English stays as before issue 14: no language key, so its fingerprint does not change.
    manifest = build_from_corpus("checkthat", checkthat, tmp_path / "ds").manifest
    assert "language" not in manifest.settings


def test_language_is_for_checkthat_only(multilingual, tmp_path, capsys):
    assert main(["build", "--from", "claimbuster", str(multilingual), "--language", "nl", "--dataset", str(tmp_path / "x")]) != 0
    assert "--language nl is for --from checkthat" in capsys.readouterr().err
