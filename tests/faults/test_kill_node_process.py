"""`kill -9` of a node's own process: the watcher sees it at once; the node fails
saying it was killed, or runs again when its retry policy allows, and the run ends
(docs/engine.md, "Faults")."""

from __future__ import annotations

import os
import re
import signal
import time

import pytest

from runs.choices import NodeState, RunState
from runs.models import NodeRun
from runs.submit import submit_run
from tests.faults.figures import record
from tests.fixtures.engine import wait_for, wait_for_run

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# The watcher notices an exit through the process's pidfd: well within this, even on a busy machine.
DETECTION_BOUND_SECONDS = 15.0

LONG = """
import os, time
def run(ctx, marker: str) -> dict:
    first = not os.path.exists(marker)
    open(marker, "a").close()
    print(f"node pid {os.getpid()}", flush=True)
    time.sleep(60 if first else 0)
    return {"out": 1}
"""


@pytest.fixture
def long_nodes(project, make_op, make_graph_pipeline, tmp_path, long_variant):
    """Pipelines of one long node each: one, or three at once in the long variant."""
    long = make_op(project, "long", LONG, outputs=[("out", "int")], params=[("marker", "str", "")])
    return [
        make_graph_pipeline(
            project, {"long": long}, name=f"Long {i}", params={"long": {"marker": str(tmp_path / f"ran-{i}")}}
        )
        for i in range(3 if long_variant else 1)
    ]


def kill_the_node_process(node_run: NodeRun) -> float:
    def printed_pid():
        found = re.search(r"node pid (\d+)", NodeRun.objects.get(pk=node_run.pk).log)
        return int(found.group(1)) if found else None

    pid = wait_for(printed_pid, timeout=60, what="the node to print its pid")
    os.kill(pid, signal.SIGKILL)
    return time.monotonic()


def test_a_node_whose_process_is_killed_fails_saying_so_and_the_run_ends(celery_worker, long_nodes, owner):
    for pipeline in long_nodes:
        # given a run whose node runs for a minute, without retries
        run = submit_run(pipeline, {"name": "killed node"}, owner)
        node = run.node_runs.get()
        # when its process is killed with SIGKILL
        killed_at = kill_the_node_process(node)
        # then the node fails within the bound, saying it was killed, and the run ends
        run = wait_for_run(run, timeout=DETECTION_BOUND_SECONDS)
        record("kill -9 of a node's process", "node failed after", time.monotonic() - killed_at)
        assert time.monotonic() - killed_at < DETECTION_BOUND_SECONDS
        node.refresh_from_db()
        assert run.state == RunState.FAILED
        assert node.state == NodeState.FAILED
        assert node.exit_code == -9
        assert node.error.startswith("killed by signal 9 (SIGKILL)"), node.error
        assert node.attempt == 1


def test_killed_nodes_with_a_retry_left_run_again_to_success(celery_worker, long_nodes, owner):
    # given runs of the same node with one retry allowed, at the same time
    retry = {"count": 1, "backoff_seconds": 0}
    runs = [
        submit_run(pipeline, {"name": "killed, retried", "retry": retry}, owner) for pipeline in long_nodes
    ]
    # when each first attempt's process is killed
    killed_at = [kill_the_node_process(run.node_runs.get()) for run in runs]
    # then each second attempt runs (the first is certainly over: its exit was seen) and succeeds
    for run, killed in zip(runs, killed_at, strict=True):
        run = wait_for_run(run, timeout=60)
        record("kill -9 of a node's process", "retried node done after", time.monotonic() - killed)
        node = run.node_runs.get()
        assert run.state == RunState.SUCCEEDED, (node.state, node.error)
        assert node.attempt == 2
        assert run.events.filter(payload__error__startswith="killed by signal 9").exists()
