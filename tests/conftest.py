"""Shared pytest fixtures. Every test writes its own small inputs under ``tmp_path``."""

from __future__ import annotations

import pytest


@pytest.fixture
def write(tmp_path):
    """Write a text file under ``tmp_path`` and return its path: ``write("a/b.txt", "...")``."""

    def _write(relative: str, content: str | bytes):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


# --------------------------------------------------------------------------- Label Studio
# A real server on loopback. The template studio (admin, token, migrated database) is
# built once per session (installing Label Studio into its own venv on first use);
# each module gets its own copy on a free port, stopped by pid at the end.


@pytest.fixture(scope="session")
def studio_template(tmp_path_factory):
    """An initialised, never-started studio data dir, shared by the whole session."""
    from checkworthy.builder import studio

    return studio.init_studio(tmp_path_factory.mktemp("studio-template") / "studio").data_dir


@pytest.fixture(scope="module")
def studio_server(studio_template, tmp_path_factory):
    """A running Label Studio copied from the template: ``status`` dict plus ``connection``.

    Shared by the tests of one module: give each test its own project title.
    """
    from checkworthy.builder import studio
    from checkworthy.builder.labelstudio import connect

    data_dir = tmp_path_factory.mktemp("studio") / "studio"
    studio.clone_studio(studio_template, data_dir)
    state = studio.start(data_dir, port=0)
    try:
        yield {**state, "connection": connect(state["url"], token_file=state["token_file"])}
    finally:
        studio.stop(data_dir)


@pytest.fixture
def task_dir(tmp_path):
    """Write a task directory by hand: ``task_dir(["First.", "Second."], predictions=["CFS", None])``.

    Returns the directory; sentence ids are ``art-1:<12 hex of the text>``.
    """
    import hashlib
    import html
    import json

    from checkworthy.schemas import FROM_NAME, TO_NAME, load_scheme

    def _task_dir(sentences, *, predictions=None, scheme="claimbuster", name="tasks", label_config=None, context=""):
        folder = tmp_path / name
        folder.mkdir(parents=True, exist_ok=True)
        tasks = []
        for index, (sentence, label) in enumerate(zip(sentences, predictions or [None] * len(sentences))):
            digest = hashlib.sha256(sentence.encode()).hexdigest()
            task = {
                "data": {"sentence_id": f"art-1:{digest[:12]}", "article_id": "art-1", "sentence": sentence,
                         "text_sha256": digest, "headline": "A headline", "context_before": context, "context_after": "",
                         "passage": f"<p>{html.escape(context)} <mark>{html.escape(sentence)}</mark></p>",
                         "article": f"<p>{html.escape(context)} <mark>{html.escape(sentence)}</mark></p>"},
                "meta": {"scheme": scheme, "start": 0, "end": len(sentence), "index": index, "score": 0.5, "reason": "test"},
            }
            if label:
                task["predictions"] = [{"model_version": "test-1", "score": 0.5, "result": [
                    {"from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices", "value": {"choices": [label]}}]}]
            tasks.append(task)
        (folder / "tasks.json").write_text(json.dumps(tasks, indent=1), encoding="utf-8")
        (folder / "label_config.xml").write_text(label_config or load_scheme(scheme).label_config(), encoding="utf-8")
        return folder

    return _task_dir
