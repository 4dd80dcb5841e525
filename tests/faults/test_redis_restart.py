"""Redis restarted during runs, keeping nothing (the broker's queued messages and the
channel layer's groups are gone): the runs finish from the database's state, and no
node is launched twice (docs/engine.md, "Crash safety")."""

from __future__ import annotations

import contextlib
import time

import pytest

from runs.choices import NodeState, RunState
from runs.models import NodeRun, Run
from runs.submit import submit_run
from tests.faults.broker_stack import PrivateBrokerStack
from tests.faults.figures import record
from tests.fixtures.engine import wait_for, wait_for_node_to_print, wait_for_run

ENDED = list(RunState.terminal())

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

LAUNCH = """
import os, time
def run(ctx, launches: str, name: str, seconds: float) -> dict:
    with open(launches, "a") as out:
        out.write(f"{name} {os.getpid()}\\n")
    print("started", flush=True)
    time.sleep(seconds)
    return {"out": 1}
"""
STEP = """
import os, time
def run(ctx, x: int, launches: str, name: str, seconds: float) -> dict:
    with open(launches, "a") as out:
        out.write(f"{name} {os.getpid()}\\n")
    print("started", flush=True)
    time.sleep(seconds)
    return {"out": x + 1}
"""
AFTER = """
import os
def run(ctx, x: int, launches: str, name: str) -> dict:
    with open(launches, "a") as out:
        out.write(f"{name} {os.getpid()}\\n")
    return {"out": x + 1}
"""


def two_running_runs(project, owner, make_op, make_graph_pipeline, launches):
    """Two runs of first -> second, each node noting its launch in `launches`; answered
    once both first nodes are running."""
    first = make_op(
        project,
        "first",
        LAUNCH,
        outputs=[("out", "int")],
        params=[("launches", "str", ""), ("name", "str", ""), ("seconds", "float", 3.0)],
    )
    second = make_op(
        project,
        "second",
        AFTER,
        inputs=[("x", "int")],
        outputs=[("out", "int")],
        params=[("launches", "str", ""), ("name", "str", "")],
    )
    runs = []
    for label in ("one", "two"):
        pipeline = make_graph_pipeline(
            project,
            {"first": first, "second": second},
            ["first.out -> second.x"],
            name=label,
            params={
                "first": {"launches": str(launches), "name": f"{label}.first"},
                "second": {"launches": str(launches), "name": f"{label}.second"},
            },
        )
        runs.append(submit_run(pipeline, {"name": label}, owner))
    for run in runs:
        wait_for_node_to_print(run.node_runs.get(node_id="first").pk)
    return runs


def assert_finished_each_node_launched_once(runs, launches):
    for run in runs:
        run = wait_for_run(run, timeout=90)
        assert run.state == RunState.SUCCEEDED, {n.node_id: (n.state, n.error) for n in run.node_runs.all()}
        assert run.node_runs.get(node_id="second").outputs["out"]["value"] == 2
    assert sorted(launched(launches)) == ["one.first", "one.second", "two.first", "two.second"], (
        launches.read_text()
    )


def launched(launches) -> list[str]:
    return [line.split()[0] for line in launches.read_text().splitlines()] if launches.exists() else []


def chain_runs(project, owner, make_op, make_graph_pipeline, launches, count: int, length: int) -> list[Run]:
    """`count` runs of a chain of `length` nodes (n1 -> n2 -> ...), each node noting its
    launch in `launches` and then taking a second or two."""
    first = make_op(
        project,
        "first",
        LAUNCH,
        outputs=[("out", "int")],
        params=[("launches", "str", ""), ("name", "str", ""), ("seconds", "float", 2.0)],
    )
    step = make_op(
        project,
        "step",
        STEP,
        inputs=[("x", "int")],
        outputs=[("out", "int")],
        params=[("launches", "str", ""), ("name", "str", ""), ("seconds", "float", 1.0)],
    )
    nodes = {f"n{i}": first if i == 1 else step for i in range(1, length + 1)}
    edges = [f"n{i}.out -> n{i + 1}.x" for i in range(1, length)]
    runs = []
    for index in range(count):
        label = f"r{index}"
        params = {node_id: {"launches": str(launches), "name": f"{label}.{node_id}"} for node_id in nodes}
        pipeline = make_graph_pipeline(project, nodes, edges, name=label, params=params)
        runs.append(submit_run(pipeline, {"name": label}, owner))
    return runs


