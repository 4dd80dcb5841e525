"""The execution engine with a real Celery worker process, a real Redis and real subprocesses."""

from __future__ import annotations

import os
import re

import pytest

from editor.operations import create_operation_version
from runs.choices import NodeState, RunState
from runs.controls import cancel_run
from runs.models import NodeRun
from runs.scheduler import advance
from runs.submit import rerun, submit_run
from tests.fixtures.engine import wait_for, wait_for_run

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EMIT = """
import time
def run(ctx, value: int, seconds: float) -> dict:
    time.sleep(seconds)
    return {"out": value}
"""
ADD = """
def run(ctx, a: int, b: int) -> dict:
    print(f"adding {a} and {b}")
    return {"sum": a + b}
"""
FAIL = """
def run(ctx, x: int) -> dict:
    raise RuntimeError(f"bad input {x}")
"""
SLOW = """
import os, time
def run(ctx, seconds: float) -> dict:
    print(f"pid {os.getpid()}", flush=True)
    time.sleep(seconds)
    return {"out": 1}
"""
FLAKY = """
import os
def run(ctx, marker: str) -> dict:
    if not os.path.exists(marker):
        open(marker, "w").close()
        raise RuntimeError("first attempt fails on purpose")
    return {"out": 7}
"""


@pytest.fixture
def ops(project, make_op):
    return {
        "emit": make_op(
            project,
            "emit",
            EMIT,
            outputs=[("out", "int")],
            params=[("value", "int", 1), ("seconds", "float", 0.0)],
        ),
        "add": make_op(project, "add", ADD, inputs=[("a", "int"), ("b", "int")], outputs=[("sum", "int")]),
        "fail": make_op(project, "fail", FAIL, inputs=[("x", "int")], outputs=[("y", "int")]),
        "slow": make_op(project, "slow", SLOW, outputs=[("out", "int")], params=[("seconds", "float", 30.0)]),
        "flaky": make_op(project, "flaky", FLAKY, outputs=[("out", "int")], params=[("marker", "str", "")]),
    }


def states(run):
    return {nr.node_id: nr.state for nr in run.node_runs.all()}


def test_parallel_branches_overlap_in_time_and_join(celery_worker, project, owner, ops, make_graph_pipeline):
    # given two 1.5 s branches feeding one join
    pipeline = make_graph_pipeline(
        project,
        {"left": ops["emit"], "right": ops["emit"], "join": ops["add"]},
        ["left.out -> join.a", "right.out -> join.b"],
        params={"left": {"value": 2, "seconds": 1.5}, "right": {"value": 3, "seconds": 1.5}},
    )
    # when
    run = wait_for_run(submit_run(pipeline, {"name": "overlap"}, owner))
    # then
    assert run.state == RunState.SUCCEEDED, states(run)
    left, right, join = (run.node_runs.get(node_id=n) for n in ("left", "right", "join"))
    assert left.started_at and left.finished_at and right.started_at and right.finished_at
    assert left.started_at < right.finished_at and right.started_at < left.finished_at, (
        "branches ran one after the other"
    )
    assert join.outputs["sum"]["value"] == 5
    assert "adding 2 and 3" in join.log
    assert run.events.filter(kind="run_state", payload__state="succeeded").exists()


def test_a_failing_node_fails_with_its_traceback_and_skips_downstream(
    celery_worker, project, owner, ops, make_graph_pipeline
):
    pipeline = make_graph_pipeline(
        project,
        {"src": ops["emit"], "bad": ops["fail"], "after": ops["add"], "side": ops["emit"]},
        ["src.out -> bad.x", "bad.y -> after.a", "src.out -> after.b"],
    )
    run = wait_for_run(submit_run(pipeline, {}, owner))
    assert run.state == RunState.FAILED
    assert states(run) == {"src": "succeeded", "bad": "failed", "after": "skipped", "side": "succeeded"}
    bad = run.node_runs.get(node_id="bad")
    assert "RuntimeError: bad input 1" in bad.log and "Traceback" in bad.log
    assert "RuntimeError: bad input 1" in bad.error
    assert run.node_runs.get(node_id="after").error == "upstream node bad failed"
    assert "bad" in run.error


