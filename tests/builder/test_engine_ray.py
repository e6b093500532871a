"""``checkworthy tasks --engine ray``: the same answer as the local engine, bad input, restarts, model scorers.

One Ray instance (2 CPUs) serves the whole module; the engine uses a Ray that is
already running and leaves it so. Without the extra 'scale' these tests are skipped,
unless CHECKWORTHY_REQUIRE_RAY=1 (CI), where they fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ray_fixtures import RAY_INSTALLED, RAY_REQUIRED, needs_ray, read_jsonl, read_sentences, write_corpus

from checkworthy.builder import engine_ray
from checkworthy.builder.articles import SkippedInputWarning
from checkworthy.cli import main
from checkworthy.schemas import load_scheme
from checkworthy.schemas.errors import InputError

REPO = Path(__file__).resolve().parents[2]

pytestmark = [needs_ray, pytest.mark.slow]


def test_ray_is_installed_when_required():
    """CI sets CHECKWORTHY_REQUIRE_RAY=1 after installing the extra: the Ray tests must run there, not be skipped."""
    if RAY_REQUIRED:
        assert RAY_INSTALLED, "CHECKWORTHY_REQUIRE_RAY=1 but ray is not installed: pip install -e '.[test,scale]'"


@pytest.fixture(scope="module", autouse=True)
def ray_instance():
    import ray

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield ray
    ray.shutdown()


def run_both(sources, tmp_path, *options, batch_size=7):
    """``checkworthy tasks`` with each engine into ``tmp_path/local`` and ``tmp_path/ray``."""
    sources = [str(s) for s in sources]
    assert main(["tasks", *sources, "--out", str(tmp_path / "local"), "--quiet", *options]) == 0
    assert main(["tasks", *sources, "--out", str(tmp_path / "ray"), "--quiet", "--engine", "ray", "--batch-size", str(batch_size), *options]) == 0
    return tmp_path / "local", tmp_path / "ray"


def assert_same_answer(local, ray_out):
    """Same sentences (ids, roles, offsets, scores within tolerance), same tasks, same config; articles.jsonl
    holds the local engine's articles that have a selected sentence."""
    expected = read_jsonl(local / "sentences.jsonl")
    found = read_sentences(ray_out)
    assert [(s["sentence_id"], s["role"], s["start"], s["end"], s["context"]) for s in found] == [
        (s["sentence_id"], s["role"], s["start"], s["end"], s["context"]) for s in expected
    ]
    assert [s["score"] for s in found] == pytest.approx([s["score"] for s in expected], abs=1e-9, nan_ok=True)
    assert (ray_out / "tasks.json").read_bytes() == (local / "tasks.json").read_bytes()
    assert (ray_out / "label_config.xml").read_bytes() == (local / "label_config.xml").read_bytes()
    with_tasks = {task["data"]["article_id"] for task in json.loads((local / "tasks.json").read_text())}
    assert read_jsonl(ray_out / "articles.jsonl") == [a for a in read_jsonl(local / "articles.jsonl") if a["article_id"] in with_tasks]
    assert not list(ray_out.parent.glob(".*ray-work"))  # the work folder is gone once the output is in place


def test_the_seeds_give_the_same_answer_on_either_engine(tmp_path):
    local, ray_out = run_both([REPO / "seeds"], tmp_path, "--top", "3")
    assert_same_answer(local, ray_out)
    assert len(json.loads((ray_out / "tasks.json").read_text())) > 0


def test_a_generated_corpus_in_every_format_gives_the_same_answer(tmp_path):
    sources = write_corpus(tmp_path / "corpus", articles=60)
    local, ray_out = run_both(sources, tmp_path, "--min-score", "0.6", batch_size=4)
    assert_same_answer(local, ray_out)
    tasks = json.loads((ray_out / "tasks.json").read_text())
    assert 0 < len(tasks) < len(read_sentences(ray_out))
    assert len(list((ray_out / "sentences").glob("*.parquet"))) > 5  # shards were cut into several batches