def test_runs_end_clearly_across_a_broker_redis_restart(
    django_db_setup, project, owner, make_op, make_graph_pipeline, tmp_path, long_variant
):
    """The broker is a Redis of this test's own (tests/faults/broker_stack.py), with its own
    worker and beat: the suite's broker is never touched, so this runs on every pass."""
    count, length, restarts = (6, 4, 3) if long_variant else (2, 2, 1)
    launches = tmp_path / "launches"
    with PrivateBrokerStack(tmp_path / "stack") as stack:
        # given runs whose nodes are running
        runs = chain_runs(project, owner, make_op, make_graph_pipeline, launches, count, length)
        seen = 0
        for _ in range(restarts):

            def progressed(before: int = seen) -> bool:
                running = NodeRun.objects.filter(run__in=runs, state=NodeState.RUNNING)
                return len(launched(launches)) > before and running.filter(log__contains="started").exists()

            wait_for(progressed, timeout=90, what="a node launched since the last restart, running")
            seen = len(launched(launches))
            # when the broker's Redis is killed and restarts empty (its queued messages,
            # bindings and unacknowledged deliveries gone)
            stack.restart_redis_empty()
            restarted_at = time.monotonic()
            assert stack.worker_alive(), f"the worker died with the broker:\n{stack.log()[-4000:]}"

        # then every run ends from the database's state: it finishes, or its nodes fail
        # saying why; none is left pending or running, no node is left queued
        def ended_or_worker_dead() -> bool:
            unfinished = Run.objects.filter(pk__in=[r.pk for r in runs]).exclude(state__in=ENDED)
            return not stack.worker_alive() or not unfinished.exists()

        with contextlib.suppress(AssertionError):  # the next lines say what is left
            wait_for(ended_or_worker_dead, timeout=90 if long_variant else 60, what="the runs to end")
        assert stack.worker_alive(), f"the worker died with the broker:\n{stack.log()[-4000:]}"
        record(
            "Redis (broker) restarted empty",
            "runs ended after the last restart",
            time.monotonic() - restarted_at,
        )
        ended = []
        for run in runs:
            try:
                ended.append(wait_for_run(run, timeout=1))
            except AssertionError as error:
                raise AssertionError(f"{error}\nworker log:\n{stack.log()[-6000:]}") from None
    outcomes = {run.name: {n.node_id: (n.state, n.error) for n in run.node_runs.all()} for run in ended}
    for run in ended:
        nodes = {n.node_id: n for n in run.node_runs.all()}
        assert all(n.state in NodeState.terminal() for n in nodes.values()), outcomes
        if run.state != RunState.SUCCEEDED:
            failed = [n for n in nodes.values() if n.state == NodeState.FAILED]
            assert failed and all("worker lost" in n.error for n in failed), outcomes
    # and no node was launched twice
    names = launched(launches)
    assert len(names) == len(set(names)), launches.read_text()
    states = sorted(run.state for run in ended)
    print(f"{restarts} restart(s); runs: {states}; nodes launched: {len(names)}")


def test_runs_finish_across_a_channel_layer_redis_restart(
    celery_worker, channels_redis, project, owner, make_op, make_graph_pipeline, tmp_path
):
    # given two runs whose first node is running
    launches = tmp_path / "launches"
    runs = two_running_runs(project, owner, make_op, make_graph_pipeline, launches)
    # when the channel layer's Redis is killed and restarts empty
    channels_redis.stop()
    time.sleep(1)
    channels_redis.start()
    restarted_at = time.monotonic()
    # then both runs finish, every node launched once
    assert_finished_each_node_launched_once(runs, launches)
    record(
        "Redis (channel layer) restarted empty",
        "runs ended after the restart",
        time.monotonic() - restarted_at,
    )
