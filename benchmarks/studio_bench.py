"""Benchmark the Label Studio round trip against Label Studio's own import and export.

Starts a throwaway local studio, writes a task directory of N tasks (a ~2 kB context
and one prediction each), then, ``--repeat`` times:

- Label Studio alone: ``projects.import_tasks`` in one call into a new project, and
  the JSON export of that project (``exports.download_sync``, all tasks);
- ours: ``push_tasks`` into a new project (validation, batched import) and
  ``pull_export`` (snapshot with full predictions and annotators, written to disk);
- a second ``push_tasks`` of the same directory (everything unchanged), next to
  Label Studio's own cheapest complete listing (a JSON snapshot), which it needs.

Prints the medians and our overhead over Label Studio's own time (goal: < 20%),
and whether the second push stays under 10 s.

Usage::

    python benchmarks/studio_bench.py [--tasks 10000] [--repeat 3] [--work-dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from checkworthy.builder import studio  # noqa: E402
from checkworthy.builder.labelstudio import connect, pull_export, push_tasks, read_task_dir  # noqa: E402
from checkworthy.schemas import FROM_NAME, TO_NAME, load_scheme  # noqa: E402


def write_task_dir(folder: Path, n: int) -> None:
    """``n`` schema-valid tasks, 50 per article, with a ~2 kB context and a prediction each."""
    folder.mkdir(parents=True, exist_ok=True)
    labels = load_scheme("claimbuster").names
    tasks = []
    for i in range(n):
        sentence = f"Sentence {i}: the budget grew by {i % 97} percent in {1990 + i % 30}."
        digest = hashlib.sha256(sentence.encode()).hexdigest()
        article = f"bench-{i // 50}"
        tasks.append({
            "data": {"sentence_id": f"{article}:{digest[:12]}", "article_id": article, "sentence": sentence,
                     "text_sha256": digest, "headline": f"Headline of {article}",
                     "context_before": ("Earlier text. " * 72)[:1000], "context_after": ("Later text. " * 84)[:1000],
                     "passage": f"<p>Earlier text. <mark>{sentence}</mark> Later text.</p>",
                     "article": f"<p>{('Earlier text. ' * 72)[:1000]}<mark>{sentence}</mark> {('Later text. ' * 84)[:1000]}</p>"},
            "meta": {"scheme": "claimbuster", "start": 0, "end": len(sentence), "index": i % 50,
                     "score": round((i % 100) / 100, 2), "reason": "benchmark"},
            "predictions": [{"model_version": "bench-1", "score": 0.5, "result": [
                {"from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices", "value": {"choices": [labels[i % 3]]}}]}],
        })
    (folder / "tasks.json").write_text(json.dumps(tasks), encoding="utf-8")
    (folder / "label_config.xml").write_text(load_scheme("claimbuster").label_config(), encoding="utf-8")


def ls_snapshot(client, project_id: int) -> bytes:
    """Label Studio's cheapest complete listing: a JSON snapshot with full predictions."""
    export = client.projects.exports.create(
        id=project_id, title="bench", annotation_filter_options={"usual": True, "ground_truth": True, "skipped": True},
        serialization_options={"predictions": {"only_id": False}, "drafts": {"only_id": True}})
    data = b"".join(client.projects.exports.download(id=project_id, export_pk=export.id, export_type="JSON"))
    client.projects.exports.delete(id=project_id, export_pk=export.id)
    return data


CPU: dict[str, list[float]] = {}


def timed(function, *args, cpu: str | None = None, **kwargs) -> float:
    """Wall seconds of one call; with ``cpu``, also record this process's CPU seconds under that name."""
    start, start_cpu = time.perf_counter(), time.process_time()
    function(*args, **kwargs)
    if cpu:
        CPU.setdefault(cpu, []).append(time.process_time() - start_cpu)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work-dir", help="where the studio and files go (default: a temporary dir)")
    args = parser.parse_args(argv)

    work = Path(args.work_dir or tempfile.mkdtemp(prefix="studio-bench-"))
    task_dir = work / "tasks"
    write_task_dir(task_dir, args.tasks)
    state = studio.start(work / "studio", port=0)
    try:
        connection = connect(state["url"], token_file=state["token_file"])
        client = connection.client()
        config = (task_dir / "label_config.xml").read_text()
        times: dict[str, list[float]] = {
            key: [] for key in ("ls_import", "ls_export", "ls_snapshot", "push", "pull", "push_again")}
        for run in range(args.repeat):
            raw = json.loads((task_dir / "tasks.json").read_text())
            project = client.projects.create(title=f"ls-alone-{run}", label_config=config)
            times["ls_import"].append(timed(client.projects.import_tasks, id=project.id, request=raw))
            times["ls_export"].append(timed(lambda: b"".join(client.projects.exports.download_sync(
                id=project.id, export_type="JSON", download_all_tasks=True))))
            times["ls_snapshot"].append(timed(ls_snapshot, client, project.id))
            client.projects.delete(id=project.id)

            # Ours, from the files on disk, as the CLI does it, into a new project.
            title = f"ours-{run}-{time.time_ns()}"
            times["push"].append(timed(lambda: push_tasks(read_task_dir(task_dir), title, connection=connection),
                                       cpu="push"))
            times["pull"].append(timed(pull_export, title, work / "export.json", connection=connection, cpu="pull"))
            again = []
            times["push_again"].append(timed(lambda: again.append(
                push_tasks(read_task_dir(task_dir), title, connection=connection)), cpu="push_again"))
            if (again[0].created, again[0].updated, again[0].unchanged) != (0, 0, args.tasks):
                raise SystemExit(f"second push changed something: {again[0].summary()}")
            client.projects.delete(id=again[0].project_id)
            print(f"run {run + 1}/{args.repeat}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()), flush=True)
    finally:
        studio.stop(work / "studio")

    median = {key: statistics.median(values) for key, values in times.items()}
    ls_total, ours_total = median["ls_import"] + median["ls_export"], median["push"] + median["pull"]
    overhead = ours_total / ls_total - 1
    paired = statistics.median(
        (times["push"][i] + times["pull"][i]) / (times["ls_import"][i] + times["ls_export"][i]) - 1
        for i in range(args.repeat))
    cpu = {key: statistics.median(values) for key, values in CPU.items()}
    print(f"\n{args.tasks} tasks, medians of {args.repeat} run(s):")
    print(f"  Label Studio alone: import {median['ls_import']:.1f} s + export {median['ls_export']:.1f} s = {ls_total:.1f} s")
    print(f"  checkworthy:        push   {median['push']:.1f} s + pull   {median['pull']:.1f} s = {ours_total:.1f} s")
    print(f"  overhead: {overhead:+.0%} (goal < +20%): {'ok' if overhead < 0.20 else 'TOO SLOW'}; "
          f"median of the per-run overheads {paired:+.0%}")
    print(f"  our own CPU time (client side): push {cpu['push']:.1f} s, pull {cpu['pull']:.1f} s, "
          f"second push {cpu['push_again']:.1f} s")
    print(f"  second push (all unchanged): {median['push_again']:.1f} s (goal < 10 s): "
          f"{'ok' if median['push_again'] < 10 else 'TOO SLOW'}; of which Label Studio's own listing "
          f"(snapshot with predictions) {median['ls_snapshot']:.1f} s")
    return 0 if overhead < 0.20 and median["push_again"] < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
