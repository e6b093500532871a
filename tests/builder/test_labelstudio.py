"""The round trip with a real Label Studio server: push, annotate, pull (no mocks).

The push plan (:func:`plan_push`) decides without a server; its tests come first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from checkworthy.builder import studio
from checkworthy.builder.labelstudio import (
    HASH_KEY,
    Connection,
    InsecureConnectionWarning,
    NewAnnotation,
    ProjectInfo,
    StudioProject,
    config_choices,
    connect,
    page_settings,
    plan_push,
    post_annotations,
    pull_export,
    push_tasks,
    task_hash,
)
from checkworthy.builder.review import MARKER
from checkworthy.cli import main
from checkworthy.schemas import load_scheme
from checkworthy.schemas.errors import InputError, StudioError

REPO = Path(__file__).resolve().parents[2]
SENTENCES = ["Unemployment fell to 3.5% in May.", "What a wonderful day it was.", "The bridge opened in 1932."]


def _ids(folder: Path) -> list[str]:
    return [task["data"]["sentence_id"] for task in json.loads((folder / "tasks.json").read_text())]


def _annotators(server, *emails):
    for email in emails:
        studio.add_annotator(server["data_dir"], email)


# --------------------------------------------------------------------------- the push plan (no server)

CONFIG = load_scheme("claimbuster").label_config()
PROJECT = ProjectInfo(id=7, title="planned", label_config=CONFIG, maximum_annotations=1)


def _local(task_dir, predictions=None) -> list[dict]:
    return json.loads((task_dir(SENTENCES, predictions=predictions) / "tasks.json").read_text())


def _remote(task: dict, task_id: int, *, stored_hash: bool = True, annotations: int = 0, prediction_ids=None) -> dict:
    """A task as the light listing gives it (plus predictions, as a push fetches them for a differing hash)."""
    meta = {**task["meta"], HASH_KEY: task_hash(task)} if stored_hash else task["meta"]
    remote = {"id": task_id, "data": task["data"], "meta": meta, "total_annotations": annotations, "cancelled_annotations": 0}
    if prediction_ids is not None:
        remote["predictions"] = [dict(p, id=i) for p, i in zip(task.get("predictions", []), prediction_ids)]
    return json.loads(json.dumps(remote))  # a copy: changing the local task later leaves it as it was


def _without(choice: str) -> str:
    return CONFIG.replace(next(line for line in CONFIG.splitlines() if f'alias="{choice}"' in line) + "\n", "")


def test_plan_for_a_missing_project_creates_it_and_every_task(task_dir):
    tasks = _local(task_dir, predictions=["CFS", None, None])
    plan = plan_push(tasks, [], label_config=CONFIG, annotators=2)
    assert (plan.create_project, plan.label_config, plan.maximum_annotations) == (True, CONFIG, 2)
    assert [t["data"]["sentence_id"] for t in plan.create] == [t["data"]["sentence_id"] for t in tasks]
    assert [t["meta"][HASH_KEY] for t in plan.create] == [task_hash(t) for t in tasks]
    assert plan.create[0]["predictions"] == tasks[0]["predictions"]
    assert (plan.update, plan.unchanged, plan.refused) == ([], 0, [])
    assert HASH_KEY not in tasks[0]["meta"], "the local tasks are not changed"
    assert plan_push(tasks, [], label_config=CONFIG).maximum_annotations == 1


def test_plan_creates_new_skips_same_hash_and_updates_changed_text(task_dir):
    tasks = _local(task_dir)
    same, changed, new = tasks
    remote = [_remote(same, 1), _remote(changed, 2, prediction_ids=[])]
    changed["data"]["sentence"] += " (corrected)"
    changed["data"]["text_sha256"] = "f" * 64
    plan = plan_push(tasks, remote, label_config=CONFIG, project=PROJECT)
    assert (plan.create_project, plan.label_config, plan.maximum_annotations) == (False, None, None)
    assert [t["data"]["sentence_id"] for t in plan.create] == [new["data"]["sentence_id"]]
    assert plan.unchanged == 1 and plan.refused == []
    [update] = plan.update
    assert (update.task_id, update.data, update.meta[HASH_KEY]) == (2, changed["data"], task_hash(changed))
    assert (update.delete_predictions, update.create_predictions) == ((), ()), "same (no) predictions: left alone"


def test_plan_compares_tasks_without_a_stored_hash_the_full_way(task_dir):
    tasks = _local(task_dir, predictions=["CFS", "NFS", None])
    remote = [_remote(task, number, stored_hash=False, prediction_ids=[10 + number])
              for number, task in enumerate(tasks, start=1)]
    assert plan_push(tasks, remote, label_config=CONFIG, project=PROJECT).unchanged == 3
    tasks[1]["predictions"][0]["result"][0]["value"]["choices"] = ["UFS"]
    plan = plan_push(tasks, remote, label_config=CONFIG, project=PROJECT)
    assert plan.unchanged == 2 and plan.create == []
    [update] = plan.update
    assert (update.task_id, update.delete_predictions, update.create_predictions) == (2, (12,), tuple(tasks[1]["predictions"]))


def test_plan_refuses_to_switch_the_page_language_of_a_project_with_tasks(task_dir):
    """Tasks written without --page-language pushed to a project made with the Spanish page:
    refused, naming both languages and the two ways out; allowed with change_page_language,
    and for an empty project (nothing would be left in the old language)."""
    tasks = _local(task_dir)
    spanish = ProjectInfo(id=8, title="noticias", label_config=load_scheme("claimbuster", "es").label_config(), maximum_annotations=1)
    remote = [_remote(tasks[0], 1)]
    with pytest.raises(InputError, match=r"project 'noticias' shows its labeling page in 'es' and has 1 task\(s\); these tasks are "
                                         r"written for a page in 'en'.*--page-language es.*--change-page-language"):
        plan_push(tasks, remote, label_config=CONFIG, project=spanish)
    assert plan_push(tasks, remote, label_config=CONFIG, project=spanish, change_page_language=True).label_config == CONFIG
    assert plan_push(tasks, [], label_config=CONFIG, project=spanish).label_config == CONFIG
    unlabeled = [{**remote[0], "annotations": []}]
    assert plan_push(tasks, unlabeled, label_config=_without("UFS"), project=PROJECT).label_config == _without("UFS"), \
        "a config that is no scheme page is not a language change"


def test_plan_refuses_a_text_change_under_annotations_but_updates_predictions(task_dir):
    tasks = _local(task_dir, predictions=["CFS", None, None])
    remote = [_remote(tasks[0], 1, annotations=2, prediction_ids=[5]), _remote(tasks[1], 2, annotations=1, prediction_ids=[]),
              _remote(tasks[2], 3)]
    tasks[0]["predictions"][0]["score"] = 0.25
    tasks[1]["data"]["sentence"] += " (corrected)"
    plan = plan_push(tasks, remote, label_config=CONFIG, project=PROJECT)
    assert plan.unchanged == 1 and plan.create == []
    [refused] = plan.refused
    assert refused.startswith(f"task 2 (sentence_id {tasks[1]['data']['sentence_id']!r}): sentence text changed")
    assert "1 annotation(s)" in refused
    [update] = plan.update
    assert (update.task_id, update.delete_predictions, update.create_predictions) == (1, (5,), tuple(tasks[0]["predictions"]))


def test_plan_imports_annotations_only_with_created_tasks(task_dir):
    tasks = _local(task_dir)
    body = {"result": [], "completed_by": 1, "was_cancelled": True, "ground_truth": False}
    bodies = {task["data"]["sentence_id"]: [body] for task in tasks}
    plan = plan_push(tasks, [_remote(tasks[0], 1)], label_config=CONFIG, project=PROJECT, annotations=bodies)
    assert [t.get("annotations") for t in plan.create] == [[body], [body]]
    assert plan.annotations_imported == 2 and plan.unchanged == 1


@pytest.mark.parametrize(
    "project, annotators, wanted",
    [(PROJECT, None, None), (PROJECT, 1, None), (PROJECT, 3, 3)],
    ids=["not-given", "same", "changed"],
)
def test_plan_sets_the_overlap_only_when_it_changes(task_dir, project, annotators, wanted):
    tasks = _local(task_dir)
    remote = [_remote(task, number) for number, task in enumerate(tasks, start=1)]
    plan = plan_push(tasks, remote, label_config=CONFIG, project=project, annotators=annotators)
    assert plan.maximum_annotations == wanted and plan.unchanged == 3


def test_plan_changes_the_config_unless_a_removed_choice_is_used(task_dir):
    tasks = _local(task_dir)
    remote = [dict(_remote(task, number), annotations=[]) for number, task in enumerate(tasks, start=1)]
    remote[1]["annotations"] = [{"result": [{"from_name": "label", "to_name": "sentence", "type": "choices",
                                             "value": {"choices": ["NFS"]}}]}]
    assert plan_push(tasks, remote, label_config="\n" + CONFIG + "\n", project=PROJECT).label_config is None
    assert plan_push(tasks, remote, label_config=_without("UFS"), project=PROJECT).label_config == _without("UFS")
    with pytest.raises(InputError, match=rf"(?s)v2.xml: refusing.*choice 'NFS' .* 1 annotation.*task 2 .*{tasks[1]['data']['sentence_id']}"):
        plan_push(tasks, remote, label_config=_without("NFS"), project=PROJECT, where="v2.xml")


#: A labeling config as pushed before issue 16: the codes were the choices' words.
CODES_CONFIG = """<View><Text name="sentence" value="$sentence"/>
  <Choices name="label" toName="sentence" choice="single-radio"><Choice value="CFS"/><Choice value="UFS"/><Choice value="NFS"/></Choices>
