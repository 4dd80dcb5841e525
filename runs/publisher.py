"""Publishing run events to live viewers without making the writer wait.

A `group_send` through `async_to_sync` costs a few milliseconds (a fresh event
loop and Redis round trips), on the path of every state change. Here one
thread per process owns an event loop and the channel layer's connections and
sends in order; callers only enqueue. Nothing depends on delivery: viewers
detect a gap by sequence number and read the rest from the database.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import queue
import threading
from typing import Any

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


class Publisher:
    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.pending = 0
        self.drained = threading.Condition(self.lock)

    def send(self, group: str, message: dict[str, Any]) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="pipewright-publisher", daemon=True)
                self.thread.start()
            self.pending += 1
        self.queue.put((group, message))

    def flush(self, timeout: float = 2.0) -> bool:
        """Wait until everything enqueued so far has gone out (used at exit and in tests)."""
        with self.drained:
            return self.drained.wait_for(lambda: self.pending == 0, timeout)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        layer = get_channel_layer()
        try:
            while True:
                group, message = self.queue.get()
                try:
                    if layer is not None:
                        loop.run_until_complete(layer.group_send(group, message))
                except Exception:  # a broken channel layer must never fail a run
                    seqs = [event["seq"] for event in message.get("events", [])]
                    logger.warning("could not publish events %s to %s", seqs[:1], group, exc_info=True)
                with self.drained:
                    self.pending -= 1
                    self.drained.notify_all()
        finally:
            loop.close()


_publisher = Publisher()


def publisher() -> Publisher:
    return _publisher


def _reset_in_child() -> None:
    # A forked process (Celery's prefork pool) has no publisher thread: start afresh.
    global _publisher
    _publisher = Publisher()


os.register_at_fork(after_in_child=_reset_in_child)
atexit.register(lambda: _publisher.flush())
