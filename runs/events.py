"""Run events: numbered per run without gaps, published after commit."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from runs.models import Run, RunEvent
from runs.publisher import publisher


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


def _next_seqs(run_id: int, count: int) -> range:
    """Take `count` sequence numbers of the run in one statement.

    The increment locks the run row until commit, which serialises every
    writer of the run's events, so numbers never repeat or skip.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Run._meta.db_table} SET last_event_seq = last_event_seq + %s "
            "WHERE id = %s RETURNING last_event_seq",
            [count, run_id],
        )
        (last,) = cursor.fetchone()
    return range(last - count + 1, last + 1)


# (kind, node id, payload)
Event = tuple[str, str, dict[str, Any]]


def record_events(run_id: int, items: list[Event]) -> list[RunEvent]:
    """Append events `(kind, node id, payload)` to the run's log in one go; call inside
    the transaction that made the change."""
    if not items:
        return []
    seqs = _next_seqs(run_id, len(items))
    events = RunEvent.objects.bulk_create(
        RunEvent(run_id=run_id, seq=seq, kind=kind, node_id=node_id, payload=payload)
        for seq, (kind, node_id, payload) in zip(seqs, items, strict=True)
    )
    if transaction.get_connection().in_atomic_block:
        _outbox().events.extend(events)
    else:
        publish(run_id, events)
    return events


def record_event(run_id: int, kind: str, node_id: str = "", **payload: Any) -> RunEvent:
    """Append one event to the run's log; call inside the transaction that made the change."""
    return record_events(run_id, [(kind, node_id, payload)])[0]


def as_message(event: RunEvent) -> dict[str, Any]:
    """An event as viewers receive it, live or read back (REST's shape)."""
    return {
        "seq": event.seq,
        "kind": event.kind,
        "node_id": event.node_id,
        "payload": event.payload,
        "created_at": event.created_at.isoformat().replace("+00:00", "Z"),
    }


def publish(run_id: int, events: list[RunEvent]) -> None:
    """Tell live viewers (in the background); a viewer that misses this reads it
    back from the database."""
    if events:
        message = {"type": "run.events", "events": [as_message(event) for event in events]}
        publisher().send(group_name(run_id), message)
