"""Run events: numbered per run without gaps, published after commit."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import F

from runs.models import Run, RunEvent

logger = logging.getLogger(__name__)


def group_name(run_id: int) -> str:
    return f"run_{run_id}"


class Outbox:
    """The events of one transaction, published together once it commits.

    One `group_send` per commit instead of one per event: publishing costs a
    few milliseconds each, and a node's state change writes several events.
    Registered as an on-commit callback, so a rolled-back transaction drops it.
    """

    def __init__(self) -> None:
        self.events: list[RunEvent] = []

    def __call__(self) -> None:
        by_run: dict[int, list[RunEvent]] = {}
        for event in self.events:
            by_run.setdefault(event.run_id, []).append(event)
        for run_id, events in by_run.items():
            publish(run_id, events)


def _outbox() -> Outbox:
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _sids, callback, _robust in connection.run_on_commit:
            if isinstance(callback, Outbox):
                return callback
    outbox = Outbox()
    transaction.on_commit(outbox)
    return outbox


def record_event(run_id: int, kind: str, node_id: str = "", **payload: Any) -> RunEvent:
    """Append an event to the run's log; call inside the transaction that made the change.

    The sequence number comes from an atomic increment of the run row, which
    also serialises concurrent writers of the same run, so numbers never repeat
    or skip.
    """
    Run.objects.filter(pk=run_id).update(last_event_seq=F("last_event_seq") + 1)
    seq = Run.objects.filter(pk=run_id).values_list("last_event_seq", flat=True).get()
    event = RunEvent.objects.create(run_id=run_id, seq=seq, kind=kind, node_id=node_id, payload=payload)
    if transaction.get_connection().in_atomic_block:
        _outbox().events.append(event)
    else:
        publish(run_id, [event])
    return event


def as_message(event: RunEvent) -> dict[str, Any]:
    return {"seq": event.seq, "kind": event.kind, "node_id": event.node_id, "payload": event.payload}


def publish(run_id: int, events: list[RunEvent]) -> None:
    """Tell live viewers; a viewer that misses this reads it back from the database."""
    layer = get_channel_layer()
    if layer is None or not events:
        return
    message = {"type": "run.events", "events": [as_message(event) for event in events]}
    try:
        async_to_sync(layer.group_send)(group_name(run_id), message)
    except Exception:  # a broken channel layer must never fail a run
        logger.warning("could not publish events %s.. of run %s", events[0].seq, run_id, exc_info=True)
