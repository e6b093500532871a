"""The round trip with a live Label Studio: connect, push tasks, post annotations, pull.

- :func:`connect` finds the server and its token (``--url`` / ``$LABEL_STUDIO_URL``,
  ``--token-file`` / ``$LABEL_STUDIO_API_KEY``, else the local studio's).
- :func:`push_tasks` creates or updates a project from a task directory and upserts
  its tasks by ``data.sentence_id``: never a duplicate, never a label config change
  that orphans existing annotations, never a text change under existing labels.
  Each task sent carries a content hash in ``meta["checkworthy_sha256"]``
  (:func:`task_hash`), so that a later push skips unchanged tasks cheaply.
- :func:`post_annotations` adds annotations on behalf of named users.
- :func:`pull_export` writes the lossless JSON export (every task, full predictions,
  annotator identities, skipped and ground-truth annotations).

The API token is a secret: it is kept out of every output, log, error, manifest
and export, and scrubbed from the texts of errors raised by the client.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import json
import os
import time
import warnings
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from checkworthy.builder import studio
from checkworthy.schemas import FROM_NAME, TO_NAME, load_scheme, validate
from checkworthy.schemas.errors import InputError, StudioError
from checkworthy.schemas.io import atomic_path, canonical_json, progress, read_json, sha256_text

ENV_URL = "LABEL_STUDIO_URL"
ENV_TOKEN = "LABEL_STUDIO_API_KEY"
#: The ``meta`` key where :func:`push_tasks` stores each task's :func:`task_hash`.
HASH_KEY = "checkworthy_sha256"


class InsecureConnectionWarning(UserWarning):
    """The API token is about to travel in clear text to another machine."""


@dataclasses.dataclass(frozen=True)
class Connection:
    """Where Label Studio is and the token to talk to it (the token is never shown).

    Parameters
    ----------
    url : str
        Base URL, e.g. ``http://127.0.0.1:8080``.
    token : str
        A legacy API token (40 hex) or a personal access token.
    """

    url: str
    token: str = dataclasses.field(repr=False)

    def client(self, timeout: float = 900.0):
        """A ``label_studio_sdk.LabelStudio`` client (long timeout for big imports)."""
        from label_studio_sdk import LabelStudio

        return LabelStudio(base_url=self.url, api_key=self.token, timeout=timeout)

    def scrub(self, text: str) -> str:
        """``text`` with the token replaced by ``***``."""
        return text.replace(self.token, "***") if self.token else text

    @contextlib.contextmanager
    def calling(self, what: str) -> Iterator[None]:
        """Turn client and network errors into ``StudioError`` without the token in them."""
        import httpx
        from label_studio_sdk.core.api_error import ApiError

        try:
            yield
        except ApiError as exc:
            hint = " (check the token: --token-file or $LABEL_STUDIO_API_KEY)" if exc.status_code in (401, 403) else ""
            raise StudioError(self.scrub(f"{what}: Label Studio at {self.url} answered {exc.status_code}: {exc.body}{hint}")) from None
        except (httpx.HTTPError, OSError) as exc:
            raise StudioError(self.scrub(
                f"{what}: cannot reach Label Studio at {self.url} ({type(exc).__name__}: {exc}); "
                "start it with 'checkworthy studio start' or give the right --url"
            )) from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host).is_loopback
    return False


def connect(
    url: str | None = None,
    *,
    token_file: str | os.PathLike | None = None,
    data_dir: str | os.PathLike | None = None,
) -> Connection:
    """Find Label Studio and its token.

    Parameters
    ----------
    url : str, optional
        Base URL; else ``$LABEL_STUDIO_URL``; else the running local studio's.
    token_file : path-like, optional
        A file holding the token; else ``$LABEL_STUDIO_API_KEY``; else, when the URL
        is the local studio's, its ``api_token`` (never sent to another server).
    data_dir : path-like, optional
        The local studio (see :mod:`builder.studio`); used only for what is not given.

    Returns
    -------
    Connection

    Raises
    ------
    StudioError
        No URL or no token could be found.

    Warns
    -----
    InsecureConnectionWarning
        A plain ``http://`` URL to a host that is not loopback.
    """

    local = studio.Studio(data_dir or studio.default_data_dir())
    url = url or os.environ.get(ENV_URL)
    if not url:
        current = studio.status(local.data_dir)
        if not current["running"]:
            raise StudioError(
                f"no Label Studio URL given and the local studio in {local.data_dir} is not running; "
                f"start it with 'checkworthy studio start', or give --url (or ${ENV_URL})"
            )
        url = current["url"]
    url = url.rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StudioError(f"Label Studio URL {url!r} is not an http(s) URL; expected e.g. http://127.0.0.1:8080")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        warnings.warn(
            f"{url}: plain http to a remote host sends the API token unencrypted; use https://",
            InsecureConnectionWarning, stacklevel=2,
        )
    if token_file:
        token = studio.read_secret(token_file)
    elif os.environ.get(ENV_TOKEN):
        token = os.environ[ENV_TOKEN].strip()
    elif local.token_file.is_file() and url == local.state().get("url"):
        token = studio.read_secret(local.token_file)
    else:
        raise StudioError(
            f"no Label Studio API token: give --token-file FILE or set ${ENV_TOKEN} "
            "(Label Studio: Account & Settings -> Access Token)"
        )
    if not token:
        raise StudioError("the Label Studio API token is empty; check --token-file or $LABEL_STUDIO_API_KEY")
    return Connection(url=url, token=token)


# --------------------------------------------------------------------------- config


def config_choices(label_config: str, where: str = "label config") -> dict[str, set[str]]:
    """The choices of each ``<Choices>`` control of a labeling config: ``{name: {values}}``.

    Raises
    ------
    InputError
        The config is not well-formed XML.
    """
    try:
        root = ET.fromstring(label_config)
    except ET.ParseError as exc:
        raise InputError(f"{where}: not well-formed XML ({exc}); regenerate it with 'checkworthy tasks'") from None
    return {
        control.get("name"): {choice.get("value") for choice in control.iter("Choice")}
        for control in root.iter("Choices")
    }


def _result_choices(results: Iterable[dict]) -> Iterator[tuple[str, str]]:
    """``(from_name, choice)`` for every choice in Label Studio results."""
    for item in results or []:
        if item.get("type") == "choices":
            for choice in item.get("value", {}).get("choices", []):
                yield item.get("from_name"), choice


# --------------------------------------------------------------------------- task dirs


@dataclasses.dataclass(frozen=True)
class TaskDir:
    """A validated task directory: ``tasks.json`` and ``label_config.xml``."""

    path: Path
    tasks: list[dict[str, Any]]
    label_config: str


def read_task_dir(path: str | os.PathLike) -> TaskDir:
    """Read and check a task directory before anything is sent anywhere.

    Checks ``tasks.json`` against ``schemas/tasks.schema.json``, that every
    ``sentence_id`` is unique, and that every prediction's choices are both in the
    labeling config and in the task's label scheme.

    Raises
    ------
    InputError
        Listing every offending task.
    """
    path = Path(path)
    tasks_file, config_file = path / "tasks.json", path / "label_config.xml"
    missing = [str(p) for p in (tasks_file, config_file) if not p.is_file()]
    if missing:
        raise InputError(missing, header=f"{path}: not a task directory; missing (write it with 'checkworthy tasks'):")
    tasks = read_json(tasks_file)
    validate(tasks, "tasks", str(tasks_file))
    label_config = config_file.read_text(encoding="utf-8")
    allowed = config_choices(label_config, str(config_file))
    problems, seen = [], {}
    for number, task in enumerate(tasks):
        sentence_id = task["data"]["sentence_id"]
        where = f"task {number} (sentence_id {sentence_id!r})"
        if sentence_id in seen:
            problems.append(f"{where}: same sentence_id as task {seen[sentence_id]}; each sentence must appear once")
        seen.setdefault(sentence_id, number)
        scheme_name = task["meta"]["scheme"]
        try:
            scheme_names = load_scheme(scheme_name).names
        except InputError as exc:
            problems.append(f"{where}: {exc}")
            continue
        for prediction in task.get("predictions", []):
            for from_name, choice in _result_choices(prediction["result"]):
                if choice not in scheme_names:
                    problems.append(f"{where}: prediction label {choice!r} is not in scheme {scheme_name!r} ({', '.join(scheme_names)})")
                elif choice not in allowed.get(from_name, ()):
                    problems.append(
                        f"{where}: prediction label {choice!r} for control {from_name!r} is not in {config_file.name} "
                        f"({', '.join(sorted(allowed.get(from_name, ()))) or 'no such <Choices>'})"
                    )
    if problems:
        raise InputError(problems, header=f"{tasks_file}: {len(problems)} problem(s); nothing was sent to Label Studio:")
    return TaskDir(path=path, tasks=tasks, label_config=label_config)


# --------------------------------------------------------------------------- project access


def find_project(connection: Connection, client, project: str | int, *, required: bool = True):
    """The project with this id or title (titles must be unique), or None.

    Raises
    ------
    StudioError
        Two projects have the title, or (``required``) none has.
    """
    with connection.calling(f"looking up project {project!r}"):
        if isinstance(project, int) or str(project).isdigit():
            return client.projects.get(id=int(project))
        found = [p for p in client.projects.list(page_size=1000) if p.title == project]
    if len(found) > 1:
        raise StudioError(
            f"{connection.url}: {len(found)} projects are titled {project!r} (ids {', '.join(str(p.id) for p in found)}); "
            "rename all but one in Label Studio or pass the project id"
        )
    if not found and required:
        raise StudioError(f"{connection.url}: no project titled {project!r}; create it with 'checkworthy push DIR --project {project}'")
    return found[0] if found else None


def snapshot(
    connection: Connection, client, project_id: int, *, predictions: bool = True, annotators: bool = True
) -> list[dict[str, Any]]:
    """Every task of a project, with every annotation, through an export snapshot (JSON).

    Skipped and ground-truth annotations are included. The snapshot is deleted from
    the server once downloaded. Tasks come sorted by id.

    Parameters
    ----------
    predictions : bool, default=True
        Full predictions (else their ids only, which is faster).
    annotators : bool, default=True
        ``completed_by`` as ``{"id", "email", ...}`` (else the user id).
    """
    serialization = {"drafts": {"only_id": True}, "predictions": {"only_id": not predictions}}
    if annotators:
        serialization["annotations__completed_by"] = {"only_id": False}
    options = {
        "annotation_filter_options": {"usual": True, "ground_truth": True, "skipped": True},
        "serialization_options": serialization,
    }
    with connection.calling(f"exporting project {project_id}"):
        export = client.projects.exports.create(id=project_id, title="checkworthy snapshot", **options)
        deadline = time.monotonic() + 3600
        while export.status not in ("completed", "failed"):
            if time.monotonic() > deadline:
                raise StudioError(f"{connection.url}: export {export.id} of project {project_id} did not finish within an hour")
            time.sleep(0.5)
            export = client.projects.exports.get(id=project_id, export_pk=export.id)
        if export.status == "failed":
            raise StudioError(f"{connection.url}: Label Studio failed to export project {project_id}; see its server log")
        data = b"".join(client.projects.exports.download(
            id=project_id, export_pk=export.id, export_type="JSON", request_options={"chunk_size": 1 << 20}
        ))
        client.projects.exports.delete(id=project_id, export_pk=export.id)
    return sorted(json.loads(data), key=lambda task: task["id"])


def task_listing(connection: Connection, client, project_id: int, *, page_size: int = 2500) -> list[dict[str, Any]]:
    """Every task of a project with its ``id``, ``data``, ``meta`` and annotation counts, sorted by id.

    Much lighter than :func:`snapshot` (about 4 s instead of 11 s for 10,000 tasks
    with a 2 kB context): no predictions and no annotations, only Label Studio's
    counters ``total_annotations`` (not skipped) and ``cancelled_annotations``
    (skipped). Enough for :func:`push_tasks` to skip the tasks whose stored
    :func:`task_hash` is unchanged. ``data`` comes as stored (storage URIs are
    not resolved), as in an export.
    """
    include = "id,data,meta,total_annotations,cancelled_annotations"
    tasks: dict[int, dict[str, Any]] = {}
    page = 1
    with connection.calling(f"listing the tasks of project {project_id}"):
        while True:
            pager = client.tasks.list(project=project_id, fields="task_only", include=include, resolve_uri=False,
                                      page=page, page_size=page_size)
            items = pager.items or []
            for item in items:
                tasks[item.id] = {"id": item.id, "data": item.data or {}, "meta": item.meta or {},
                                  "total_annotations": item.total_annotations or 0,
                                  "cancelled_annotations": item.cancelled_annotations or 0}
            total = getattr(pager.response, "total", None)
            if not items or len(items) < page_size or (total is not None and len(tasks) >= total):
                break
            page += 1
    if total is not None and len(tasks) != total:
        raise StudioError(f"{connection.url}: listed {len(tasks)} of the {total} tasks of project {project_id}; "
                          "was the project changed during the push? Push again")
    return [tasks[key] for key in sorted(tasks)]


def _fetch_predictions(connection: Connection, client, project_id: int, remotes: list[dict[str, Any]],
                       *, per_task_limit: int = 20) -> None:
    """Give every task of ``remotes`` that lacks them its full predictions (``id``, ``model_version``, ``score``, ``result``).

    One request per task for a few tasks, else one request for the whole project.
    """
    missing = [remote for remote in remotes if "predictions" not in remote]
    if not missing:
        return

    def as_dict(prediction) -> dict[str, Any]:
        return {"id": prediction.id, "model_version": prediction.model_version, "score": prediction.score,
                "result": prediction.result}

    by_task: dict[int, list[dict]] = defaultdict(list)
    with connection.calling(f"listing the predictions of project {project_id}"):
        if len(missing) <= per_task_limit:
            for remote in missing:
                by_task[remote["id"]] = [as_dict(p) for p in client.predictions.list(task=remote["id"])]
        else:
            for prediction in client.predictions.list(project=project_id):
                by_task[prediction.task].append(as_dict(prediction))
    for remote in missing:
        remote["predictions"] = sorted(by_task.get(remote["id"], []), key=lambda p: p["id"])


def _annotation_count(remote: dict[str, Any]) -> int:
    """How many annotations (skipped ones too) a task of :func:`snapshot` or :func:`task_listing` has."""
    if isinstance(remote.get("annotations"), list):
        return len(remote["annotations"])
    return remote.get("total_annotations", 0) + remote.get("cancelled_annotations", 0)


# --------------------------------------------------------------------------- push


@dataclasses.dataclass
class PushResult:
    """What :func:`push_tasks` did.

    Attributes
    ----------
    project_id : int
    created, updated, unchanged : int
        Task counts.
    refused : list of str
        One line per task that was not changed because it has annotations
        (names the task and sentence).
    config_updated : bool
        The project's labeling config was replaced.
    annotations_imported : int
        Annotations imported together with the created tasks.
    """

    project_id: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[str] = dataclasses.field(default_factory=list)
    config_updated: bool = False
    annotations_imported: int = 0

    def summary(self) -> str:
        text = (f"project {self.project_id}: {self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged, {len(self.refused)} refused")
        return text + (f"; {self.annotations_imported} annotation(s) imported with them" if self.annotations_imported else "")


def _predictions_key(predictions: Iterable[dict]) -> list[tuple]:
    """What makes two lists of predictions the same: model version, score and result."""
    return sorted((p.get("model_version") or "", p.get("score") or 0, canonical_json(p.get("result"))) for p in predictions)


def task_hash(task: dict[str, Any]) -> str:
    """The content hash :func:`push_tasks` stores in ``meta[HASH_KEY]`` of every task it sends.

    SHA-256 of the canonical JSON of the task's ``data``, its ``meta`` without
    ``HASH_KEY``, and its predictions as :func:`_predictions_key` sees them: the
    same hash means the same task for a push. A later push skips a task whose
    stored hash equals the local one without downloading its data or predictions.
    """
    meta = {key: value for key, value in (task.get("meta") or {}).items() if key != HASH_KEY}
    return sha256_text(canonical_json([task["data"], meta, _predictions_key(task.get("predictions") or [])]))


def _stamped(task: dict[str, Any]) -> dict[str, Any]:
    """``task`` (a copy) with its content hash in ``meta[HASH_KEY]``."""
    return dict(task, meta={**task["meta"], HASH_KEY: task_hash(task)})


def _same_task(remote: dict[str, Any], task: dict[str, Any]) -> bool:
    """Compare a remote task (with full predictions) and a local one the full way, ignoring the stored hash."""
    remote_meta = {key: value for key, value in (remote.get("meta") or {}).items() if key != HASH_KEY}
    local_meta = {key: value for key, value in task["meta"].items() if key != HASH_KEY}
    return (remote["data"] == task["data"] and remote_meta == local_meta
            and _predictions_key(remote["predictions"]) == _predictions_key(task.get("predictions", [])))


def _check_config_change(old: str, new: str, existing: list[dict], where: str) -> None:
    """Refuse a new config that removes or renames a choice used by an annotation."""
    old_choices, new_choices = config_choices(old, "the project's current config"), config_choices(new, where)
    removed = {(name, value) for name, values in old_choices.items() for value in values
               if value not in new_choices.get(name, ())}
    if not removed:
        return
    affected = defaultdict(list)
    for task in existing:
        for annotation in task["annotations"]:
            for used in _result_choices(annotation.get("result")):
                if used in removed:
                    affected[used].append(f"task {task['id']} (sentence_id {task['data'].get('sentence_id')!r})")
    if affected:
        problems = [f"choice {value!r} of <Choices name={name!r}> is used by {len(tasks)} annotation(s): {', '.join(sorted(set(tasks)))}"
                    for (name, value), tasks in sorted(affected.items())]
        raise InputError(
            problems,
            header=f"{where}: refusing to change the project's labeling config, it removes or renames choices that annotations use "
            "(keep those choices, or relabel the tasks first):",
        )


def push_tasks(
    task_dir: str | os.PathLike | TaskDir,
    project: str,
    *,
    connection: Connection | None = None,
    annotators: int | None = None,
    annotations: Iterable[NewAnnotation] | None = None,
    batch_size: int = 5000,
) -> PushResult:
    """Create or update a Label Studio project from a task directory; upsert by sentence_id.

    Everything is checked before anything is sent (:func:`read_task_dir`). The
    project is created from ``label_config.xml`` when missing. For an existing
    project a new config that removes or renames a choice used by annotations is
    refused, with the affected tasks. Tasks are matched by ``data.sentence_id``:
    new ones are imported in batches; identical ones skipped; changed ones updated,
    except a changed sentence text on a task with annotations, which is refused
    and listed. Pushing the same directory twice changes nothing.

    Every task sent carries its :func:`task_hash` in ``meta[HASH_KEY]``. A later
    push lists the project's tasks without predictions (:func:`task_listing`) and
    skips every task whose stored hash equals the local one; the others (changed,
    or pushed by a version that stored no hash) are compared the full way, with
    their predictions fetched. Only a config change needs the full snapshot.

    Parameters
    ----------
    task_dir : path-like or TaskDir
        Holds ``tasks.json`` and ``label_config.xml`` (or was read by :func:`read_task_dir`).
    project : str
        The project's title (at least 3 characters).
    connection : Connection, optional
        Defaults to :func:`connect` ``()`` (the local studio).
    annotators : int, optional
        Annotations wanted per task (the project's overlap, ``maximum_annotations``);
        unchanged when None (1 for a new project).
    annotations : iterable of NewAnnotation, optional
        Annotations to import together with the tasks they belong to, when those
        tasks are created by this push (one request for all, instead of one per
        annotation). Annotations of tasks that already exist are left out: post
        them with :func:`post_annotations`. Checked like there, before anything is sent.
    batch_size : int, default=5000
        Tasks per import request.

    Returns
    -------
    PushResult

    Raises
    ------
    InputError
        The task directory is invalid, or the config change is refused.
    StudioError
        Label Studio cannot be reached or refused a request.

    Examples
    --------
    >>> result = push_tasks("out/tasks", "claims-2024")        # doctest: +SKIP
    >>> result.summary()                                       # doctest: +SKIP
    'project 3: 120 created, 0 updated, 0 unchanged, 0 refused'
    """
    if len(project) < 3:
        raise InputError(f"project title {project!r} is too short; Label Studio needs at least 3 characters")
    if annotators is not None and annotators < 1:
        raise InputError(f"--annotators must be 1 or more, got {annotators}")
    local = task_dir if isinstance(task_dir, TaskDir) else read_task_dir(task_dir)
    connection = connection or connect()
    client = connection.client()
    rows = list(annotations or [])
    bodies: dict[str, list[dict]] = defaultdict(list)
    if rows:
        users = _users(connection, client)
        allowed = config_choices(local.label_config).get(FROM_NAME, set())
        sentence_ids = {task["data"]["sentence_id"] for task in local.tasks}
        _check_annotations(rows, sentence_ids, users, allowed, f"the tasks in {local.path}")
        for row in rows:
            bodies[row.sentence_id].append(_annotation_body(row, users[row.annotator]))
    existing_project = find_project(connection, client, project, required=False)
    if existing_project is None:
        with connection.calling(f"creating project {project!r}"):
            created = client.projects.create(title=project, label_config=local.label_config,
                                             maximum_annotations=annotators or 1)
        result = PushResult(project_id=created.id)
        result.annotations_imported = _import_tasks(connection, client, created.id, local.tasks, batch_size, bodies)
        result.created = len(local.tasks)
        return result
    result = PushResult(project_id=existing_project.id)
    config_changed = existing_project.label_config.strip() != local.label_config.strip()
    if config_changed:
        # The check needs every annotation's choices: the full snapshot (with full predictions too).
        existing = snapshot(connection, client, existing_project.id, annotators=False)
        _check_config_change(existing_project.label_config, local.label_config, existing, str(local.path / "label_config.xml"))
        with connection.calling(f"updating the labeling config of project {project!r}"):
            client.projects.update(id=existing_project.id, label_config=local.label_config)
        result.config_updated = True
    else:
        # Sentence ids, meta (with the stored hashes) and annotation counts; no predictions.
        existing = task_listing(connection, client, existing_project.id)
    if annotators is not None and annotators != existing_project.maximum_annotations:
        with connection.calling(f"setting the overlap of project {project!r}"):
            client.projects.update(id=existing_project.id, maximum_annotations=annotators)
    by_sentence: dict[str, dict] = {}
    for task in existing:
        by_sentence.setdefault(task["data"].get("sentence_id"), task)
    new, compare = [], []
    for task in local.tasks:
        remote = by_sentence.get(task["data"]["sentence_id"])
        if remote is None:
            new.append(task)
        elif (remote.get("meta") or {}).get(HASH_KEY) == task_hash(task):
            result.unchanged += 1
        else:
            # Changed, or pushed by a version that stored no hash: compare the full way.
            compare.append((remote, task))
    _fetch_predictions(connection, client, existing_project.id, [remote for remote, _ in compare])
    changed = []
    for remote, task in compare:
        if _same_task(remote, task):
            result.unchanged += 1
            continue
        text_changed = (remote["data"].get("sentence") != task["data"]["sentence"]
                        or remote["data"].get("text_sha256") != task["data"]["text_sha256"])
        if text_changed and not _annotation_count(remote) and "annotations" not in remote:
            # The listing's counters say how many; before replacing a text, ask for the annotations themselves.
            with connection.calling(f"listing the annotations of task {remote['id']}"):
                remote["annotations"] = [a.id for a in client.annotations.list(id=remote["id"])]
        if text_changed and _annotation_count(remote):
            result.refused.append(
                f"task {remote['id']} (sentence_id {task['data']['sentence_id']!r}): sentence text changed but the task has "
                f"{_annotation_count(remote)} annotation(s); label the new text as a new sentence or delete the task in Label Studio"
            )
        else:
            changed.append((remote, task))
    result.annotations_imported = _import_tasks(connection, client, existing_project.id, new, batch_size, bodies)
    result.created = len(new)
    for remote, task in progress(changed, desc="updating tasks", unit="task"):
        _update_task(connection, client, remote, task)
    result.updated = len(changed)
    return result


def _import_tasks(connection: Connection, client, project_id: int, tasks: list[dict], batch_size: int,
                  annotations: dict[str, list[dict]]) -> int:
    """Import ``tasks`` in batches, each with its annotations (by sentence id); return how many annotations went."""
    sent = 0
    with progress(total=len(tasks), desc="importing tasks", unit="task") as bar:
        for start in range(0, len(tasks), batch_size):
            batch = []
            for task in tasks[start:start + batch_size]:
                bodies = annotations.get(task["data"]["sentence_id"])
                task = _stamped(task)
                batch.append(dict(task, annotations=bodies) if bodies else task)
                sent += len(bodies or [])
            with connection.calling(f"importing tasks {start}-{start + len(batch) - 1} into project {project_id}"):
                client.projects.import_tasks(id=project_id, request=batch)
            bar.update(len(batch))
    return sent


def _update_task(connection: Connection, client, remote: dict, task: dict) -> None:
    """Replace a task's predictions when they differ, then its data and meta (with the new hash).

    The hash goes last, so that a push interrupted half-way leaves a hash that does
    not match and the next push compares the task again.
    """
    with connection.calling(f"updating task {remote['id']}"):
        if _predictions_key(remote["predictions"]) != _predictions_key(task.get("predictions", [])):
            for old in remote["predictions"]:
                client.predictions.delete(id=old["id"])
            for prediction in task.get("predictions", []):
                client.predictions.create(task=remote["id"], result=prediction["result"],
                                          score=prediction.get("score"), model_version=prediction["model_version"])
        client.tasks.update(id=str(remote["id"]), data=task["data"], meta=_stamped(task)["meta"])


# --------------------------------------------------------------------------- annotations


@dataclasses.dataclass(frozen=True)
class NewAnnotation:
    """One annotation to post for a user.

    Parameters
    ----------
    sentence_id : str
        Which task (``data.sentence_id``).
    label : str or None
        The chosen label; None for a skipped annotation.
    annotator : str
        The user's e-mail (created with ``checkworthy studio add-annotator``).
    lead_time : float, optional
        Seconds spent on the task.
    was_cancelled : bool, default=False
        A skipped task.
    ground_truth : bool, default=False
        Marks the annotation as ground truth.
    """

    sentence_id: str
    label: str | None
    annotator: str
    lead_time: float | None = None
    was_cancelled: bool = False
    ground_truth: bool = False


def post_annotations(
    project: str | int,
    annotations: Iterable[NewAnnotation | tuple],
    *,
    connection: Connection | None = None,
    workers: int = 4,
) -> list[int]:
    """Post annotations on behalf of users (by e-mail), one request each, ``workers`` at a time.

    Parameters
    ----------
    project : str or int
        Project title or id.
    annotations : iterable of NewAnnotation or tuple
        Tuples are read as ``NewAnnotation(*row)``, e.g.
        ``("a1:0123456789ab", "CFS", "ann@example.org", 12.5)``.
    connection : Connection, optional
        Defaults to :func:`connect` ``()``.
    workers : int, default=4
        Requests in flight at once (Label Studio answers each in about 0.13 s).

    Returns
    -------
    list of int
        The new annotations' ids, in input order.

    Raises
    ------
    InputError
        Listing unknown sentence ids, unknown users and labels not in the config.
    """
    rows = [a if isinstance(a, NewAnnotation) else NewAnnotation(*a) for a in annotations]
    connection = connection or connect()
    client = connection.client()
    found = find_project(connection, client, project)
    allowed = config_choices(found.label_config).get(FROM_NAME, set())
    users = _users(connection, client)
    listed = snapshot(connection, client, found.id, predictions=False, annotators=False)
    tasks = {task["data"].get("sentence_id"): task["id"] for task in listed}
    _check_annotations(rows, set(tasks), users, allowed, f"project {found.title!r}")

    def post(row: NewAnnotation) -> int:
        with connection.calling(f"posting an annotation for {row.annotator} on {row.sentence_id}"):
            created = client.annotations.create(id=tasks[row.sentence_id], **_annotation_body(row, users[row.annotator]))
        return created.id

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(progress(pool.map(post, rows), total=len(rows), desc="posting annotations", unit="annotation"))


def _users(connection: Connection, client) -> dict[str, int]:
    """Label Studio users by e-mail."""
    with connection.calling("listing users"):
        return {user.email: user.id for user in client.users.list()}


def _check_annotations(rows: list[NewAnnotation], sentence_ids: set[str], users: dict[str, int], allowed: set[str],
                       where_tasks: str) -> None:
    """Raise one InputError listing every annotation that cannot be sent."""
    problems = []
    for number, row in enumerate(rows):
        where = f"annotation {number} (sentence_id {row.sentence_id!r}, annotator {row.annotator!r})"
        if row.sentence_id not in sentence_ids:
            problems.append(f"{where}: no task with this sentence_id in {where_tasks}; push the tasks first")
        if row.annotator not in users:
            problems.append(f"{where}: no such user; create it with 'checkworthy studio add-annotator {row.annotator}'")
        if row.label is not None and row.label not in allowed:
            problems.append(f"{where}: label {row.label!r} is not in the project's config ({', '.join(sorted(allowed))})")
        if row.label is None and not row.was_cancelled:
            problems.append(f"{where}: no label; give a label or was_cancelled=True for a skipped task")
    if problems:
        raise InputError(problems, header=f"{len(problems)} annotation(s) cannot be sent; nothing was sent:")


def _annotation_body(row: NewAnnotation, user_id: int) -> dict[str, Any]:
    """The Label Studio fields of one annotation (for ``annotations.create`` and for task import)."""
    result = [] if row.label is None else [
        {"from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices", "value": {"choices": [row.label]}}
    ]
    body = {"result": result, "completed_by": user_id, "was_cancelled": row.was_cancelled, "ground_truth": row.ground_truth}
    if row.lead_time is not None:
        body["lead_time"] = row.lead_time
    return body


def existing_annotations(project: str | int, *, connection: Connection | None = None) -> set[tuple[str, str]]:
    """The ``(sentence_id, annotator e-mail)`` pairs that already have an annotation in the project.

    Lets a caller post only what is missing, so that posting the same labels twice
    adds nothing.
    """
    connection = connection or connect()
    client = connection.client()
    found = find_project(connection, client, project)
    pairs = set()
    for task in snapshot(connection, client, found.id, predictions=False):
        for annotation in task.get("annotations", []):
            who = annotation.get("completed_by")
            email = who.get("email") if isinstance(who, dict) else None
            if email:
                pairs.add((task["data"].get("sentence_id"), email))
    return pairs


# --------------------------------------------------------------------------- pull


def _drop_created_ago(obj: Any) -> None:
    """Remove ``created_ago`` ("3 minutes", relative to now) so that exports are deterministic."""
    if isinstance(obj, dict):
        obj.pop("created_ago", None)
        for value in obj.values():
            _drop_created_ago(value)
    elif isinstance(obj, list):
        for value in obj:
            _drop_created_ago(value)


def pull_export(project: str | int, out: str | os.PathLike, *, connection: Connection | None = None) -> int:
    """Write the project's lossless JSON export to ``out`` (atomically); return the task count.

    Every task comes, annotated or not, sorted by task id, with full predictions,
    every annotation (skipped and ground truth too) and its annotator's identity
    (``completed_by`` as an object with ``id`` and ``email``), ``lead_time`` and
    timestamps. This is the file the dataset builder reads. Only ``created_ago``
    ("3 minutes", relative to the time of the export) is left out: it is derived
    from ``created_at``.

    Raises
    ------
    StudioError
        The project does not exist or Label Studio cannot be reached.
    """
    connection = connection or connect()
    client = connection.client()
    found = find_project(connection, client, project)
    tasks = snapshot(connection, client, found.id)
    for task in tasks:
        _drop_created_ago(task)
    text = canonical_json(tasks) + "\n"
    with atomic_path(out) as tmp:
        tmp.write_text(connection.scrub(text), encoding="utf-8")
    return len(tasks)