</View>"""


def test_a_config_that_only_gives_the_choices_words_keeps_every_label(task_dir):
    tasks = _local(task_dir)
    remote = [dict(_remote(task, number), annotations=[]) for number, task in enumerate(tasks, start=1)]
    for task, label in zip(remote, ["CFS", "UFS", "NFS"]):
        task["annotations"] = [{"result": [{"from_name": "label", "to_name": "sentence", "type": "choices", "value": {"choices": [label]}}]}]
    old = ProjectInfo(id=7, title="planned", label_config=CODES_CONFIG, maximum_annotations=1)
    assert config_choices(CONFIG) == config_choices(CODES_CONFIG) == {"label": {"CFS", "UFS", "NFS"}}  # aliases are the values
    assert plan_push(tasks, remote, label_config=CONFIG, project=old).label_config == CONFIG


def test_the_plan_sets_the_page_settings_that_differ(task_dir):
    tasks = _local(task_dir)
    settings = page_settings(tasks)
    assert settings["show_collab_predictions"] is False and settings["show_instruction"] is True
    assert load_scheme("claimbuster").question in settings["expert_instruction"]
    assert page_settings(tasks, preannotate=True)["show_collab_predictions"] is True
    assert plan_push(tasks, [], label_config=CONFIG, settings=settings).settings == settings  # a new project gets them all
    current = ProjectInfo(id=7, title="planned", label_config=CONFIG, maximum_annotations=1,
                          settings={**settings, "show_collab_predictions": True})
    remote = [_remote(task, number) for number, task in enumerate(tasks, start=1)]
    assert plan_push(tasks, remote, label_config=CONFIG, project=current, settings=settings).settings == {"show_collab_predictions": False}


def test_the_instructions_are_in_the_language_of_the_page(task_dir):
    tasks = _local(task_dir)
    spanish = [{**task, "meta": {**task["meta"], "page_language": "es"}} for task in tasks]
    instructions = page_settings(spanish)["expert_instruction"]
    assert load_scheme("claimbuster", "es").question in instructions and load_scheme("claimbuster").question not in instructions
    arabic = page_settings([{**task, "meta": {**task["meta"], "page_language": "ar"}} for task in tasks])["expert_instruction"]
    assert arabic.startswith('<div lang="ar" dir="rtl">') and load_scheme("claimbuster", "ar").question in arabic
    # Tasks of two page languages in one push: no instructions rather than the wrong ones.
    assert "expert_instruction" not in page_settings(tasks[:1] + spanish[1:])


def _adjudication(task: dict) -> dict:
    """``task`` made an adjudication task, as ``checkworthy review`` marks them."""
    return {**task, "meta": {**task["meta"], MARKER: {"dataset_version": "1.0.0", "votes": {"CFS": 1, "UFS": 1}}}}


def test_adjudication_tasks_are_refused_in_a_project_of_labeling_tasks(task_dir):
    """The user trial: adjudication tasks pushed to the labeling project would have replaced the
    data and meta of the labeled tasks with the same sentence_id, and the project's instructions."""
    tasks = _local(task_dir)
    labeled = [_remote(task, number, annotations=1) for number, task in enumerate(tasks, start=1)]
    adjudication = [_adjudication(task) for task in tasks]
    with pytest.raises(InputError, match=r"refusing to push 3 adjudication task\(s\) .* into project 'planned': it holds 3 labeling "
                                         r"task\(s\) .*\(3 of them share a sentence_id with these tasks and would have their data and "
                                         r"meta replaced: 'art-1:.*a project of their own, e\.g\. 'checkworthy push DIR --project planned-adjudication'"):
        plan_push(adjudication, labeled, label_config=CONFIG, project=PROJECT)
    # Other labeling tasks in the project, none with these sentence ids: refused too.
    with pytest.raises(InputError, match=r"it holds 2 labeling task\(s\) that are not adjudication tasks, and the whole project"):
        plan_push(adjudication[:1], labeled[1:], label_config=CONFIG, project=PROJECT)


