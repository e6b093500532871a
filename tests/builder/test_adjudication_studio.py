"""The adjudication round trip through a real Label Studio: review -> push -> adjudicate -> pull -> build."""

from __future__ import annotations

import json

import pytest

import checkworthy.registry  # noqa: F401  (fills the model view of review, as the CLI does)
from checkworthy.builder import studio
from checkworthy.builder.build import BuildConfig, build_version
from checkworthy.builder.labelstudio import StudioProject, post_annotations, pull_export, push_tasks
from checkworthy.builder.review import MARKER, ReviewConfig, review_version
from checkworthy.builder.store import load_manifest
from checkworthy.cli import main
from checkworthy.schemas import load_scheme
from tests.builder.labelstudio_fixtures import KEY
from tests.builder.test_review import planted


@pytest.mark.studio
def test_adjudicated_labels_come_back_through_label_studio_into_the_next_version(studio_server, tmp_path, capsys):
    folder, export, _, plants = planted(tmp_path)
    ds = tmp_path / "ds"
    (ds).mkdir()
    (ds / "annotator.key").write_bytes(KEY + b"\n")
    first = build_version([export], [folder], ds, BuildConfig(seed=3), key=KEY)
    result = review_version(ds, tmp_path / "review", ReviewConfig(seed=1), articles=[folder])
    assert {plants["tie"].sentence_id, plants["flip"].sentence_id} <= {i.sentence_id for i in result.doubtful}

    connection = studio_server["connection"]
    pushed = push_tasks(tmp_path / "review" / "adjudication", "adjudication-round-trip", connection=connection)
    assert pushed.created == result.tasks
    studio.add_annotator(studio_server["data_dir"], "judge@example.org")
    post_annotations("adjudication-round-trip", [
        (plants["tie"].sentence_id, "CFS", "judge@example.org", 20.0),
        (plants["flip"].sentence_id, "CFS", "judge@example.org", 15.0),
        (plants["split"].sentence_id, "CFS", "judge@example.org", 9.0),
    ], connection=connection)
    pull_export("adjudication-round-trip", tmp_path / "adjudication.json", connection=connection)
    pulled = json.loads((tmp_path / "adjudication.json").read_text())
    assert all(MARKER in t["meta"] for t in pulled), "the marker survives Label Studio"

    # The adjudication folder's articles.jsonl beside the original articles: the same articles, read once.
    assert main(["build", str(export), "--adjudication", str(tmp_path / "adjudication.json"), "--articles", str(folder),
                 str(tmp_path / "review" / "adjudication" / "articles.jsonl"), "--dataset", str(ds), "--seed", "3", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Adjudicated, in all: 3 sentences (1 tie resolved); 1 label differs from the annotators' majority." in out
    manifest = load_manifest(ds / "versions" / "1.1.0")
    assert manifest.parent == first.version
    assert manifest.adjudication["changed"] == 1 and manifest.adjudication["resolved_ties"] == 1
    assert {i["sentence_id"]: i["label"] for i in manifest.adjudication["items"]} == {
        plants["tie"].sentence_id: "CFS", plants["flip"].sentence_id: "CFS", plants["split"].sentence_id: "CFS"}

    import pyarrow.parquet as pq

    rows = {r["sentence_id"]: r for f in (ds / "versions" / "1.1.0" / "data").glob("*.parquet") for r in pq.read_table(f).to_pylist()}
    assert rows[plants["flip"].sentence_id]["label_source"] == "adjudication"
    assert "1 label differs from the annotators' majority" in (ds / "CHANGELOG.md").read_text()
    assert "1 of these labels differs from the annotators' majority" in (ds / "versions" / "1.1.0" / "README.md").read_text()
    assert main(["diff", str(ds), "1.0.0", "1.1.0", "--json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert diff["summary"]["changed_by_adjudication"] == 1 and diff["summary"]["added_by_adjudication"] == 1
    assert [a["sentence_id"] for s in diff["splits"].values() for a in s["added"] if a["adjudicated"]] == [plants["tie"].sentence_id]
    assert [c["sentence_id"] for s in diff["splits"].values() for c in s["changed"] if c["adjudicated"]] == [plants["flip"].sentence_id]

    assert main(["review", str(ds), "--out", str(tmp_path / "review2"), "--articles", str(folder), "--seed", "1", "--quiet"]) == 0
    again = [json.loads(line) for line in (tmp_path / "review2" / "review.jsonl").read_text().splitlines()]
    settled = {plants["tie"].sentence_id, plants["flip"].sentence_id, plants["split"].sentence_id}
    assert all(not item["reasons"] for item in again if item["sentence_id"] in settled), "an adjudicated label is not sent back"


@pytest.mark.studio
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_adjudication_page_shows_the_earlier_labels_and_the_model_in_a_browser(studio_server, tmp_path, language):
    """The adjudication page in a browser; in Arabic (``review --page-language ar``) its
    instructions, review block and choices are in Arabic and the block reads right to left."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.builder.test_labeling_page import _browser_or_skip

    folder, export, _, _ = planted(tmp_path)
    build_version([export], [folder], tmp_path / "ds", BuildConfig(seed=3), key=KEY)
    review_version(tmp_path / "ds", tmp_path / "review", ReviewConfig(seed=1, top=3), articles=[folder], page_language=language)
    words = load_scheme("claimbuster", language).page
    project = StudioProject(studio_server["connection"], f"adjudication page {language}")
    project.push(tmp_path / "review" / "adjudication")
    email = "judge.page@example.org"
    password = studio.read_secret(studio.add_annotator(studio_server["data_dir"], email))
    driver = _browser_or_skip()
    try:
        wait = WebDriverWait(driver, 90)
        driver.get(f"{studio_server['url']}/user/login/")
        wait.until(ec.presence_of_element_located((By.NAME, "email"))).send_keys(email)
        driver.find_element(By.NAME, "password").send_keys(password)
        driver.find_element(By.NAME, "password").submit()
        wait.until(lambda d: "/user/login" not in d.current_url)
        driver.get(f"{studio_server['url']}/projects/{project.id}/data?labeling=1")
        wait.until(lambda d: "Labeling Instructions" in d.find_element(By.TAG_NAME, "body").text)
        assert words.adjudication_instruction[:40] in driver.find_element(By.TAG_NAME, "body").text
        ActionChains(driver).send_keys(Keys.ESCAPE).perform()
        wait.until(ec.invisibility_of_element_located((By.XPATH, "//*[normalize-space()='Labeling Instructions']")))
        wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "mark")))
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".lsf-choices input[type=radio]")))
        driver.save_screenshot(str(tmp_path / "adjudication-page.png"))
        body = driver.find_element(By.TAG_NAME, "body").text
        assert words.adjudication in body and f"{words.earlier_labels}:" in body and f"{words.version_label} 1.0.0:" in body
        direction = driver.execute_script("return getComputedStyle(arguments[0]).direction", driver.find_element(By.CSS_SELECTOR, ".cw-review"))
        assert direction == ("rtl" if language == "ar" else "ltr")
        radios = driver.find_elements(By.CSS_SELECTOR, ".lsf-choices input[type=radio]")
        assert radios and not [r for r in radios if r.is_selected()], "nothing is pre-selected"
    finally:
        driver.quit()


@pytest.mark.studio
def test_adjudication_tasks_are_refused_in_the_labeling_project_and_go_to_their_own(studio_server, tmp_path, capsys):
    """The user trial: the review's adjudication folder pushed into the project the sentences were
    labeled in replaced the labeled tasks and the project's instructions. It is refused, naming the
    project and the way out, and nothing changes; a project of their own takes them, and refuses
    labeling tasks in turn."""
    folder, export, _, _ = planted(tmp_path)
    build_version([export], [folder], tmp_path / "ds", BuildConfig(seed=3), key=KEY)
    review_version(tmp_path / "ds", tmp_path / "review", ReviewConfig(seed=1), articles=[folder])
    adjudication = tmp_path / "review" / "adjudication"
    assert main(["tasks", str(folder), "--out", str(tmp_path / "tasks"), "--select", "all", "--quiet"]) == 0
    common = ["--url", studio_server["url"], "--token-file", str(studio_server["token_file"])]
    assert main(["push", str(tmp_path / "tasks"), "--project", "desk-mix", *common]) == 0
    email = "desk@example.org"
    studio.add_annotator(studio_server["data_dir"], email)
    labeling = StudioProject(studio_server["connection"], "desk-mix")
    adjudicated = [t["data"]["sentence_id"] for t in json.loads((adjudication / "tasks.json").read_text())]
    labeled = {t["data"]["sentence_id"] for t in json.loads((tmp_path / "tasks" / "tasks.json").read_text())}
    shared = [sentence_id for sentence_id in adjudicated if sentence_id in labeled]
    assert shared, "the trial's case: adjudication tasks with the sentence_id of labeled tasks"
    labeling.post_annotations([(sentence_id, "CFS", email, 3.0) for sentence_id in shared])
    labeling.pull(tmp_path / "before.json")
    capsys.readouterr()

    assert main(["push", str(adjudication), "--project", "desk-mix", *common]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"checkworthy push: error: refusing to push {len(adjudicated)} adjudication task(s) (written by "
                          "'checkworthy review') into project 'desk-mix': it holds ")
    assert (f"({len(shared)} of them share a sentence_id with these tasks" in err
            and "Push adjudication tasks to a project of their own, e.g. 'checkworthy push DIR --project desk-mix-adjudication'" in err)
    assert main(["pull", "--project", "desk-mix", "--out", str(tmp_path / "after.json"), *common]) == 0
    assert (tmp_path / "after.json").read_text() == (tmp_path / "before.json").read_text(), "no task changed"
    instructions = StudioProject(studio_server["connection"], "desk-mix").find().settings["expert_instruction"]
    assert instructions == load_scheme("claimbuster").instructions_html(), "the project keeps its instructions"

    # Pulled into a directory: a clear error, not an IsADirectoryError traceback.
    assert main(["pull", "--project", "desk-mix", "--out", str(tmp_path), *common]) == 1
    assert capsys.readouterr().err == (f"checkworthy pull: error: {tmp_path}: is a directory; give the path of the JSON file to "
                                       f"write, e.g. --out {tmp_path / 'export.json'}\n")

    assert main(["push", str(adjudication), "--project", "desk-mix-adjudication", *common]) == 0
    assert f"{len(adjudicated)} created" in capsys.readouterr().out
    assert main(["push", str(tmp_path / "tasks"), "--project", "desk-mix-adjudication", *common]) == 1
    err = capsys.readouterr().err
    assert err.startswith("checkworthy push: error: refusing to push ") and "into project 'desk-mix-adjudication': it is an adjudication project" in err
