"""Readers of the CheckThat! and ClaimBuster formats, on small files written here."""

from __future__ import annotations

import pytest
from corpus_fixtures import TWEET_HEADER

from checkworthy.builder.corpora import (
    checkthat_split_files,
    read_checkthat2019_debate,
    read_checkthat_tsv,
    read_claimbuster_csv,
)
from checkworthy.schemas.errors import InputError

CT_HEADER = "Sentence_id\tText\tclass_label"


def test_checkthat_quote_aware_and_crlf(write):
    body = [CT_HEADER, '26\t"You know, I saw a movie - ""Crocodile Dundee."""\tNo', "80\tWe consume 50 percent.\tYes"]
    path = write("CT24_checkworthy_english_dev.tsv", "\r\n".join(body) + "\r\n")
    corpus = read_checkthat_tsv(path)
    assert corpus.frame["text"].tolist() == ['You know, I saw a movie - "Crocodile Dundee."', "We consume 50 percent."]
    assert corpus.frame["label"].tolist() == ["No", "Yes"]
    assert corpus.frame["line"].tolist() == [2, 3]
    assert corpus.problems == []


def test_checkthat_reports_artefacts_and_conflicting_duplicates(write):
    body = [CT_HEADER, "1\t#NAME?\tNo", "2\tTaxes went up.\tYes", "3\ttaxes went up.\tNo", "4\tHello.\tNo"]
    corpus = read_checkthat_tsv(write("x_train.tsv", "\n".join(body) + "\n"))
    assert len(corpus.frame) == 4
    assert any("line 2 (id 1)" in p and "#NAME?" in p for p in corpus.problems)
    assert any("conflicting labels" in p and "line 3 (id 2) Yes" in p and "line 4 (id 3) No" in p for p in corpus.problems)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("id\tText\tclass_label\n1\tA.\tYes\n", "missing Sentence_id"),
        (CT_HEADER + "\n1\tA.\tMaybe\n", r"line 2: label 'Maybe' is not one of Yes, No"),
        (CT_HEADER + "\n1\tA.\tYes\n1\tB.\tNo\n", r"line 3: id '1' appears more than once"),
    ],
    ids=["missing-column", "bad-label", "duplicate-id"],
)
def test_checkthat_format_errors(write, content, match):
    with pytest.raises(InputError, match=match):
        read_checkthat_tsv(write("bad.tsv", content))


def test_checkthat_split_files(tmp_path, write):
    for name in ["CT24_en_train.tsv", "CT24_en_dev.tsv", "CT24_en_dev-test.tsv"]:
        write(name, CT_HEADER + "\n")
    assert {k: v.name for k, v in checkthat_split_files(tmp_path).items()} == {
        "train": "CT24_en_train.tsv",
        "validation": "CT24_en_dev.tsv",
        "test": "CT24_en_dev-test.tsv",
    }


def test_claimbuster_maps_verdicts(write):
    header = "Sentence_id,Text,Speaker,Speaker_title,Speaker_party,File_id,Length,Line_number,Sentiment,Verdict"
    rows = [
        '16,"I think, honestly.",A,VP,R,1988-09-25.txt,3,16,0.0,-1',
        "80,We use 50 percent.,B,Gov,D,1988-09-25.txt,4,80,0.1,1",
        "81,It is Tuesday.,B,Gov,D,1988-09-25.txt,3,81,0.0,0",
    ]
    corpus = read_claimbuster_csv(write("groundtruth.csv", "\n".join([header, *rows]) + "\n"))
    assert corpus.frame["label"].tolist() == ["NFS", "CFS", "UFS"]
    assert corpus.frame["text"].iloc[0] == "I think, honestly."
    assert corpus.frame["line_number"].tolist() == [16, 80, 81]
    assert set(corpus.frame["debate"]) == {"1988-09-25.txt"}


