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
def long_node(project, make_op, make_graph_pipeline, tmp_path):
    long = make_op(project, "long", LONG, outputs=[("out", "int")], params=[("marker", "str", "")])
    return make_graph_pipeline(project, {"long": long}, params={"long": {"marker": str(tmp_path / "ran")}})


def kill_the_node_process(node_run: NodeRun) -> float:
    def printed_pid():
        found = re.search(r"node pid (\d+)", NodeRun.objects.get(pk=node_run.pk).log)
        return int(found.group(1)) if found else None

    pid = wait_for(printed_pid, timeout=60, what="the node to print its pid")
    os.kill(pid, signal.SIGKILL)
    return time.monotonic()


def test_a_node_whose_process_is_killed_fails_saying_so_and_the_run_ends(celery_worker, long_node, owner):
    # given a run whose node runs for a minute, without retries
    run = submit_run(long_node, {"name": "killed node"}, owner)
    node = run.node_runs.get()
    # when its process is killed with SIGKILL
    killed_at = kill_the_node_process(node)
    # then the node fails within the bound, saying it was killed, and the run ends
    run = wait_for_run(run, timeout=DETECTION_BOUND_SECONDS)
    assert time.monotonic() - killed_at < DETECTION_BOUND_SECONDS
    node.refresh_from_db()
    assert run.state == RunState.FAILED
    assert node.state == NodeState.FAILED
    assert node.exit_code == -9
    assert node.error.startswith("killed by signal 9 (SIGKILL)"), node.error
    assert node.attempt == 1


def test_a_killed_node_with_a_retry_left_runs_again_to_success(celery_worker, long_node, owner):
    # given the same node with one retry allowed
    retry = {"count": 1, "backoff_seconds": 0}
    run = submit_run(long_node, {"name": "killed, retried", "retry": retry}, owner)
    node = run.node_runs.get()
    # when its first attempt's process is killed
    kill_the_node_process(node)
    # then the second attempt runs (the first is certainly over: its exit was seen) and succeeds
    run = wait_for_run(run, timeout=60)
    node.refresh_from_db()
    assert run.state == RunState.SUCCEEDED, (node.state, node.error)
    assert node.attempt == 2
    assert run.events.filter(payload__error__startswith="killed by signal 9").exists()
