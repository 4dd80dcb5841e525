"""Container tasks on the local backend: the worker runs the task's command itself, as a
subprocess without a shell, with placeholders and processing variables filled in
(runtime/container.py, docs/engine.md "Container tasks"). A real Celery worker runs them."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest

from editor.models import Operation
from editor.operations import create_operation_version
from runs.choices import NodeState, RunState
from runs.models import RunEvent
from runs.submit import submit_run
from tests.fixtures.engine import wait_for_run

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Shell metacharacters: they must reach the command as one argv item, never through a shell.
NASTY = 'a b; touch /tmp/pw-pwned $(echo x) | "q" `id` > out'

WRITE = (
    'printf "%s" "$PW_PARAM_WORD" > "{{greeting}}"; echo 3 > "{{count}}"; '
    'echo "${TASK_ID}" > "${RUN_PATH}/first.txt"; echo "first task ${TASK_ID} ran"'
)

READ = """
import json, os, sys
greeting, count, run_path, work_path, task_id, report, word = sys.argv[1:]
result = {
    "greeting": open(greeting).read(),
    "count": json.load(open(count)),
    "run_path": run_path,
    "first": open(os.path.join(run_path, "first.txt")).read().strip(),
    "config": open(os.path.join(work_path, "configs", "x.yaml")).read(),
    "work_path": work_path,
    "task_id": task_id,
    "word": word,
    "env_word": os.environ["PW_PARAM_WORD"],
    "cwd": os.getcwd(),
    "argc": len(sys.argv),
}
print("second task read", result["greeting"], flush=True)
with open(report, "w") as out:
    json.dump(result, out)