def test_labeling_tasks_are_refused_in_an_adjudication_project(task_dir):
    tasks = _local(task_dir)
    adjudicated = [_remote(_adjudication(task), number) for number, task in enumerate(tasks, start=1)]
    with pytest.raises(InputError, match=r"refusing to push 3 labeling task\(s\) into project 'planned': it is an adjudication project, "
                                         r"its 3 task\(s\) were written by 'checkworthy review' \(3 of them share a sentence_id"):
        plan_push(tasks, adjudicated, label_config=CONFIG, project=PROJECT)
    with pytest.raises(InputError, match=r"these tasks mix 1 adjudication task\(s\) .* and 2 labeling task\(s\)"):
        plan_push([_adjudication(tasks[0]), *tasks[1:]], [], label_config=CONFIG)


def test_adjudication_tasks_go_to_an_empty_or_adjudication_project(task_dir):
    adjudication = [_adjudication(task) for task in _local(task_dir)]
    assert len(plan_push(adjudication, [], label_config=CONFIG).create) == 3
    assert len(plan_push(adjudication, [], label_config=CONFIG, project=PROJECT).create) == 3
    earlier_round = [_remote(adjudication[0], 1)]
    plan = plan_push(adjudication, earlier_round, label_config=CONFIG, project=PROJECT)
    assert (plan.unchanged, len(plan.create)) == (1, 2)


