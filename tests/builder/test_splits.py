"""Split assignment and leakage between splits."""

from __future__ import annotations

from collections import Counter

from labelstudio_fixtures import KEY, labeled_export, write_articles, write_export

from checkworthy.builder.splits import assign_split, find_leakage, later_copies, normalise
from checkworthy.builder.build import BuildConfig, build_version
from checkworthy.builder.store import load_version


def test_assignment_depends_only_on_group_and_seed():
    groups = [f"article-{i}" for i in range(3000)]
    first = [assign_split(g, seed=0) for g in groups]
    assert first == [assign_split(g, seed=0) for g in reversed(groups)][::-1]
    shares = Counter(first)
    assert abs(shares["train"] / 3000 - 0.8) < 0.03 and abs(shares["test"] / 3000 - 0.1) < 0.02
    assert first != [assign_split(g, seed=1) for g in groups]


def test_normalise_ignores_case_punctuation_and_spacing():
    assert normalise("Prices  ROSE 4%!") == normalise("prices rose 4 %") == "prices rose 4"


def test_leakage_finds_exact_and_near_duplicates_across_splits_only():
    texts = [
        "Unemployment fell to 4.5 percent in the third quarter.",
        "unemployment fell to 4.5 percent in the third quarter",
        "Unemployment fell to 4.5 percent in the third quarter of 2023.",
        "The minister called it a disaster for families.",
        "The minister called it a disaster for families!",
        "Completely different sentence about the weather.",
    ]
    splits = ["train", "test", "validation", "train", "train", "test"]
    clusters = find_leakage(texts, splits, threshold=0.7)
    assert clusters == [[0, 1, 2]]
    assert later_copies(clusters, splits) == [1, 2]
    assert find_leakage(texts, splits, threshold=0.99) == [[0, 1]]


def test_split_stays_when_the_dataset_grows(tmp_path):
    folder, sentences = write_articles(tmp_path, {f"a{i:02d}": [f"Headline {i}", f"Sentence number {i} says prices rose {i} percent."] for i in range(30)})
    ds = tmp_path / "ds"
    half = {k: v for k, v in sentences.items() if v.article_id < "a15"}
    build_version([write_export(tmp_path / "1.json", labeled_export(half, {1: "CFS"}))], [folder], ds, key=KEY)
    build_version([write_export(tmp_path / "2.json", labeled_export(sentences, {1: "CFS"}))], [folder], ds, key=KEY)
    before = {r["article_id"]: name for name, split in load_version(ds, "1.0.0").items() for r in split}
    after = {r["article_id"]: name for name, split in load_version(ds, "1.1.0").items() for r in split}
    assert before and all(after[a] == s for a, s in before.items())


def test_dedupe_removes_later_copy_and_reports_leakage(tmp_path):
    same = "Unemployment fell to 4.5 percent in the third quarter."
    articles = {f"a{i:02d}": [f"Headline number {i}", same if i % 2 else f"Unique claim {i} about {i * 7} schools."] for i in range(20)}
    folder, sentences = write_articles(tmp_path, articles)
    export = write_export(tmp_path / "e.json", labeled_export(sentences, {1: "CFS"}))
    plain = build_version([export], [folder], tmp_path / "plain", key=KEY)
    leak = plain.manifest.leakage
    assert leak.clusters >= 1 and leak.exact >= 1 and leak.removed == []
    assert any(same == item["text"] for item in leak.items)
    deduped = build_version([export], [folder], tmp_path / "dedup", BuildConfig(dedupe=True), key=KEY)
    removed = set(deduped.manifest.leakage.removed)
    assert removed and deduped.manifest.counts.total == plain.manifest.counts.total - len(removed)
    from_splits = Counter(split for split, rows in load_version(tmp_path / "plain").items()
                          for r in rows if r["sentence_id"] in removed)
    said = ", ".join(f"{from_splits[s]} from {s}" for s in ("train", "validation", "test") if from_splits[s])
    assert any(f"({len(removed)} later copies removed by --dedupe: {said})" in w for w in deduped.manifest.warnings), \
        deduped.manifest.warnings
    kept = [(name, r["text"]) for name, split in load_version(tmp_path / "dedup").items() for r in split if r["text"] == same]
    assert len({name for name, _ in kept}) == 1


def test_minhash_estimates_jaccard_of_character_5grams():
    from checkworthy.builder.splits import SHINGLE, minhash_signatures

    def grams(text):
        return {text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}

    base = "the unemployment rate fell to four and a half percent in the third quarter of the year"
    variants = [base.replace("third", "second"), base[:60], "completely different words about the weather today"]
    signatures = minhash_signatures([base, *variants])
    for k, text in enumerate(variants, start=1):
        exact = len(grams(base) & grams(text)) / len(grams(base) | grams(text))
        assert abs((signatures[0] == signatures[k]).mean() - exact) < 0.15


def test_group_by_source_keeps_an_outlet_together(tmp_path):
    import json

    from checkworthy.builder.articles import read_articles
    from checkworthy.builder.split import split_article

    lines = [
        {"id": f"a{i:02d}", "source": f"outlet-{i % 4}", "url": f"https://example.org/{i}",
         "text": f"Headline {i}\n\nThe council spent {i} million on {i * 3} new schools."}
        for i in range(24)
    ]
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    sentences = {s.sentence_id: s for a in read_articles([path]) for s in split_article(a)}
    export = write_export(tmp_path / "e.json", labeled_export(sentences, {1: "CFS"}))
    result = build_version([export], [path], tmp_path / "ds", BuildConfig(group_by="source", seed=3), key=KEY)
    rows = [dict(r, split=name) for name, split in load_version(tmp_path / "ds").items() for r in split]
    by_source = {}
    for r in rows:
        by_source.setdefault(r["source"], set()).add(r["split"])
    assert len(by_source) == 4 and all(len(s) == 1 for s in by_source.values())
    assert {splits.pop() for splits in by_source.values()} == {assign_split(f"outlet-{i}", 3) for i in range(4)}
    assert rows[0]["url"].startswith("https://example.org/")
    assert [f["name"] for f in result.manifest.inputs["articles"]] == ["articles.jsonl"]


def test_dedupe_keeps_the_copy_already_published(tmp_path):
    same = "Unemployment fell to 4.5 percent in the third quarter."
    names = [f"z{i:02d}" for i in range(40)]
    published = next(n for n in names if assign_split(n) == "train")
    newcomer = next(n for n in ["a" + n for n in names] if assign_split(n) != "train")
    others = {f"m{i:02d}": [f"Headline {i}", f"Claim {i} about {i * 7} schools."] for i in range(10)}
    folder, sentences = write_articles(tmp_path, {published: ["Old headline", same], **others})
    ds = tmp_path / "ds"
    build_version([write_export(tmp_path / "1.json", labeled_export(sentences, {1: "CFS"}))], [folder], ds, BuildConfig(dedupe=True), key=KEY)
    folder, sentences = write_articles(tmp_path, {newcomer: ["New headline", same]})
    result = build_version([write_export(tmp_path / "2.json", labeled_export(sentences, {1: "CFS"}))], [folder], ds, BuildConfig(dedupe=True), key=KEY)
    removed = result.manifest.leakage.removed
    assert len(removed) == 1 and removed[0].startswith(newcomer + ":")
    kept = [r["article_id"] for split in load_version(ds).values() for r in split if r["text"] == same]
    assert kept == [published]
