"""Executing one node run: claim it, launch it, watch it, store what it made.

Every execution goes through `execute_node_run`: claim (queued -> running, in
a transaction) -> prepare the work dir and inputs -> launch on the compute
backend -> watch (logs, progress, heartbeat, cancel, timeout) -> store the
outputs -> finish as succeeded, failed, or queued again for a retry. Then the
scheduler advances the run.
"""

from __future__ import annotations

import json
import logging
import shutil
import socket
import traceback
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from compute_backends.base import LaunchFailed, LaunchRefused, LaunchSpec
from credentials.resolve import BackendUnavailable
from runs.backends import run_compute, run_storage
from runs.choices import NodeState, RunState
from runs.config import ExecutionConfig
from runs.controls import NOT_IDEMPOTENT
from runs.events import Event, record_events
from runs.models import NodeRun
from runs.node_io import (
    OutputNotStored,
    bundle_for,
    bundle_nodes,
    discard_outputs,
    prepare_inputs,
    read_metrics,
    save_outputs,
    store_outputs,
    work_dir_for,
)
from runs.outage import DATABASE_ERRORS, until_the_database_answers
from runs.policy import retry_policy, timeout_for
from runs.scheduler import advance_locked, frozen_node, lock_run, node_resources
from runs.watch import LogSink, Outcome, append_log, appended, beating, watch
from runs.workspaces import prune_now_and_then
from runtime.container import pipeline_slug

logger = logging.getLogger(__name__)


# --- claim ------------------------------------------------------------------


def claim(node_run_id: int, task_id: str, run_id: int | None = None, worker: str = "") -> NodeRun | None:
    """queued -> running, or None when this delivery has nothing to do.

    A redelivered copy of the task that holds a running node means the worker
    that ran it died: the node is claimed again, as its next attempt. Unless its
    heartbeat is fresh: then the attempt still runs, and the broker only gave the
    message back (a dropped connection, or Redis's visibility timeout passed under
    a long node); the copy has nothing to do, and the reaper acts if it falls silent.
    """
    if run_id is None:
        run_id = NodeRun.objects.filter(pk=node_run_id).order_by().values_list("run_id", flat=True).first()
    if run_id is None:
        return None
    with transaction.atomic():
        run = lock_run(run_id)
        if run.state in RunState.terminal():
            return None
        # The log is only ever appended to, in the database: it can be large.
        node_run = NodeRun.objects.select_related("operation_version").defer("log").get(pk=node_run_id)
        node_run.run = run
        lost = node_run.state == NodeState.RUNNING and task_id and node_run.task_id == task_id
        if lost and _still_beating(node_run):
            logger.info("node run %s: its task was delivered again while it runs; left to it", node_run.pk)
            return None
        if lost and not node_run.operation_version.idempotent:
            reason = f"worker lost: its task was delivered again (attempt {node_run.attempt}, "
            reason += f"worker {node_run.worker}){NOT_IDEMPOTENT}"
            node_run.move_to(NodeState.FAILED, error=reason)
            node_run.save(update_fields=["state", "error", "finished_at"])
            event = ("node_state", node_run.node_id, {"state": node_run.state, "error": reason})
            advance_locked(run, changed=[node_run.node_id], events=[event])
            return None
        if lost:
            node_run.move_to(NodeState.QUEUED)
        if node_run.state != NodeState.QUEUED:
            return None
        node_run.move_to(NodeState.RUNNING)
        node_run.attempt += 1
        node_run.task_id = task_id
        node_run.worker = worker or socket.gethostname()
        node_run.exit_code = None
        node_run.error = ""
        node_run.progress = 0
        node_run.heartbeat_at = node_run.started_at
        line = f"[pipewright] attempt {node_run.attempt} on {node_run.worker}"
        node_run.log = appended(f"{line}\n")
        node_run.save()
        del node_run.log  # an expression until read again
        record_events(
            run_id,
            [
                ("node_state", node_run.node_id, {"state": node_run.state, "attempt": node_run.attempt}),
                ("node_log", node_run.node_id, {"lines": [line]}),
            ],
        )
        return node_run