def test_cancel_kills_the_running_process_and_marks_the_rest(
    celery_worker, project, owner, ops, make_graph_pipeline
):
    pipeline = make_graph_pipeline(
        project,
        {"slow": ops["slow"], "next": ops["add"], "other": ops["emit"]},
        ["slow.out -> next.a", "other.out -> next.b"],
    )
    run = submit_run(pipeline, {"cache": False}, owner)
    slow = run.node_runs.get(node_id="slow")
    log = wait_for(
        lambda: re.search(r"pid (\d+)", NodeRun.objects.get(pk=slow.pk).log), what="the node's pid"
    )
    pid = int(log.group(1))
    # when
    assert cancel_run(run.pk)
    # then
    run = wait_for_run(run)
    assert run.state == RunState.CANCELLED
    assert states(run)["slow"] == "cancelled" and states(run)["next"] == "cancelled"

    def gone() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    wait_for(gone, timeout=10, what=f"process {pid} to be killed")


def test_a_retry_policy_runs_a_failed_node_again(
    celery_worker, project, owner, ops, make_graph_pipeline, tmp_path
):
    marker = str(tmp_path / "attempted")
    pipeline = make_graph_pipeline(project, {"flaky": ops["flaky"]}, params={"flaky": {"marker": marker}})
    run = wait_for_run(submit_run(pipeline, {"retry": {"count": 1, "backoff_seconds": 0.2}}, owner))
    flaky = run.node_runs.get(node_id="flaky")
    assert run.state == RunState.SUCCEEDED
    assert flaky.attempt == 2
    assert run.events.filter(node_id="flaky", payload__state="queued", payload__retry_in=0.2).exists()


def test_without_retries_the_same_failure_fails_the_run(
    celery_worker, project, owner, ops, make_graph_pipeline, tmp_path
):
    pipeline = make_graph_pipeline(
        project, {"flaky": ops["flaky"]}, params={"flaky": {"marker": str(tmp_path / "m")}}
    )
    run = wait_for_run(submit_run(pipeline, {}, owner))
    assert run.state == RunState.FAILED
    assert run.node_runs.get().attempt == 1


def test_an_unchanged_node_is_a_cache_hit_unless_caching_is_off(
    celery_worker, project, owner, ops, make_graph_pipeline
):
    pipeline = make_graph_pipeline(
        project, {"a": ops["emit"], "b": ops["emit"], "sum": ops["add"]}, ["a.out -> sum.a", "b.out -> sum.b"]
    )
    first = wait_for_run(submit_run(pipeline, {"name": "first"}, owner))
    second = wait_for_run(submit_run(pipeline, {"name": "second"}, owner))
    third = wait_for_run(submit_run(pipeline, {"name": "third", "cache": False}, owner))
    changed = wait_for_run(submit_run(pipeline, {"name": "changed", "params": {"b": {"value": 5}}}, owner))
    assert first.state == second.state == third.state == changed.state == RunState.SUCCEEDED
    assert set(states(second).values()) == {"cached"}
    assert second.node_runs.get(node_id="sum").outputs == first.node_runs.get(node_id="sum").outputs
    assert set(states(third).values()) == {"succeeded"}
    assert states(changed) == {"a": "cached", "b": "succeeded", "sum": "succeeded"}
    assert changed.node_runs.get(node_id="sum").outputs["sum"]["value"] == 6


def test_a_debug_rerun_takes_edited_code_and_reuses_unchanged_upstream(
    celery_worker, project, owner, ops, make_graph_pipeline
):
    pipeline = make_graph_pipeline(
        project, {"a": ops["emit"], "b": ops["emit"], "sum": ops["add"]}, ["a.out -> sum.a", "b.out -> sum.b"]
    )
    first = wait_for_run(submit_run(pipeline, {"name": "dbg", "debug": True}, owner))
    assert first.node_runs.get(node_id="sum").outputs["sum"]["value"] == 2
    # when the join's code is edited
    version = ops["add"].versions.get()
    create_operation_version(
        ops["add"],
        {"source": ADD.replace("a + b", "a * 10 + b"), "inputs": version.inputs, "outputs": version.outputs},
    )
    again = wait_for_run(rerun(first, owner))
    # then
    assert again.name == "dbg_2"
    assert states(again) == {"a": "cached", "b": "cached", "sum": "succeeded"}
    assert again.node_runs.get(node_id="sum").outputs["sum"]["value"] == 11
    # and a normal run's re-run keeps the frozen code
    normal = wait_for_run(
        submit_run(pipeline, {"name": "normal", "pipeline_version": first.pipeline_version_id}, owner)
    )
    normal_again = wait_for_run(rerun(normal, owner))
    assert normal_again.node_runs.get(node_id="sum").outputs["sum"]["value"] == 2


