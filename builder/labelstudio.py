"""The round trip with a live Label Studio: connect, push tasks, post annotations, pull.

- :func:`connect` finds the server and its token (``--url`` / ``$LABEL_STUDIO_URL``,
  ``--token-file`` / ``$LABEL_STUDIO_API_KEY``, else the local studio's).
- :class:`StudioProject` is one project reached through one client, looked up once;
  the operations are its methods:
  :meth:`~StudioProject.push` creates or updates the project from a task directory
  and upserts its tasks by ``data.sentence_id``: never a duplicate, never a label
  config change that orphans existing annotations, never a text change under
  existing labels. Each task sent carries a content hash in
  ``meta["checkworthy_sha256"]`` (:func:`task_hash`), so that a later push skips
  unchanged tasks cheaply. The decisions are made by :func:`plan_push`, which sends
  nothing, and sent by :meth:`~StudioProject.apply`.
  :meth:`~StudioProject.post_annotations` adds annotations on behalf of named users;
  :meth:`~StudioProject.pull` writes the lossless JSON export (every task, full
  predictions, annotator identities, skipped and ground-truth annotations).
- :func:`push_tasks`, :func:`post_annotations`, :func:`existing_annotations` and
  :func:`pull_export` do one operation each, with a project object of their own.

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
from checkworthy.builder.review import MARKER
from checkworthy.schemas import FROM_NAME, TO_NAME, load_schema, load_scheme, page_languages, validate
from checkworthy.schemas.errors import InputError, StudioError
from checkworthy.schemas.io import atomic_path, canonical_json, progress, read_json, sha256_text
from checkworthy.schemas.locks import folder_lock

ENV_URL = "LABEL_STUDIO_URL"
ENV_TOKEN = "LABEL_STUDIO_API_KEY"
#: The ``meta`` key where a push stores each task's :func:`task_hash`.
HASH_KEY = "checkworthy_sha256"
#: The ``data`` fields of a task (``schemas/tasks.schema.json``).
TASK_DATA_FIELDS = tuple(load_schema("tasks")["items"]["properties"]["data"]["properties"])


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
        from label_studio_sdk import LabelStudio  # heavy (pandas, numpy, opencv): only when a server is used

        return LabelStudio(base_url=self.url, api_key=self.token, timeout=timeout)

    def scrub(self, text: str) -> str:
        """``text`` with the token replaced by ``***``."""
        return text.replace(self.token, "***") if self.token else text

    @contextlib.contextmanager
    def calling(self, what: str) -> Iterator[None]:
        """Turn client and network errors into ``StudioError`` without the token in them."""
        import httpx  # the client's transport; loaded with it, only when a server is used
        from label_studio_sdk.core.api_error import ApiError  # heavy SDK: only when a server is used

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
        The local studio (see :mod:`checkworthy.builder.studio`); used only for what is not given.

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

    A choice's value in results is its ``alias`` when it has one (the page shows the
    ``value``, the words; results, exports and the dataset keep the alias, the code),
    as Label Studio reads it.

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
        control.get("name"): {choice.get("alias") or choice.get("value") for choice in control.iter("Choice")}
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


# --------------------------------------------------------------------------- push plan (no requests)

#: The project fields a push sets (see :func:`page_settings`).
PAGE_SETTINGS = ("show_collab_predictions", "show_instruction", "expert_instruction", "model_version", "overlap_cohort_percentage")

#: Task-list columns an annotator sees by default; every other one is hidden (see :meth:`StudioProject.apply`).
VISIBLE_COLUMNS = ("tasks:data.headline", "tasks:data.sentence")
#: The title of the task-list tab a push gives a project (the first tab, the one the task list opens on).
TASK_LIST_TAB = "To label"
#: Task-list columns of Label Studio 1.23 (the ``tasks:data.*`` ones of a task are added from its fields).
TASK_LIST_COLUMNS = (
    "tasks:id", "tasks:inner_id", "tasks:completed_at", "tasks:total_annotations", "tasks:cancelled_annotations",
    "tasks:total_predictions", "tasks:annotators", "tasks:annotations_results", "tasks:annotations_ids",
    "tasks:predictions_score", "tasks:predictions_model_versions", "tasks:predictions_results", "tasks:file_upload",
    "tasks:storage_filename", "tasks:created_at", "tasks:updated_at", "tasks:updated_by", "tasks:avg_lead_time",
    "tasks:draft_exists", "tasks:comment_count", "tasks:unresolved_comment_count", "tasks:comment_authors",
)


def page_settings(tasks: list[dict[str, Any]], *, preannotate: bool = False, overlap: int | None = None) -> dict[str, Any]:
    """The project fields a push sets: instructions shown before the first task, predictions hidden.

    Parameters
    ----------
    tasks : list of dict
        The local tasks; the instructions are those of their scheme (``meta.scheme``), in
        the language of their page (``meta.page_language``, from ``tasks --page-language``),
        after a paragraph on adjudication (the scheme's ``page.adjudication_instruction``) when
        every task is an adjudication task (``meta.adjudication``, written by ``checkworthy review``).
        Tasks chosen by a strategy (``tasks --strategy``, ``meta.priority``) whose
        predictions share one ``model_version`` also set the project's ``model_version``:
        Label Studio's "Uncertainty sampling" only orders tasks whose prediction has the
        project's model version (by score ascending, i.e. by the strategy's priority).
    preannotate : bool, default=False
        Show the model's prediction to annotators, pre-selected (Label Studio's
        ``show_collab_predictions``). Off by default: each annotator labels on their own.
    overlap : int, optional
        With ``push --overlap K``: every task (``overlap_cohort_percentage`` 100, not
        a sample of them) gets the project's K annotations.
    """
    settings: dict[str, Any] = {"show_collab_predictions": preannotate}
    schemes = sorted({(task["meta"]["scheme"], task["meta"].get("page_language")) for task in tasks}, key=str)
    if len(schemes) == 1:
        adjudication = bool(tasks) and all(MARKER in task["meta"] for task in tasks)
        settings.update(show_instruction=True, expert_instruction=load_scheme(*schemes[0]).instructions_html(adjudication=adjudication))
    versions = {p["model_version"] for task in tasks if "priority" in task["meta"] for p in task.get("predictions", [])}
    if len(versions) == 1:
        settings["model_version"] = versions.pop()
    if overlap is not None:
        settings["overlap_cohort_percentage"] = 100
    return settings


@dataclasses.dataclass
class PushResult:
    """What a push did.

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


