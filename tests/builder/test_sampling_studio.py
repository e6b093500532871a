"""A real Label Studio serves tasks chosen by ``tasks --strategy`` in the strategy's order (no mocks).

Label Studio's "Uncertainty sampling" orders tasks by prediction score ascending, among
the tasks whose prediction has the project's model version; "Sequential sampling" by
task id (import order). Both must serve the chosen sentences in the order ``choose``
chose them. A project with more than one member randomises uncertainty sampling among
the first few tasks, so this module's server has the admin only (the overlap tests,
with several annotators, run on a server of their own).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from labelstudio_fixtures import write_articles

from checkworthy.builder.labelstudio import StudioProject
from checkworthy.cli import main
from checkworthy.schemas import FROM_NAME, TO_NAME


def _serve_all(server, project_id: int) -> list[str]:
    """Ask the admin's label stream for the next task and label it, until the stream is empty."""
    token = Path(server["token_file"]).read_text().strip()
    served = []
    with httpx.Client(base_url=server["url"], headers={"Authorization": f"Token {token}"}, timeout=60) as http:
        while True:
            response = http.get(f"/api/projects/{project_id}/next")
            if response.status_code == 404:
                return served
            response.raise_for_status()
            task = response.json()
            served.append(task["data"]["sentence_id"])
            result = [{"from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices", "value": {"choices": ["NFS"]}}]
            http.post(f"/api/tasks/{task['id']}/annotations/", json={"result": result, "lead_time": 1.0}).raise_for_status()
            assert len(served) <= 50, "the stream never ends"


@pytest.mark.studio
@pytest.mark.parametrize("sampling", ["Uncertainty sampling", "Sequential sampling"])
def test_label_studio_serves_the_chosen_tasks_in_the_strategy_order(studio_server, tmp_path, sampling):
    articles, _ = write_articles(tmp_path)
    out = tmp_path / "next"
    assert main(["tasks", str(articles), "--out", str(out), "--strategy", "random", "--budget", "6", "--seed", "5", "--quiet"]) == 0
    chosen = json.loads((out / "selection.json").read_text())["sentence_ids"]
    tasks = json.loads((out / "tasks.json").read_text())
    # the file is written best first, so import order is the strategy order too: reverse it
    # to show that uncertainty sampling follows the score, not the import order
    if sampling == "Uncertainty sampling":
        (out / "tasks.json").write_text(json.dumps(tasks[::-1]), encoding="utf-8")
    title = f"order {sampling.split()[0].lower()}"
    assert main(["push", str(out), "--project", title, "--url", studio_server["url"],
                 "--token-file", studio_server["token_file"]]) == 0
    project = StudioProject(studio_server["connection"], title)
    remote = project.client.projects.get(id=project.id)
    assert remote.model_version == tasks[0]["predictions"][0]["model_version"] == "heuristic-1"
    project.client.projects.update(id=project.id, sampling=sampling)
    assert _serve_all(studio_server, project.id) == chosen


@pytest.mark.studio
def test_the_next_round_moves_the_project_to_its_model_version(studio_server, tmp_path):
    """Label Studio takes the model version of the first predictions it imports and keeps it;
    a push of tasks chosen by a newer model must move it, or uncertainty sampling would
    order the old round's tasks and serve the new ones at random."""
    articles, _ = write_articles(tmp_path)
    assert main(["tasks", str(articles), "--out", str(tmp_path / "all"), "--strategy", "random", "--budget", "6", "--quiet"]) == 0
    tasks = json.loads((tmp_path / "all" / "tasks.json").read_text())
    for name, part, version in (("round1", tasks[:3], "model-a"), ("round2", tasks[3:], "model-b")):
        (tmp_path / name).mkdir()
        for task in part:
            task["predictions"][0]["model_version"] = version
        (tmp_path / name / "tasks.json").write_text(json.dumps(part), encoding="utf-8")
        (tmp_path / name / "label_config.xml").write_bytes((tmp_path / "all" / "label_config.xml").read_bytes())
        assert main(["push", str(tmp_path / name), "--project", "two rounds", "--url", studio_server["url"],
                     "--token-file", studio_server["token_file"]]) == 0
    project = StudioProject(studio_server["connection"], "two rounds")
    assert project.client.projects.get(id=project.id).model_version == "model-b"
    project.client.projects.update(id=project.id, sampling="Uncertainty sampling")
    served = _serve_all(studio_server, project.id)
    assert served[:3] == [t["data"]["sentence_id"] for t in tasks[3:]]
    assert sorted(served[3:]) == sorted(t["data"]["sentence_id"] for t in tasks[:3])


@pytest.mark.studio
def test_push_warns_when_the_projects_sampling_will_not_serve_the_chosen_order(studio_server, tmp_path):
    """A blind round (no predictions) pushed into a project that uses Uncertainty sampling is
    served after the earlier round's unlabeled tasks and then at random; Uniform sampling
    serves any round at random. push says so, and how to fix it; Sequential sampling is quiet."""
    from checkworthy.builder.labelstudio import SamplingOrderWarning

    articles, _ = write_articles(tmp_path)
    push = ["--project", "blind rounds", "--url", studio_server["url"], "--token-file", studio_server["token_file"]]
    assert main(["tasks", str(articles), "--out", str(tmp_path / "r1"), "--strategy", "top", "--budget", "3", "--quiet"]) == 0
    assert main(["push", str(tmp_path / "r1"), *push]) == 0
    project = StudioProject(studio_server["connection"], "blind rounds")
    project.client.projects.update(id=project.id, sampling="Uncertainty sampling")
    common = ["--strategy", "random", "--budget", "6", "--quiet", "--blind"]
    assert main(["tasks", str(articles), "--out", str(tmp_path / "r2"), *common]) == 0
    with pytest.warns(SamplingOrderWarning, match=r"Uncertainty sampling.*blind task\(s\) have none.*'heuristic-1'.*Sequential sampling"):
        assert main(["push", str(tmp_path / "r2"), *push]) == 0
    project.client.projects.update(id=project.id, sampling="Uniform sampling")
    with pytest.warns(SamplingOrderWarning, match="Uniform sampling: Label Studio will serve the 6 chosen task"):
        assert main(["push", str(tmp_path / "r2"), *push]) == 0
    project.client.projects.update(id=project.id, sampling="Sequential sampling")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", SamplingOrderWarning)
        assert main(["push", str(tmp_path / "r2"), *push]) == 0
