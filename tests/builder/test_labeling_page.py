"""The labeling page an annotator sees, in a real Label Studio and a real (headless) browser.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them) and
``selenium`` (the ``test`` extra). Without the browser the test is skipped, except in
CI (``CI=true``), where it fails: the page must be looked at. Screenshots are written
under ``tmp_path``; with ``CHECKWORTHY_UPDATE_SCREENSHOT=1`` the first one also
replaces ``docs/labeling-page.png`` (the README's picture).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from checkworthy.builder import studio
from checkworthy.builder.labelstudio import TASK_LIST_TAB, StudioProject
from checkworthy.builder.tasks import write_tasks
from checkworthy.schemas import FROM_NAME, TO_NAME, load_scheme

pytestmark = pytest.mark.studio

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
README_PICTURE = Path(__file__).resolve().parents[2] / "docs" / "labeling-page.png"

ARTICLE = (
    "Harbour budget approved\n\n"
    "The council met on Tuesday evening. "
    "It approved a harbour budget of 48.2 million dravs for 2026. "
    "Most councillors said the port needs the money.\n\n"
    "Opposition members called the plan <reckless>.\n"
)

#: The labeling config pushed before issue 16: codes as the choices' words, plain Text blocks.
OLD_CONFIG = """<View>
  <Header value="ClaimBuster three-way check-worthiness"/>
  <Text name="headline" value="$headline" granularity="word"/>
  <Text name="context_before" value="$context_before"/>
  <Header value="Sentence to label" size="5"/>
  <Text name="sentence" value="$sentence"/>
  <Text name="context_after" value="$context_after"/>
  <Choices name="label" toName="sentence" choice="single-radio" required="true" showInline="true">
    <Choice value="CFS" alias="CFS"/>
    <Choice value="UFS" alias="UFS"/>
    <Choice value="NFS" alias="NFS"/>
  </Choices>
</View>
"""


def _browser_or_skip():
    """Selenium's Chrome on Debian's chromium, or a skip (a failure in CI)."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    try:
        from selenium import webdriver
    except ImportError:
        missing.append("selenium (pip install -e '.[test]')")
    if missing:
        message = (f"the labeling-page test needs {', '.join(missing)}; "
                   "install with: apt-get install -y --no-install-recommends chromium chromium-driver")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)))


def _log_in(driver, wait, url, email, password) -> None:
    """Log in through Label Studio's form."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    driver.get(f"{url}/user/login/")
    wait.until(ec.presence_of_element_located((By.NAME, "email"))).send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.NAME, "password").submit()
    wait.until(lambda d: "/user/login" not in d.current_url)


def _open_labeling(driver, wait, pushed) -> None:
    """Log in as the pushed project's annotator and open its labeling stream."""
    _log_in(driver, wait, pushed["url"], pushed["email"], pushed["password"])
    driver.get(f"{pushed['url']}/projects/{pushed['project'].id}/data?labeling=1")


