"""``push --overlap K`` against a real Label Studio: K annotations per task, each by a different person.

Three annotators log in (session, as in a browser) and take tasks from their label
stream in turns until it is empty. What Label Studio guarantees, and this checks: a
person is never served a task they labeled or skipped, and a task leaves the stream once
it has K annotations, so every task ends with K annotations by K different people.
"""

from __future__ import annotations

import re

import httpx
import pytest
from labelstudio_fixtures import write_articles

from checkworthy.builder import studio
from checkworthy.builder.labelstudio import StudioProject
from checkworthy.cli import main
from checkworthy.schemas import FROM_NAME, TO_NAME

EMAILS = ("ann1@example.org", "ann2@example.org", "ann3@example.org")


def _login(server, email: str) -> httpx.Client:
    """A browser-like session of ``email`` (Django login form, CSRF cookie)."""
    password = (studio.Studio(server["data_dir"]).annotators_dir / f"{email}.password").read_text().strip()
    http = httpx.Client(base_url=server["url"], timeout=60, follow_redirects=True)
    page = http.get("/user/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    http.post("/user/login/", data={"email": email, "password": password, "csrfmiddlewaretoken": token},
              headers={"Referer": f"{server['url']}/user/login/"}).raise_for_status()
    assert "sessionid" in http.cookies, f"{email} could not log in"
    http.headers["X-CSRFToken"] = http.cookies["csrftoken"]
    http.headers["Referer"] = server["url"]
    return http


@pytest.mark.studio
def test_overlap_gives_every_task_to_k_different_people(studio_server, tmp_path, capsys):
    for email in EMAILS:
        studio.add_annotator(studio_server["data_dir"], email)
    articles, _ = write_articles(tmp_path)
    out = tmp_path / "blind"
    assert main(["tasks", str(articles), "--out", str(out), "--strategy", "uncertainty", "--budget", "5",
                 "--blind", "--quiet"]) == 0
    assert main(["push", str(out), "--project", "overlap two", "--overlap", "2", "--url", studio_server["url"],
                 "--token-file", studio_server["token_file"]]) == 0
    project = StudioProject(studio_server["connection"], "overlap two")
    remote = project.client.projects.get(id=project.id)
    assert (remote.maximum_annotations, remote.overlap_cohort_percentage) == (2, 100)

    sessions = {email: _login(studio_server, email) for email in EMAILS}
    served: dict[str, list[int]] = {email: [] for email in EMAILS}
    open_streams = list(EMAILS)
    while open_streams:
        for email in list(open_streams):
            http = sessions[email]
            response = http.get(f"/api/projects/{project.id}/next")
            if response.status_code == 404:
                open_streams.remove(email)
                continue
            response.raise_for_status()
            task = response.json()
            assert "predictions" not in task or not task["predictions"], "blind tasks carry no prediction"
            served[email].append(task["id"])
            result = [{"from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices", "value": {"choices": ["UFS"]}}]
            http.post(f"/api/tasks/{task['id']}/annotations/", json={"result": result, "lead_time": 2.0}).raise_for_status()
            assert sum(map(len, served.values())) <= 20, "the streams never end"
    for email, ids in served.items():
        assert len(ids) == len(set(ids)), f"{email} was served a task twice"
    export = project.snapshot()
    assert len(export) == 5
    for task in export:
        people = [a["completed_by"]["email"] if isinstance(a["completed_by"], dict) else a["completed_by"] for a in task["annotations"]]
        assert len(people) == 2 and len(set(people)) == 2, task["data"]["sentence_id"]
    assert sum(map(len, served.values())) == 10 and min(map(len, served.values())) >= 1
    capsys.readouterr()
    assert main(["push", str(out), "--project", "overlap two", "--overlap", "2", "--url", studio_server["url"],
                 "--token-file", studio_server["token_file"]]) == 0
    assert "0 created, 0 updated, 5 unchanged" in capsys.readouterr().out
