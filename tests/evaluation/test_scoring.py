"""``checkworthy score``: matching by id, the CheckThat! formats, and every refusal case."""

from __future__ import annotations

import json
import random

import pytest
from sklearn.metrics import f1_score

from checkworthy.cli import main
from checkworthy.evaluation.scoring import read_gold, read_predictions, score_file
from checkworthy.schemas.errors import InputError

GOLD_ROWS = [("101", "Taxes rose 5 percent.", "Yes"), ("102", '"Hello, ""friends""."', "No"),
             ("103", "Crime fell.", "Yes"), ("104", "Thank you.", "No"), ("105", "We spent $3bn.", "Yes")]


@pytest.fixture
def gold(write):
    body = "".join(f"{i}\t{t}\t{label}\r\n" for i, t, label in GOLD_ROWS)
    return write("gold.tsv", "Sentence_id\tText\tclass_label\r\n" + body)


def predictions(write, rows, header="id\tclass_label\trun_id", name="pred.tsv"):
    lines = ([header] if header else []) + ["\t".join(r) for r in rows]
    return write(name, "\n".join(lines) + "\n")


def test_labels_are_matched_by_id_not_by_position(gold, write):
    rows = [("105", "Yes", "r1"), ("101", "Yes", "r1"), ("104", "Yes", "r1"), ("103", "No", "r1"), ("102", "No", "r1")]
    scored = score_file(gold, predictions(write, rows), n_resamples=20)
    gold_labels = {i: label for i, _, label in GOLD_ROWS}
    expected = f1_score([gold_labels[r[0]] for r in rows], [r[1] for r in rows], pos_label="Yes")
    assert scored["metrics"]["f1_positive"] == pytest.approx(expected)
    assert scored["run_id"] == "r1"
    assert "map" not in scored["metrics"]  # no articles in a CheckThat! 2024 file


def test_organisers_random_recipe_is_scored_like_sklearn(gold, write):
    random.seed(0)
    rows = [(i, random.choice(["Yes", "No"]), "random") for i, _, _ in GOLD_ROWS]
    scored = score_file(gold, predictions(write, rows), n_resamples=20)
    assert scored["metrics"]["f1_positive"] == pytest.approx(
        f1_score([g for _, _, g in GOLD_ROWS], [r[1] for r in rows], pos_label="Yes")
    )


def test_refuses_listing_every_offending_line(gold, write):
    rows = [
        ("101", "Yes", "r"),
        ("101", "No", "r"),        # line 3: duplicate
        ("999", "Yes", "r"),       # line 4: unknown id
        ("102", "yes", "r"),       # line 5: bad label
        ("103", "Yes"),            # line 6: wrong field count
    ]                               # 104 and 105 missing (gold lines 5 and 6)
    with pytest.raises(InputError) as info:
        read_predictions(predictions(write, rows), read_gold(gold))
    message = str(info.value)
    for expected in (
        "line 3: duplicate id '101' (first on line 2)",
        "line 4: unknown id '999'",
        "line 5: id '102': class_label 'yes' is not exactly Yes or No",
        "line 6: expected 3 tab-separated fields, found 2",
        "gold line 5: id '104' has no prediction",
        "gold line 6: id '105' has no prediction",
    ):
        assert expected in message
    assert "'103' has no prediction" not in message  # its malformed line is reported instead
    assert "6 problem(s)" in message


def test_refuses_a_labels_file_without_header(gold, write):
    rows = [(i, "Yes", "r") for i, _, _ in GOLD_ROWS]
    with pytest.raises(InputError, match="line 1: expected the header id<TAB>class_label<TAB>run_id"):
        read_predictions(predictions(write, rows, header=None), read_gold(gold))


def test_a_labels_header_without_run_id_is_named_not_read_as_a_ranking(gold, write):
    rows = [(i, "Yes") for i, _, _ in GOLD_ROWS]
    with pytest.raises(InputError, match=r"line 1: found the header 'id\\tclass_label', without the run_id column; a labels file "
                                         r"has the header id<TAB>class_label<TAB>run_id"):
        read_predictions(predictions(write, rows, header="id\tclass_label"), read_gold(gold))


def test_a_comma_separated_file_is_told_to_use_tabs(gold, write):
    path = write("pred.csv", "id,class_label,run_id\n" + "".join(f"{i},Yes,r\n" for i, _, _ in GOLD_ROWS))
    with pytest.raises(InputError, match=r"line 1: expected tab-separated fields, found 'id,class_label,run_id' .*save the file as TSV"):
        read_predictions(path, read_gold(gold))


def _label_studio_export(n_tasks=200):
    """A Label Studio JSON export, minified as the API returns it: its first line is the whole file."""
    tasks = [{"annotations": [{"completed_by": {"email": f"annotator-{i % 3}@example.org", "id": i % 3}, "result": [
        {"from_name": "label", "to_name": "sentence", "type": "choices", "value": {"choices": ["CFS"]}}]}],
        "data": {"sentence": "Taxes rose 5 percent. " * 20, "sentence_id": f"a:{i}"}, "id": i} for i in range(n_tasks)]
    return json.dumps(tasks)


