"""A node's heartbeat goes on while its backend launches it: on Kubernetes that packs and
uploads its inputs before the job exists, which can outlast PIPEWRIGHT_NODE_LOST_SECONDS
(the reaper took such a node for lost while its first pod was being created)."""

from __future__ import annotations

import time

import pytest

from runs import executor
from runs.choices import NodeState, RunState
from runs.executor import execute_node_run
from runs.models import NodeRun, Run
from runs.submit import submit_run

pytestmark = pytest.mark.django_db(transaction=True)  # the heartbeat thread's writes are seen

SOURCE = "def run(ctx) -> dict:\n    return {'out': 1}\n"


def test_the_heartbeat_goes_on_while_the_backend_launches_the_node(
    project, owner, make_op, make_graph_pipeline, settings, monkeypatch
):
    settings.PIPEWRIGHT_HEARTBEAT_SECONDS = 0.1
    operation = make_op(project, "once", SOURCE, outputs=[("out", "int")])
    run = submit_run(make_graph_pipeline(project, {"once": operation}), {"name": "slow launch"}, owner)
    Run.objects.filter(pk=run.pk).update(state=RunState.RUNNING)
    node = run.node_runs.get()
    NodeRun.objects.filter(pk=node.pk).update(state=NodeState.QUEUED)
    beats_during_launch = []
    real_run_compute = executor.run_compute

    def slow_backend(run, storage):
        backend = real_run_compute(run, storage)
        real_launch = backend.launch

        def launch(spec, on_wait=None):
            claimed_at = NodeRun.objects.get(pk=node.pk).heartbeat_at
            time.sleep(1.0)  # a long upload of the inputs, say
            beaten_at = NodeRun.objects.get(pk=node.pk).heartbeat_at
            assert claimed_at is not None and beaten_at is not None
            beats_during_launch.append(beaten_at > claimed_at)
            return real_launch(spec, on_wait=on_wait)

        monkeypatch.setattr(backend, "launch", launch)
        return backend

    monkeypatch.setattr(executor, "run_compute", slow_backend)

    execute_node_run(node.pk, task_id="task-1", run_id=run.pk, worker="here@host")

    assert beats_during_launch == [True]
    node.refresh_from_db()
    assert node.state == NodeState.SUCCEEDED, node.error
