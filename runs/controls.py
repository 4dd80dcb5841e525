"""Run controls that act from outside a node: cancel, and the reaper of lost nodes."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from runs.choices import NodeState, RunState
from runs.config import ExecutionConfig
from runs.events import record_event
from runs.models import NodeRun
from runs.policy import retry_policy
from runs.scheduler import advance_locked, frozen_node, lock_run, queue_for


def cancel_run(run_id: int, reason: str = "cancelled by a user") -> bool:
    """Cancel a run: its running processes are stopped by their watchers, the rest marked."""
    with transaction.atomic():
        run = lock_run(run_id)
        if run.state in RunState.terminal():
            return False
        for node_run in run.node_runs.filter(state__in=list(NodeState.active())):
            node_run.move_to(NodeState.CANCELLED, error=reason)
            node_run.save(update_fields=["state", "error", "finished_at"])
            record_event(run.pk, "node_state", node_run.node_id, state=node_run.state)
        run.move_to(RunState.CANCELLED, error=reason)
        run.save(update_fields=["state", "error", "finished_at"])
        record_event(run.pk, "run_state", state=run.state, error=reason)
    return True


NOT_IDEMPOTENT = (
    "; not retried because its operation is not marked idempotent "
    "(the lost attempt may still be running): re-run it once it is safe"
)


def reap_lost_nodes() -> list[int]:
    """Running nodes whose heartbeat stopped: retried if allowed and their operation is
    idempotent, else failed (docs/engine.md, "Lost workers"). Answers their ids."""
    from runs.tasks import execute_node

    bound = settings.PIPEWRIGHT_NODE_LOST_SECONDS
    cutoff = timezone.now() - timedelta(seconds=bound)
    reaped = []
    lost = NodeRun.objects.filter(state=NodeState.RUNNING, heartbeat_at__lt=cutoff)
    for node_run_id, run_id in lost.values_list("pk", "run_id"):
        with transaction.atomic():
            run = lock_run(run_id)
            node_run = NodeRun.objects.select_related("operation_version").get(pk=node_run_id)
            node_run.run = run
            if (
                node_run.state != NodeState.RUNNING
                or node_run.heartbeat_at is None
                or node_run.heartbeat_at >= cutoff
            ):
                continue
            config = ExecutionConfig.model_validate(node_run.run.config)
            reason = (
                f"worker lost: no heartbeat for {bound:g} s "
                f"(attempt {node_run.attempt}, worker {node_run.worker})"
            )
            retry_left = node_run.attempt <= retry_policy(config, frozen_node(node_run)).count
            if retry_left and not node_run.operation_version.idempotent:
                # The attempt may still be running on a worker cut off from the database:
                # a second one beside it could do its side effects twice.
                retry_left = False
                reason += NOT_IDEMPOTENT
            if retry_left:
                node_run.move_to(NodeState.QUEUED)
                node_run.error = reason
                node_run.task_id = ""
                node_run.dispatched_at = timezone.now()
                node_run.save()
                record_event(
                    node_run.run_id, "node_state", node_run.node_id, state=node_run.state, error=reason
                )
                transaction.on_commit(
                    partial(execute_node.apply_async, args=(node_run_id,), queue=queue_for(node_run))
                )
            else:
                node_run.move_to(NodeState.FAILED, error=reason)
                node_run.save()
                record_event(
                    node_run.run_id, "node_state", node_run.node_id, state=node_run.state, error=reason
                )
                advance_locked(run, changed=[node_run.node_id])
            reaped.append(node_run_id)
    return reaped