def _still_beating(node_run: NodeRun) -> bool:
    """Its heartbeat is younger than the bound after which the reaper takes it as lost."""
    if node_run.heartbeat_at is None:
        return False
    age = timezone.now() - node_run.heartbeat_at
    return age < timedelta(seconds=settings.PIPEWRIGHT_NODE_LOST_SECONDS)


# --- finishing --------------------------------------------------------------------


def _last_lines(log: str, count: int = 12) -> str:
    return "\n".join(log.rstrip("\n").splitlines()[-count:])


def finish(node_run: NodeRun, outcome: Outcome, config: ExecutionConfig, sink: LogSink) -> float | None:
    """Record the outcome, with the last log lines, and advance the run in the same
    transaction; answers a retry delay in seconds when the node goes back to the queue."""
    with transaction.atomic():
        run = lock_run(node_run.run_id)
        current = NodeRun.objects.defer("log").get(pk=node_run.pk)
        events: list[Event] = []
        last_lines = sink.take(events)
        if current.state != NodeState.RUNNING or current.attempt != node_run.attempt:
            record_events(run.pk, events)
            append_log(current.pk, last_lines)
            transaction.on_commit(partial(discard_outputs, outcome.stored))
            return None  # cancelled, or taken over by a later attempt: its result is not ours to write
        if last_lines:
            current.log = appended(last_lines)
        current.exit_code = outcome.exit_code
        current.metrics = outcome.metrics or current.metrics
        delay = None
        if outcome.ok:
            current.outputs = save_outputs(outcome.stored)
            current.progress = 1.0
            current.move_to(NodeState.SUCCEEDED)
            state: dict[str, Any] = {"state": current.state, "outputs": _summary(current.outputs)}
        else:
            policy = retry_policy(config, frozen_node(node_run))
            logged = NodeRun.objects.filter(pk=current.pk).values_list("log", flat=True).get()
            tail = _last_lines(logged + last_lines)
            detail = f"{outcome.error}\n{tail}" if tail and not outcome.cancelled else outcome.error
            if outcome.retryable and current.attempt <= policy.count:
                delay = policy.backoff_seconds * (2 ** (current.attempt - 1))
                current.move_to(NodeState.QUEUED)
                current.error = detail
            else:
                current.move_to(NodeState.FAILED, error=detail)
            state = {"state": current.state, "error": outcome.error}
            if delay is not None:
                state.update(retry_in=delay, attempt=current.attempt)
        current.save()
        events.append(("node_state", current.node_id, state))
        if delay is None:
            advance_locked(run, changed=[current.node_id], events=events)  # records the events too
        else:
            record_events(run.pk, events)
        return delay


def _summary(outputs: dict[str, Any]) -> dict[str, Any]:
    return {name: {k: v for k, v in out.items() if k != "value"} for name, out in outputs.items()}


# --- the runner -------------------------------------------------------------------


def container_task(run: Any, node_id: str) -> dict[str, str]:
    """The processing variables of a container task run on the worker's machine
    (runtime/container.py; a backend that runs it elsewhere, as Kubernetes does, gives
    its own paths): TASK_ID `<run>-<node>`, RUN_PATH shared by the run's tasks, ROOT_PATH
    holding every pipeline's files."""
    data = Path(settings.DATA_DIR)
    return {
        "id": f"{run.pk}-{node_id}",
        "run_path": str(data / "workspaces" / f"run-{run.pk}"),
        "root_path": str(data / "pipelines"),
        "pipeline_slug": pipeline_slug(run.pipeline_version.pipeline.name),
    }