def test_run_until_a_node_runs_only_what_it_needs(celery_worker, project, owner, ops, make_graph_pipeline):
    pipeline = make_graph_pipeline(
        project,
        {"a": ops["emit"], "b": ops["emit"], "sum": ops["add"], "lone": ops["emit"]},
        ["a.out -> sum.a", "b.out -> sum.b"],
    )
    run = wait_for_run(submit_run(pipeline, {"until": "sum"}, owner))
    assert states(run) == {"a": "succeeded", "b": "succeeded", "sum": "succeeded", "lone": "skipped"}
    assert run.state == RunState.SUCCEEDED
    only = wait_for_run(submit_run(pipeline, {"nodes": ["lone"], "cache": False}, owner))
    assert states(only) == {"a": "skipped", "b": "skipped", "sum": "skipped", "lone": "succeeded"}


def test_a_gpu_node_without_gpus_or_fallback_fails_before_launch(
    celery_worker, project, owner, make_op, make_graph_pipeline
):
    gpu_only = make_op(
        project,
        "gpu_only",
        EMIT,
        outputs=[("out", "int")],
        params=[("value", "int", 1), ("seconds", "float", 0.0)],
        resources={"gpus": 1, "cpu_fallback": False},
    )
    run = wait_for_run(submit_run(make_graph_pipeline(project, {"g": gpu_only}), {}, owner))
    node = run.node_runs.get()
    assert node.state == NodeState.FAILED
    assert "needs 1 GPU(s) and this machine has 0" in node.error
    assert node.exit_code is None  # never launched


def test_a_node_over_its_timeout_is_stopped(celery_worker, project, owner, ops, make_graph_pipeline):
    run = wait_for_run(
        submit_run(make_graph_pipeline(project, {"slow": ops["slow"]}), {"timeout_seconds": 1}, owner)
    )
    node = run.node_runs.get()
    assert node.state == NodeState.FAILED
    assert "timed out after 1 s" in node.error


def test_a_worker_killed_mid_node_ends_in_a_retried_node_never_a_stuck_run(
    celery_worker, project, owner, make_op, make_graph_pipeline
):
    # given a node of an idempotent operation that runs for 2 s, with one retry allowed
    # (one not marked idempotent is failed instead: tests/faults/test_kill_worker.py)
    slow = make_op(
        project, "slow", SLOW, outputs=[("out", "int")], params=[("seconds", "float", 30.0)], idempotent=True
    )
    pipeline = make_graph_pipeline(project, {"slow": slow}, params={"slow": {"seconds": 2.0}})
    run = submit_run(pipeline, {"retry": {"count": 1, "backoff_seconds": 0}}, owner)
    slow = run.node_runs.get()
    wait_for(lambda: "pid" in NodeRun.objects.get(pk=slow.pk).log, what="the node to start")
    # when the whole worker dies at once
    celery_worker.kill_hard()
    celery_worker.start()
    # then the reaper notices the silence and the node runs again to success
    run = wait_for_run(run, timeout=60)
    slow.refresh_from_db()
    assert run.state == RunState.SUCCEEDED, (slow.state, slow.error)
    assert slow.attempt == 2
    assert run.events.filter(payload__error__startswith="worker lost").exists()