"""


def container_op(project: Any, slug: str, content: dict[str, Any]) -> Operation:
    operation = Operation.objects.create(project=project, name=slug.title(), slug=slug)
    create_operation_version(operation, {"kind": "container", "image": "python:3.11-slim", **content})
    return operation


@pytest.fixture
def two_tasks(project: Any, make_graph_pipeline: Any) -> Any:
    write = container_op(
        project,
        "write",
        {
            "command": ["sh", "-c", WRITE],
            "outputs": [{"name": "greeting", "type": "file"}, {"name": "count", "type": "int"}],
            "parameters": [{"name": "word", "type": "str", "default": "hello"}],
        },
    )
    read = container_op(
        project,
        "read",
        {
            "command": ["python3", "-c", READ],
            "args": [
                "{{greeting}}",
                "{{count}}",
                "${RUN_PATH}",
                "${WORK_PATH}",
                "${TASK_ID}",
                "{{report}}",
                "{{word}}",
            ],
            "inputs": [{"name": "greeting", "type": "file"}, {"name": "count", "type": "int"}],
            "outputs": [{"name": "report", "type": "json"}],
            "parameters": [{"name": "word", "type": "str", "default": ""}],
        },
    )
    pipeline = make_graph_pipeline(
        project,
        {"first": write, "second": read},
        ["first.greeting -> second.greeting", "first.count -> second.count"],
        name="Container Tasks",
        params={"first": {"word": "bonjour"}, "second": {"word": NASTY}},
    )
    pipeline.graph["files"] = [
        {"path": "configs/x.yaml", "content": base64.b64encode(b"threshold: 0.5\n").decode()}
    ]
    pipeline.save()
    return pipeline


def test_two_container_tasks_run_as_subprocesses_sharing_the_run_path(celery_worker, owner, two_tasks):
    # given a pipeline of two container tasks, the second reading what the first wrote
    # when it runs on the local backend
    run = wait_for_run(submit_run(two_tasks, {"name": "local"}, owner), timeout=90)

    # then both ran, and the second task's report says what it saw
    nodes = {node.node_id: node for node in run.node_runs.all()}
    assert run.state == RunState.SUCCEEDED, {k: (n.error, n.log[-600:]) for k, n in nodes.items()}
    report = nodes["second"].outputs["report"]["value"]
    assert report["greeting"] == "bonjour"  # a parameter, through PW_PARAM_WORD
    assert report["count"] == 3  # an int output read back as JSON, fed as a file of JSON
    assert nodes["second"].outputs["report"]["type"] == "json"
    # ${TASK_ID} is <run id>-<node id>, and ${RUN_PATH} is the same folder for both tasks
    assert report["task_id"] == f"{run.pk}-second"
    assert report["first"] == f"{run.pk}-first"
    assert Path(report["run_path"]).parts[-2:] == ("workspaces", f"run-{run.pk}")
    # ${WORK_PATH} is <root>/<pipeline slug>, holding the pipeline's files
    assert Path(report["work_path"]).parts[-2:] == ("pipelines", "container-tasks")
    assert report["config"] == "threshold: 0.5\n"
    # the working directory is the node's work dir
    assert Path(report["cwd"]).parts[-2:] == ("second", str(nodes["second"].attempt))
    # the logs of the commands are the nodes' logs
    assert f"first task {run.pk}-first ran" in nodes["first"].log
    assert "second task read bonjour" in nodes["second"].log
    assert "[pipewright] running python3 -c" in nodes["second"].log


def test_shell_metacharacters_in_a_parameter_reach_the_command_as_one_argument(
    celery_worker, owner, two_tasks
):
    # given a parameter full of shell syntax (the fixture's `second.word`)
    # when the pipeline runs
    run = wait_for_run(submit_run(two_tasks, {"name": "nasty"}, owner), timeout=90)

    # then the command got it as one argv item, untouched, and as its environment variable
    assert run.state == RunState.SUCCEEDED
    report = run.node_runs.get(node_id="second").outputs["report"]["value"]
    assert report["word"] == NASTY
    assert report["env_word"] == NASTY
    assert report["argc"] == 8
    assert not Path("/tmp/pw-pwned").exists()


def test_a_task_whose_command_is_not_installed_fails_saying_so(
    celery_worker, project, owner, make_graph_pipeline
):
    # given a container task whose command the worker does not have
    tool = container_op(project, "tool", {"command": ["pw-no-such-tool", "--help"]})
    pipeline = make_graph_pipeline(project, {"tool": tool}, name="Missing")

    # when it runs on the local backend
    run = wait_for_run(submit_run(pipeline, {}, owner), timeout=60)

    # then the node fails before anything starts, with what to do about it
    assert run.state == RunState.FAILED
    node = run.node_runs.get(node_id="tool")
    assert node.state == NodeState.FAILED
    assert node.error.startswith(
        "the local backend runs a container task's command on the worker itself: "
        "`pw-no-such-tool` is not installed there; "
        "run it on the kubernetes backend or install pw-no-such-tool"
    )
    assert node.attempt == 1  # a refusal: no retry


def test_a_task_that_does_not_write_an_output_fails_naming_it(
    celery_worker, project, owner, make_graph_pipeline
):
    # given a task that forgets one of its outputs
    lazy = container_op(
        project,
        "lazy",
        {
            "command": ["sh", "-c", "echo 1 > {{done}}"],
            "outputs": [{"name": "done", "type": "int"}, {"name": "model", "type": "file"}],
        },
    )
    pipeline = make_graph_pipeline(project, {"lazy": lazy}, name="Lazy")

    # when it runs
    run = wait_for_run(submit_run(pipeline, {}, owner), timeout=60)

    # then it fails, naming the output and where it should have been
    node = run.node_runs.get(node_id="lazy")
    assert node.state == NodeState.FAILED
    assert "output 'model' was not written: the command must write it to $PW_OUTPUT_DIR/model" in node.log


PROGRESS = (
    'echo "::pipewright progress 0.25"; echo "::pipewright metric loss 0.9 step=1"; '
    'echo \'{"name": "accuracy", "value": 0.5, "step": 1}\' >> "$PW_METRICS_FILE"; '
    'printf 0.5 > "$PW_PROGRESS_FILE.tmp" && mv "$PW_PROGRESS_FILE.tmp" "$PW_PROGRESS_FILE"; '
    'echo "::pipewright metric loss 0.4 step=2"; sleep 3; echo 1 > {{done}}'
)


def test_a_container_task_reports_progress_and_metrics_while_it_runs(
    celery_worker, project, owner, make_graph_pipeline
):
    # given a task that reports progress and metrics by printing marker lines and by
    # writing the files named in its environment, then works on for a while
    train = container_op(
        project, "train", {"command": ["sh", "-c", PROGRESS], "outputs": [{"name": "done", "type": "int"}]}
    )
    pipeline = make_graph_pipeline(project, {"train": train}, name="Progress")

    # when it runs, and we look while it is still running
    run = submit_run(pipeline, {}, owner)
    deadline = time.monotonic() + 60
    seen: set[str] = set()
    while time.monotonic() < deadline and not {"node_progress", "node_metrics"} <= seen:
        node = run.node_runs.get(node_id="train")
        if node.state == NodeState.RUNNING:
            seen |= set(RunEvent.objects.filter(run=run, node_id="train").values_list("kind", flat=True))
        time.sleep(0.2)
    assert node.state == NodeState.RUNNING, "the task ended before its progress was seen"
    progress = RunEvent.objects.filter(run=run, kind="node_progress").last()
    metrics = RunEvent.objects.filter(run=run, kind="node_metrics")

    # then the progress and the metrics reached the run before the end
    assert progress is not None and progress.payload["progress"] in (0.25, 0.5)
    points = [point for event in metrics for point in event.payload["points"]]
    assert ["loss", 1, 0.9] in points and ["accuracy", 1, 0.5] in points

    # and the finished node keeps every metric, the marker lines staying in its log
    run = wait_for_run(run, timeout=60)
    node = run.node_runs.get(node_id="train")
    assert run.state == RunState.SUCCEEDED, node.log
    assert node.metrics["loss"] == {"last": 0.4, "series": [[1, 0.9], [2, 0.4]]}
    assert node.metrics["accuracy"]["last"] == 0.5
    assert "::pipewright progress 0.25" in node.log


def test_the_bundle_of_a_container_task_runs_it_with_python_main_py(tmp_path, project, two_tasks):
    # given the bundle of the pipeline (what the export zips)
    import subprocess
    import sys

    from editor.pipelines import freeze_version
    from runs.bundle import render_bundle
    from runs.submit import operation_versions_for

    version, _ = freeze_version(two_tasks)
    bundle = render_bundle(version, operation_versions_for(version, latest=False))

    # when `python main.py` runs it on this machine
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, str(bundle / "main.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    # then both tasks ran, with the variables' defaults for a bundle run by hand
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((out / "second" / "outputs" / "report.json").read_text())
    assert report["greeting"] == "bonjour"
    assert report["task_id"] == "second"
    assert report["first"] == "first"
    assert report["config"] == "threshold: 0.5\n"
    assert Path(report["work_path"]) == bundle / "files" / "container-tasks"


def test_the_exported_readme_says_where_container_tasks_run(project, two_tasks):
    # given the spec of a pipeline of container tasks
    from editor.pipelines import freeze_version
    from runs.bundle import bundle_spec
    from runs.export import readme
    from runs.submit import operation_versions_for

    version, _ = freeze_version(two_tasks)
    spec = bundle_spec(version, operation_versions_for(version, latest=False))

    # when its README is written
    text = readme(spec, {})

    # then it lists the tasks and their commands, which must be installed where it runs
    assert "## Container tasks" in text
    assert "- `second`: `python3 -c" in text
    assert "must be\ninstalled here" in text
