"""What to label next: the strategies of ``checkworthy.builder.sampling.choose`` and ``tasks --strategy``."""

from __future__ import annotations

import json
import random
import re
import shutil

import pytest
from labelstudio_fixtures import write_articles

from checkworthy.builder import sampling
from checkworthy.builder.sampling import STRATEGIES, Sampling, choose, confidence, labeled_sentence_ids
from checkworthy.builder.store import load_manifest
from checkworthy.builder.splits import near_duplicate_clusters
from checkworthy.builder.validation import validate_file
from checkworthy.cli import main
from checkworthy.schemas.errors import InputError

# --------------------------------------------------------------------------- choose() on small data

IDS = ["a:1", "a:2", "a:3", "b:1", "b:2", "c:1"]
ARTICLES = ["a", "a", "a", "b", "b", "c"]
SCORES = [0.95, 0.52, 0.10, 0.80, 0.45, 0.30]
TEXTS = ["Taxes on the middle class rose by 5 percent in 2019, the treasury said on Monday in its annual report.", "Crime fell 3 percent.", "Thank you all.",
         "Taxes on the middle class rose by 7 percent in 2019, the treasury said on Monday in its annual report.", "We will win.", "The deficit doubled."]


def _ids(picks):
    return [p.sentence_id for p in picks]


def test_top_picks_the_most_check_worthy_first():
    picks = choose(IDS, ARTICLES, SCORES, TEXTS, strategy="top", budget=3)
    assert _ids(picks) == ["a:1", "b:1", "a:2"]
    assert [p.priority for p in picks] == [0.05, 0.2, 0.48], "priority = 1 - score: ascending serves the best first"


def test_uncertainty_picks_the_scores_nearest_the_threshold():
    assert _ids(choose(IDS, ARTICLES, SCORES, TEXTS, strategy="uncertainty", budget=3)) == ["a:2", "b:2", "c:1"]
    # a model whose threshold is 0.3 is least sure about 0.30, then 0.45 (0.15 / 0.7 of the way up) and 0.10
    picks = choose(IDS, ARTICLES, SCORES, TEXTS, strategy="uncertainty", budget=3, threshold=0.3)
    assert _ids(picks) == ["c:1", "b:2", "a:2"]
    assert picks[0].priority == 0.0 and "threshold 0.300" in picks[0].reason


def test_confidence_is_zero_at_the_threshold_and_one_at_the_ends():
    assert confidence([0.0, 0.3, 1.0, 0.65], threshold=0.3).tolist() == pytest.approx([1.0, 0.0, 1.0, 0.5])


def test_random_is_seeded_and_independent_of_order_and_pool():
    first = _ids(choose(IDS, ARTICLES, SCORES, TEXTS, strategy="random", budget=6, seed=1))
    assert first == _ids(choose(IDS, ARTICLES, SCORES, TEXTS, strategy="random", budget=6, seed=1))
    assert sorted(first) == sorted(IDS)
    assert first != _ids(choose(IDS, ARTICLES, SCORES, TEXTS, strategy="random", budget=6, seed=2))
    order = list(range(len(IDS)))
    random.Random(0).shuffle(order)
    shuffled = choose([IDS[i] for i in order], [ARTICLES[i] for i in order], [SCORES[i] for i in order],
                      [TEXTS[i] for i in order], strategy="random", budget=6, seed=1)
    assert _ids(shuffled) == first
    # a sentence's draw does not change when candidates are added: the old ones keep their relative order
    grown = _ids(choose([*IDS, "d:1", "d:2"], [*ARTICLES, "d", "d"], [*SCORES, 0.5, 0.5], [*TEXTS, "x", "y"],
                        strategy="random", budget=8, seed=1))
    assert [s for s in grown if s in IDS] == first


# three topics; the model is least sure about every taxes sentence
TOPICS = {
    "tax": ["Income taxes on families rose by five percent last year.", "Families paid more income taxes last year than ever.",
            "Last year income taxes for families rose again."],
    "snow": ["Heavy snow and rain fell across the northern hills.", "Rain and snow closed the northern hills and roads.",
             "More snow than rain fell on the northern hills today."],
    "team": ["The football team won the league final on Sunday.", "Our football team played the league final on Sunday.",
             "On Sunday the league final went to the football team."],
}
TOPIC_SCORES = {"tax": [0.50, 0.51, 0.52], "snow": [0.55, 0.56, 0.57], "team": [0.45, 0.44, 0.43]}
TOPIC_IDS = [f"{topic}:{k}" for topic in TOPICS for k in range(3)]
TOPIC_TEXTS = [text for texts in TOPICS.values() for text in texts]
TOPIC_SCORE_LIST = [score for scores in TOPIC_SCORES.values() for score in scores]