@pytest.mark.parametrize("pretty", [False, True], ids=["minified", "indented"])
def test_a_json_export_as_predictions_is_named_json_in_a_short_message(gold, write, capsys, pretty):
    export = _label_studio_export()
    path = write("export.json", json.dumps(json.loads(export), indent=1) if pretty else export)
    assert main(["score", "--gold", str(gold), "--predictions", str(path)]) == 1
    err = capsys.readouterr().err
    assert len(err) < 1000 and "@example.org" not in err  # not the whole first line, with the annotators' e-mails
    assert "looks like JSON" in err and "not tab-separated text" in err
    assert "--predictions takes tab-separated text: the header id<TAB>class_label<TAB>run_id" in err


def test_a_json_file_as_gold_is_named_json_once(write, capsys):
    tasks = write("tasks.json", "[\n" + ",\n".join(json.dumps({"data": {"sentence_id": f"a:{i}"}, "meta": {}}) for i in range(40)) + "\n]\n")
    ranking = write("run.tsv", "a:1\t0.5\n")
    with pytest.raises(InputError, match=r"tasks.json: looks like JSON .*--gold takes a CheckThat! 2022-2024 TSV") as caught:
        read_gold(tasks)
    assert len(caught.value.problems) == 1
    assert main(["score", "--gold", str(tasks), "--predictions", str(ranking)]) == 1
    err = capsys.readouterr().err
    assert "tab-separated fields" not in err and err.count("\n") == 1


def test_a_long_bad_line_is_quoted_in_part(gold, write):
    rows = [(i, "Yes", "r") for i, _, _ in GOLD_ROWS[:-1]]
    path = write("pred.tsv", "id\tclass_label\trun_id\n" + "".join("\t".join(r) + "\n" for r in rows) + "105\tYes\tr\t" + "x" * 100_000 + "\n")
    with pytest.raises(InputError, match=r"line 6: expected 3 tab-separated fields, found 4: '105\\tYes\\tr\\txxx.*'\.\.\. \(100,010 characters\)") as caught:
        read_predictions(path, read_gold(gold))
    assert len(str(caught.value)) < 1000


def test_refuses_scores_that_are_not_numbers(gold, write):
    rows = [(i, "0.5") for i, _, _ in GOLD_ROWS[:-1]] + [("105", "nan")]
    with pytest.raises(InputError, match=r"line 5: id '105': score 'nan' is not a finite number"):
        read_predictions(predictions(write, rows, header=None), read_gold(gold))


def test_ranking_against_a_2019_debate_reports_map(write):
    debate = write("20160926_1pres.tsv", "1\tHOLT\tGood evening.\t0\n2\tTRUMP\tJobs fell 5%.\t1\n3\tCLINTON\tThanks.\t0\n")
    ranking = write("ranking.tsv", "3\t0.1\n1\t0.9\n2\t0.5\n")
    scored = score_file(debate, ranking, n_resamples=20)
    assert scored["metrics"]["map"] == pytest.approx(0.5)  # the positive is ranked second
    assert scored["metrics"]["mrr"] == pytest.approx(0.5)
    assert "f1_positive" not in scored["metrics"]
    # one debate: the intervals, which resample debates, have no width, and the result says so
    assert scored["ci95"]["map"][0] == scored["ci95"]["map"][1]
    assert len(scored["warnings"]) == 1 and "from only 1 article(s)" in scored["warnings"][0] and "have no width" in scored["warnings"][0]