def test_checkthat2019_debate(write):
    path = write("20160209_msnbc_dem.tsv", '1\tTODD\tGood "evening".\t0\n2\tMADDOW\tWe have 5 states.\t1\n')
    corpus = read_checkthat2019_debate(path)
    assert corpus.frame["text"].tolist() == ['Good "evening".', "We have 5 states."]
    assert corpus.frame["label"].tolist() == [0, 1]
    bad = write("bad.tsv", "1\tTODD\tno label\n")
    with pytest.raises(InputError, match=r"line 1: expected 4 tab-separated fields, found 3"):
        read_checkthat2019_debate(bad)




def test_tweet_files_report_their_quirks(write):
    body = [
        TWEET_HEADER,
        "1241050000000000001\thttp://twitter.com/user/status/1241050000000000001\tDe belasting steeg met 5 procent.\tYes",
        "1.24105E+18\thttp://twitter.com/user/status/1.24105E+18\tGoedemorgen allemaal.\tNo",
        '118034\tNA\t"Dijo ""no"" dos veces."\tNo',
    ]
    corpus = read_checkthat_tsv(write("CT24_checkworthy_spanish_dev.tsv", "\n".join(body) + "\n"))
    frame = corpus.frame
    assert frame["id"].tolist() == ["1241050000000000001", "1.24105E+18", "118034"]  # ids stay strings
    assert frame["url"].tolist()[2] == "NA"  # not read as missing
    assert frame["text"].tolist()[2] == 'Dijo "no" dos veces.'
    assert any("line 3 (id 1.24105E+18)" in p and "scientific notation" in p for p in corpus.problems)
    assert any("1 row(s) have no tweet url ('NA')" in p and "line 4 (id 118034)" in p for p in corpus.problems)
    assert any("1 text(s) are CSV-quoted" in p and "line 4" in p for p in corpus.problems)


def test_tweet_file_without_lowercase_t_is_reported(write):
    # The CT24 Dutch dev-test has every lowercase "t" replaced by a space.
    text = "Ik merk op da  de supermark  nie  meer vraag  om een winkelkar  e nemen, zegge  ze. " * 3
    body = [TWEET_HEADER] + [f"{i}\thttp://x/{i}\t{text}\tNo" for i in range(2)]
    corpus = read_checkthat_tsv(write("CT24_checkworthy_dutch_dev-test.tsv", "\n".join(body) + "\n"))
    assert any("no lowercase 't'" in p for p in corpus.problems)


def test_tweet_file_duplicate_ids_are_refused(write):
    body = [TWEET_HEADER, "7\tu\tA.\tYes", "7\tu\tB.\tNo"]
    with pytest.raises(InputError, match=r"line 3: id '7' appears more than once"):
        read_checkthat_tsv(write("CT24_checkworthy_arabic_dev.tsv", "\n".join(body) + "\n"))


def test_checkthat_split_files_by_language(tmp_path, write):
    for language in ["english", "arabic", "dutch", "spanish"]:
        for part in ["train", "dev", "dev-test"]:
            if (language, part) != ("spanish", "train"):
                write(f"CT24_checkworthy_{language}_{part}.tsv", TWEET_HEADER + "\n")
    assert {k: v.name for k, v in checkthat_split_files(tmp_path, "nl").items()} == {
        "train": "CT24_checkworthy_dutch_train.tsv",
        "validation": "CT24_checkworthy_dutch_dev.tsv",
        "test": "CT24_checkworthy_dutch_dev-test.tsv",
    }
    assert checkthat_split_files(tmp_path)["train"].name == "CT24_checkworthy_english_train.tsv"  # default en
    with pytest.raises(InputError, match="no train file for language 'es' .expected CT24_checkworthy_spanish_train.tsv"):
        checkthat_split_files(tmp_path, "es")
    assert sorted(checkthat_split_files(tmp_path, "es", require_train=False)) == ["test", "validation"]
    with pytest.raises(InputError, match="language 'fr' is not one of ar, en, es, nl"):
        checkthat_split_files(tmp_path, "fr")