@dataclasses.dataclass(frozen=True)
class ProjectInfo:
    """What a push needs to know of an existing project.

    Parameters
    ----------
    id : int
    title : str
    label_config : str
        The labeling config stored in Label Studio.
    maximum_annotations : int
        Annotations wanted per task (the project's overlap).
    settings : dict
        The project's :data:`PAGE_SETTINGS` as stored.
    sampling : str, optional
        How Label Studio serves the next task (Settings -> General -> Task Sampling):
        ``"Sequential sampling"`` (its default), ``"Uniform sampling"`` or ``"Uncertainty sampling"``.
    """

    id: int
    title: str
    label_config: str
    maximum_annotations: int
    settings: dict[str, Any] = dataclasses.field(default_factory=dict)
    sampling: str | None = None

    @classmethod
    def of(cls, project: Any) -> ProjectInfo:
        """From a project object of the SDK."""
        return cls(id=project.id, title=project.title, label_config=project.label_config,
                   maximum_annotations=project.maximum_annotations,
                   settings={key: getattr(project, key, None) for key in PAGE_SETTINGS},
                   sampling=getattr(project, "sampling", None))


class SamplingOrderWarning(UserWarning):
    """The project's task sampling will not serve a strategy's tasks in the order chosen."""


def sampling_warning(tasks: list[dict[str, Any]], project: ProjectInfo | None) -> str | None:
    """Why Label Studio will not serve these tasks (``tasks --strategy``) best first, or None.

    Strategy tasks are imported best first and their predictions' scores are the
    strategy's priorities, so Sequential sampling (import order) and Uncertainty sampling
    (prediction score ascending, among predictions of the project's ``model_version``)
    both serve them in the chosen order. Uniform sampling serves them at random, and
    Uncertainty sampling serves blind tasks (``tasks --blind``: no prediction) only after
    every unlabeled task that has a prediction of the project's model version, and then
    at random (``projects/functions/next_task.py`` of label-studio 1.23).
    """
    chosen = [task for task in tasks if "strategy" in task["meta"]]
    if project is None or not chosen:
        return None
    fix = ("set the project's Settings -> General -> Task Sampling to 'Sequential sampling', "
           "which serves tasks in the order tasks.json lists them (best first)")
    if project.sampling == "Uniform sampling":
        return f"project {project.title!r} uses Uniform sampling: Label Studio will serve the {len(chosen)} chosen task(s) at random; {fix}"
    blind = sum(1 for task in chosen if not task.get("predictions"))
    if project.sampling == "Uncertainty sampling" and blind:
        version = project.settings.get("model_version")
        after = f" after the unlabeled tasks with a prediction of model version {version!r}," if version else ""
        return (f"project {project.title!r} uses Uncertainty sampling, which orders tasks by their prediction: "
                f"the {blind} blind task(s) have none (tasks --blind), so Label Studio will serve them{after} at random; {fix}")
    return None


@dataclasses.dataclass(frozen=True)
class TaskUpdate:
    """One existing task to change in place.

    Parameters
    ----------
    task_id : int
        The task's id in Label Studio.
    data, meta : dict
        The new ``data`` and ``meta`` (``meta`` with the new :func:`task_hash`).
    delete_predictions : tuple of int
        Ids of the task's predictions to delete (all of them when the predictions changed).
    create_predictions : tuple of dict
        The local predictions to create in their place.
    """

    task_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    delete_predictions: tuple[int, ...] = ()
    create_predictions: tuple[dict[str, Any], ...] = ()


@dataclasses.dataclass
class PushPlan:
    """What a push will send, decided by :func:`plan_push` without any request.

    Attributes
    ----------
    create_project : bool
        The project does not exist yet: create it with ``label_config`` and ``maximum_annotations``.
    label_config : str or None
        The labeling config to set; None leaves the project's as it is.
    maximum_annotations : int or None
        The overlap to set; None leaves the project's as it is.
    settings : dict
        Project fields (:data:`PAGE_SETTINGS`) to set; only those that differ for an existing project.
    create : list of dict
        The bodies of the tasks to import, each with its :func:`task_hash` in
        ``meta[HASH_KEY]`` and the annotations imported with it.
    annotations_imported : int
        How many annotations ``create`` carries.
    update : list of TaskUpdate
        Existing tasks to change.
    unchanged : int
        Tasks left as they are.
    refused : list of str
        One line per task not changed because its text changed under existing annotations.
    """

    create_project: bool = False
    label_config: str | None = None
    maximum_annotations: int | None = None
    settings: dict[str, Any] = dataclasses.field(default_factory=dict)
    create: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    annotations_imported: int = 0
    update: list[TaskUpdate] = dataclasses.field(default_factory=list)
    unchanged: int = 0
    refused: list[str] = dataclasses.field(default_factory=list)


def _predictions_key(predictions: Iterable[dict]) -> list[tuple]:
    """What makes two lists of predictions the same: model version, score and result."""
    return sorted((p.get("model_version") or "", p.get("score") or 0, canonical_json(p.get("result"))) for p in predictions)


