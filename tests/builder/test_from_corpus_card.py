"""What a ``build --from`` version says about itself (card, Croissant), its tweet urls, and ``--dedupe`` on fixed splits."""

from __future__ import annotations

import json

import pytest
from corpus_fixtures import tweets_tsv

from checkworthy.builder.store import load_manifest, load_version, resolve_version_dir
from checkworthy.cli import main

CT_HEADER = "Sentence_id\tText\tclass_label"
CB_HEADER = "Sentence_id,Text,Speaker,Speaker_title,Speaker_party,File_id,Length,Line_number,Sentiment,Verdict"

#: What the card or Croissant of a Label Studio build says that is false of a corpus build.
NEWS_ONLY = ["Label Studio as tasks", "80/10/10", "journalists and outlets", "skipped as invalid", "news",
             "annotations.parquet` (annotators pseudonymised)", "selected by the pipeline", "grouped by article",
             "Annotators are pseudonymised", "aggregated by"]


@pytest.fixture
def tweets(tmp_path, write):
    """Arabic (one tweet in train and dev-test) and Spanish (no train; a transcript sentence with url NA)."""
    write("ct/CT24_checkworthy_arabic_train.tsv", tweets_tsv([
        ("1367162834006773761", "https://twitter.com/a/status/1367162834006773761", "تم إعطاء أكثر من 950 مليون لقاح", "Yes"),
        ("11", "https://twitter.com/a/status/11", "صباح الخير", "No")]))
    write("ct/CT24_checkworthy_arabic_dev.tsv", tweets_tsv([("12", "https://twitter.com/a/status/12", "شكرا لكم", "No")]))
    write("ct/CT24_checkworthy_arabic_dev-test.tsv", tweets_tsv([
        ("1367162834006773761", "https://twitter.com/a/status/1367162834006773761", "تم إعطاء أكثر من 950 مليون لقاح", "Yes")]))
    write("ct/CT24_checkworthy_spanish_dev.tsv", tweets_tsv([("13", "https://twitter.com/b/status/13", "El paro bajó un 3%.", "Yes")]))
    write("ct/CT24_checkworthy_spanish_dev-test.tsv", tweets_tsv([("118034", "NA", "Buenas noches.", "No"),
                                                              ("14", "https://twitter.com/b/status/14", "Subió el IVA.", "Yes")]))
    return tmp_path / "ct"


@pytest.fixture
def english(tmp_path, write):
    """English CheckThat! files: one sentence in train and (another id) in dev-test, one in train and dev."""
    write("en/CT24_checkworthy_english_train.tsv", "\n".join([
        CT_HEADER, "1\tTaxes went up 5 percent.\tYes", "2\tWe spent $2 trillion on the war.\tYes", "3\tThank you all.\tNo"]) + "\n")
    write("en/CT24_checkworthy_english_dev.tsv", "\r\n".join([CT_HEADER, "10\tWe spent $2 trillion on the war.\tYes",
                                                              "11\tGood evening.\tNo"]) + "\r\n")
    write("en/CT24_checkworthy_english_dev-test.tsv", "\r\n".join([CT_HEADER, "20\tTaxes went up 5 percent.\tYes",
                                                                   "21\tUnemployment fell to 4 percent.\tYes"]) + "\r\n")
    return tmp_path / "en"


def _build(*args):
    assert main(["build", *map(str, args)]) == 0
    version = resolve_version_dir(str(args[args.index("--dataset") + 1]))
    card = (version / "README.md").read_text(encoding="utf-8")
    croissant = json.loads((version / "croissant.json").read_text(encoding="utf-8"))
    return version, card, croissant


def _body(card):
    return card[card.index("<!-- checkworthy:begin summary -->"):]


def test_checkthat_card_and_croissant_describe_the_corpus(tweets, tmp_path):
    version, card, croissant = _build("--from", "checkthat", tweets, "--language", "ar", "--dataset", tmp_path / "ar")
    body = _body(card)
    rai = json.dumps({k: v for k, v in croissant.items() if k.startswith("rai:") or k == "description"}, ensure_ascii=False)
    fields = json.dumps([f.get("description", "") for rs in croissant["recordSet"] for f in rs.get("field", [])])
    for phrase in NEWS_ONLY:
        assert phrase not in body, phrase
        assert phrase.lower() not in rai.lower(), phrase
    assert "article text" not in fields and "annotators' labels" not in fields
    assert "Arabic tweets" in body and "Arabic tweets" in croissant["description"]
    assert ("train is `CT24_checkworthy_arabic_train.tsv`, validation is `CT24_checkworthy_arabic_dev.tsv`, "
            "test is `CT24_checkworthy_arabic_dev-test.tsv`") in body
    assert "in the organisers' splits (train: CT24_checkworthy_arabic_train.tsv" in croissant["description"]
    assert "1 with the same id and text as a row of a later split file" in body
    assert "The authors of the tweets, reached through the tweet's `url`" in body
    assert "The corpus gives one label per sentence: nothing was aggregated." in croissant["rai:dataAnnotationProtocol"]


