"""A pipeline imported from YAML runs on the local backend: ordering-only `depends`, a shared
port, processing variables and a config file beside main.yml under ${WORK_PATH}."""

import pytest

from editor.yaml_pipelines import import_files
from runs.choices import RunState
from runs.submit import submit_run
from tests.fixtures.engine import wait_for_run

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

MAIN = b"""
name: yaml-smoke
x-task: &task
  image: busybox:1.36
  command: [sh, -c]
tasks:
  - <<: *task
    name: prepare
    args: ['cat "${WORK_PATH}/configs/greeting.txt" > "${RUN_PATH}/greeting"']
  - <<: *task
    name: shout
    depends: [prepare]
    args: ['tr a-z A-Z < "${RUN_PATH}/greeting" > "{{loud}}"; echo "${TASK_ID}" >> "{{loud}}"']
    outputs: [loud]
  - <<: *task
    name: count
    depends: [shout]
    inputs: [loud]
    args: ['wc -l < "{{loud}}" > "{{lines}}"']
    outputs: [{name: lines, type: int}]
"""


def test_an_imported_yaml_pipeline_runs_locally_in_dependency_order(celery_worker, project, teammate):
    pipeline, _ = import_files(project, {"main.yml": MAIN, "configs/greeting.txt": b"hello\n"}, teammate)

    run = wait_for_run(submit_run(pipeline, {"name": "from yaml"}, teammate), timeout=120)

    assert run.state == RunState.SUCCEEDED, [(n.node_id, n.error) for n in run.node_runs.all()]
    nodes = {node.node_id: node for node in run.node_runs.all()}
    prepared, shouted = nodes["prepare"].finished_at, nodes["shout"].started_at
    assert prepared is not None and shouted is not None and prepared <= shouted  # ordering only
    assert nodes["count"].outputs["lines"]["value"] == 2
    loud = nodes["shout"]
    from editor.artifacts import open_artifact
    from editor.models import Artifact

    with open_artifact(Artifact.objects.get(pk=loud.outputs["loud"]["artifact"])) as stored:
        assert stored.read().decode() == f"HELLO\n{run.pk}-shout\n"