def task_hash(task: dict[str, Any]) -> str:
    """The content hash a push stores in ``meta[HASH_KEY]`` of every task it sends.

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


def _hash_matches(remote: dict[str, Any], task: dict[str, Any]) -> bool:
    """The remote task's stored hash equals the local task's: the same task, no need to look further."""
    return (remote.get("meta") or {}).get(HASH_KEY) == task_hash(task)


def _same_task(remote: dict[str, Any], task: dict[str, Any]) -> bool:
    """Compare a remote task (with full predictions) and a local one the full way, ignoring the stored hash."""
    remote_meta = {key: value for key, value in (remote.get("meta") or {}).items() if key != HASH_KEY}
    local_meta = {key: value for key, value in task["meta"].items() if key != HASH_KEY}
    return (remote["data"] == task["data"] and remote_meta == local_meta
            and _predictions_key(remote["predictions"]) == _predictions_key(task.get("predictions", [])))


def _text_changed(remote: dict[str, Any], task: dict[str, Any]) -> bool:
    """The sentence (or its hash) differs between the remote and the local task."""
    return (remote["data"].get("sentence") != task["data"]["sentence"]
            or remote["data"].get("text_sha256") != task["data"]["text_sha256"])


def _annotation_count(remote: dict[str, Any]) -> int:
    """How many annotations (skipped ones too) a task of a snapshot or a task listing has."""
    if isinstance(remote.get("annotations"), list):
        return len(remote["annotations"])
    return remote.get("total_annotations", 0) + remote.get("cancelled_annotations", 0)


def _config_changed(current: str, new: str) -> bool:
    """The labeling configs differ (leading and trailing whitespace aside)."""
    return current.strip() != new.strip()


def _page_language_of(label_config: str, scheme: str) -> str | None:
    """The language of the scheme's page that ``label_config`` is (one of
    :func:`~checkworthy.schemas.page_languages`), or None for any other config."""
    for language in page_languages(scheme):
        if not _config_changed(label_config, load_scheme(scheme, language).label_config()):
            return language
    return None


def _check_page_language(project: ProjectInfo, label_config: str, tasks: list[dict[str, Any]], remote_tasks: int, where: str) -> None:
    """Refuse a config that switches the page of a project with tasks to another language:
    every annotator would see the new words while the tasks already there keep the headers
    of the old language (a push of tasks written without ``--page-language`` to a project
    made with it, or the other way round)."""
    schemes = {task["meta"]["scheme"] for task in tasks}
    if len(schemes) != 1:
        return
    scheme = schemes.pop()
    old, new = _page_language_of(project.label_config, scheme), _page_language_of(label_config, scheme)
    if old is None or new is None or old == new:
        return
    raise InputError(
        f"{where}: project {project.title!r} shows its labeling page in {old!r} and has {remote_tasks} task(s); these tasks "
        f"are written for a page in {new!r}. Pushing them would switch every annotator's page to {new!r} while the tasks "
        f"already there keep their {old!r} headers. Write the tasks with 'checkworthy tasks ... --page-language {old}' "
        f"to add them to this project, or push them to a project of their own; to switch the whole project on purpose, "
        "pass --change-page-language"
    )


def _check_task_kinds(tasks: list[dict[str, Any]], remote_listing: list[dict[str, Any]], project: ProjectInfo | None) -> None:
    """Refuse to mix adjudication tasks (``meta.adjudication``, written by ``checkworthy review``)
    and labeling tasks in one project: the adjudication ones would replace the data and meta of
    the labeled tasks they share a sentence_id with, and switch the instructions of the whole
    project; an export of such a project can no longer be built."""
    local = {MARKER in task["meta"] for task in tasks}
    if len(local) > 1:
        adjudication = sum(1 for task in tasks if MARKER in task["meta"])
        raise InputError(
            f"these tasks mix {adjudication} adjudication task(s) (written by 'checkworthy review') and {len(tasks) - adjudication} "
            "labeling task(s); push each kind from its own task directory to a project of its own; nothing was sent"
        )
    if project is None or not tasks or not remote_listing:
        return
    adjudicating = local.pop()
    other = [remote for remote in remote_listing if (MARKER in (remote.get("meta") or {})) != adjudicating]
    if not other:
        return
    wanted = {task["data"]["sentence_id"] for task in tasks}
    shared = [remote["data"].get("sentence_id") for remote in other if remote["data"].get("sentence_id") in wanted]
    overlap = (f" ({len(shared)} of them share a sentence_id with these tasks and would have their data and meta replaced: "
               f"{', '.join(repr(s) for s in shared[:5])}{', ...' if len(shared) > 5 else ''})" if shared else "")
    if adjudicating:
        raise InputError(
            f"refusing to push {len(tasks)} adjudication task(s) (written by 'checkworthy review') into project {project.title!r}: "
            f"it holds {len(other)} labeling task(s) that are not adjudication tasks{overlap}, and the whole project would get "
            f"the adjudication instructions. Push adjudication tasks to a project of their own, e.g. "
            f"'checkworthy push DIR --project {project.title}-adjudication'; nothing was sent"
        )
    raise InputError(
        f"refusing to push {len(tasks)} labeling task(s) into project {project.title!r}: it is an adjudication project, its "
        f"{len(other)} task(s) were written by 'checkworthy review'{overlap}. Push labeling tasks to a project of "
        "labeling tasks (a new one, or the one they were labeled in); nothing was sent"
    )


def _matched(tasks: list[dict[str, Any]], remote_listing: list[dict[str, Any]]) -> Iterator[tuple[dict, dict | None]]:
    """``(local task, remote task or None)`` by ``data.sentence_id``, in local order (the first remote task wins)."""
    by_sentence: dict[str, dict] = {}
    for remote in remote_listing:
        by_sentence.setdefault(remote["data"].get("sentence_id"), remote)
    for task in tasks:
        yield task, by_sentence.get(task["data"]["sentence_id"])


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


def _task_update(remote: dict[str, Any], task: dict[str, Any]) -> TaskUpdate:
    """Replace data and meta (with the new hash), and the predictions when they differ."""
    local_predictions = task.get("predictions", [])
    replace = _predictions_key(remote["predictions"]) != _predictions_key(local_predictions)
    return TaskUpdate(
        task_id=remote["id"], data=task["data"], meta=_stamped(task)["meta"],
        delete_predictions=tuple(old["id"] for old in remote["predictions"]) if replace else (),
        create_predictions=tuple(local_predictions) if replace else (),
    )


def plan_push(
    tasks: list[dict[str, Any]],
    remote_listing: list[dict[str, Any]],
    *,
    label_config: str,
    project: ProjectInfo | None = None,
    annotators: int | None = None,
    annotations: dict[str, list[dict[str, Any]]] | None = None,
    settings: dict[str, Any] | None = None,
    where: str = "label_config.xml",
    change_page_language: bool = False,
) -> PushPlan:
    """Decide what a push sends: which tasks to create, update or skip, and the project's changes.

    Pure: no request is made, so every decision can be tested without a server.
    Tasks are matched by ``data.sentence_id``. A task missing remotely is created;
    one whose stored :func:`task_hash` equals the local hash is unchanged; the
    others are compared the full way (data, meta without the hash, predictions):
    equal ones are unchanged, a changed sentence text on a task with annotations
    is refused, the rest are updated (predictions replaced only when they differ).

    Parameters
    ----------
    tasks : list of dict
        The local tasks (checked by :func:`read_task_dir`).
    remote_listing : list of dict
        The project's tasks (``[]`` for a project that does not exist yet), as
        :meth:`StudioProject.task_listing` or, when the config changes,
        :meth:`StudioProject.snapshot` gives them, sorted by id. Every remote task
        whose stored hash differs from its local task's must carry its full
        ``predictions``; one whose text changed must carry its ``annotations`` or
        the counters ``total_annotations`` and ``cancelled_annotations``.
    label_config : str
        The local labeling config.
    project : ProjectInfo, optional
        The existing project; None plans its creation.
    annotators : int, optional
        Annotations wanted per task; None leaves the overlap (1 for a new project).
    annotations : dict, optional
        Annotation bodies (:func:`_annotation_body`) by sentence id, imported with
        the tasks they belong to when those are created.
    settings : dict, optional
        Project fields to set (:func:`page_settings`); for an existing project only
        those that differ are planned.
    where : str, default="label_config.xml"
        Names the local config in errors.
    change_page_language : bool, default=False
        Allow a config that shows the page of a project that already has tasks in another
        language (``push --change-page-language``).

    Returns
    -------
    PushPlan

    Raises
    ------
    InputError
        The new config removes or renames a choice that annotations use (listing them).
        A choice is compared by its exported value (``alias``, else ``value``): a
        config that only changes the words a choice shows keeps every annotation.
        The new config shows the page of a project that has tasks in another language
        (``tasks --page-language``) and ``change_page_language`` is False.
        Adjudication tasks (``meta.adjudication``, from ``checkworthy review``) pushed to a
        project that has other tasks, labeling tasks pushed to a project of adjudication tasks,
        or the two kinds in one push: each kind needs a project of its own.

    Examples
    --------
    >>> plan = plan_push(tasks, [], label_config=config)                  # doctest: +SKIP
    >>> plan.create_project, len(plan.create)                             # doctest: +SKIP
    (True, 120)
    """
    _check_task_kinds(tasks, remote_listing, project)
    bodies = annotations or {}
    plan = PushPlan()
    order = sampling_warning(tasks, project)
    if order:
        warnings.warn(order, SamplingOrderWarning, stacklevel=2)
    if project is None:
        plan.create_project, plan.label_config, plan.maximum_annotations = True, label_config, annotators or 1
        plan.settings = dict(settings or {})
        new = list(tasks)
    else:
        if _config_changed(project.label_config, label_config):
            _check_config_change(project.label_config, label_config, remote_listing, where)
            if remote_listing and not change_page_language:
                _check_page_language(project, label_config, tasks, len(remote_listing), where)
            plan.label_config = label_config
        if annotators is not None and annotators != project.maximum_annotations:
            plan.maximum_annotations = annotators
        plan.settings = {key: value for key, value in (settings or {}).items() if project.settings.get(key) != value}
        new = []
        for task, remote in _matched(tasks, remote_listing):
            if remote is None:
                new.append(task)
            elif _hash_matches(remote, task) or _same_task(remote, task):
                plan.unchanged += 1
            elif _text_changed(remote, task) and _annotation_count(remote):
                plan.refused.append(
                    f"task {remote['id']} (sentence_id {task['data']['sentence_id']!r}): sentence text changed but the task has "
                    f"{_annotation_count(remote)} annotation(s); label the new text as a new sentence or delete the task in Label Studio"
                )
            else:
                plan.update.append(_task_update(remote, task))
    for task in new:
        attached = bodies.get(task["data"]["sentence_id"])
        stamped = _stamped(task)
        plan.create.append(dict(stamped, annotations=attached) if attached else stamped)
        plan.annotations_imported += len(attached or [])
    return plan


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


def _as_annotations(annotations: Iterable[NewAnnotation | tuple]) -> list[NewAnnotation]:
    """Tuples read as ``NewAnnotation(*row)``."""
    return [a if isinstance(a, NewAnnotation) else NewAnnotation(*a) for a in annotations]


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


def _drop_created_ago(obj: Any) -> None:
    """Remove ``created_ago`` ("3 minutes", relative to now) so that exports are deterministic."""
    if isinstance(obj, dict):
        obj.pop("created_ago", None)
        for value in obj.values():
            _drop_created_ago(value)
    elif isinstance(obj, list):
        for value in obj:
            _drop_created_ago(value)


def _check_push_options(project: str | int, annotators: int | None) -> None:
    """Refuse a project title Label Studio would refuse, and an overlap below 1. A project given
    by its id (digits: ``--project 3``) is an existing project, looked up as ``pull`` does."""
    if len(str(project)) < 3 and not str(project).isdigit():
        raise InputError(f"project title {project!r} is too short; Label Studio needs at least 3 characters")
    if annotators is not None and annotators < 1:
        raise InputError(f"--annotators must be 1 or more, got {annotators}")


# --------------------------------------------------------------------------- the project


def push_lock_dir(url: str, project: str | int) -> Path:
    """The folder whose lock (:func:`~checkworthy.schemas.locks.folder_lock`) one push to
    ``project`` on the server at ``url`` holds: under ``$CHECKWORTHY_LOCK_DIR``, else
    ``$XDG_CACHE_HOME/checkworthy/locks`` (``~/.cache/...``). It serialises the pushes
    made from this machine (or from machines that share that folder)."""
    root = os.environ.get("CHECKWORTHY_LOCK_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "checkworthy" / "locks"
    key = sha256_text(f"{url.rstrip('/')}\0{project}")[:16]
    return Path(root) / f"push-{key}"


class StudioProject:
    """One Label Studio project, reached through one client.

    The connection is opened once (one SDK client, made on first use) and the
    project is looked up once (by id or title); every operation of a round trip is
    a method: :meth:`push`, :meth:`post_annotations`, :meth:`existing_annotations`,
    :meth:`pull`. The token stays inside the connection: it is not in the repr,
    and errors raised by the client are scrubbed of it.

    Parameters
    ----------
    connection : Connection
        Where Label Studio is (:func:`connect`).
    project : str or int
        The project's title (titles must be unique) or id.

    Examples
    --------
    >>> project = StudioProject(connect(), "claims-2024")        # doctest: +SKIP
    >>> project.push("out/tasks", annotators=2).summary()       # doctest: +SKIP
    'project 3: 120 created, 0 updated, 0 unchanged, 0 refused'
    >>> project.pull("out/export.json")                         # doctest: +SKIP
    120
    """

    def __init__(self, connection: Connection, project: str | int):
        self.connection = connection
        self.project = project
        self._client = None
        self._info: ProjectInfo | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.connection.url!r}, project={self.project!r})"

    @property
    def client(self):
        """The one ``label_studio_sdk.LabelStudio`` client of this project, made on first use."""
        if self._client is None:
            self._client = self.connection.client()
        return self._client

    # ------------------------------------------------------------------ reading

    def find(self, *, required: bool = True) -> ProjectInfo | None:
        """The project (looked up on the first call only), or None when it does not exist.

        Raises
        ------
        StudioError
            Two projects have the title, or (``required``) none has.
        """
        if self._info is not None:
            return self._info
        project, connection = self.project, self.connection
        with connection.calling(f"looking up project {project!r}"):
            if isinstance(project, int) or str(project).isdigit():
                from label_studio_sdk.core.api_error import ApiError

                try:
                    found = [self.client.projects.get(id=int(project))]
                except ApiError as exc:
                    if exc.status_code != 404:
                        raise
                    raise StudioError(f"{connection.url}: no project has the id {project}; give an existing project's id, or a "
                                      "title (with a letter) to find or create a project by its title") from None
            else:
                found = [p for p in self.client.projects.list(page_size=1000) if p.title == project]
        if len(found) > 1:
            raise StudioError(
                f"{connection.url}: {len(found)} projects are titled {project!r} (ids {', '.join(str(p.id) for p in found)}); "
                "rename all but one in Label Studio or pass the project id"
            )
        if not found and required:
            raise StudioError(f"{connection.url}: no project titled {project!r}; create it with 'checkworthy push DIR --project {project}'")
        if found:
            self._info = ProjectInfo.of(found[0])
        return self._info

    @property
    def id(self) -> int:
        """The project's id (looked up by :meth:`find`)."""
        return self.find().id

    @property
    def label_config(self) -> str:
        """The project's labeling config, as last looked up or set."""
        return self.find().label_config

    @property
    def maximum_annotations(self) -> int:
        """The project's overlap (annotations wanted per task), as last looked up or set."""
        return self.find().maximum_annotations

    def users(self) -> dict[str, int]:
        """Label Studio users by e-mail (asked every time: annotators may have been added)."""
        with self.connection.calling("listing users"):
            return {user.email: user.id for user in self.client.users.list()}

    def snapshot(self, *, predictions: bool = True, annotators: bool = True) -> list[dict[str, Any]]:
        """Every task of the project, with every annotation, through an export snapshot (JSON).

        Skipped and ground-truth annotations are included. The snapshot is deleted from
        the server once downloaded. Tasks come sorted by id.

        Parameters
        ----------
        predictions : bool, default=True
            Full predictions (else their ids only, which is faster).
        annotators : bool, default=True
            ``completed_by`` as ``{"id", "email", ...}`` (else the user id).
        """
        project_id, client = self.id, self.client
        serialization = {"drafts": {"only_id": True}, "predictions": {"only_id": not predictions}}
        if annotators:
            serialization["annotations__completed_by"] = {"only_id": False}
        options = {
            "annotation_filter_options": {"usual": True, "ground_truth": True, "skipped": True},
            "serialization_options": serialization,
        }
        with self.connection.calling(f"exporting project {project_id}"):
            export = client.projects.exports.create(id=project_id, title="checkworthy snapshot", **options)
            deadline = time.monotonic() + 3600
            while export.status not in ("completed", "failed"):
                if time.monotonic() > deadline:
                    raise StudioError(f"{self.connection.url}: export {export.id} of project {project_id} did not finish within an hour")
                time.sleep(0.5)
                export = client.projects.exports.get(id=project_id, export_pk=export.id)
            if export.status == "failed":
                raise StudioError(f"{self.connection.url}: Label Studio failed to export project {project_id}; see its server log")
            data = b"".join(client.projects.exports.download(
                id=project_id, export_pk=export.id, export_type="JSON", request_options={"chunk_size": 1 << 20}
            ))
            client.projects.exports.delete(id=project_id, export_pk=export.id)
        return sorted(json.loads(data), key=lambda task: task["id"])

    def task_listing(self, *, page_size: int = 2500) -> list[dict[str, Any]]:
        """Every task of the project with its ``id``, ``data``, ``meta`` and annotation counts, sorted by id.

        Much lighter than :meth:`snapshot` (about 4 s instead of 11 s for 10,000 tasks
        with a 2 kB context): no predictions and no annotations, only Label Studio's
        counters ``total_annotations`` (not skipped) and ``cancelled_annotations``
        (skipped). Enough for a push to skip the tasks whose stored
        :func:`task_hash` is unchanged. ``data`` comes as stored (storage URIs are
        not resolved), as in an export.
        """
        project_id, client = self.id, self.client
        include = "id,data,meta,total_annotations,cancelled_annotations"
        tasks: dict[int, dict[str, Any]] = {}
        page = 1
        with self.connection.calling(f"listing the tasks of project {project_id}"):
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
            raise StudioError(f"{self.connection.url}: listed {len(tasks)} of the {total} tasks of project {project_id}; "
                              "was the project changed during the push? Push again")
        return [tasks[key] for key in sorted(tasks)]

    def _fetch_predictions(self, remotes: list[dict[str, Any]], *, per_task_limit: int = 20) -> None:
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
        with self.connection.calling(f"listing the predictions of project {self.id}"):
            if len(missing) <= per_task_limit:
                for remote in missing:
                    by_task[remote["id"]] = [as_dict(p) for p in self.client.predictions.list(task=remote["id"])]
            else:
                for prediction in self.client.predictions.list(project=self.id):
                    by_task[prediction.task].append(as_dict(prediction))
        for remote in missing:
            remote["predictions"] = sorted(by_task.get(remote["id"], []), key=lambda p: p["id"])

    def _remote_listing(self, local: TaskDir, project: ProjectInfo | None) -> list[dict[str, Any]]:
        """The project's tasks with everything :func:`plan_push` needs to decide.

        The light :meth:`task_listing` (sentence ids, meta with the stored hashes,
        annotation counts), or the full :meth:`snapshot` when the config changes (its
        check needs every annotation's choices). Tasks whose stored hash differs get
        their predictions; those whose text changed and that count no annotation get
        their annotations asked for, before a text is replaced.
        """
        if project is None:
            return []
        if _config_changed(project.label_config, local.label_config):
            listing = self.snapshot(annotators=False)
        else:
            listing = self.task_listing()
        compare = [(task, remote) for task, remote in _matched(local.tasks, listing)
                   if remote is not None and not _hash_matches(remote, task)]
        self._fetch_predictions([remote for _, remote in compare])
        for task, remote in compare:
            if _text_changed(remote, task) and not _annotation_count(remote) and "annotations" not in remote:
                with self.connection.calling(f"listing the annotations of task {remote['id']}"):
                    remote["annotations"] = [a.id for a in self.client.annotations.list(id=remote["id"])]
        return listing

    # ------------------------------------------------------------------ push

    def push(
        self,
        task_dir: str | os.PathLike | TaskDir,
        *,
        annotators: int | None = None,
        annotations: Iterable[NewAnnotation] | None = None,
        batch_size: int = 5000,
        wait: float = 0.0,
        preannotate: bool = False,
        change_page_language: bool = False,
    ) -> PushResult:
        """Create or update the project from a task directory; upsert by sentence_id.

        One push at a time per project: the listing of the project's tasks, the plan
        and the requests that create tasks run under a lock for the server and project
        (:func:`push_lock_dir`), so two pushes started at once cannot both create the
        same tasks; the second one waits up to ``wait`` seconds, then plans against
        what the first one made.

        Everything is checked before anything is sent (:func:`read_task_dir`). The
        project is created from ``label_config.xml`` when missing. For an existing
        project a new config that removes or renames a choice used by annotations is
        refused, with the affected tasks. Tasks are matched by ``data.sentence_id``:
        new ones are imported in batches; identical ones skipped; changed ones updated,
        except a changed sentence text on a task with annotations, which is refused
        and listed. Pushing the same directory twice changes nothing.

        Every task sent carries its :func:`task_hash` in ``meta[HASH_KEY]``. A later
        push lists the project's tasks without predictions (:meth:`task_listing`) and
        skips every task whose stored hash equals the local one; the others (changed,
        or pushed by a version that stored no hash) are compared the full way, with
        their predictions fetched. Only a config change needs the full snapshot.
        The decisions are :func:`plan_push`'s; :meth:`apply` sends them.

        Parameters
        ----------
        task_dir : path-like or TaskDir
            Holds ``tasks.json`` and ``label_config.xml`` (or was read by :func:`read_task_dir`).
        annotators : int, optional
            Annotations wanted per task (``push --overlap K``): the project's
            ``maximum_annotations``, for every task (``overlap_cohort_percentage`` 100);
            unchanged when None (1 for a new project). Label Studio's label stream then
            serves each task to K different people: it never serves a person a task they
            annotated or skipped, and takes a task out of the stream once it has K
            annotations. It does not stop the API, or a user who opens a task from
            the task list, from adding a second annotation; ``build`` keeps one
            annotation per person and task (the latest).
        annotations : iterable of NewAnnotation, optional
            Annotations to import together with the tasks they belong to, when those
            tasks are created by this push (one request for all, instead of one per
            annotation). Annotations of tasks that already exist are left out: post
            them with :meth:`post_annotations`. Checked like there, before anything is sent.
        batch_size : int, default=5000
            Tasks per import request.
        wait : float, default=0
            Seconds to wait for another push to the same project (0: refuse at once).
        preannotate : bool, default=False
            Show the model's predictions to annotators, pre-selected. By default they
            are stored with the tasks but hidden, so that every label is independent;
            the project's instructions are set from the scheme (:func:`page_settings`).
        change_page_language : bool, default=False
            Allow switching the page of a project that has tasks to another language
            (refused by default, see :func:`plan_push`).

        Returns
        -------
        PushResult

        Raises
        ------
        InputError
            The task directory is invalid, the config change is refused, or adjudication
            tasks and labeling tasks would share the project (see :func:`plan_push`).
        StudioError
            Label Studio cannot be reached or refused a request.
        """
        _check_push_options(self.project, annotators)
        local = task_dir if isinstance(task_dir, TaskDir) else read_task_dir(task_dir)
        rows = list(annotations or [])
        bodies: dict[str, list[dict]] = defaultdict(list)
        if rows:
            users = self.users()
            allowed = config_choices(local.label_config).get(FROM_NAME, set())
            sentence_ids = {task["data"]["sentence_id"] for task in local.tasks}
            _check_annotations(rows, sentence_ids, users, allowed, f"the tasks in {local.path}")
            for row in rows:
                bodies[row.sentence_id].append(_annotation_body(row, users[row.annotator]))
        lock = push_lock_dir(self.connection.url, self.project)
        with folder_lock(lock, f"push tasks to Label Studio project {self.project!r} at {self.connection.url}", wait=wait):
            project = self.find(required=False)
            plan = plan_push(local.tasks, self._remote_listing(local, project), label_config=local.label_config,
                             project=project, annotators=annotators, annotations=bodies,
                             settings=page_settings(local.tasks, preannotate=preannotate, overlap=annotators),
                             where=str(local.path / "label_config.xml"), change_page_language=change_page_language)
            return self.apply(plan, batch_size=batch_size)

    def apply(self, plan: PushPlan, *, batch_size: int = 5000) -> PushResult:
        """Send a :func:`plan_push` plan: the project's changes, then the imports, then the updates.

        Each updated task gets its new hash last, so that a push interrupted half-way
        leaves a hash that does not match and the next push compares the task again.

        Raises
        ------
        StudioError
            Label Studio cannot be reached or refused a request.
        """
        client = self.client
        # Label Studio accepts a model version only once predictions of it exist: set it after the imports.
        settings = {key: value for key, value in plan.settings.items() if key != "model_version"}
        if plan.create_project:
            with self.connection.calling(f"creating project {self.project!r}"):
                created = client.projects.create(title=self.project, label_config=plan.label_config,
                                                 maximum_annotations=plan.maximum_annotations, **settings)
            self._info = ProjectInfo.of(created)
            self._add_task_list_view()
        else:
            info = self.find()
            if plan.label_config is not None:
                with self.connection.calling(f"updating the labeling config of project {self.project!r}"):
                    client.projects.update(id=info.id, label_config=plan.label_config)
                self._info = info = dataclasses.replace(info, label_config=plan.label_config)
            if plan.maximum_annotations is not None:
                with self.connection.calling(f"setting the overlap of project {self.project!r}"):
                    client.projects.update(id=info.id, maximum_annotations=plan.maximum_annotations)
                self._info = info = dataclasses.replace(info, maximum_annotations=plan.maximum_annotations)
            if settings:
                with self.connection.calling(f"setting the labeling page of project {self.project!r}"):
                    client.projects.update(id=info.id, **settings)
                self._info = dataclasses.replace(info, settings={**info.settings, **settings})
            self._ensure_task_list_view()
        result = PushResult(project_id=self.id, unchanged=plan.unchanged, refused=list(plan.refused),
                            config_updated=plan.label_config is not None and not plan.create_project)
        self._import_tasks(plan.create, batch_size)
        result.created, result.annotations_imported = len(plan.create), plan.annotations_imported
        for update in progress(plan.update, desc="updating tasks", unit="task"):
            self._update_task(update)
        result.updated = len(plan.update)
        if "model_version" in plan.settings:
            with self.connection.calling(f"setting the model version of project {self.project!r}"):
                client.projects.update(id=self.id, model_version=plan.settings["model_version"])
            self._info = dataclasses.replace(self._info, settings={**self._info.settings, "model_version": plan.settings["model_version"]})
        return result

    def _add_task_list_view(self) -> int:
        """Give the project a task-list tab that shows only headline and sentence; return the tab's id.

        Label Studio's open-source edition shows every user the same task list with
        all columns (other annotators' labels, predictions, ids, hashes, the ``passage``
        and ``article`` HTML as raw tags, and three count columns headed by an icon
        only); a tab with the other columns hidden is the default a new project opens
        with. A user can still show the columns again: this hides, it does not forbid.
        Label Studio's own last column (no header, a ``{}`` button per row: *View Task
        Source*) is in every tab and cannot be hidden or named from here.
        """
        import httpx  # the client's transport; loaded with it, only when a server is used

        hidden = [column for column in TASK_LIST_COLUMNS if column not in VISIBLE_COLUMNS]
        hidden += [f"tasks:data.{field}" for field in TASK_DATA_FIELDS if f"tasks:data.{field}" not in VISIBLE_COLUMNS]
        body = {"project": self.id, "data": {"title": TASK_LIST_TAB, "hiddenColumns": {"explore": hidden, "labeling": hidden}}}
        with self.connection.calling(f"adding the task-list tab of project {self.id}"):
            response = httpx.post(f"{self.connection.url}/api/dm/views/", json=body, timeout=60,
                                  headers={"Authorization": f"Token {self.connection.token}"})
            response.raise_for_status()
        return response.json()["id"]

    def _ensure_task_list_view(self) -> None:
        """Give an existing project the task-list tab when it has none, as its first tab.

        A project made in Label Studio (pushed to with ``--project ID``) or by a push
        from before the tab existed opens on Label Studio's *Default* tab, with every
        column. Its tabs are kept; the new one goes first, so that the task list opens
        on it. A project that has a tab titled :data:`TASK_LIST_TAB` is left as it is,
        whatever its columns (a user may have changed them).
        """
        with self.connection.calling(f"listing the task-list tabs of project {self.id}"):
            views = self.client.views.list(project=self.id)
        if any(isinstance(view.data, dict) and view.data.get("title") == TASK_LIST_TAB for view in views):
            return
        new = self._add_task_list_view()
        others = [view.id for view in sorted(views, key=lambda view: (view.order or 0, view.id)) if view.id != new]
        if others:
            with self.connection.calling(f"ordering the task-list tabs of project {self.id}"):
                self.client.views.update_order(project=self.id, ids=[new, *others])

    def _import_tasks(self, tasks: list[dict], batch_size: int) -> None:
        """Import task bodies in batches of ``batch_size``."""
        with progress(total=len(tasks), desc="importing tasks", unit="task") as bar:
            for start in range(0, len(tasks), batch_size):
                batch = tasks[start:start + batch_size]
                with self.connection.calling(f"importing tasks {start}-{start + len(batch) - 1} into project {self.id}"):
                    self.client.projects.import_tasks(id=self.id, request=batch)
                bar.update(len(batch))

    def _update_task(self, update: TaskUpdate) -> None:
        """Replace a task's predictions (when planned), then its data and meta (with the new hash)."""
        client = self.client
        with self.connection.calling(f"updating task {update.task_id}"):
            for old in update.delete_predictions:
                client.predictions.delete(id=old)
            for prediction in update.create_predictions:
                client.predictions.create(task=update.task_id, result=prediction["result"],
                                          score=prediction.get("score"), model_version=prediction["model_version"])
            client.tasks.update(id=str(update.task_id), data=update.data, meta=update.meta)

    # ------------------------------------------------------------------ annotations

    def post_annotations(self, annotations: Iterable[NewAnnotation | tuple], *, workers: int = 4) -> list[int]:
        """Post annotations on behalf of users (by e-mail), one request each, ``workers`` at a time.

        Parameters
        ----------
        annotations : iterable of NewAnnotation or tuple
            Tuples are read as ``NewAnnotation(*row)``, e.g.
            ``("a1:0123456789ab", "CFS", "ann@example.org", 12.5)``.
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
        rows = _as_annotations(annotations)
        found = self.find()
        allowed = config_choices(found.label_config).get(FROM_NAME, set())
        users = self.users()
        listed = self.snapshot(predictions=False, annotators=False)
        tasks = {task["data"].get("sentence_id"): task["id"] for task in listed}
        _check_annotations(rows, set(tasks), users, allowed, f"project {found.title!r}")
        client = self.client

        def post(row: NewAnnotation) -> int:
            with self.connection.calling(f"posting an annotation for {row.annotator} on {row.sentence_id}"):
                created = client.annotations.create(id=tasks[row.sentence_id], **_annotation_body(row, users[row.annotator]))
            return created.id

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            return list(progress(pool.map(post, rows), total=len(rows), desc="posting annotations", unit="annotation"))

    def existing_annotations(self) -> set[tuple[str, str]]:
        """The ``(sentence_id, annotator e-mail)`` pairs that already have an annotation in the project.

        Lets a caller post only what is missing, so that posting the same labels twice
        adds nothing.
        """
        pairs = set()
        for task in self.snapshot(predictions=False):
            for annotation in task.get("annotations", []):
                who = annotation.get("completed_by")
                email = who.get("email") if isinstance(who, dict) else None
                if email:
                    pairs.add((task["data"].get("sentence_id"), email))
        return pairs

    # ------------------------------------------------------------------ pull

    def pull(self, out: str | os.PathLike) -> int:
        """Write the project's lossless JSON export to ``out`` (atomically); return the task count.

        Every task comes, annotated or not, sorted by task id, with full predictions,
        every annotation (skipped and ground truth too) and its annotator's identity
        (``completed_by`` as an object with ``id`` and ``email``), ``lead_time`` and
        timestamps. This is the file the dataset builder reads. Only ``created_ago``
        ("3 minutes", relative to the time of the export) is left out: it is derived
        from ``created_at``.

        Raises
        ------
        InputError
            ``out`` is a directory (checked before anything is exported).
        StudioError
            The project does not exist or Label Studio cannot be reached.
        """
        if Path(out).is_dir():
            raise InputError(f"{out}: is a directory; give the path of the JSON file to write, e.g. --out {Path(out) / 'export.json'}")
        tasks = self.snapshot()
        for task in tasks:
            _drop_created_ago(task)
        text = canonical_json(tasks) + "\n"
        with atomic_path(out) as tmp:
            tmp.write_text(self.connection.scrub(text), encoding="utf-8")
        return len(tasks)


# --------------------------------------------------------------------------- one call each


def push_tasks(
    task_dir: str | os.PathLike | TaskDir,
    project: str,
    *,
    connection: Connection | None = None,
    annotators: int | None = None,
    annotations: Iterable[NewAnnotation] | None = None,
    batch_size: int = 5000,
    wait: float = 0.0,
    preannotate: bool = False,
    change_page_language: bool = False,
) -> PushResult:
    """Create or update a Label Studio project from a task directory: :meth:`StudioProject.push` in one call.

    Parameters
    ----------
    task_dir : path-like or TaskDir
        Holds ``tasks.json`` and ``label_config.xml`` (or was read by :func:`read_task_dir`).
    project : str
        The project's title (at least 3 characters).
    connection : Connection, optional
        Defaults to :func:`connect` ``()`` (the local studio).
    annotators, annotations, batch_size, wait, preannotate, change_page_language
        As for :meth:`StudioProject.push`.

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
    _check_push_options(project, annotators)
    local = task_dir if isinstance(task_dir, TaskDir) else read_task_dir(task_dir)
    return StudioProject(connection or connect(), project).push(
        local, annotators=annotators, annotations=annotations, batch_size=batch_size, wait=wait,
        preannotate=preannotate, change_page_language=change_page_language)