@pytest.fixture
def pushed(studio_server, tmp_path):
    """Tasks of one small article, pushed with the scheme's page; an annotator with a password."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "harbour.txt").write_text(ARTICLE, encoding="utf-8")
    write_tasks([seeds], tmp_path / "tasks", context=1)
    project = StudioProject(studio_server["connection"], "labeling page")
    project.push(tmp_path / "tasks")
    email = "ann.lee@example.org"
    password = studio.read_secret(studio.add_annotator(studio_server["data_dir"], email))
    tasks = json.loads((tmp_path / "tasks" / "tasks.json").read_text(encoding="utf-8"))
    return {"project": project, "email": email, "password": password, "tasks": tasks, "url": studio_server["url"]}


def test_labeling_page_marks_the_target_and_preselects_nothing(pushed, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    scheme = load_scheme("claimbuster")
    driver = _browser_or_skip()
    shots = tmp_path / "screenshots"
    shots.mkdir()
    try:
        wait = WebDriverWait(driver, 90)
        _open_labeling(driver, wait, pushed)
        # The project's instructions open before the first task.
        wait.until(lambda d: scheme.instructions[0][:40] in d.find_element(By.TAG_NAME, "body").text)
        driver.save_screenshot(str(shots / "instructions.png"))
        ActionChains(driver).send_keys(Keys.ESCAPE).perform()
        wait.until(ec.invisibility_of_element_located((By.XPATH, "//*[normalize-space()='Labeling Instructions']")))
        wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "mark")))
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".lsf-choices input[type=radio]")))
        driver.save_screenshot(str(shots / "labeling-page.png"))

        # The target is the one highlighted element of the passage; its neighbours are not highlighted.
        marks = [m for m in driver.find_elements(By.TAG_NAME, "mark") if m.is_displayed()]
        assert len(marks) == 1
        by_text = {task["data"]["sentence"]: task for task in pushed["tasks"]}
        target = marks[0].text.strip()
        assert target in by_text, (target, list(by_text))
        passage = marks[0].find_element(By.XPATH, "./ancestor::p[1]").text
        neighbours = [by_text[target]["data"]["context_before"], by_text[target]["data"]["context_after"]]
        for neighbour in filter(None, neighbours):
            assert neighbour.split("<")[0].strip() in passage
            assert neighbour not in target
        assert "<reckless>" not in driver.page_source or "&lt;reckless&gt;" in driver.page_source  # text is escaped

        # A fresh task: nothing pre-selected (the model's guess is hidden).
        radios = driver.find_elements(By.CSS_SELECTOR, ".lsf-choices input[type=radio]")
        assert len(radios) == len(scheme.labels)
        assert not [r for r in radios if r.is_selected()]

        # The question and every label's words and meaning are in view without hovering.
        body = driver.find_element(By.TAG_NAME, "body").text
        assert scheme.question in body
        for label in scheme.labels:
            assert label.title in body
            assert label.example in body
        assert scheme.page.model_score in body
    finally:
        (shots / "last-page.html").write_text(driver.page_source, encoding="utf-8")
        driver.save_screenshot(str(shots / "last.png"))
        driver.quit()
    if os.environ.get("CHECKWORTHY_UPDATE_SCREENSHOT") == "1":
        README_PICTURE.parent.mkdir(exist_ok=True)
        shutil.copyfile(shots / "labeling-page.png", README_PICTURE)


#: Label Studio's own columns, in every task list, headed by a control rather than a name: the
#: select-all checkbox, and the last column's ``{}`` button per row (*View Task Source*, the task's JSON).
#: Label Studio 1.23 adds both after a tab's columns; a project can neither hide nor name them.
SELECT_ALL, TASK_SOURCE = "lsf-table__select-all", "lsf-show-source"


def _task_list(driver, wait, url, project_id, *, rows=True):
    """Open a project's task list (the Data Manager); its tab titles, the open tab, and its column headers.

    A header is ``(class, name)``, the name being the header's first line (a data
    field's header has a second, its type: ``str``).
    """
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    driver.get(f"{url}/projects/{project_id}/data")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".lsf-tabs-dm__item_active")))
    if rows:
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, f".lsf-table__row-wrapper .{TASK_SOURCE} button")))
    tabs = [tab.text.strip() for tab in driver.find_elements(By.CSS_SELECTOR, ".lsf-tabs-dm__item")]
    active = driver.find_element(By.CSS_SELECTOR, ".lsf-tabs-dm__item_active").text.strip()
    headers = driver.execute_script(
        "return [...document.querySelectorAll('.lsf-table-head .lsf-th')]"
        ".map(th => [th.className, th.innerText.trim().split('\\n')[0].trim()])")
    return tabs, active, headers


def test_every_task_list_column_is_headed_by_a_readable_name(studio_server, tmp_path):
    """The task list an annotator opens before labeling: every column but Label Studio's two
    controls is headed by a field's name (headline, sentence), no cell shows HTML tags or a
    hash, and the one column without a name is Label Studio's *View Task Source* button (the
    unlabelled ``{}`` column of the user trial). Also for a project made in Label Studio
    (pushed to by id), already opened on its *Default* tab: the push adds the readable tab first.
    """
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "harbour.txt").write_text(ARTICLE, encoding="utf-8")
    write_tasks([seeds], tmp_path / "tasks", context=1)
    connection, url = studio_server["connection"], studio_server["url"]
    pushed = StudioProject(connection, "task list")
    pushed.push(tmp_path / "tasks")
    made = connection.client().projects.create(title="task list made in Label Studio", label_config=OLD_CONFIG)
    email = "tom.berg@example.org"
    password = studio.read_secret(studio.add_annotator(studio_server["data_dir"], email))
    shots = tmp_path / "screenshots"
    shots.mkdir()
    driver = _browser_or_skip()
    try:
        wait = WebDriverWait(driver, 90)
        _log_in(driver, wait, url, email, password)
        _, active, _ = _task_list(driver, wait, url, made.id, rows=False)
        driver.save_screenshot(str(shots / "made-before-push.png"))
        assert active == "Default"  # Label Studio's own tab, with every column (three headed by an icon only)
        StudioProject(connection, made.id).push(tmp_path / "tasks")

        for name, project_id in (("pushed", pushed.id), ("made", made.id)):
            tabs, active, headers = _task_list(driver, wait, url, project_id)
            driver.save_screenshot(str(shots / f"{name}-task-list.png"))
            assert tabs[0] == active == TASK_LIST_TAB, (name, tabs, active)
            controls = [cls for cls, _ in headers if SELECT_ALL in cls or TASK_SOURCE in cls]
            named = [text for cls, text in headers if SELECT_ALL not in cls and TASK_SOURCE not in cls]
            assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_ ]*", text) for text in named), (name, headers)
            assert named == ["headline", "sentence"], (name, headers)
            assert len(controls) == 2 and SELECT_ALL in controls[0] and TASK_SOURCE in controls[-1], (name, headers)
            cells = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, ".lsf-table__row-wrapper .lsf-table__cell")]
            assert cells and not [c for c in cells if re.search(r"</?(mark|p|div|h4|b)\b|\b[0-9a-f]{64}\b", c)], (name, cells)

        # The column without a name: Label Studio's button that shows the task's JSON, named on hover.
        ActionChains(driver).move_to_element(driver.find_element(By.CSS_SELECTOR, f".lsf-table__row-wrapper .{TASK_SOURCE} button")).perform()
        wait.until(lambda d: "View Task Source" in d.find_element(By.TAG_NAME, "body").text)
        driver.save_screenshot(str(shots / "task-source-tooltip.png"))
    finally:
        (shots / "last-page.html").write_text(driver.page_source, encoding="utf-8")
        driver.save_screenshot(str(shots / "last.png"))
        driver.quit()


def test_a_project_labeled_with_the_old_config_keeps_its_labels(studio_server, tmp_path):
    """Pushing the new page over a project labeled with the old config changes the config, keeps every label."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "harbour.txt").write_text(ARTICLE, encoding="utf-8")
    write_tasks([seeds], tmp_path / "tasks")
    tasks = json.loads((tmp_path / "tasks" / "tasks.json").read_text(encoding="utf-8"))
    connection = studio_server["connection"]
    client = connection.client()
    old = client.projects.create(title="old page", label_config=OLD_CONFIG)
    old_tasks = [{"data": {k: v for k, v in task["data"].items() if k not in ("passage", "article")}, "meta": task["meta"]}
                 for task in tasks]
    client.projects.import_tasks(id=old.id, request=old_tasks)
    first = min(t.id for t in client.tasks.list(project=old.id))
    result = [{"from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices", "value": {"choices": ["CFS"]}}]
    client.annotations.create(id=first, result=result)

    pushed = StudioProject(connection, "old page").push(tmp_path / "tasks")

    assert pushed.config_updated and not pushed.refused
    assert pushed.updated == len(tasks)
    project = client.projects.get(id=old.id)
    assert 'alias="CFS"' in project.label_config and "Check-worthy factual sentence" in project.label_config
    assert not project.show_collab_predictions and project.show_instruction
    pulled = StudioProject(connection, "old page").snapshot()
    labels = [choice for task in pulled for a in task["annotations"] for r in a["result"] for choice in r["value"]["choices"]]
    assert labels == ["CFS"]


