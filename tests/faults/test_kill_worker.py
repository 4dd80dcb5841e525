"""`kill -9` of the Celery worker running a node: the reaper notices the silence within
PIPEWRIGHT_NODE_LOST_SECONDS; a node of an idempotent operation runs again, one that
is not marked so is failed, never started a second time beside a first attempt that
may still run (docs/engine.md, "Lost workers")."""

from __future__ import annotations

import time

import pytest

from runs.choices import NodeState, RunState
from runs.submit import submit_run
from tests.faults.figures import record
from tests.fixtures.engine import wait_for_node_to_print, wait_for_run

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# The session worker's bounds (tests/fixtures/processes.py): a node is lost after 3 s
# without a heartbeat, the reaper looks every 1 s; restarting the worker takes the rest.
DETECTION_BOUND_SECONDS = 60.0

# Each attempt notes its start and end in a journal shared by all attempts, and whether
# an earlier attempt's process was still alive when it started.
JOURNAL = """
import os, time
def run(ctx, journal: str, seconds: float) -> dict:
    earlier = []
    if os.path.exists(journal):
        earlier = [int(line.split()[1]) for line in open(journal) if line.startswith("start")]
    alive = []
    for pid in earlier:
        try:
            os.kill(pid, 0)
            alive.append(pid)
        except ProcessLookupError:
            pass
    with open(journal, "a") as out:
        out.write(f"start {os.getpid()} {time.time()} alive={alive}\\n")
    print("started", flush=True)
    time.sleep(seconds if not earlier else 0)
    with open(journal, "a") as out:
        out.write(f"end {os.getpid()} {time.time()}\\n")
    return {"out": len(earlier) + 1}
"""


def journal_op(project, make_op, idempotent):
    return make_op(
        project,
        "journal",
        JOURNAL,
        outputs=[("out", "int")],
        params=[("journal", "str", ""), ("seconds", "float", 30.0)],
        idempotent=idempotent,
    )


def runs_at_once(project, owner, make_graph_pipeline, operation, journals, name):
    """One run a journal, each of one node; the retry policy allows one more attempt."""
    runs = []
    for i, journal in enumerate(journals):
        pipeline = make_graph_pipeline(
            project, {"journal": operation}, name=f"{name} {i}", params={"journal": {"journal": str(journal)}}
        )
        retry = {"count": 1, "backoff_seconds": 0}
        runs.append(submit_run(pipeline, {"name": f"{name} {i}", "retry": retry}, owner))
    return runs


def kill_the_worker_mid_node(celery_worker, runs):
    for run in runs:
        pk = run.node_runs.get().pk
        wait_for_node_to_print(pk)
    celery_worker.kill_hard()
    killed_at = time.monotonic()
    celery_worker.start()
    return killed_at


def rounds_and_runs(long_variant):
    # the long variant: three kills in a row, each under three nodes at once (the worker's concurrency)
    return (3, 3) if long_variant else (1, 1)


def test_a_lost_node_not_marked_idempotent_is_failed_never_run_twice(
    celery_worker, project, owner, make_op, make_graph_pipeline, tmp_path, long_variant
):
    operation = journal_op(project, make_op, idempotent=False)
    rounds, at_once = rounds_and_runs(long_variant)
    for round_ in range(rounds):
        # given nodes whose operation is not marked idempotent, with a retry allowed
        journals = [tmp_path / f"journal-{round_}-{i}" for i in range(at_once)]
        name = f"not idempotent {round_}"
        runs = runs_at_once(project, owner, make_graph_pipeline, operation, journals, name)

        # when the worker running them dies at once
        killed_at = kill_the_worker_mid_node(celery_worker, runs)

        # then within the bound each node is failed, saying why it was not retried, and its run ends
        for run in runs:
            run = wait_for_run(run, timeout=DETECTION_BOUND_SECONDS)
            record("kill -9 of a worker", "lost node failed after", time.monotonic() - killed_at)
            assert time.monotonic() - killed_at < DETECTION_BOUND_SECONDS
            node = run.node_runs.get()
            assert run.state == RunState.FAILED
            assert node.state == NodeState.FAILED
            assert node.error.startswith("worker lost"), node.error
            assert "not retried because its operation is not marked idempotent" in node.error
            assert node.attempt == 1
        # and each was started once only, even after the reaper's next rounds
        time.sleep(3)
        for run, journal in zip(runs, journals, strict=True):
            starts = [line for line in journal.read_text().splitlines() if line.startswith("start")]
            assert len(starts) == 1, journal.read_text()
            assert run.node_runs.get().attempt == 1


def test_a_lost_node_marked_idempotent_runs_again_never_beside_itself(
    celery_worker, project, owner, make_op, make_graph_pipeline, tmp_path, long_variant
):
    operation = journal_op(project, make_op, idempotent=True)
    rounds, at_once = rounds_and_runs(long_variant)
    for round_ in range(rounds):
        # given nodes whose operation is marked idempotent, with a retry allowed
        journals = [tmp_path / f"journal-{round_}-{i}" for i in range(at_once)]
        runs = runs_at_once(project, owner, make_graph_pipeline, operation, journals, f"idempotent {round_}")

        # when the worker running them dies at once
        killed_at = kill_the_worker_mid_node(celery_worker, runs)

        # then each node runs again to success
        for run, journal in zip(runs, journals, strict=True):
            run = wait_for_run(run, timeout=DETECTION_BOUND_SECONDS)
            record("kill -9 of a worker", "idempotent node done again after", time.monotonic() - killed_at)
            node = run.node_runs.get()
            assert run.state == RunState.SUCCEEDED, (node.state, node.error)
            assert node.attempt == 2
            assert node.outputs["out"]["value"] == 2
            # and the second attempt started only once the first one's process was gone
            lines = journal.read_text().splitlines()
            starts = [line for line in lines if line.startswith("start")]
            assert len(starts) == 2, lines
            assert starts[1].endswith("alive=[]"), lines
            assert len([line for line in lines if line.startswith("end")]) == 1  # the killed one never ended
