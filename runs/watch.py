"""Watching a launched node: its log, progress, heartbeat, cancellation and timeout."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Right
from django.utils import timezone

from runs import log_markers
from runs.choices import NodeState
from runs.events import Event, record_event, record_events
from runs.models import NodeRun
from runs.outage import DATABASE_ERRORS, unless_the_database_is_down

MAX_EVENT_LINES = 200


@dataclass
class Outcome:
    ok: bool
    error: str = ""
    exit_code: int | None = None
    stored: list[Any] = field(default_factory=list)  # node_io.StoredOutput, saved by the finish
    metrics: dict[str, Any] = field(default_factory=dict)
    cancelled: bool = False
    retryable: bool = True


class LogSink:
    """Collects a node's log lines and flushes them to the row and the event log in batches."""

    def __init__(self, node_run: NodeRun) -> None:
        self.node_run = node_run
        self.pending: list[str] = []
        self.last_flush = time.monotonic()

    def add(self, lines: list[str]) -> None:
        self.pending.extend(lines)

    def flush(self, force: bool = False) -> None:
        if not self.pending or (not force and time.monotonic() - self.last_flush < 0.5):
            return
        waiting = list(self.pending)
        try:
            with transaction.atomic():
                events: list[Event] = []
                text = self.take(events)
                # The event goes first: it locks the run's row, which every writer
                # of a run takes before any node row (runs/scheduler.lock_run).
                record_events(self.node_run.run_id, events)
                append_log(self.node_run.pk, text)
        except DATABASE_ERRORS:
            self.pending = waiting + self.pending  # kept for the next flush (runs/outage.py)
            raise

    def take(self, events: list[Event]) -> str:
        """The pending lines as text, with a `node_log` event for them added to
        `events`; the caller records both in one transaction."""
        if not self.pending:
            return ""
        lines, self.pending = self.pending, []
        self.last_flush = time.monotonic()
        payload: dict[str, Any] = {"lines": lines[-MAX_EVENT_LINES:]}
        if len(lines) > MAX_EVENT_LINES:  # viewers read the rest from the node's log
            payload["dropped"] = len(lines) - MAX_EVENT_LINES
        events.append(("node_log", self.node_run.node_id, payload))
        return "".join(f"{line}\n" for line in lines)


def appended(text: str) -> Right:
    """The log with `text` added, kept to its last PIPEWRIGHT_LOG_TAIL_BYTES characters,
    as an expression the database evaluates."""
    return Right(Concat(F("log"), Value(text)), settings.PIPEWRIGHT_LOG_TAIL_BYTES)


def append_log(node_run_id: int, text: str) -> None:
    if text:
        NodeRun.objects.filter(pk=node_run_id).update(log=appended(text))


class MetricsTail:
    """Follows the node's metrics.jsonl; new points become `node_metrics` events."""

    MAX_POINTS = 500

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def emit(self, node_run: NodeRun) -> None:
        try:
            with self.path.open("rb") as source:
                source.seek(self.offset)
                chunk = source.read(1024 * 1024)
        except OSError:
            return
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a line still being written waits
        if not complete:
            return
        self.offset += len(complete)
        points = []
        for line in complete.splitlines():
            try:
                record = json.loads(line)
                points.append([record["name"], record.get("step"), record["value"]])
            except (ValueError, KeyError, TypeError):
                continue
        if points:
            record_event(node_run.run_id, "node_metrics", node_run.node_id, points=points[-self.MAX_POINTS :])


def exit_description(code: int) -> str:
    """"exited with code 1", or for a process a signal ended (a negative code, as
    Python reports it) "killed by signal 9 (SIGKILL)"."""
    if code >= 0:
        return f"exited with code {code}"
    try:
        name = f" ({signal.Signals(-code).name})"
    except ValueError:
        name = ""
    return f"killed by signal {-code}{name}"