def test_pull_into_a_directory_says_so_before_any_request(tmp_path, capsys):
    token_file = tmp_path / "token"
    token_file.write_text("x" * 40)
    (tmp_path / "out").mkdir()
    # The URL is unreachable: the error must come from the check, before any request.
    argv = ["pull", "--project", "claims", "--out", str(tmp_path / "out"), "--url", "http://127.0.0.1:9", "--token-file", str(token_file)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err == (f"checkworthy pull: error: {tmp_path / 'out'}: is a directory; give the path of the JSON file to write, "
                   f"e.g. --out {tmp_path / 'out' / 'export.json'}\n")
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize(
    "url, warns",
    [("http://10.1.2.3:8080", True), ("http://127.0.0.1:8080", False), ("http://localhost:8080", False),
     ("https://ls.example.org", False)],
    ids=["remote-http", "loopback-ip", "localhost", "remote-https"],
)
def test_plain_http_to_a_remote_host_warns(tmp_path, url, warns):
    token_file = tmp_path / "token"
    token_file.write_text("0123456789abcdef0123456789abcdef01234567\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        connection = connect(url, token_file=token_file)
    assert any(issubclass(w.category, InsecureConnectionWarning) for w in caught) == warns
    assert "0123456789abcdef" not in repr(connection)
    assert "0123456789abcdef" not in repr(StudioProject(connection, "claims"))


def test_invalid_prediction_is_refused_before_anything_is_sent(tmp_path, task_dir):
    folder = task_dir(SENTENCES, predictions=["CFS", "CFX", None])
    token_file = tmp_path / "token"
    token_file.write_text("x" * 40)
    # The URL is unreachable: the error must come from the check, before any request.
    connection = connect("http://127.0.0.1:9", token_file=token_file)
    with pytest.raises(InputError, match=r"task 1 .*prediction label 'CFX' is not in scheme 'claimbuster'"):
        push_tasks(folder, "never-created", connection=connection)


@pytest.mark.studio
def test_push_twice_gives_no_duplicates(studio_server, task_dir, tmp_path, capsys):
    folder = task_dir(SENTENCES, predictions=["CFS", "NFS", None])
    connection = studio_server["connection"]
    first = push_tasks(folder, "push-twice", connection=connection)
    assert (first.created, first.updated, first.unchanged, first.refused) == (3, 0, 0, [])
    argv = ["push", str(folder), "--project", "push-twice", "--url", studio_server["url"],
            "--token-file", studio_server["token_file"]]
    assert main(argv) == 0
    assert "0 created, 0 updated, 3 unchanged, 0 refused" in capsys.readouterr().out
    count = pull_export("push-twice", tmp_path / "export.json", connection=connection)
    export = json.loads((tmp_path / "export.json").read_text())
    assert count == len(export) == 3
    assert sorted(task["data"]["sentence_id"] for task in export) == sorted(_ids(folder))
    predicted = {task["data"]["sentence"]: task["predictions"] for task in export}
    assert predicted[SENTENCES[0]][0]["result"][0]["value"]["choices"] == ["CFS"]
    assert predicted[SENTENCES[0]][0]["model_version"] == "test-1"
    assert predicted[SENTENCES[2]] == []
    # the project by its id, as pull takes it (it was refused as "a title too short")
    by_id = ["push", str(folder), "--project", str(first.project_id), "--url", studio_server["url"], "--token-file", studio_server["token_file"]]
    assert main(by_id) == 0
    assert "0 created, 0 updated, 3 unchanged, 0 refused" in capsys.readouterr().out
    by_id[3] = "98765"
    assert main(by_id) == 1
    assert "no project has the id 98765" in capsys.readouterr().err


@pytest.mark.studio
def test_every_annotation_comes_back_with_annotator_lead_time_and_timestamps(studio_server, task_dir, tmp_path):
    folder = task_dir(SENTENCES, predictions=["CFS", None, None])
    connection = studio_server["connection"]
    push_tasks(folder, "two-annotators", connection=connection, annotators=2)
    _annotators(studio_server, "ann1@example.org", "ann2@example.org")
    first, second, third = _ids(folder)
    posted = post_annotations("two-annotators", [
        (first, "CFS", "ann1@example.org", 12.5),
        (first, "UFS", "ann2@example.org", 7.0),
        (second, "NFS", "ann1@example.org", 3.0),
        NewAnnotation(second, None, "ann2@example.org", 1.5, was_cancelled=True),
        NewAnnotation(first, "CFS", "ann1@example.org", 2.0, ground_truth=True),
    ], connection=connection)
    assert len(posted) == 5
    pull_export("two-annotators", tmp_path / "export.json", connection=connection)
    export = {task["data"]["sentence_id"]: task for task in json.loads((tmp_path / "export.json").read_text())}
    assert set(export) == {first, second, third}, "every task comes back, annotated or not"
    assert export[third]["annotations"] == []
    got = sorted(
        (sid, a["completed_by"]["email"], a["result"][0]["value"]["choices"][0] if a["result"] else None,
         a["lead_time"], a["was_cancelled"], a["ground_truth"])
        for sid, task in export.items() for a in task["annotations"]
    )
    assert got == sorted([
        (first, "ann1@example.org", "CFS", 12.5, False, False),
        (first, "ann2@example.org", "UFS", 7.0, False, False),
        (second, "ann1@example.org", "NFS", 3.0, False, False),
        (second, "ann2@example.org", None, 1.5, True, False),
        (first, "ann1@example.org", "CFS", 2.0, False, True),
    ])
    for task in export.values():
        for annotation in task["annotations"]:
            assert annotation["created_at"] and annotation["updated_at"]
            assert isinstance(annotation["completed_by"]["id"], int)
    assert export[first]["predictions"][0]["result"][0]["value"]["choices"] == ["CFS"]
    assert StudioProject(connection, "two-annotators").maximum_annotations == 2


@pytest.mark.studio
def test_unknown_user_or_sentence_is_refused_and_nothing_posted(studio_server, task_dir):
    folder = task_dir(SENTENCES[:1])
    connection = studio_server["connection"]
    push_tasks(folder, "bad-annotations", connection=connection)
    with pytest.raises(InputError, match=r"(?s)nobody@example.org.*no such user.*art-1:000000000000.*no task"):
        post_annotations("bad-annotations", [(_ids(folder)[0], "CFS", "nobody@example.org", 1.0),
                                             ("art-1:000000000000", "CFS", "nobody@example.org", 1.0)],
                         connection=connection)


@pytest.mark.studio
def test_config_change_dropping_a_used_choice_is_refused(studio_server, task_dir, tmp_path):
    config = load_scheme("claimbuster").label_config()
    folder = task_dir(SENTENCES, name="v1")
    connection = studio_server["connection"]
    push_tasks(folder, "config-change", connection=connection)
    _annotators(studio_server, "ann1@example.org")
    used = _ids(folder)[1]
    post_annotations("config-change", [(used, "NFS", "ann1@example.org", 2.0)], connection=connection)

    without_nfs = config.replace(next(line for line in config.splitlines() if 'alias="NFS"' in line) + "\n", "")
    assert 'alias="NFS"' not in without_nfs
    v2 = task_dir(SENTENCES, name="v2", label_config=without_nfs)
    with pytest.raises(InputError, match=rf"(?s)choice 'NFS' .* 1 annotation.*sentence_id '{used}'"):
        push_tasks(v2, "config-change", connection=connection)
    assert 'alias="NFS"' in StudioProject(connection, "config-change").label_config

    without_ufs = config.replace(next(line for line in config.splitlines() if 'alias="UFS"' in line) + "\n", "")
    v3 = task_dir(SENTENCES, name="v3", label_config=without_ufs)
    result = push_tasks(v3, "config-change", connection=connection)
    assert result.config_updated and result.unchanged == 3
    assert 'alias="UFS"' not in StudioProject(connection, "config-change").label_config


@pytest.mark.studio
def test_changed_text_on_annotated_task_is_refused_and_unannotated_is_updated(studio_server, task_dir, tmp_path, capsys):
    folder = task_dir(SENTENCES)
    connection = studio_server["connection"]
    push_tasks(folder, "changed-text", connection=connection)
    _annotators(studio_server, "ann1@example.org")
    annotated, plain, _ = _ids(folder)
    post_annotations("changed-text", [(annotated, "CFS", "ann1@example.org", 4.0)], connection=connection)

    tasks = json.loads((folder / "tasks.json").read_text())
    for task in tasks[:2]:
        task["data"]["sentence"] += " (corrected)"
        task["data"]["text_sha256"] = "f" * 64
    tasks[2]["predictions"] = [{"model_version": "test-2", "score": 0.9, "result": [
        {"from_name": "label", "to_name": "sentence", "type": "choices", "value": {"choices": ["UFS"]}}]}]
    (folder / "tasks.json").write_text(json.dumps(tasks))

    argv = ["push", str(folder), "--project", "changed-text", "--url", studio_server["url"],
            "--token-file", studio_server["token_file"]]
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert "0 created, 2 updated, 0 unchanged, 1 refused" in out
    assert f"sentence_id '{annotated}'" in err and "sentence text changed" in err

    pull_export("changed-text", tmp_path / "export.json", connection=connection)
    export = {task["data"]["sentence_id"]: task for task in json.loads((tmp_path / "export.json").read_text())}
    assert export[annotated]["data"]["sentence"] == SENTENCES[0]
    assert export[plain]["data"]["sentence"] == SENTENCES[1] + " (corrected)"
    assert [p["model_version"] for p in export[tasks[2]["data"]["sentence_id"]]["predictions"]] == ["test-2"]
    again = push_tasks(folder, "changed-text", connection=connection)
    assert (again.created, again.updated, again.unchanged, len(again.refused)) == (0, 0, 2, 1)


@pytest.mark.studio
def test_the_token_never_appears_in_any_output(studio_server, task_dir, tmp_path):
    token = Path(studio_server["token_file"]).read_text().strip()
    password = (Path(studio_server["data_dir"]) / "admin_password").read_text().strip()
    folder = task_dir(SENTENCES, predictions=["CFS", None, None])
    out = tmp_path / "export.json"
    wrong = tmp_path / "wrong-token"
    wrong.write_text("b" * 40)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO")}
    common = ["--url", studio_server["url"], "--token-file", studio_server["token_file"]]
    runs = [
        ["push", str(folder), "--project", "secret-test", *common],
        ["push", str(folder), "--project", "secret-test", *common],
        ["pull", "--project", "secret-test", "--out", str(out), *common],
        ["pull", "--project", "no-such-project", "--out", str(tmp_path / "x.json"), *common],
        ["pull", "--project", "secret-test", "--out", str(tmp_path / "y.json"), "--url", studio_server["url"],
         "--token-file", str(wrong)],
        ["studio", "status", "--json", "--data-dir", studio_server["data_dir"]],
        ["studio", "status", "--data-dir", studio_server["data_dir"]],
    ]
    outputs = []
    for argv in runs:
        done = subprocess.run([sys.executable, "-m", "checkworthy", *argv], capture_output=True, text=True, cwd=REPO, env=env)
        outputs += [done.stdout, done.stderr]
    assert "3 created" in outputs[0] and "3 unchanged" in outputs[2], outputs[:4]
    assert "401" in outputs[9] or "token" in outputs[9], outputs[9]
    status = json.loads(outputs[10])
    assert set(status) == {"url", "pid", "data_dir", "token_file", "running"} and status["running"]
    outputs.append(out.read_text())
    outputs.append((Path(studio_server["data_dir"]) / "server.log").read_text())
    for secret in (token, password, "b" * 40):
        assert all(secret not in text for text in outputs)


def test_the_local_token_is_never_sent_to_another_server(tmp_path, monkeypatch):
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    (tmp_path / "api_token").write_text("c" * 40 + "\n")
    (tmp_path / "studio.json").write_text(json.dumps({"url": "http://127.0.0.1:8080", "pid": None, "port": 8080}))
    assert connect("http://127.0.0.1:8080", data_dir=tmp_path).token == "c" * 40
    with pytest.raises(StudioError, match="no Label Studio API token: give --token-file"):
        connect("https://ls.example.org", data_dir=tmp_path)


def _no_writes(monkeypatch):
    """Fail the test on any request that would change a task, and on the slow reads (snapshot, predictions)."""
    from label_studio_sdk.predictions.client import PredictionsClient
    from label_studio_sdk.projects.client import ProjectsClient
    from label_studio_sdk.projects.exports.client import ExportsClient
    from label_studio_sdk.tasks.client import TasksClient

    def refuse(*args, **kwargs):
        raise AssertionError("a push of unchanged tasks sent a write request or a full read")

    for cls, name in [(TasksClient, "update"), (PredictionsClient, "create"), (PredictionsClient, "delete"),
                      (ProjectsClient, "import_tasks"), (ProjectsClient, "update"),
                      (ExportsClient, "create"), (PredictionsClient, "list")]:
        monkeypatch.setattr(cls, name, refuse)


@pytest.mark.studio
def test_second_push_sends_no_update_and_stores_the_hash(studio_server, task_dir, tmp_path, monkeypatch):
    folder = task_dir(SENTENCES, predictions=["CFS", "NFS", None])
    connection = studio_server["connection"]
    push_tasks(folder, "no-update", connection=connection)
    pull_export("no-update", tmp_path / "before.json", connection=connection)
    before = json.loads((tmp_path / "before.json").read_text())
    local = {task["data"]["sentence_id"]: task for task in json.loads((folder / "tasks.json").read_text())}
    for task in before:
        assert task["meta"][HASH_KEY] == task_hash(local[task["data"]["sentence_id"]])
        assert {k: v for k, v in task["meta"].items() if k != HASH_KEY} == local[task["data"]["sentence_id"]]["meta"]

    with monkeypatch.context() as patched:
        _no_writes(patched)
        again = push_tasks(folder, "no-update", connection=connection)
    assert (again.created, again.updated, again.unchanged, again.refused, again.config_updated) == (0, 0, 3, [], False)
    pull_export("no-update", tmp_path / "after.json", connection=connection)
    assert (tmp_path / "after.json").read_text() == (tmp_path / "before.json").read_text()


@pytest.mark.studio
def test_a_prediction_only_change_is_pushed_as_an_update(studio_server, task_dir, tmp_path):
    folder = task_dir(SENTENCES, predictions=["CFS", "NFS", None])
    connection = studio_server["connection"]
    push_tasks(folder, "prediction-change", connection=connection)
    tasks = json.loads((folder / "tasks.json").read_text())
    tasks[0]["predictions"][0]["score"] = 0.25
    tasks[2]["predictions"] = [{"model_version": "test-2", "score": 0.9, "result": [
        {"from_name": "label", "to_name": "sentence", "type": "choices", "value": {"choices": ["UFS"]}}]}]
    (folder / "tasks.json").write_text(json.dumps(tasks))

    result = push_tasks(folder, "prediction-change", connection=connection)
    assert (result.created, result.updated, result.unchanged, result.refused) == (0, 2, 1, [])
    pull_export("prediction-change", tmp_path / "export.json", connection=connection)
    export = {task["data"]["sentence_id"]: task for task in json.loads((tmp_path / "export.json").read_text())}
    assert [p["score"] for p in export[tasks[0]["data"]["sentence_id"]]["predictions"]] == [0.25]
    assert [p["model_version"] for p in export[tasks[2]["data"]["sentence_id"]]["predictions"]] == ["test-2"]
    for task in tasks:
        assert export[task["data"]["sentence_id"]]["meta"][HASH_KEY] == task_hash(task)
    again = push_tasks(folder, "prediction-change", connection=connection)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


@pytest.mark.studio
def test_tasks_pushed_without_a_hash_are_compared_the_full_way(studio_server, task_dir, tmp_path):
    folder = task_dir(SENTENCES, predictions=["CFS", "NFS", None])
    connection = studio_server["connection"]
    client = connection.client()
    config = (folder / "label_config.xml").read_text()
    project = client.projects.create(title="older-push", label_config=config)
    tasks = json.loads((folder / "tasks.json").read_text())
    client.projects.import_tasks(id=project.id, request=tasks)  # as a version without hashes did

    same = push_tasks(folder, "older-push", connection=connection)
    assert (same.created, same.updated, same.unchanged) == (0, 0, 3)
    tasks[1]["predictions"][0]["result"][0]["value"]["choices"] = ["UFS"]
    (folder / "tasks.json").write_text(json.dumps(tasks))
    changed = push_tasks(folder, "older-push", connection=connection)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    pull_export("older-push", tmp_path / "export.json", connection=connection)
    export = {task["data"]["sentence_id"]: task for task in json.loads((tmp_path / "export.json").read_text())}
    updated = export[tasks[1]["data"]["sentence_id"]]
    assert updated["predictions"][0]["result"][0]["value"]["choices"] == ["UFS"]
    assert updated["meta"][HASH_KEY] == task_hash(tasks[1])
    assert HASH_KEY not in export[tasks[0]["data"]["sentence_id"]]["meta"]


@pytest.mark.studio
def test_one_project_object_makes_one_client_and_one_lookup(studio_server, task_dir, tmp_path, monkeypatch):
    from label_studio_sdk.projects.client import ProjectsClient

    calls = []

    def counting(name, original):
        def counted(*args, **kwargs):
            calls.append(name)
            return original(*args, **kwargs)
        return counted

    for cls, name in [(Connection, "client"), (ProjectsClient, "list"), (ProjectsClient, "get")]:
        monkeypatch.setattr(cls, name, counting(name, getattr(cls, name)))
    folder = task_dir(SENTENCES)
    _annotators(studio_server, "ann1@example.org")
    first, second, _ = _ids(folder)
    project = StudioProject(studio_server["connection"], "one-client")
    assert project.push(folder, annotations=[NewAnnotation(first, "CFS", "ann1@example.org", 1.0)]).created == 3
    assert project.existing_annotations() == {(first, "ann1@example.org")}
    project.post_annotations([(second, "NFS", "ann1@example.org", 2.0)])
    assert project.pull(tmp_path / "export.json") == 3
    assert sorted(calls) == ["client", "list"]


@pytest.mark.studio
def test_two_pushes_at_once_create_each_task_once(studio_server, task_dir, tmp_path):
    """Two real ``checkworthy push`` processes started together: the second waits for the
    project's push lock, then finds the first one's tasks; no task is created twice."""
    sentences = [f"Sentence number {i} says that {i * 7} percent of {i} voters agreed." for i in range(1500)]
    folder = task_dir(sentences)
    env = {**os.environ, "CHECKWORTHY_LOCK_DIR": str(tmp_path / "locks")}
    argv = [sys.executable, "-m", "checkworthy", "push", str(folder), "--project", "raced-project",
            "--url", studio_server["url"], "--token-file", str(studio_server["token_file"]), "--wait", "300"]
    runs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    summaries = sorted(out.strip().splitlines()[-1] for out, _ in outputs)
    assert any("1500 created" in line for line in summaries) and any("0 created" in line and "1500 unchanged" in line for line in summaries), summaries
    listing = StudioProject(studio_server["connection"], "raced-project").task_listing()
    ids = [task["data"]["sentence_id"] for task in listing]
    assert len(ids) == len(set(ids)) == 1500


@pytest.mark.studio
def test_an_interrupted_push_keeps_what_was_imported_and_says_how_to_complete_it(studio_server, task_dir, monkeypatch, capsys):
    """Ctrl-C after the first batch: its tasks stay in the project, the message says so (not
    "nothing half-written was kept"), and the same push again imports only the rest."""
    from label_studio_sdk.projects.client import ProjectsClient

    sentences = [f"Sentence {i} says that {i * 3} percent of voters agreed." for i in range(5)]
    folder = task_dir(sentences)
    real = ProjectsClient.import_tasks
    calls = []

    def interrupted_after_one_batch(self, *args, **kwargs):
        calls.append(len(kwargs["request"]))
        if len(calls) > 1:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ProjectsClient, "import_tasks", interrupted_after_one_batch)
    argv = ["push", str(folder), "--project", "interrupted-push", "--batch-size", "2", "--url", studio_server["url"],
            "--token-file", studio_server["token_file"]]
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert err.endswith("checkworthy push: interrupted; the tasks imported or updated so far stay in project 'interrupted-push'; "
                        "run the same push again to complete it (tasks already there are not imported twice)\n")
    assert "nothing half-written" not in err
    project = StudioProject(studio_server["connection"], "interrupted-push")
    assert len(project.task_listing()) == 2
    monkeypatch.setattr(ProjectsClient, "import_tasks", real)
    assert main(argv) == 0
    assert "3 created, 0 updated, 2 unchanged, 0 refused" in capsys.readouterr().out
    assert sorted(task["data"]["sentence_id"] for task in project.task_listing()) == sorted(_ids(folder))
