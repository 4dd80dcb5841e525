"""Celery tasks of the engine: thin wrappers that take ids and call the domain."""

from __future__ import annotations

from datetime import timedelta

from celery import Task, shared_task
from celery.utils.log import get_task_logger
from django.utils import timezone

from runs import controls, executor, scheduler, schedules
from runs.outage import DATABASE_ERRORS, until_the_database_answers

logger = get_task_logger(__name__)


# Advancing is safe to repeat; while the database does not answer it is tried again later.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=DATABASE_ERRORS,
    retry_backoff=1,
    retry_backoff_max=30,
    max_retries=12,
)
def advance_run(run_id: int) -> None:
    scheduler.advance(run_id)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def execute_node(self: Task, node_run_id: int, run_id: int | None = None) -> None:
    # The Celery node name (`gpu-1@host`) tells which worker, and so which queue, ran it.
    delay = executor.execute_node_run(
        node_run_id, task_id=self.request.id or "", run_id=run_id, worker=self.request.hostname or ""
    )
    if delay is not None:
        from runs.models import NodeRun

        due = timezone.now() + timedelta(seconds=delay)

        def queue_again() -> str:
            queue = scheduler.queue_for(
                NodeRun.objects.select_related("operation_version", "run").get(pk=node_run_id)
            )
            NodeRun.objects.filter(pk=node_run_id).update(dispatched_at=due)
            return queue

        queue = until_the_database_answers(queue_again, f"queueing node run {node_run_id} again")
        logger.info("node run %s fails; retrying in %.1fs", node_run_id, delay)
        execute_node.apply_async(args=(node_run_id, run_id), queue=queue, countdown=delay)


@shared_task(ignore_result=True)
def reap_lost_nodes() -> None:
    lost = controls.reap_lost_nodes()
    if lost:
        logger.warning("reaped lost node runs: %s", lost)
    for run_id in scheduler.runs_needing_a_nudge():
        scheduler.advance(run_id)
    resent = scheduler.resend_stale_queued()
    if resent:
        logger.warning("sent queued node runs again (their task was never picked up): %s", resent)


@shared_task(ignore_result=True)
def fire_recurring_runs() -> None:
    for tick in schedules.fire_due():
        logger.info("recurring run %s fired tick %s: %s", tick.recurring_run_id, tick.tick_at, tick.outcome)


@shared_task(ignore_result=True)
def deliver_deployment_outputs(run_id: int) -> None:
    """Copy a finished run's datastore outputs (a deployment's mappings, or the run's own)."""
    from runs.models import Run
    from runs.run_mappings import deliver_run_outputs

    run = Run.objects.select_related("deployment", "pipeline", "pipeline_version").filter(pk=run_id).first()
    if run is None:
        return
    written = deliver_run_outputs(run)
    if written:
        logger.info("run %s: datastore outputs written to %s", run_id, ", ".join(written))
