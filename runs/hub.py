"""One subscription per run per server process, shared by every viewer of it.

With channels_redis, each websocket consumer in a group receives each message
on its own: a Redis round trip, two asyncio tasks and a JSON encoding per
viewer per message, which capped one process at a few thousand frames a
second. Here the process joins the run's group once; each message is read
once, encoded once, and handed to the local viewers, who send the same text.

The hub also looks at the database every few seconds for events that never
arrived (channels_redis drops at capacity and forgets groups when Redis
restarts) and tells its viewers to catch up when some went missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import Callable
from typing import Any, Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from runs import stream
from runs.events import group_name

logger = logging.getLogger(__name__)

SYNC_SECONDS = 2.0
RETRY_SECONDS = 1.0
# At most one frame per viewer per this many seconds: a busy run's events are
# sent in batches (each frame costs the server the same, whatever it holds),
# a quiet run's at once.
FRAME_SECONDS = 0.025


class Viewer(Protocol):
    async def deliver(self, events: list[dict[str, Any]], frame: str) -> None: ...

    def missed(self) -> None: ...


class RunFeed:
    """The viewers of one run in this process, and the task that feeds them."""

    def __init__(self, run_id: int, on_empty: Callable[[int], None]) -> None:
        self.run_id = run_id
        self.viewers: set[Viewer] = set()
        self.last_seq = 0  # the highest sequence number received from the layer
        self.on_empty = on_empty
        self.channel = ""
        self.buffer: list[dict[str, Any]] = []
        self.last_frame = 0.0
        self.flush_scheduled = False
        self.frames: asyncio.Queue[tuple[list[dict[str, Any]], str]] = asyncio.Queue()
        self.joined = asyncio.Event()
        self.task = asyncio.create_task(self.listen())

    async def listen(self) -> None:
        layer = get_channel_layer()
        assert layer is not None
        checker = asyncio.create_task(self.check_database())
        sender = asyncio.create_task(self.send_frames())
        try:
            while True:
                try:
                    self.channel = await layer.new_channel()
                    await layer.group_add(group_name(self.run_id), self.channel)
                    self.joined.set()
                    while True:
                        message = await layer.receive(self.channel)
                        if message.get("type") == "run.events":
                            self.collect(message["events"])
                except asyncio.CancelledError:
                    if self.channel:
                        with contextlib.suppress(Exception):
                            await layer.group_discard(group_name(self.run_id), self.channel)
                    raise
                except Exception:
                    # Redis went away: viewers read what they miss from the database.
                    logger.warning("live run %s: channel layer failed, rejoining", self.run_id, exc_info=True)
                    self.joined.set()
                    await asyncio.sleep(RETRY_SECONDS)
                    self.tell_missed()
        finally:
            checker.cancel()
            sender.cancel()

    def collect(self, events: list[dict[str, Any]]) -> None:
        if not events:
            return
        self.buffer += events
        if self.flush_scheduled:
            return
        loop = asyncio.get_running_loop()
        wait = self.last_frame + FRAME_SECONDS - loop.time()
        if wait <= 0:
            self.flush()
        else:
            self.flush_scheduled = True
            loop.call_later(wait, self.flush)

    def flush(self) -> None:
        self.flush_scheduled = False
        events, self.buffer = sorted(self.buffer, key=lambda event: event["seq"]), []
        if events:
            self.last_frame = asyncio.get_running_loop().time()
            self.fan_out(events)

    def fan_out(self, events: list[dict[str, Any]]) -> None:
        self.last_seq = max(self.last_seq, events[-1]["seq"])
        self.frames.put_nowait((events, json.dumps({"type": "events", "events": events})))

    async def send_frames(self) -> None:
        """One task hands every frame to every viewer, in order."""
        while True:
            events, frame = await self.frames.get()
            for viewer in list(self.viewers):
                try:
                    await viewer.deliver(events, frame)
                except Exception:  # one broken socket must not starve the others
                    logger.warning("live run %s: a viewer could not be sent to", self.run_id, exc_info=True)

    def tell_missed(self) -> None:
        for viewer in list(self.viewers):
            viewer.missed()

    async def check_database(self) -> None:
        """Every SYNC_SECONDS: events committed a whole period ago that the layer never
        brought mean something was dropped (events merely in flight are not)."""
        await self.joined.wait()
        previous_head = await self.head()  # viewers' snapshots cover everything up to here
        self.last_seq = max(self.last_seq, previous_head)
        while True:
            await asyncio.sleep(SYNC_SECONDS)
            head = await self.head()
            if previous_head > self.last_seq:
                self.last_seq = previous_head
                self.tell_missed()
                await self.rejoin()
            previous_head = max(previous_head, head)

    async def head(self) -> int:
        try:
            head, _active = await database_sync_to_async(stream.head_of)(self.run_id)
        except Exception:
            logger.warning("live run %s: could not read its head", self.run_id, exc_info=True)
            return 0
        return head

    async def rejoin(self) -> None:
        """A Redis that restarted has forgotten the group; joining again is harmless."""
        layer = get_channel_layer()
        if layer is not None and self.channel:
            with contextlib.suppress(Exception):
                await layer.group_add(group_name(self.run_id), self.channel)

    def add(self, viewer: Viewer) -> None:
        self.viewers.add(viewer)

    def remove(self, viewer: Viewer) -> None:
        self.viewers.discard(viewer)
        if not self.viewers:
            self.task.cancel()
            self.on_empty(self.run_id)


class Hub:
    def __init__(self) -> None:
        self.feeds: dict[int, RunFeed] = {}

    async def watch(self, run_id: int, viewer: Viewer) -> None:
        """Start handing the run's events to `viewer`; returns once the process is
        subscribed, so nothing committed from now on is missed."""
        feed = self.feeds.get(run_id)
        if feed is None:
            feed = self.feeds[run_id] = RunFeed(run_id, self._forget)
        feed.add(viewer)
        await feed.joined.wait()

    def unwatch(self, run_id: int, viewer: Viewer) -> None:
        feed = self.feeds.get(run_id)
        if feed is not None:
            feed.remove(viewer)

    def _forget(self, run_id: int) -> None:
        self.feeds.pop(run_id, None)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """The hub of the running event loop (a server process runs one)."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = Hub()
    return found