def test_bad_input_stops_with_every_problem_and_writes_nothing(tmp_path):
    sources = write_corpus(tmp_path / "corpus", articles=20)
    (tmp_path / "corpus" / "bad.jsonl").write_text('{"id": "x1", "text": "Fine."}\n{"text": "no id"}\n{broken\n', encoding="utf-8")
    (tmp_path / "corpus" / "txt" / "t19.txt").unlink()
    (tmp_path / "corpus" / "txt" / "g1.txt").write_text("Same id as a record of a.jsonl.gz.\n", encoding="utf-8")

    with pytest.raises(InputError) as caught:
        engine_ray.write_tasks_ray(sources, tmp_path / "out", options=engine_ray.RayOptions(batch_size=5))

    message = str(caught.value)
    assert "bad.jsonl: line 3: expected a JSON object, found invalid JSON" in message
    assert "bad.jsonl: line 2: missing required field(s) 'id'" in message  # the invalid line hides no other problem
    assert "duplicate article id 'g1'" in message and "--skip-invalid" in message
    assert not (tmp_path / "out").exists()

    with pytest.warns(SkippedInputWarning, match="skipped 3 unreadable input"):  # bad.jsonl's two bad lines, g1.txt
        counts = engine_ray.write_tasks_ray(sources, tmp_path / "out", skip_invalid=True, options=engine_ray.RayOptions(batch_size=5))
    with pytest.warns(SkippedInputWarning, match="skipped 3 unreadable input"):
        assert main(["tasks", *map(str, sources), "--out", str(tmp_path / "local"), "--skip-invalid", "--quiet"]) == 0
    assert counts["articles"] == len(read_jsonl(tmp_path / "local" / "articles.jsonl"))
    assert "x1" in {a["article_id"] for a in read_jsonl(tmp_path / "local" / "articles.jsonl")}  # bad.jsonl's good line is kept
    assert (tmp_path / "out" / "tasks.json").read_bytes() == (tmp_path / "local" / "tasks.json").read_bytes()


def killed(*args, **kwargs):
    """In place of ``_write_output``: the run ends after scoring, before the output is written."""
    raise KeyboardInterrupt


