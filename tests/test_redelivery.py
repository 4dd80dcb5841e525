"""The broker gives a node's task back while it runs (its worker died; or only the
worker's connection dropped, or Redis's visibility timeout passed under a long node):
a copy delivered while the attempt still beats leaves it alone; one delivered after it
fell silent claims the node again if its operation is idempotent, else fails it
(docs/engine.md, "Crash safety")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from runs.choices import NodeState, RunState
from runs.executor import claim
from runs.models import NodeRun, Run
from runs.submit import submit_run

pytestmark = pytest.mark.django_db  # one transaction a test: nothing is sent to a worker

SOURCE = "def run(ctx) -> dict:\n    return {'out': 1}\n"


@pytest.fixture
def running_node(project, owner, make_op, make_graph_pipeline):
    """The node of a one-node run, claimed by the task `task-1` (running, attempt 1)."""

    def start(idempotent: bool) -> NodeRun:
        operation = make_op(project, "once", SOURCE, outputs=[("out", "int")], idempotent=idempotent)
        run = submit_run(make_graph_pipeline(project, {"once": operation}), {"name": "redelivered"}, owner)
        # as the scheduler leaves them once the task is sent (here it is not: one transaction)
        Run.objects.filter(pk=run.pk).update(state=RunState.RUNNING)
        NodeRun.objects.filter(run=run).update(state=NodeState.QUEUED)
        node = run.node_runs.get()
        claimed = claim(node.pk, "task-1", run.pk, worker="first@host")
        assert claimed is not None and claimed.attempt == 1
        return NodeRun.objects.get(pk=node.pk)

    return start


def fall_silent(node: NodeRun, settings) -> None:
    silent_for = settings.PIPEWRIGHT_NODE_LOST_SECONDS + 1
    NodeRun.objects.filter(pk=node.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=silent_for))


@pytest.mark.parametrize("idempotent", [False, True])
def test_a_copy_delivered_while_the_attempt_beats_leaves_it_running(running_node, idempotent):
    node = running_node(idempotent)
    # when the broker delivers the same task again while the attempt's heartbeat is fresh
    assert claim(node.pk, "task-1", node.run_id, worker="second@host") is None
    # then the attempt goes on as it was: not failed, not started a second time
    node.refresh_from_db()
    assert node.state == NodeState.RUNNING
    assert (node.attempt, node.worker, node.error) == (1, "first@host", "")
    assert node.run.state == RunState.RUNNING


def test_a_copy_delivered_after_the_attempt_fell_silent_fails_a_node_not_idempotent(running_node, settings):
    node = running_node(False)
    fall_silent(node, settings)
    assert claim(node.pk, "task-1", node.run_id, worker="second@host") is None
    node.refresh_from_db()
    assert node.state == NodeState.FAILED
    assert node.error.startswith("worker lost: its task was delivered again (attempt 1, worker first@host)")
    assert "not marked idempotent" in node.error
    assert node.run.state == RunState.FAILED


def test_a_copy_delivered_after_the_attempt_fell_silent_runs_an_idempotent_node_again(running_node, settings):
    node = running_node(True)
    fall_silent(node, settings)
    claimed = claim(node.pk, "task-1", node.run_id, worker="second@host")
    assert claimed is not None
    node.refresh_from_db()
    assert node.state == NodeState.RUNNING
    assert (node.attempt, node.worker) == (2, "second@host")
