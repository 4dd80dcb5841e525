"""The live run stream: `/ws/runs/<run id>/` (protocol in docs/api.md).

On connect a viewer gets a snapshot (or, reconnecting with `?after=N`, the
events after N), then every event in order. Events come from the run's group
on the channel layer; since channels_redis drops messages silently at capacity
and loses groups when Redis restarts, the consumer checks every sequence
number, fills gaps from the database, and also looks at the database every
few seconds while the run is active.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from runs import stream
from runs.events import group_name

logger = logging.getLogger(__name__)

SYNC_SECONDS = 2.0


class RunConsumer(AsyncJsonWebsocketConsumer):
    run_id: int
    last_seq: int
    sync_task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self.run_id = int(self.scope["url_route"]["kwargs"]["run_id"])
        if not await database_sync_to_async(stream.can_watch)(self.scope["user"], self.run_id):
            await self.close()  # before accept: the handshake is refused
            return
        self.last_seq = 0
        self.sending = asyncio.Lock()
        # Join the group before reading the database, so nothing falls in between.
        await self.channel_layer.group_add(group_name(self.run_id), self.channel_name)
        await self.accept()
        await self.catch_up(_after(self.scope))
        self.sync_task = asyncio.create_task(self.keep_in_sync())

    async def disconnect(self, code: int) -> None:
        if self.sync_task is not None:
            self.sync_task.cancel()
        if hasattr(self, "last_seq"):
            with contextlib.suppress(Exception):  # the layer may be the thing that broke
                await self.channel_layer.group_discard(group_name(self.run_id), self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "resume":
            after = content.get("after")
            if isinstance(after, int) and not isinstance(after, bool) and after >= 0:
                await self.catch_up(after)
                return
        await self.send_json({"type": "error", "message": 'expected {"type": "resume", "after": <seq>}'})

    async def catch_up(self, after: int | None) -> None:
        """Events after `after` from the database, or a snapshot when that serves better."""
        async with self.sending:
            if after is not None:
                events = await database_sync_to_async(stream.events_after)(self.run_id, after)
                if events is not None:
                    self.last_seq = after
                    await self._send_events(events)
                    return
            message = await database_sync_to_async(stream.snapshot)(self.run_id)
            self.last_seq = message["seq"]
            await self.send_json(message)

    async def run_events(self, message: dict[str, Any]) -> None:
        """Events published after a commit (runs/events.py)."""
        async with self.sending:
            events = [event for event in message["events"] if event["seq"] > self.last_seq]
            if not events:
                return  # already sent (from the database, or a snapshot)
            if events[0]["seq"] != self.last_seq + 1:  # the layer dropped some: read them back
                events = (
                    await database_sync_to_async(stream.events_after)(self.run_id, self.last_seq, limit=10**9)
                    or []
                )
            await self._send_events(events)

    async def _send_events(self, events: list[dict[str, Any]]) -> None:
        fresh = [event for event in events if event["seq"] > self.last_seq]
        if fresh:
            self.last_seq = fresh[-1]["seq"]
            await self.send_json({"type": "events", "events": fresh})

    async def keep_in_sync(self) -> None:
        """Catch up from the database now and then: the only way to notice that
        the last events of a run were dropped."""
        while True:
            await asyncio.sleep(SYNC_SECONDS)
            try:
                head, active = await database_sync_to_async(stream.head_of)(self.run_id)
                if head > self.last_seq:
                    await self.catch_up(self.last_seq)
                elif not active:
                    return  # finished and fully sent
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("live run %s: could not check for missed events", self.run_id, exc_info=True)


def _after(scope: dict[str, Any]) -> int | None:
    values = parse_qs(scope.get("query_string", b"").decode()).get("after")
    if values and values[0].isdigit():
        return int(values[0])
    return None