def run_claimed(node_run: NodeRun, config: ExecutionConfig, sink: LogSink) -> Outcome:
    run = node_run.run
    work_dir = work_dir_for(node_run)
    if work_dir.exists():
        shutil.rmtree(work_dir)
    work_dir.mkdir(parents=True)
    container = False
    try:
        bundle = bundle_for(run)
        with beating(node_run):  # inputs may be large downloads
            inputs = prepare_inputs(node_run, work_dir)
        job_file = work_dir / "job.json"
        overrides = run.config.get("params", {}).get(node_run.node_id, {})
        node = bundle_nodes(bundle)[node_run.node_id]
        job = {"inputs": inputs, "params": overrides, "node": node}
        container = node["operation"].get("kind") == "container"
        if container:
            job["task"] = container_task(run, node_run.node_id)
        job_file.write_text(json.dumps(job))
        timeout = timeout_for(config, frozen_node(node_run))
        spec = LaunchSpec(
            bundle_dir=bundle,
            node_id=node_run.node_id,
            work_dir=work_dir,
            job_file=job_file,
            resources=node_resources(node_run),
            timeout_seconds=timeout,
            run_id=node_run.run_id,
            attempt=node_run.attempt,
        )

        def on_wait(message: str) -> None:
            # Shown on the node itself ("why is it not running yet?") and in its log.
            reason = message.removeprefix("[pipewright] ")
            record_events(run.pk, [("node_waiting", node_run.node_id, {"reason": reason})])
            sink.add([message])
            sink.flush(force=True)

        try:
            storage = run_storage(run)
            # Kubernetes packs the inputs and uploads them, then creates the job: maybe long.
            with beating(node_run):
                execution = run_compute(run, storage).launch(spec, on_wait=on_wait)
        except (LaunchRefused, BackendUnavailable) as exc:
            sink.add([f"[pipewright] {exc}"])
            sink.flush(force=True)
            return Outcome(ok=False, error=str(exc), retryable=False)
        except LaunchFailed as exc:
            sink.add([f"[pipewright] could not start the node: {exc}"])
            sink.flush(force=True)
            return Outcome(ok=False, error=str(exc), retryable=True)
        if execution.gpus:
            NodeRun.objects.filter(pk=node_run.pk).update(gpus=execution.gpus)
            node_run.gpus = execution.gpus
        try:
            outcome = watch(node_run, execution, work_dir, timeout, sink)
        except BaseException:
            execution.kill()  # never left running unwatched, to be started again beside itself
            raise
        finally:
            execution.release()
        if outcome.ok and not (work_dir / "result.json").exists():
            outcome = Outcome(
                ok=False, exit_code=outcome.exit_code, error="the node exited without writing result.json"
            )
        if outcome.ok:
            try:
                with beating(node_run):  # outputs may be large uploads
                    outcome.stored = store_outputs(node_run, work_dir, storage)
            except OutputNotStored as exc:
                sink.add([f"[pipewright] {exc}"])
                return Outcome(ok=False, exit_code=outcome.exit_code, error=str(exc))
        outcome.metrics = read_metrics(work_dir)
        return outcome
    finally:
        if not settings.PIPEWRIGHT_KEEP_WORK_DIRS:
            shutil.rmtree(work_dir, ignore_errors=True)
        if container:
            prune_now_and_then()  # the workspaces of ended runs on this machine


def execute_node_run(
    node_run_id: int, task_id: str = "", run_id: int | None = None, worker: str = ""
) -> float | None:
    """Run one node end to end; answers a retry delay when it must run again."""
    node_run = until_the_database_answers(
        partial(claim, node_run_id, task_id, run_id, worker), f"claiming node run {node_run_id}"
    )
    if node_run is None:
        return None
    config = ExecutionConfig.model_validate(node_run.run.config)
    sink = LogSink(node_run)
    try:
        outcome = run_claimed(node_run, config, sink)
    except Exception:
        logger.exception("node run %s crashed in the orchestrator", node_run_id)
        outcome = Outcome(
            ok=False, error="internal error while running the node:\n" + traceback.format_exc(limit=5)
        )

    def finish_once() -> float | None:
        waiting = list(sink.pending)
        try:
            return finish(node_run, outcome, config, sink)
        except DATABASE_ERRORS:
            sink.pending = waiting  # rolled back with the outcome: written with the next try
            for stored in outcome.stored:
                stored.artifact.pk = None
            raise

    # The node has run: its outcome waits in memory until the database answers (runs/outage.py).
    return until_the_database_answers(finish_once, f"recording the outcome of node run {node_run_id}")
