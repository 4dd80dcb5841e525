"""What a live viewer of a run is sent: a snapshot consistent with a sequence
number, and the events after one. Plain synchronous functions; the websocket
consumer (runs/consumers.py) calls them from its thread pool."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from runs.events import as_message
from runs.models import NodeRun, Run, RunEvent
from runs.scheduler import lock_run

# A client further behind than this gets a fresh snapshot instead of the events.
MAX_CATCH_UP = 2000


def can_watch(user: AbstractBaseUser | AnonymousUser, run_id: int) -> bool:
    """Members of the run's project (any role) may watch it."""
    if not user.is_authenticated:
        return False
    return Run.objects.filter(pk=run_id, project__memberships__user=user.pk).exists()


def snapshot(run_id: int) -> dict[str, Any]:
    """The run as `GET /api/runs/<id>/` shows it, with the sequence number it is
    consistent with: read under the run's lock, so no change is half in it."""
    from runs.api.serializers import RunDetailSerializer

    with transaction.atomic():
        run = lock_run(run_id)
        node_runs = list(NodeRun.objects.filter(run_id=run_id).defer("log").order_by("id"))
        run._prefetched_objects_cache = {"node_runs": node_runs}  # type: ignore[attr-defined]
        data = RunDetailSerializer(run).data
    return {"type": "snapshot", "seq": run.last_event_seq, "run": data}


def events_after(run_id: int, after: int, limit: int = MAX_CATCH_UP) -> list[dict[str, Any]] | None:
    """The events after `after`, in order; None when a snapshot serves better
    (more than `limit` of them, or `after` is ahead of the run)."""
    head = Run.objects.filter(pk=run_id).values_list("last_event_seq", flat=True).first()
    if head is None or after > head or head - after > limit:
        return None
    events = RunEvent.objects.filter(run_id=run_id, seq__gt=after).order_by("seq")
    return [as_message(event) for event in events]


def head_of(run_id: int) -> tuple[int, bool]:
    """The run's last sequence number, and whether it can still change."""
    from runs.choices import RunState

    seq, state = Run.objects.filter(pk=run_id).values_list("last_event_seq", "state").get()
    return seq, state not in RunState.terminal()


def node_log(run_id: int, node_id: str) -> tuple[NodeRun, int]:
    """A node run with its log, and the run's sequence number the log is consistent with."""
    with transaction.atomic():
        run = lock_run(run_id)
        return NodeRun.objects.get(run_id=run_id, node_id=node_id), run.last_event_seq