def post_annotations(
    project: str | int,
    annotations: Iterable[NewAnnotation | tuple],
    *,
    connection: Connection | None = None,
    workers: int = 4,
) -> list[int]:
    """Post annotations on behalf of users: :meth:`StudioProject.post_annotations` in one call.

    Parameters
    ----------
    project : str or int
        Project title or id.
    annotations : iterable of NewAnnotation or tuple
        Tuples are read as ``NewAnnotation(*row)``.
    connection : Connection, optional
        Defaults to :func:`connect` ``()``.
    workers : int, default=4
        Requests in flight at once.
    """
    rows = _as_annotations(annotations)
    return StudioProject(connection or connect(), project).post_annotations(rows, workers=workers)


def existing_annotations(project: str | int, *, connection: Connection | None = None) -> set[tuple[str, str]]:
    """The ``(sentence_id, annotator e-mail)`` pairs already annotated: :meth:`StudioProject.existing_annotations`."""
    return StudioProject(connection or connect(), project).existing_annotations()


def pull_export(project: str | int, out: str | os.PathLike, *, connection: Connection | None = None) -> int:
    """Write the project's lossless JSON export to ``out``: :meth:`StudioProject.pull` in one call.

    Raises
    ------
    StudioError
        The project does not exist or Label Studio cannot be reached.
    """
    return StudioProject(connection or connect(), project).pull(out)