def test_checkthat_croissant_still_validates(tweets, tmp_path, monkeypatch):
    import socket

    import mlcroissant as mlc

    version, _, _ = _build("--from", "checkthat", tweets, "--language", "es", "--dataset", tmp_path / "es")

    def no_network(*args, **kwargs):
        raise OSError("the Croissant file must be readable offline")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    dataset = mlc.Dataset(jsonld=str(version / "croissant.json"))
    assert not dataset.metadata.ctx.issues.errors
    assert len(list(dataset.records(record_set="test"))) == 2


def test_claimbuster_card_describes_debates(tmp_path, write):
    rows = [f"{i},Sentence {i} of the debate.,OBAMA,President,Democratic,2012-10-03.txt,5,{i},0.1,{v}"
            for i, v in zip(range(1, 7), ["1", "0", "-1", "1", "0", "-1"])]
    write("cb/crowdsourced.csv", "\n".join([CB_HEADER, *rows]) + "\n")
    _, card, croissant = _build("--from", "claimbuster", tmp_path / "cb", "--dataset", tmp_path / "cb-ds")
    body = _body(card)
    for phrase in ("Label Studio as tasks", "journalists and outlets", "skipped as invalid", "news", "grouped by article"):
        assert phrase not in body, phrase
    assert "Splits are assigned by debate from a hash of the debate id" in body
    assert "US presidential debate transcripts" in croissant["description"]
    assert "News articles" not in croissant["rai:dataCollection"]


def test_checkthat_url_is_the_tweet_url(tweets, tmp_path):
    from checkworthy.builder.from_corpus import build_from_corpus

    build_from_corpus("checkthat", tweets, tmp_path / "es", language="es")
    loaded = load_version(tmp_path / "es")
    urls = dict(zip(loaded["test"]["sentence_id"], loaded["test"]["url"]))
    assert urls == {"118034": "", "14": "https://twitter.com/b/status/14"}  # NA: a transcript sentence, no url
    assert loaded["validation"]["url"] == ["https://twitter.com/b/status/13"]


def test_dedupe_keeps_the_organisers_evaluation_files_whole(english, tmp_path):
    version, card, _ = _build("--from", "checkthat", english, "--dedupe", "--dataset", tmp_path / "en")
    manifest = load_manifest(version)
    assert manifest.counts.to_dict() == {"train": 1, "validation": 2, "test": 2, "total": 5}
    assert sorted(manifest.leakage.removed) == ["1", "2"]  # the train copies, not dev's 10 or dev-test's 20
    assert "`--dedupe` removed sentences that repeat one of another split: 2 from train; " \
           "train no longer equals `CT24_checkworthy_english_train.tsv`." in card


def test_corpus_cards_say_who_labeled_and_what_they_derive_from(tweets, english, tmp_path, write):
    """annotations_creators and source_datasets say only what is known of each corpus; no 'sentences of sentences'."""
    from huggingface_hub import DatasetCard

    def data(card):
        return DatasetCard(card).data.to_dict()

    _, card, croissant = _build("--from", "checkthat", english, "--dataset", tmp_path / "en")
    assert data(card)["annotations_creators"] == ["crowdsourced", "expert-generated"]  # train crowdsourced.csv, dev groundtruth.csv
    assert data(card)["source_datasets"] == ["CheckThat! 2024 Task 1", "ClaimBuster"]
    assert "ClaimBuster's crowd-labeled `crowdsourced.csv`" in card and "The files do not say who labeled dev-test." in card
    assert "sentences from US political debate transcripts (CheckThat! 2024 Task 1, English)" in croissant["description"]

    _, card, croissant = _build("--from", "checkthat", tweets, "--language", "ar", "--dataset", tmp_path / "ar")
    assert "annotations_creators" not in data(card)  # the files do not say who labeled the Arabic tweets
    assert data(card)["source_datasets"] == ["CheckThat! 2024 Task 1"]
    assert "The corpus files do not say who labeled them" in croissant["rai:dataAnnotationProtocol"]

    rows = [f"{i},Sentence {i}.,OBAMA,President,Democratic,2012-10-03.txt,5,{i},0.1,{v}" for i, v in zip(range(1, 7), [1, 0, -1, 1, 0, -1])]
    write("cb/crowdsourced.csv", "\n".join([CB_HEADER, *rows]) + "\n")
    _, card, croissant = _build("--from", "claimbuster", tmp_path / "cb", "--dataset", tmp_path / "cb-ds")
    assert (data(card)["annotations_creators"], data(card)["source_datasets"]) == (["crowdsourced"], ["ClaimBuster"])
    for text in (card, croissant["description"], json.dumps(croissant, ensure_ascii=False)):
        assert "sentences of sentences" not in text.lower() and "sentences from sentences" not in text.lower()
    assert "sentences from US presidential debate transcripts (ClaimBuster)" in card

    (tmp_path / "cb-ds" / "card.json").write_text(json.dumps({"annotations_creators": "other", "source_datasets": ["my-copy"]}),
                                                  encoding="utf-8")
    assert main(["card", str(tmp_path / "cb-ds")]) == 0  # the dataset's own settings win
    card = DatasetCard.load(resolve_version_dir(str(tmp_path / "cb-ds")) / "README.md").data.to_dict()
    assert (card["annotations_creators"], card["source_datasets"]) == (["other"], ["my-copy"])
