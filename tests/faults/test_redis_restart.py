"""Redis restarted during runs, keeping nothing (the broker's queued messages and the
channel layer's groups are gone): the runs finish from the database's state, and no
node is launched twice (docs/engine.md, "Crash safety")."""

from __future__ import annotations

import os
import subprocess
import time
from urllib.parse import urlsplit

import pytest

from runs.choices import NodeState, RunState
from runs.models import NodeRun
from runs.submit import submit_run
from tests.fixtures.engine import wait_for, wait_for_run
from tests.fixtures.processes import reset_broker_connections
from tests.plugins import services

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
AFTER = """
import os
def run(ctx, x: int, launches: str, name: str) -> dict:
    with open(launches, "a") as out:
        out.write(f"{name} {os.getpid()}\\n")
    return {"out": x + 1}
"""


def restart_the_broker_redis() -> None:
    """Kill -9 the suite's private broker Redis and start an empty one on the same port."""
    from pipewright.embedded_redis import redis_args, redis_server_binary

    process = services._started["redis"]
    process.kill()
    process.wait()
    time.sleep(1)
    port = urlsplit(os.environ["REDIS_URL"]).port or 6379
    args = redis_args(port, services._started["data_dir"] / "redis")
    args[args.index("--appendonly") + 1] = "no"
    services._started["redis"] = subprocess.Popen(
        [redis_server_binary(), *args], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    services.wait_for_port(port)
    reset_broker_connections()  # this process's own connections went with the old Redis


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
        node_pk = run.node_runs.get(node_id="first").pk

        def started(pk: int = node_pk) -> bool:
            return "started" in NodeRun.objects.get(pk=pk).log

        wait_for(started, timeout=60, what="a node to start")
    return runs


def assert_finished_each_node_launched_once(runs, launches):
    for run in runs:
        run = wait_for_run(run, timeout=90)
        assert run.state == RunState.SUCCEEDED, {n.node_id: (n.state, n.error) for n in run.node_runs.all()}
        assert run.node_runs.get(node_id="second").outputs["out"]["value"] == 2
    lines = sorted(line.split()[0] for line in launches.read_text().splitlines())
    assert lines == ["one.first", "one.second", "two.first", "two.second"], launches.read_text()


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
    # then both runs finish, every node launched once
    assert_finished_each_node_launched_once(runs, launches)


@pytest.mark.xfail(
    reason="known, open (issue 11): with the broker's Redis restarted empty, Celery 5.7 / kombu 5.7 "
    "workers can die ('Unrecoverable error: AttributeError: NoneType has no attribute hostname' "
    "under an acks_late task), and a node dispatched across the restart was seen to stay queued",
    strict=False,
)
def test_runs_end_clearly_across_a_broker_redis_restart(
    celery_worker, project, owner, make_op, make_graph_pipeline, tmp_path
):
    if "redis" not in services._started:
        pytest.skip("the suite runs against a Redis it did not start (REDIS_URL is set)")
    launches = tmp_path / "launches"
    runs = two_running_runs(project, owner, make_op, make_graph_pipeline, launches)
    try:
        # when the broker's Redis is killed and restarts empty (its queued messages gone)
        restart_the_broker_redis()
        time.sleep(3)
        # a worker the lost connection brought down (Celery 5.7 / kombu 5.7 can die with
        # "Unrecoverable error" when the connection drops under an acks_late task) is started
        # again, as its supervisor would
        for worker in (celery_worker, celery_worker.gpu_worker):
            if worker.process.poll() is not None:
                worker.stop()
                worker.start()
        # then every run ends from the database's state: it finishes, or its nodes fail
        # saying why; no node ever launched twice
        for run in runs:
            run = wait_for_run(run, timeout=120)
            nodes = {n.node_id: n for n in run.node_runs.all()}
            assert all(n.state in NodeState.terminal() for n in nodes.values())
            if run.state != RunState.SUCCEEDED:
                failed = [n for n in nodes.values() if n.state == NodeState.FAILED]
                assert failed and all("worker lost" in n.error for n in failed), {
                    k: (n.state, n.error) for k, n in nodes.items()
                }
        names = [line.split()[0] for line in launches.read_text().splitlines()]
        assert len(names) == len(set(names)), launches.read_text()
    finally:
        # never leave the session without its workers
        for worker in (celery_worker, celery_worker.gpu_worker):
            if worker.process.poll() is not None:
                worker.stop()
                worker.start()