def test_cli_json_and_refusal(gold, write, capsys):
    good = predictions(write, [(i, label, "r") for i, _, label in GOLD_ROWS], name="good.tsv")
    assert main(["score", "--gold", str(gold), "--predictions", str(good), "--json", "--n-resamples", "20"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["metrics"]["f1_positive"] == 1.0 and out["ci95"]["f1_positive"] == [1.0, 1.0]
    bad = predictions(write, [("101", "Maybe", "r")], name="bad.tsv")
    assert main(["score", "--gold", str(gold), "--predictions", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "line 2: id '101': class_label 'Maybe'" in err and "gold line 3: id '102' has no prediction" in err


# ------------------------------------------------- score reads what evaluate writes

CB_HEADER = ["Sentence_id", "Text", "Speaker", "Speaker_title", "Speaker_party", "File_id", "Length", "Line_number", "Sentiment", "Verdict"]
CB_VERDICTS = {"CFS": "1", "UFS": "0", "NFS": "-1"}
LABEL_METRICS = {"accuracy", "f1_positive", "precision_positive", "recall_positive", "macro_f1"}


@pytest.fixture
def corpus_version(tmp_path, write, make_rows):
    """``corpus_version(scheme)``: build a small dataset version of that scheme; return its ``DIR@VERSION``."""
    import csv
    import io

    import numpy as np

    from checkworthy.builder.from_corpus import build_from_corpus

    def _build(scheme: str) -> str:
        rng = np.random.default_rng(0)
        if scheme == "checkthat":
            for name, n in (("train", 60), ("dev", 30), ("dev-test", 30)):
                rows = make_rows(1, n, rng, "checkthat", prefix=name)
                lines = [f"{name}{i}\t{t}\t{y}" for i, (t, y) in enumerate(zip(rows["text"], rows["label"]))]
                write(f"corpus/CT24_toy_{name}.tsv", "\n".join(["Sentence_id\tText\tclass_label", *lines]) + "\n")
        else:
            rows = make_rows(20, 6, rng, "claimbuster", prefix="d")
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(CB_HEADER)
            for i, (article, text, label) in enumerate(zip(rows["article_id"], rows["text"], rows["label"])):
                writer.writerow([i, text, "X", "", "P", f"{article}.txt", len(text.split()), i, 0, CB_VERDICTS[label]])
            write("corpus/crowdsourced.csv", buffer.getvalue())
        built = build_from_corpus(scheme, tmp_path / "corpus", tmp_path / "ds")
        return f"{built.path.parent.parent}@{built.version}"

    return _build


@pytest.mark.parametrize("scheme", ["checkthat", "claimbuster"])
def test_score_reads_back_every_predictions_file_evaluate_wrote(scheme, corpus_version, tmp_path, capsys):
    ref = corpus_version(scheme)
    out = tmp_path / "ev"
    assert main(["evaluate", ref, "--baselines", "majority,tfidf-lr", "--n-resamples", "20", "--out", str(out)]) == 0
    entries = json.loads((out / "results.json").read_text(encoding="utf-8"))["results"]
    assert {(e["baseline"], e["split"]) for e in entries} == {(b, s) for b in ("majority", "tfidf-lr") for s in ("validation", "test")}
    for entry in entries:
        predictions = out / "predictions" / f"{entry['baseline']}_{entry['split']}.tsv"
        scored = score_file(ref, predictions, split=entry["split"], n_resamples=20, random_state=0)
        assert set(scored["metrics"]) == LABEL_METRICS  # a labels file: no ranking metrics
        assert scored["metrics"] == {name: entry["metrics"][name] for name in LABEL_METRICS}
        assert scored["ci95"] == {name: entry["ci95"][name] for name in LABEL_METRICS}
        assert scored["per_class"] == entry["per_class"] and scored["confusion_matrix"] == entry["confusion_matrix"]
    capsys.readouterr()
    test_file = out / "predictions" / "tfidf-lr_test.tsv"
    assert main(["score", "--gold", ref, "--predictions", str(test_file), "--json", "--n-resamples", "20"]) == 0
    entry = next(e for e in entries if (e["baseline"], e["split"]) == ("tfidf-lr", "test"))
    assert json.loads(capsys.readouterr().out)["metrics"]["macro_f1"] == entry["metrics"]["macro_f1"]


def test_yes_no_predictions_score_a_three_class_dataset_through_its_mapping(corpus_version, tmp_path, write):
    from checkworthy.schemas import load_scheme

    ref = corpus_version("claimbuster")
    gold = read_gold(ref, split="test")
    scheme = load_scheme("claimbuster")
    predicted = ["CFS" if i % 3 else "NFS" for i in range(len(gold.ids))]
    rows = [(i, scheme.to_binary(label), "r") for i, label in zip(gold.ids, predicted)]
    scored = score_file(ref, predictions(write, rows), n_resamples=20)
    y_true = [scheme.to_binary(label) for label in gold.labels]
    assert (scored["labels"], scored["pos_label"]) == (["Yes", "No"], "Yes")
    assert scored["metrics"]["f1_positive"] == pytest.approx(f1_score(y_true, [r[1] for r in rows], pos_label="Yes"), abs=1e-6)
    assert scored["metrics"]["macro_f1"] == pytest.approx(f1_score(y_true, [r[1] for r in rows], average="macro"), abs=1e-6)
    native = score_file(ref, predictions(write, [(i, label, "r") for i, label in zip(gold.ids, predicted)], name="native.tsv"), n_resamples=20)
    assert (native["labels"], native["pos_label"]) == (["CFS", "UFS", "NFS"], "CFS")
    assert native["metrics"]["f1_positive"] == scored["metrics"]["f1_positive"]  # CFS-vs-rest is Yes-vs-No


def test_refuses_a_file_mixing_yes_no_with_the_scheme_labels(corpus_version, write):
    ref = corpus_version("claimbuster")
    gold = read_gold(ref, split="test")
    rows = [(i, "CFS" if n else "Yes", "r") for n, i in enumerate(gold.ids)]
    with pytest.raises(InputError, match=r"line 2: id '[^']+': class_label 'Yes' is not one of CFS, UFS, NFS \(scheme 'claimbuster'\)"):
        read_predictions(predictions(write, rows), gold)