def test_diverse_picks_the_least_sure_of_each_text_cluster():
    uncertain = _ids(choose(TOPIC_IDS, TOPIC_IDS, TOPIC_SCORE_LIST, TOPIC_TEXTS, strategy="uncertainty", budget=3))
    assert uncertain == ["tax:0", "tax:1", "tax:2"]
    picks = choose(TOPIC_IDS, TOPIC_IDS, TOPIC_SCORE_LIST, TOPIC_TEXTS, strategy="diverse", budget=3)
    assert _ids(picks) == ["tax:0", "team:0", "snow:0"], "one per topic, its least sure; served least sure first"
    assert [p.priority for p in picks] == [0.0, round(1 / 3, 6), round(2 / 3, 6)]
    assert all("least sure of text cluster" in p.reason and "(3 of the 9 least sure)" in p.reason for p in picks)


def test_diverse_is_seeded_and_independent_of_the_input_order():
    first = _ids(choose(TOPIC_IDS, TOPIC_IDS, TOPIC_SCORE_LIST, TOPIC_TEXTS, strategy="diverse", budget=4, seed=5))
    order = list(range(len(TOPIC_IDS)))
    random.Random(1).shuffle(order)
    shuffled = choose([TOPIC_IDS[i] for i in order], [TOPIC_IDS[i] for i in order], [TOPIC_SCORE_LIST[i] for i in order],
                      [TOPIC_TEXTS[i] for i in order], strategy="diverse", budget=4, seed=5)
    assert _ids(shuffled) == first
    assert len(set(first)) == 4


def test_diverse_clusters_only_the_least_sure(monkeypatch):
    """Zhdanov's pre-filter: only the ``DIVERSE_PREFILTER * budget`` least sure are clustered."""
    monkeypatch.setattr(sampling, "DIVERSE_PREFILTER", 1)
    picks = choose(TOPIC_IDS, TOPIC_IDS, TOPIC_SCORE_LIST, TOPIC_TEXTS, strategy="diverse", budget=3)
    assert _ids(picks) == ["tax:0", "tax:1", "tax:2"], "with a pre-filter of 1 x budget, diverse is uncertainty"


def test_diverse_keeps_near_duplicates_for_last_and_orders_by_position():
    everything = _ids(choose(IDS, ARTICLES, SCORES, TEXTS, strategy="diverse", budget=6))
    assert everything.index("b:1") == 5 or everything.index("a:1") == 5, "the second of two near-duplicates comes last"
    assert [p.priority for p in choose(IDS, ARTICLES, SCORES, TEXTS, strategy="diverse", budget=4)] == [0.0, 0.25, 0.5, 0.75]


def test_diverse_copes_with_texts_without_words():
    picks = choose(["x", "y", "z"], ["a"] * 3, [0.5, 0.6, 0.9], ["!", "?", "..."], strategy="diverse", budget=2)
    assert len(picks) == 2 and picks[0].sentence_id == "x"


def test_near_duplicates_are_those_build_reports_as_leakage():
    texts = [TEXTS[0], TEXTS[3].upper() + "!",
             "Thank you all for coming here tonight.", "Something else entirely, about the weather."]
    clusters = near_duplicate_clusters(texts).tolist()
    assert clusters == [0, 0, 2, 3]
    assert near_duplicate_clusters(texts[::-1]).tolist() == [0, 1, 2, 2]
    picks = choose(["x1", "x2", "x3", "x4"], ["a"] * 4, [0.5, 0.5, 0.9, 0.95], texts, strategy="diverse", budget=3)
    assert [p.sentence_id for p in picks] == ["x1", "x3", "x4"], "the near-duplicate x2 waits until every cluster had a turn"
    assert "near-duplicate cluster of 2" in picks[0].reason


def test_a_budget_above_the_candidates_takes_them_all():
    for strategy in STRATEGIES:
        assert sorted(_ids(choose(IDS, ARTICLES, SCORES, TEXTS, strategy=strategy, budget=100))) == sorted(IDS)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_label_studio_order_is_the_strategy_order(strategy):
    """Label Studio serves ascending prediction scores: sorting by priority gives the chosen order."""
    picks = choose(IDS, ARTICLES, SCORES, TEXTS, strategy=strategy, budget=6, seed=3)
    assert _ids(sorted(picks, key=lambda p: (p.priority, p.sentence_id))) == _ids(picks)
    assert all(0.0 <= p.priority <= 1.0 for p in picks)