def test_lost_task_messages_are_sent_again_never_a_stuck_run(
    celery_worker, project, owner, ops, make_graph_pipeline, monkeypatch
):
    # given a run whose first message (advance) and first node message are both lost,
    # as when the broker restarts without its data
    from runs import tasks

    pipeline = make_graph_pipeline(
        project, {"left": ops["emit"]}, params={"left": {"value": 7, "seconds": 0}}
    )
    with monkeypatch.context() as lost:
        lost.setattr(tasks.advance_run, "delay", lambda *args: None)
        run = submit_run(pipeline, {"name": "lost"}, owner)
        lost.setattr(tasks.execute_node, "apply_async", lambda *args, **kwargs: None)
        advance(run.pk)
    assert run.node_runs.get().state == NodeState.QUEUED
    # then the reaper sends the node again once it has waited PIPEWRIGHT_REQUEUE_SECONDS (3 s here)
    run = wait_for_run(run, timeout=30)
    assert run.state == RunState.SUCCEEDED, states(run)
    assert run.node_runs.get().outputs["out"]["value"] == 7


def test_a_run_whose_first_message_is_lost_is_started_by_the_reaper(
    celery_worker, project, owner, ops, make_graph_pipeline, monkeypatch
):
    from runs import tasks

    pipeline = make_graph_pipeline(
        project, {"left": ops["emit"]}, params={"left": {"value": 5, "seconds": 0}}
    )
    with monkeypatch.context() as lost:
        lost.setattr(tasks.advance_run, "delay", lambda *args: None)
        run = submit_run(pipeline, {"name": "never advanced"}, owner)
    assert run.state == RunState.PENDING
    run = wait_for_run(run, timeout=30)
    assert run.state == RunState.SUCCEEDED, states(run)


def test_a_node_over_its_own_timeout_is_stopped(celery_worker, project, owner, ops, make_graph_pipeline):
    # given a 30 s node whose own timeout is 1 s, and no timeout in the run config
    pipeline = make_graph_pipeline(project, {"slow": ops["slow"]}, overrides={"slow": {"timeout_seconds": 1}})
    # when
    run = wait_for_run(submit_run(pipeline, {}, owner))
    # then
    node = run.node_runs.get()
    assert node.state == NodeState.FAILED
    assert "timed out after 1 s" in node.error


def test_a_node_with_its_own_retries_runs_again_without_a_run_retry_policy(
    celery_worker, project, owner, ops, make_graph_pipeline, tmp_path
):
    # given a node that fails its first attempt and allows itself one retry
    pipeline = make_graph_pipeline(
        project,
        {"flaky": ops["flaky"]},
        params={"flaky": {"marker": str(tmp_path / "attempted")}},
        overrides={"flaky": {"retries": 1, "retry_backoff_seconds": 0.2}},
    )
    # when the run config says nothing about retries
    run = wait_for_run(submit_run(pipeline, {}, owner))
    # then
    flaky = run.node_runs.get()
    assert run.state == RunState.SUCCEEDED, flaky.error
    assert flaky.attempt == 2
    assert run.events.filter(node_id="flaky", payload__state="queued", payload__retry_in=0.2).exists()


def test_a_node_asking_for_a_gpu_by_override_is_routed_to_the_gpu_queue_and_launched_so(
    celery_worker, project, owner, ops, make_graph_pipeline, monkeypatch
):
    # given a CPU operation whose node asks for one GPU, allowing CPU fallback
    from runs import tasks

    pipeline = make_graph_pipeline(
        project,
        {"cpu": ops["emit"], "gpu": ops["emit"]},
        overrides={"gpu": {"resources": {"gpus": 1, "cpu_fallback": True}}},
    )
    queues: dict[str, str] = {}
    send = tasks.execute_node.apply_async

    def recording(*args, **kwargs):
        node_run = NodeRun.objects.get(pk=kwargs["args"][0])
        queues[node_run.node_id] = kwargs["queue"]
        return send(*args, **kwargs)

    # when the run is advanced here, so that what it dispatches can be seen
    with monkeypatch.context() as seen:
        seen.setattr(tasks.advance_run, "delay", lambda *args: None)
        run = submit_run(pipeline, {"cache": False}, owner)
        seen.setattr(tasks.execute_node, "apply_async", recording)
        advance(run.pk)
    run = wait_for_run(run)
    # then the GPU node went to the gpu queue, and the worker launched it with the override
    assert queues == {"cpu": "default", "gpu": "gpu"}
    assert run.state == RunState.SUCCEEDED, states(run)
    gpu = run.node_runs.get(node_id="gpu")
    assert "asks for 1 GPU(s) but this machine has 0: running on the CPU" in gpu.log
    assert "GPU" not in run.node_runs.get(node_id="cpu").log