def _read_progress(work_dir: Path) -> float | None:
    try:
        return float((work_dir / "progress").read_text())
    except (OSError, ValueError):
        return None


def watch(node_run: NodeRun, execution: Any, work_dir: Path, timeout: float | None, sink: LogSink) -> Outcome:
    """Follow a launched node until it exits, is cancelled, or times out."""
    started = time.monotonic()
    metrics = MetricsTail(work_dir / "metrics.jsonl")
    heartbeat_every = settings.PIPEWRIGHT_HEARTBEAT_SECONDS
    last_beat = started
    last_check = started
    progress = 0.0

    def read() -> None:
        lines = execution.read_lines()
        log_markers.apply(lines, work_dir)  # `::pipewright progress 0.4` lines, any backend
        sink.add(lines)

    def still_ours() -> bool:
        metrics.emit(node_run)
        state = NodeRun.objects.filter(pk=node_run.pk).values_list("state", "attempt").first()
        if state != (NodeState.RUNNING, node_run.attempt):
            return False
        sink.flush()
        return True

    def beat(progress: float) -> float:
        new_progress = _read_progress(work_dir)
        update: dict[str, Any] = {"heartbeat_at": timezone.now()}
        if new_progress is not None and new_progress != progress:
            progress = update["progress"] = new_progress
            record_event(node_run.run_id, "node_progress", node_run.node_id, progress=progress)
        NodeRun.objects.filter(pk=node_run.pk).update(**update)
        return progress

    # While the database does not answer, the node keeps running and is watched on:
    # a check or a heartbeat it cannot write is skipped (runs/outage.py).
    while True:
        read()
        code = execution.exit_code()
        if code is not None:
            read()
            unless_the_database_is_down(partial(metrics.emit, node_run), "recording metrics")
            seconds = time.monotonic() - started
            ended = exit_description(code)
            sink.add([f"[pipewright] {ended} after {seconds:.2f} s"])
            return Outcome(  # the caller stores the last lines along with the outcome
                ok=code == 0, exit_code=code, error="" if code == 0 else ended
            )
        now = time.monotonic()
        if timeout is not None and now - started > timeout:
            execution.kill()
            sink.add([f"[pipewright] timed out after {timeout:g}s: stopped"])
            sink.flush(force=True)
            return Outcome(ok=False, error=f"timed out after {timeout:g} s", retryable=True)
        if now - last_check >= 0.5:
            last_check = now
            if unless_the_database_is_down(still_ours, "checking on the node") is False:
                execution.kill()
                sink.add(["[pipewright] cancelled: the process was stopped"])
                sink.flush(force=True)
                return Outcome(ok=False, cancelled=True, error="cancelled")
        if now - last_beat >= heartbeat_every:
            last_beat = now
            beaten = unless_the_database_is_down(partial(beat, progress), "recording a heartbeat")
            progress = progress if beaten is None else beaten
        execution.wait(0.1)


@contextmanager
def beating(node_run: NodeRun) -> Iterator[None]:
    """Heartbeats for the node while the block runs without its watcher: fetching its
    inputs before launch, storing its outputs after (a large upload can take longer
    than PIPEWRIGHT_NODE_LOST_SECONDS, and the node is not lost meanwhile)."""
    done = threading.Event()

    def beat() -> None:
        try:
            while not done.wait(settings.PIPEWRIGHT_HEARTBEAT_SECONDS):
                unless_the_database_is_down(
                    partial(
                        NodeRun.objects.filter(
                            pk=node_run.pk, state=NodeState.RUNNING, attempt=node_run.attempt
                        ).update,
                        heartbeat_at=timezone.now(),
                    ),
                    "recording a heartbeat",
                )
        finally:
            connection.close()  # this thread's own

    beater = threading.Thread(target=beat, name=f"heartbeat-{node_run.pk}", daemon=True)
    beater.start()
    try:
        yield
    finally:
        done.set()
        beater.join(timeout=30)