@pytest.mark.parametrize("kwargs, match", [
    ({"strategy": "uncertainity", "budget": 2}, "Did you mean 'uncertainty'"),
    ({"strategy": "top", "budget": 0}, "--budget must be a whole number of sentences, 1 or more; got 0"),
    ({"strategy": "top", "budget": -3}, "got -3"),
    ({"strategy": "top", "budget": 2.5}, "got 2.5"),
    ({"strategy": "top", "budget": True}, "got True"),
], ids=["misspelt strategy", "zero budget", "negative budget", "fractional budget", "boolean budget"])
def test_bad_strategy_or_budget_is_refused(kwargs, match):
    with pytest.raises(InputError, match=match):
        choose(IDS, ARTICLES, SCORES, TEXTS, **kwargs)
    with pytest.raises(InputError, match=match):
        Sampling(kwargs["strategy"], kwargs["budget"])


@pytest.mark.parametrize("args, match", [
    ((IDS, ARTICLES[:2], SCORES, TEXTS), "6 sentence ids but 2 article_ids"),
    ((["a", "a"], ["x", "x"], [0.1, 0.2], None), "given more than once: a"),
    ((["a", "b"], ["x", "x"], [0.1, 1.5], None), r"score outside \[0, 1\] for 1 sentence\(s\) \(first: b\)"),
    ((["a", "b"], ["x", "x"], [0.1, 0.5], None), "'diverse' needs the texts"),
], ids=["lengths", "duplicate ids", "score range", "diverse without texts"])
def test_bad_candidates_are_refused(args, match):
    with pytest.raises(InputError, match=match):
        choose(*args, strategy="diverse", budget=1)


# --------------------------------------------------------------------------- checkworthy tasks --strategy


@pytest.fixture
def articles(tmp_path):
    folder, _ = write_articles(tmp_path)
    return folder


def _tasks(folder):
    return json.loads((folder / "tasks.json").read_text(encoding="utf-8"))


