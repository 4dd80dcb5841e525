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


def record_event(run_id: int, kind: str, node_id: str = "", **payload: Any) -> RunEvent:
    """Append an event to the run's log; call inside the transaction that made the change.

    The sequence number comes from an atomic increment of the run row, which
    also serialises concurrent writers of the same run, so numbers never repeat
    or skip.
    """
    Run.objects.filter(pk=run_id).update(last_event_seq=F("last_event_seq") + 1)
    seq = Run.objects.filter(pk=run_id).values_list("last_event_seq", flat=True).get()
    event = RunEvent.objects.create(run_id=run_id, seq=seq, kind=kind, node_id=node_id, payload=payload)
    transaction.on_commit(lambda: publish(run_id, event))
    return event


def publish(run_id: int, event: RunEvent) -> None:
    """Tell live viewers; a viewer that misses this reads it back from the database."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {
        "type": "run.event",
        "seq": event.seq,
        "kind": event.kind,
        "node_id": event.node_id,
        "payload": event.payload,
    }
    try:
        async_to_sync(layer.group_send)(group_name(run_id), message)
    except Exception:  # a broken channel layer must never fail a run
        logger.warning("could not publish event %s of run %s", event.seq, run_id, exc_info=True)