def test_a_killed_run_resumes_from_the_finished_shards(tmp_path, monkeypatch):
    sources = write_corpus(tmp_path / "corpus", articles=30)
    options = engine_ray.RayOptions(batch_size=4)
    engine_ray.write_tasks_ray(sources, tmp_path / "whole", select="top:2", options=options)

    monkeypatch.setattr(engine_ray, "_write_output", killed)
    with pytest.raises(KeyboardInterrupt):
        engine_ray.write_tasks_ray(sources, tmp_path / "out", select="top:2", options=options)
    monkeypatch.undo()
    work = tmp_path / ".out.ray-work"
    manifest = (work / "finished.jsonl").read_text().splitlines()
    assert len(manifest) == 10 and not (tmp_path / "out").exists()
    # As if killed while the last shard was written: its manifest line is cut short and one of its parts is gone.
    last = json.loads(manifest[-1])
    (work / "finished.jsonl").write_text("\n".join(manifest[:-1]) + "\n" + manifest[-1][:20], encoding="utf-8")
    (work / "sentences" / engine_ray._part_name(last["shard"], last["batches"][0])).unlink()
    redone = engine_ray._part_name(last["shard"], 0)[:12]
    kept = {p.name: p.stat().st_mtime_ns for p in (work / "sentences").iterdir() if not p.name.startswith(redone)}
    assert kept

    engine_ray.write_tasks_ray(sources, tmp_path / "out", select="top:2", options=options)

    for name, mtime in kept.items():  # the finished shards were not done again
        assert (tmp_path / "out" / "sentences" / name).stat().st_mtime_ns == mtime
    for name in ("tasks.json", "articles.jsonl", "label_config.xml"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()
    assert read_sentences(tmp_path / "out") == read_sentences(tmp_path / "whole")
    assert not work.exists()


def test_changed_settings_start_the_work_again(tmp_path, monkeypatch):
    sources = write_corpus(tmp_path / "corpus", articles=10)
    monkeypatch.setattr(engine_ray, "_write_output", killed)
    with pytest.raises(KeyboardInterrupt):
        engine_ray.write_tasks_ray(sources, tmp_path / "out", select="top:2")
    monkeypatch.undo()
    engine_ray.write_tasks_ray(sources, tmp_path / "out", select="top:1")
    tasks = json.loads((tmp_path / "out" / "tasks.json").read_text())
    assert len(tasks) == len(read_jsonl(tmp_path / "out" / "articles.jsonl"))  # one task per article: top:1, not the old top:2


def test_a_model_scorer_runs_in_an_actor_pool_with_the_same_answer(tmp_path):
    pytest.importorskip("sklearn")
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from checkworthy.evaluation.baselines import save_model

    texts = ["Exports rose 5 percent in May.", "The budget is $40 million.", "I think it is good.", "Will he run again?"] * 3
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(texts, ["Yes", "Yes", "No", "No"] * 3)
    save_model(model, tmp_path / "model", {"baseline": "tfidf-lr", "positive_label": "Yes", "threshold": 0.5})
    sources = write_corpus(tmp_path / "corpus", articles=20)

    local, ray_out = run_both(sources, tmp_path, "--scorer", str(tmp_path / "model"), "--top", "2", "--workers", "2", batch_size=5)

    assert_same_answer(local, ray_out)
    assert all(t["meta"]["reason"].startswith("tfidf-lr predicts") for t in json.loads((ray_out / "tasks.json").read_text()))


def test_a_run_killed_outright_resumes_with_the_same_output(tmp_path):
    """``kill -9`` of the command part-way (Ray started by the command itself); the same command then finishes the work."""
    sources = write_corpus(tmp_path / "corpus", articles=200)  # 4 bulk files and 40 .txt files: 44 shards
    command = [sys.executable, "-m", "checkworthy", "tasks", *map(str, sources), "--out", str(tmp_path / "out"), "--engine", "ray",
               "--batch-size", "10", "--top", "2", "--workers", "1", "--quiet"]
    env = {key: value for key, value in os.environ.items() if key != "RAY_ADDRESS"}
    manifest = tmp_path / ".out.ray-work" / "finished.jsonl"
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (manifest.exists() and manifest.read_text().count("\n") >= 2) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    process.kill()
    process.wait()
    finished = manifest.read_text().count("\n")
    assert 2 <= finished < 44 and not (tmp_path / "out").exists()

    subprocess.run(command, env=env, check=True, stderr=subprocess.DEVNULL)
    engine_ray.write_tasks_ray(sources, tmp_path / "whole", select="top:2", options=engine_ray.RayOptions(batch_size=10))

    for name in ("tasks.json", "articles.jsonl", "label_config.xml"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()
    assert read_sentences(tmp_path / "out") == read_sentences(tmp_path / "whole")


def test_without_ray_the_engine_says_how_to_install_it_and_writes_nothing(tmp_path, monkeypatch):
    real = engine_ray.importlib.util.find_spec
    monkeypatch.setattr(engine_ray.importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    with pytest.raises(engine_ray.RayNotInstalledError, match=r"pip install 'checkworthy\[scale\]'"):
        engine_ray.write_tasks_ray([REPO / "seeds"], tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_a_strategy_with_a_per_article_selection_is_refused_on_ray_before_any_work(tmp_path, capsys):
    assert main(["tasks", str(REPO / "seeds"), "--out", str(tmp_path / "out"), "--engine", "ray", "--strategy", "top", "--budget", "5", "--top", "2"]) == 1
    assert "leave out --top and --min-score" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def assert_same_choice(local, ray_out):
    """Same tasks.json and selection.json byte for byte; articles.jsonl holds the chosen sentences' articles in input order."""
    assert (ray_out / "tasks.json").read_bytes() == (local / "tasks.json").read_bytes()
    assert (ray_out / "selection.json").read_bytes() == (local / "selection.json").read_bytes()
    assert (ray_out / "label_config.xml").read_bytes() == (local / "label_config.xml").read_bytes()
    chosen = {task["data"]["article_id"] for task in json.loads((local / "tasks.json").read_text())}
    assert read_jsonl(ray_out / "articles.jsonl") == [a for a in read_jsonl(local / "articles.jsonl") if a["article_id"] in chosen]
    assert len(read_sentences(ray_out)) == len(read_jsonl(local / "sentences.jsonl"))
    assert not list(ray_out.parent.glob(".*ray-work"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("corpus"), articles=30)


@pytest.mark.parametrize("strategy", ["top", "uncertainty", "random", "diverse"])
def test_each_strategy_chooses_the_same_over_the_whole_corpus_on_either_engine(corpus, tmp_path, strategy):
    local, ray_out = run_both(corpus, tmp_path, "--strategy", strategy, "--budget", "17", "--seed", "3", batch_size=4)
    assert_same_choice(local, ray_out)
    tasks = json.loads((ray_out / "tasks.json").read_text())
    record = json.loads((ray_out / "selection.json").read_text())
    assert len(tasks) == 17 and record["strategy"] == strategy and record["counts"]["chosen"] == 17
    assert len({t["data"]["article_id"] for t in tasks}) > 1, "chosen over the whole corpus, not inside one batch"
    assert record["counts"]["candidates"] > 17


def test_exclude_and_blind_give_the_same_answer_on_either_engine(built_dataset, tmp_path):
    from labelstudio_fixtures import write_articles

    from checkworthy.builder.sampling import labeled_sentence_ids

    folder, _ = write_articles(tmp_path / "articles")
    # An article the dataset never saw: every sentence of the others is labeled or tied there.
    (folder / "zz-new.txt").write_text("Harbour budget\n\nThe council approved 48 million for the port. "
                                       "Opposition members voted against it. The works start in 2027.\n", encoding="utf-8")
    labeled, _ = labeled_sentence_ids(f"{built_dataset}@1.0.0")
    chosen = tmp_path / "chosen"
    local, ray_out = run_both([folder], chosen, "--strategy", "top", "--budget", "1000", "--exclude", f"{built_dataset}@1.0.0", "--blind", batch_size=2)
    assert_same_choice(local, ray_out)
    record = json.loads((ray_out / "selection.json").read_text())
    assert record["counts"]["excluded"] > 0 and record["blind"] is True
    tasks = json.loads((ray_out / "tasks.json").read_text())
    assert tasks and not {t["data"]["sentence_id"] for t in tasks} & labeled and all("predictions" not in t for t in tasks)
    plain = tmp_path / "plain"  # --exclude without a strategy: the per-article tasks of the workers, less the labeled ones
    local, ray_out = run_both([folder], plain, "--exclude", str(built_dataset), batch_size=2)
    assert_same_choice(local, ray_out)
    assert json.loads((ray_out / "selection.json").read_text())["counts"]["excluded"] > 0


def test_a_scorer_trained_in_the_driver_goes_to_the_actors(corpus, tmp_path, capfd):
    """``tasks --model`` trains once in the driver; the fitted scorer itself is sent to the actor pool.
    The actors are not restarted (a model too large for a worker would be retried forever), so Ray's
    core worker prints no error line about restarting them."""
    pytest.importorskip("sklearn")
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from checkworthy.builder.sampling import Sampling
    from checkworthy.builder.tasks import write_tasks
    from checkworthy.evaluation.selection import BaselineScorer

    texts = ["Exports rose 5 percent in May.", "The budget is $40 million.", "I think it is good.", "Will he run again?"] * 3
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(texts, ["Yes", "Yes", "No", "No"] * 3)
    metadata = {"baseline": "tfidf-lr", "positive_label": "Yes", "threshold": 0.5, "dataset": {"version": "1.0.0", "fingerprint": "f" * 64}}
    scorer = BaselineScorer(model=model, metadata=metadata)
    sampling = Sampling("uncertainty", 9)
    write_tasks(corpus, tmp_path / "local", scorer=scorer, sampling=sampling)
    engine_ray.write_tasks_ray(corpus, tmp_path / "ray", scorer=scorer, sampling=sampling, options=engine_ray.RayOptions(workers=1, batch_size=5))
    assert_same_choice(tmp_path / "local", tmp_path / "ray")
    record = json.loads((tmp_path / "ray" / "selection.json").read_text())
    assert record["model_version"] == "tfidf-lr@1.0.0+ffffffffffff" and record["scorer"] == "baseline"
    assert "core_worker" not in capfd.readouterr().err


def test_inputs_whose_every_article_is_empty_are_an_error_and_nothing_is_left(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("", encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text("\n\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="empty article"), pytest.raises(InputError, match="no article with text in .*nothing was written"):
        engine_ray.write_tasks_ray([tmp_path / "in"], tmp_path / "out", options=engine_ray.RayOptions(workers=1))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]  # no output, no work folder


class _DyingScorer:
    """A scorer whose process dies on the first article, as a worker killed for its memory does."""

    name, version, model_version = "dying", "1", "dying-1"

    def score(self, sentences, article):
        os._exit(3)


def test_a_model_actor_that_dies_ends_the_run_with_what_to_do(corpus, tmp_path):
    from ray import cloudpickle

    from checkworthy.builder.select import Scorer
    from checkworthy.schemas.errors import CheckworthyError

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the actors cannot import this test module
    try:
        scorer = type("Dying", (_DyingScorer, Scorer), {})()
        with pytest.raises(CheckworthyError, match=r"a Ray worker died .*ActorDiedError.*run the same command again to resume"):
            engine_ray.write_tasks_ray(corpus, tmp_path / "out", scorer=scorer, options=engine_ray.RayOptions(workers=1, batch_size=5))
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert not (tmp_path / "out").exists() and (tmp_path / ".out.ray-work").is_dir()


def test_validate_knows_the_bulk_inputs_and_the_parquet_parts(corpus, tmp_path, capsys):
    import gzip

    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "out"
    assert main(["tasks", *map(str, corpus), "--out", str(out), "--engine", "ray", "--batch-size", "4", "--top", "2", "--quiet"]) == 0
    folder = corpus[0]
    parts = sorted((out / "sentences").glob("*.parquet")) + sorted((out / "articles").glob("*.parquet"))
    assert main(["validate", str(out / "sentences"), str(out / "articles"), *map(str, parts),
                 str(folder / "a.jsonl.gz"), str(folder / "c.parquet"), str(folder / "d.warc.gz"), str(out / "tasks.json")]) == 0
    report = capsys.readouterr().out
    sentences = sum(pq.read_metadata(p).num_rows for p in parts if p.parent.name == "sentences")
    assert f"sentences/ (sentences part (Parquet)): ok ({sentences} record(s))" in report
    assert "articles/ (articles part (Parquet)): ok (30 record(s))" in report
    assert f"{folder / 'a.jsonl.gz'}: raw article: ok (6 record(s))" in report
    assert f"{folder / 'c.parquet'}: raw article: ok (6 record(s))" in report

    broken = tmp_path / "broken"
    broken.mkdir()
    table = pq.read_table(parts[0]).to_pylist()
    table[1]["text"] = "Edited."
    pq.write_table(pa.Table.from_pylist(table, schema=pq.read_schema(parts[0])), broken / parts[0].name)
    with gzip.open(broken / "bad.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write('{"id": "x1", "text": "Fine."}\n{"id": "x2"}\n')
    assert main(["validate", str(broken / parts[0].name), str(broken / "bad.jsonl.gz")]) == 1
    errors = capsys.readouterr().err
    assert f"{broken / parts[0].name}: row 1 (sentence_id {table[1]['sentence_id']!r}): text_sha256 does not match the text" in errors
    assert f"{broken / 'bad.jsonl.gz'}: line 2: missing required field(s) 'text'" in errors


def test_a_chosen_task_keeps_its_language_on_ray(tmp_path):
    sources = write_corpus(tmp_path / "corpus", articles=10)
    local, ray_out = run_both(sources, tmp_path, "--strategy", "top", "--budget", "6", "--language", "fr", "--page-language", "nl", batch_size=3)
    assert_same_choice(local, ray_out)
    assert {t["data"]["language"] for t in json.loads((ray_out / "tasks.json").read_text())} == {"fr"}
    # The page's words are Dutch on the driver, which writes the chosen tasks, as on the local engine.
    assert {t["meta"]["page_language"] for t in json.loads((ray_out / "tasks.json").read_text())} == {"nl"}
    assert load_scheme("claimbuster", "nl").question in (ray_out / "label_config.xml").read_text(encoding="utf-8")
    assert {s["language"] for s in read_sentences(ray_out)} == {"fr"}


def test_languages_are_detected_on_the_workers_as_on_the_local_engine(tmp_path):
    """Reads only check the languages the input gives; the workers detect the others, with the same codes and confidences."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = [
        {"id": "es1", "text": "El Gobierno aprobó ayer la reforma de las pensiones. El paro bajó un 4% en marzo, según el INE."},
        {"id": "nl1", "text": "De regering heeft gisteren de hervorming goedgekeurd. De werkloosheid daalde volgens het CBS met 4 procent."},
        {"id": "en1", "language": "EN-gb", "text": "The council approved the budget on Monday. Spending rose 4% last year, the report said."},
        {"id": "bad", "language": "not a code", "text": "Unemployment fell 4% in March, officials said."},
    ]
    (corpus / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")

    with pytest.raises(InputError, match=r"a\.jsonl.*not a code"):
        engine_ray.write_tasks_ray([corpus], tmp_path / "failed" / "out", options=engine_ray.RayOptions(batch_size=2))
    assert not (tmp_path / "failed" / "out").exists()

    with pytest.warns(SkippedInputWarning):
        local, ray_out = run_both([corpus], tmp_path, "--skip-invalid", "--page-language", "es", batch_size=2)
    assert_same_answer(local, ray_out)
    # The workers write the tasks with the Spanish page's words, as the local engine does.
    tasks = json.loads((ray_out / "tasks.json").read_text(encoding="utf-8"))
    assert tasks and all(t["meta"]["page_language"] == "es" and "<h4>La frase que hay que etiquetar, resaltada en su pasaje</h4>" in t["data"]["passage"] for t in tasks)
    articles = {a["article_id"]: a for a in read_jsonl(ray_out / "articles.jsonl")}
    assert {key: a["language"] for key, a in articles.items()} == {"es1": "es", "nl1": "nl", "en1": "en"}
    assert articles["es1"]["language_confidence"] > 0.5 and articles["en1"].get("language_confidence") is None


def test_without_an_address_a_new_ray_is_started_not_the_last_cluster_of_ray_start(monkeypatch):
    """A bare ray.init() connects to the cluster /tmp/ray/ray_current_cluster names, even a dead one
    (a two-node test cluster left it here, and every later run failed)."""
    import ray

    from checkworthy.builder.engine_ray import _ray

    calls = []
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", lambda **kwargs: calls.append(kwargs))
    monkeypatch.setattr(ray, "shutdown", lambda: None)
    with _ray(None):
        pass
    with _ray("ray://head:10001"):
        pass
    assert [c["address"] for c in calls] == ["local", "ray://head:10001"]


@pytest.mark.parametrize("options", [[], ["--strategy", "uncertainty", "--budget", "50"]], ids=["every-sentence", "strategy"])
def test_a_body_sentence_without_a_word_is_no_task_on_either_engine(tmp_path, options):
    """A table's cells were tasks ('5040', '2.900.000'): 300 of 6,054 on the extraction benchmark's pages."""
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        (folder / f"t{n}.txt").write_text(f"Standings {n}\n\nThe league published its table on Monday.\n\n5040\n\n2.900.000\n\n"
                                          "* * *\n\nLeaders Kessrin won 14 of 20 games this season.\n", encoding="utf-8")
    local, ray_out = run_both([folder], tmp_path, *options)
    for out in (local, ray_out):
        texts = [task["data"]["sentence"] for task in json.loads((out / "tasks.json").read_text())]
        assert sorted(set(texts)) == ["Leaders Kessrin won 14 of 20 games this season.", "The league published its table on Monday."]
    roles = {s["text"]: s["role"] for s in read_sentences(ray_out)}
    assert roles["5040"] == roles["2.900.000"] == "body"  # still the article's text (the extraction benchmark counts it)