def test_tasks_with_a_strategy_writes_the_budget_best_first_and_records_it(articles, tmp_path):
    out = tmp_path / "next"
    assert main(["tasks", str(articles), "--out", str(out), "--strategy", "top", "--budget", "5", "--quiet"]) == 0
    tasks = _tasks(out)
    assert len(tasks) == 5
    scores = [t["meta"]["score"] for t in tasks]
    assert scores == sorted(scores, reverse=True)
    priorities = [t["predictions"][0]["score"] for t in tasks]
    assert priorities == sorted(priorities) and priorities == [round(1 - s, 6) for s in scores]
    assert {t["meta"]["strategy"] for t in tasks} == {"top"}
    record = json.loads((out / "selection.json").read_text(encoding="utf-8"))
    assert (record["strategy"], record["budget"], record["seed"], record["model_version"]) == ("top", 5, 0, "heuristic-1")
    assert record["sentence_ids"] == [t["data"]["sentence_id"] for t in tasks]
    assert record["counts"] == {"candidates": 36, "excluded": 0, "chosen": 5}
    assert validate_file(out / "selection.json") == ("selection.json", 5, [])
    again = tmp_path / "again"
    assert main(["tasks", str(articles), "--out", str(again), "--strategy", "top", "--budget", "5", "--quiet"]) == 0
    for name in ("tasks.json", "selection.json", "sentences.jsonl"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_the_choice_does_not_depend_on_the_number_of_processes(articles, tmp_path):
    for jobs in ("1", "2"):
        assert main(["tasks", str(articles), "--out", str(tmp_path / jobs), "--strategy", "diverse", "--budget", "9",
                     "--jobs", jobs, "--quiet"]) == 0
    for name in ("tasks.json", "selection.json", "sentences.jsonl"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_without_a_strategy_nothing_changes(articles, tmp_path):
    assert main(["tasks", str(articles), "--out", str(tmp_path / "plain"), "--quiet"]) == 0
    assert not (tmp_path / "plain" / "selection.json").exists()
    tasks = _tasks(tmp_path / "plain")
    assert all(t["predictions"][0]["score"] == t["meta"]["score"] and "strategy" not in t["meta"] for t in tasks)


def test_blind_tasks_carry_no_prediction_and_no_model_score(articles, tmp_path):
    out = tmp_path / "blind"
    assert main(["tasks", str(articles), "--out", str(out), "--blind", "--strategy", "uncertainty", "--budget", "4", "--quiet"]) == 0
    tasks = _tasks(out)
    assert len(tasks) == 4 and all("predictions" not in t for t in tasks)
    assert all("model score" not in t["data"]["passage"] and "<p class=\"cw-info\"></p>" not in t["data"]["passage"] for t in tasks)
    # Nothing of the model in meta either (Label Studio shows meta): no score, reason, priority or pick reason.
    assert all(not {"score", "reason", "priority", "chosen"} & t["meta"].keys() for t in tasks)
    assert all(t["meta"]["strategy"] == "uncertainty" and t["meta"]["scheme"] for t in tasks)
    assert json.loads((out / "selection.json").read_text())["blind"] is True
    assert main(["validate", str(out / "tasks.json")]) == 0, "blind tasks match tasks.schema.json"
    seen = tmp_path / "seen"
    assert main(["tasks", str(articles), "--out", str(seen), "--strategy", "uncertainty", "--budget", "4", "--quiet"]) == 0
    assert "model score" in _tasks(seen)[0]["data"]["passage"]
    assert all({"score", "reason", "priority", "chosen"} <= t["meta"].keys() for t in _tasks(seen))
    assert [t["data"]["sentence_id"] for t in _tasks(seen)] == [t["data"]["sentence_id"] for t in tasks]
    # The scores are kept where annotators do not look: in sentences.jsonl.
    scored = {json.loads(line)["sentence_id"]: json.loads(line)["score"] for line in (out / "sentences.jsonl").read_text().splitlines()}
    assert all(isinstance(scored[t["data"]["sentence_id"]], float) for t in tasks)


def test_labeled_sentences_are_never_exported_again(articles, built_dataset, tmp_path):
    labeled, info = labeled_sentence_ids(f"{built_dataset}@1.0.0")
    assert labeled and info["version"] == "1.0.0"
    ties = {item["sentence_id"] for item in load_manifest(built_dataset / "versions" / "1.0.0").unresolved}
    assert ties and ties <= labeled, "a tie was labeled already: it goes to review, not to a new round"
    everything = tmp_path / "all"
    assert main(["tasks", str(articles), "--out", str(everything), "--strategy", "top", "--budget", "1000", "--quiet"]) == 0
    all_ids = {t["data"]["sentence_id"] for t in _tasks(everything)}
    assert len(labeled & all_ids) >= 12, "the fixture's labeled body sentences are candidates without --exclude"
    out = tmp_path / "rest"
    assert main(["tasks", str(articles), "--out", str(out), "--strategy", "top", "--budget", "1000",
                 "--exclude", f"{built_dataset}@1.0.0", "--quiet"]) == 0
    assert {t["data"]["sentence_id"] for t in _tasks(out)} == all_ids - labeled
    record = json.loads((out / "selection.json").read_text())
    assert record["exclude"] == [{"version": "1.0.0", "fingerprint": info["fingerprint"], "labeled": len(labeled)}]
    assert record["counts"]["excluded"] == len(labeled & all_ids)
    plain = tmp_path / "plain"
    assert main(["tasks", str(articles), "--out", str(plain), "--exclude", str(built_dataset), "--quiet"]) == 0
    assert not {t["data"]["sentence_id"] for t in _tasks(plain)} & labeled, "--exclude works without a strategy too"


def test_exclude_of_an_older_version_warns_that_later_labels_are_not_excluded(articles, built_dataset, tmp_path):
    import warnings

    from checkworthy.builder.build import BuildConfig, build_version

    from labelstudio_fixtures import KEY

    dataset = shutil.copytree(built_dataset, tmp_path / "ds")
    newer = build_version([built_dataset.parent / "export.json"], [built_dataset.parent / "articles"], dataset, BuildConfig(seed=14), key=KEY)
    assert newer.created and newer.version == "1.0.1"
    with pytest.warns(sampling.OlderVersionWarning, match=r"version 1.0.0 is not the latest version of .*ds \(1.0.1\).*give --exclude"):
        labeled_sentence_ids(f"{dataset}@1.0.0")
    with warnings.catch_warnings():
        warnings.simplefilter("error", sampling.OlderVersionWarning)
        assert labeled_sentence_ids(str(dataset))[1]["version"] == "1.0.1"
        labeled_sentence_ids(f"{dataset}@1.0.1")


def test_exclude_refuses_a_changed_version(articles, built_dataset, tmp_path, capsys):
    dataset = shutil.copytree(built_dataset, tmp_path / "ds")
    parquet = next((dataset / "versions" / "1.0.0" / "data").glob("*.parquet"))
    parquet.chmod(0o644)
    parquet.write_bytes(parquet.read_bytes() + b"x")
    assert main(["tasks", str(articles), "--out", str(tmp_path / "o"), "--exclude", str(dataset), "--quiet"]) == 1
    assert f"{parquet.name}: SHA-256 differs" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("extra, match", [
    (["--strategy", "top"], "--strategy and --budget go together"),
    (["--budget", "5"], "--strategy and --budget go together"),
    (["--strategy", "top", "--budget", "0"], "argument --budget: expected a whole number of at least 1, found 0"),  # a usage error
    (["--strategy", "top", "--budget", "5", "--top", "2"], "leave out --top and --min-score"),
    (["--exclude", "nowhere/ds"], "nowhere/ds"),
    (["--exclude", "nowhere/ds@1.x"], "1.x"),
    (["--model", "nowhere/ds"], r"expected DIR\[@VERSION\]:BASELINE"),
    (["--model", "nowhere/ds:tfidf-rl"], "Did you mean 'tfidf-lr'"),
    (["--model", "nowhere/ds@1.0.0:tfidf-lr"], "nowhere/ds"),
], ids=["strategy without budget", "budget without strategy", "zero budget", "with --top", "missing exclude",
        "bad exclude version", "model without baseline", "misspelt baseline", "missing model dataset"])
def test_bad_options_are_refused_clearly(articles, tmp_path, capsys, extra, match):
    try:
        code = main(["tasks", str(articles), "--out", str(tmp_path / "o"), "--quiet", *extra])
    except SystemExit as usage:  # argparse refuses an impossible number as it parses it
        code = usage.code
    assert code == (2 if match.startswith("argument ") else 1)
    assert re.search(match, capsys.readouterr().err)
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------- build --tasks


def test_build_reports_how_the_items_were_chosen(tmp_path):
    from labelstudio_fixtures import labeled_export, write_export

    folder, sentences = write_articles(tmp_path)
    out = tmp_path / "next"
    assert main(["tasks", str(folder), "--out", str(out), "--strategy", "diverse", "--budget", "10", "--seed", "4",
                 "--blind", "--quiet"]) == 0
    chosen = json.loads((out / "selection.json").read_text())["sentence_ids"]
    labeled = {sid: sentences[sid] for sid in chosen[:7]}
    export = write_export(tmp_path / "export.json", labeled_export(labeled, {1: "CFS", 2: "CFS"}))
    common = ["build", str(export), "--articles", str(folder), "--quiet"]
    assert main([*common, "--dataset", str(tmp_path / "ds"), "--tasks", str(out)]) == 0
    version = tmp_path / "ds" / "versions" / "1.0.0"
    manifest = json.loads((version / "manifest.json").read_text())
    assert manifest["selection"] == [{"strategy": "diverse", "budget": 10, "seed": 4, "select": "all", "model_version": "heuristic-1",
                                      "blind": True, "exclude": [], "chosen": 10, "labeled": 7}]
    assert [i["name"] for i in manifest["inputs"]["tasks"]] == ["selection.json"]
    card = (version / "README.md").read_text()
    assert "strategy `diverse`, budget 10, seed 4, scored by `heuristic-1`, predictions hidden (blind): 7 of the 10 chosen" in card
    assert main([*common, "--dataset", str(tmp_path / "plain")]) == 0
    plain = json.loads((tmp_path / "plain" / "versions" / "1.0.0" / "manifest.json").read_text())
    assert "selection" not in plain and "tasks" not in plain["inputs"]
    assert plain["fingerprint"] != manifest["fingerprint"]
    assert "How the sentences to label were chosen" not in (tmp_path / "plain" / "versions" / "1.0.0" / "README.md").read_text()


def test_build_refuses_a_task_directory_without_a_record(tmp_path, capsys):
    folder, sentences = write_articles(tmp_path)
    from labelstudio_fixtures import labeled_export, write_export

    export = write_export(tmp_path / "export.json", labeled_export(sentences, {1: "CFS"}))
    assert main(["tasks", str(folder), "--out", str(tmp_path / "plain"), "--quiet"]) == 0
    assert main(["build", str(export), "--articles", str(folder), "--dataset", str(tmp_path / "ds"),
                 "--tasks", str(tmp_path / "plain"), "--quiet"]) == 1
    assert "no selection.json there" in capsys.readouterr().err
    assert not (tmp_path / "ds" / "versions").exists()
