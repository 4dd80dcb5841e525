"""The live run stream: `/ws/runs/<run id>/` (protocol in docs/api.md).

On connect a viewer gets a snapshot (or, reconnecting with `?after=N`, the
events after N), then every event in order. Events reach the consumer from
this process's hub (runs/hub.py), which reads the run's group once for all
of its viewers. The consumer checks every sequence number: a gap (the channel
layer dropped a message) is filled from the database, and so is anything the
hub reports missing.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from runs import stream
from runs.hub import hub

# Sentinel in the inbox: the hub says events went missing.
MISSED = None


class RunConsumer(AsyncJsonWebsocketConsumer):
    # No channel of its own: the hub receives the run's events for every viewer.
    channel_layer_alias = "__no_channel_layer__"

    run_id: int
    last_seq = 0
    watching = False

    async def connect(self) -> None:
        self.run_id = int(self.scope["url_route"]["kwargs"]["run_id"])
        if not await database_sync_to_async(stream.can_watch)(self.scope["user"], self.run_id):
            await self.close()  # before accept: the handshake is refused
            return
        self.sending = asyncio.Lock()
        self.inbox: deque[tuple[list[dict[str, Any]], str] | None] = deque()
        self.pumping: asyncio.Task[None] | None = None
        # Subscribe before reading the database, so nothing falls in between.
        await hub().watch(self.run_id, self)
        self.watching = True
        await self.accept()
        async with self.sending:
            await self._catch_up(_after(self.scope))

    async def disconnect(self, code: int) -> None:
        if self.watching:
            hub().unwatch(self.run_id, self)
            self.watching = False

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "resume":
            after = content.get("after")
            if isinstance(after, int) and not isinstance(after, bool) and after >= 0:
                async with self.sending:
                    await self._catch_up(after)
                return
        await self.send_json({"type": "error", "message": 'expected {"type": "resume", "after": <seq>}'})

    # --- from the hub ---------------------------------------------------------------

    async def deliver(self, events: list[dict[str, Any]], frame: str) -> None:
        if not self.inbox and not self.sending.locked():  # the usual case: send at once
            if events[-1]["seq"] <= self.last_seq:
                return
            if _follows(events, self.last_seq):
                self.last_seq = events[-1]["seq"]
                await self.send(text_data=frame)  # the hub encoded it once for everyone
                return
        self.inbox.append((events, frame))
        self._pump()

    def missed(self) -> None:
        self.inbox.append(MISSED)
        self._pump()

    def _pump(self) -> None:
        if self.pumping is None or self.pumping.done():
            self.pumping = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        async with self.sending:
            while self.inbox:
                item = self.inbox.popleft()
                if item is MISSED:
                    await self._catch_up(self.last_seq)
                    continue
                events, frame = item
                if events[-1]["seq"] <= self.last_seq:
                    continue  # already sent (from the database, or a snapshot)
                fresh = [event for event in events if event["seq"] > self.last_seq]
                if len(fresh) == len(events) and _follows(events, self.last_seq):
                    self.last_seq = events[-1]["seq"]
                    await self.send(text_data=frame)  # the hub encoded it once for everyone
                elif _follows(fresh, self.last_seq):
                    await self._send_events(fresh)
                else:
                    # The layer dropped some, or a later commit was published before an
                    # earlier one (two workers): read them back, in order, from the database.
                    await self._catch_up(self.last_seq)

    # --- sending (callers hold self.sending) ------------------------------------

    async def _catch_up(self, after: int | None) -> None:
        """Events after `after` from the database, or a snapshot when that serves better."""
        if after is not None:
            events = await database_sync_to_async(stream.events_after)(self.run_id, after)
            if events is not None:
                self.last_seq = after
                await self._send_events(events)
                return
        message = await database_sync_to_async(stream.snapshot)(self.run_id)
        self.last_seq = message["seq"]
        await self.send_json(message)

    async def _send_events(self, events: list[dict[str, Any]]) -> None:
        fresh = [event for event in events if event["seq"] > self.last_seq]
        if fresh:
            self.last_seq = fresh[-1]["seq"]
            await self.send_json({"type": "events", "events": fresh})


def _follows(events: list[dict[str, Any]], last_seq: int) -> bool:
    """Whether `events` are exactly the ones after `last_seq`, without a hole."""
    return all(event["seq"] == last_seq + 1 + i for i, event in enumerate(events))


def _after(scope: dict[str, Any]) -> int | None:
    values = parse_qs(scope.get("query_string", b"").decode()).get("after")
    if values and values[0].isdigit():
        return int(values[0])
    return None