ARABIC = {"id": "ar-1", "title": "البرلمان يقر الميزانية", "language": "ar",
          "text": "البرلمان يقر الميزانية\n\nاجتمع المجلس مساء الثلاثاء. وأقر ميزانية قدرها 48.2 مليون دينار لعام 2026. هل تكفي؟"}


def test_an_arabic_page_is_in_arabic_and_right_to_left(studio_server, tmp_path):
    """An Arabic article on the Arabic page (``--page-language ar``): the question, headers,
    instructions and choices are in Arabic, and the page, headline, passage and article panel
    are laid out right to left, the target sentence highlighted whole."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    (tmp_path / "ar.jsonl").write_text(json.dumps(ARABIC, ensure_ascii=False) + "\n", encoding="utf-8")
    write_tasks([tmp_path / "ar.jsonl"], tmp_path / "tasks", context=1, page_language="ar")
    scheme = load_scheme("claimbuster", "ar")
    project = StudioProject(studio_server["connection"], "right to left page")
    project.push(tmp_path / "tasks")
    email = "rana.haddad@example.org"
    password = studio.read_secret(studio.add_annotator(studio_server["data_dir"], email))
    tasks = json.loads((tmp_path / "tasks" / "tasks.json").read_text(encoding="utf-8"))
    driver = _browser_or_skip()
    try:
        wait = WebDriverWait(driver, 90)
        _open_labeling(driver, wait, {"url": studio_server["url"], "email": email, "password": password, "project": project})
        wait.until(lambda d: scheme.instructions[0][:40] in d.find_element(By.TAG_NAME, "body").text)
        ActionChains(driver).send_keys(Keys.ESCAPE).perform()
        wait.until(ec.invisibility_of_element_located((By.XPATH, "//*[normalize-space()='Labeling Instructions']")))
        wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".cw-passage mark")))
        direction = "return getComputedStyle(arguments[0]).direction"
        passage = driver.find_element(By.CSS_SELECTOR, ".cw-passage")
        assert driver.execute_script(direction, passage) == "rtl"
        assert driver.execute_script(direction, driver.find_element(By.CSS_SELECTOR, ".cw-headline")) == "rtl"
        assert driver.execute_script(direction, driver.find_element(By.CSS_SELECTOR, ".cw-info")) == "rtl"  # the page's own words too
        assert driver.find_element(By.CSS_SELECTOR, ".cw-article").get_attribute("dir") == "rtl"
        target = passage.find_element(By.TAG_NAME, "mark").text.strip()
        assert target in {task["data"]["sentence"] for task in tasks}
        body = driver.find_element(By.TAG_NAME, "body").text
        assert scheme.question in body and scheme.page.passage in body
        assert all(label.title in body and label.example in body for label in scheme.labels)
        radios = driver.find_elements(By.CSS_SELECTOR, ".lsf-choices input[type=radio]")
        assert len(radios) == len(scheme.labels) and not [r for r in radios if r.is_selected()]
        # Right-aligned: the passage's text ends nearer its box's right edge than its left.
        box = driver.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.left, r.right]", passage)
        text = driver.execute_script(
            "const range = document.createRange(); range.selectNodeContents(arguments[0]);"
            " const r = range.getBoundingClientRect(); return [r.left, r.right]", passage.find_element(By.TAG_NAME, "p"))
        assert box[1] - text[1] < text[0] - box[0], (box, text)
    finally:
        (tmp_path / "last-page.html").write_text(driver.page_source, encoding="utf-8")
        driver.save_screenshot(str(tmp_path / "rtl.png"))
        driver.quit()
