"""The live run stream at /ws/runs/<id>/, through the real ASGI application
(origin check, session auth, URL routing) and the real Redis channel layer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections, transaction
from rest_framework.test import APIClient

from pipewright.asgi import application
from runs import events as events_module
from runs import hub
from runs.choices import RunState
from runs.events import record_event, record_events
from runs.models import Run
from runs.publisher import publisher
from runs.submit import submit_run
from tests.fixtures.engine import wait_for_run

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = b"http://localhost"


def session_cookie(user: Any) -> bytes:
    client = APIClient()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def communicator(
    run_id: int, cookie: bytes | None = None, origin: bytes = ORIGIN, query: str = ""
) -> WebsocketCommunicator:
    """A websocket client; `cookie` from session_cookie(user), made outside the event loop."""
    headers = [(b"origin", origin), (b"host", b"localhost")]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    path = f"/ws/runs/{run_id}/" + (f"?{query}" if query else "")
    return WebsocketCommunicator(application, path, headers=headers)


def scenario(body: Callable[[], Awaitable[None]]) -> None:
    """Run the async body in a thread of its own: Playwright's sync API (browser tests
    earlier in the session) leaves an event loop running in this one."""

    async def bounded() -> None:
        try:
            await asyncio.wait_for(body(), timeout=60)
        finally:  # the ORM's thread keeps its connection otherwise, which blocks dropping the test DB
            await database_sync_to_async(connections.close_all)()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, bounded()).result()


@pytest.fixture
def quiet_run(project, make_pipeline, teammate, monkeypatch) -> Run:
    """A submitted run that no worker advances: its events come from the test."""
    from runs import tasks

    monkeypatch.setattr(tasks.advance_run, "delay", lambda *args: None)
    pipeline = make_pipeline(
        project,
        [("data", "make_dataset"), ("split", "split_dataset")],
        [("data.dataset", "split.dataset")],
        name="Quiet",
    )
    return submit_run(pipeline, {"name": "watched"}, teammate)


async def receive(ws: WebsocketCommunicator) -> dict[str, Any]:
    message: dict[str, Any] = await ws.receive_json_from(timeout=30)
    return message


async def receive_events(ws: WebsocketCommunicator, count: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while len(events) < count:
        message = await receive(ws)
        assert message["type"] == "events", message
        events += message["events"]
    return events


def emit(run_id: int, *kinds: str) -> None:
    """Events written (and published) the way the engine writes them."""
    with transaction.atomic():
        record_events(run_id, [(kind, "data", {"n": i}) for i, kind in enumerate(kinds)])
    publisher().flush()


def test_a_member_gets_a_snapshot_then_every_event_in_order(quiet_run, viewer):
    cookie = session_cookie(viewer)

    async def body() -> None:
        ws = communicator(quiet_run.pk, cookie)
        connected, _ = await ws.connect()
        assert connected
        snapshot = await receive(ws)
        assert snapshot["type"] == "snapshot"
        assert snapshot["seq"] == 1  # run_created
        assert snapshot["run"]["name"] == "watched"
        assert {n["node_id"]: n["state"] for n in snapshot["run"]["node_runs"]} == {
            "data": "pending",
            "split": "pending",
        }
        # when changes commit, alone and several in one transaction
        await database_sync_to_async(emit)(quiet_run.pk, "node_state")
        await database_sync_to_async(emit)(quiet_run.pk, "node_log", "node_progress", "node_state")
        # then they arrive once each, in order, numbered without gaps
        events = await receive_events(ws, 4)
        assert [e["seq"] for e in events] == [2, 3, 4, 5]
        assert [e["kind"] for e in events] == ["node_state", "node_log", "node_progress", "node_state"]
        assert events[0]["created_at"].endswith("Z")
        await ws.disconnect()

    scenario(body)


def test_a_client_that_reconnects_gets_exactly_the_events_after_its_last(quiet_run, viewer):
    for _ in range(4):
        emit(quiet_run.pk, "node_log")  # seq 2..5

    cookie = session_cookie(viewer)

    async def body() -> None:
        ws = communicator(quiet_run.pk, cookie, query="after=3")
        assert (await ws.connect())[0]
        events = await receive_events(ws, 2)
        assert [e["seq"] for e in events] == [4, 5]
        # and asking again for a range it already has
        await ws.send_json_to({"type": "resume", "after": 1})
        events = await receive_events(ws, 4)
        assert [e["seq"] for e in events] == [2, 3, 4, 5]
        # a nonsense request is answered, not ignored
        await ws.send_json_to({"type": "resume", "after": "yesterday"})
        assert (await receive(ws))["type"] == "error"
        await ws.disconnect()

    scenario(body)


def test_a_client_ahead_of_the_run_gets_a_snapshot(quiet_run, viewer):
    cookie = session_cookie(viewer)

    async def body() -> None:
        ws = communicator(quiet_run.pk, cookie, query="after=999")
        assert (await ws.connect())[0]
        message = await receive(ws)
        assert message["type"] == "snapshot" and message["seq"] == 1
        await ws.disconnect()

    scenario(body)


def test_events_the_channel_layer_dropped_are_read_back_from_the_database(quiet_run, viewer, monkeypatch):
    cookie = session_cookie(viewer)

    async def body() -> None:
        ws = communicator(quiet_run.pk, cookie)
        assert (await ws.connect())[0]
        assert (await receive(ws))["seq"] == 1
        # given two events whose publication is lost
        with monkeypatch.context() as lost:
            lost.setattr("runs.events.publish", lambda run_id, events: None)
            await database_sync_to_async(emit)(quiet_run.pk, "node_state", "node_log")
        # when the next one is published
        await database_sync_to_async(emit)(quiet_run.pk, "node_progress")
        # then the viewer gets all three, in order
        events = await receive_events(ws, 3)
        assert [(e["seq"], e["kind"]) for e in events] == [
            (2, "node_state"),
            (3, "node_log"),
            (4, "node_progress"),
        ]
        await ws.disconnect()

    scenario(body)


def test_events_published_out_of_order_reach_the_viewer_in_order_without_a_gap(
    quiet_run, viewer, monkeypatch
):
    # Two workers commit events of one run one after the other, but the later commit may be
    # published first: the hub can then hold a batch with a hole in it (2, 4), and 3 after.
    cookie = session_cookie(viewer)
    captured: list[Any] = []

    async def body() -> None:
        ws = communicator(quiet_run.pk, cookie)
        assert (await ws.connect())[0]
        assert (await receive(ws))["seq"] == 1
        with monkeypatch.context() as held:
            held.setattr("runs.events.publish", lambda run_id, events: captured.extend(events))
            for kind in ("node_state", "node_log", "node_progress"):
                await database_sync_to_async(emit)(quiet_run.pk, kind)
        second, third, fourth = captured

        def publish(events: list[Any]) -> None:
            events_module.publish(quiet_run.pk, events)
            publisher().flush()

        await database_sync_to_async(publish)([second, fourth])
        await asyncio.sleep(0.2)
        await database_sync_to_async(publish)([third])
        # then the viewer gets 2, 3 and 4 once each, in order
        events = await receive_events(ws, 3)
        assert [(e["seq"], e["kind"]) for e in events] == [
            (2, "node_state"),
            (3, "node_log"),
            (4, "node_progress"),
        ]
        assert await ws.receive_nothing(timeout=0.5)  # and nothing twice
        await ws.disconnect()

    scenario(body)


def test_the_last_events_arrive_even_when_never_published(quiet_run, viewer, monkeypatch):
    monkeypatch.setattr(hub, "SYNC_SECONDS", 0.2)

    cookie = session_cookie(viewer)

    async def body() -> None:
        ws = communicator(quiet_run.pk, cookie)
        assert (await ws.connect())[0]
        assert (await receive(ws))["seq"] == 1
        with monkeypatch.context() as lost:
            lost.setattr("runs.events.publish", lambda run_id, events: None)

            def finish() -> None:
                with transaction.atomic():
                    Run.objects.filter(pk=quiet_run.pk).update(state=RunState.SUCCEEDED)
                    record_event(quiet_run.pk, "run_state", state=RunState.SUCCEEDED)

            await database_sync_to_async(finish)()
        events = await receive_events(ws, 1)
        assert events[0]["payload"]["state"] == "succeeded"
        await ws.disconnect()

    scenario(body)


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_someone_outside_the_project_is_refused(quiet_run, outsider, who):
    cookie = session_cookie(outsider) if who == "outsider" else None

    async def body() -> None:
        ws = communicator(quiet_run.pk, cookie)
        connected, _ = await ws.connect()
        assert not connected

    scenario(body)


def test_an_unknown_run_is_refused(quiet_run, viewer):
    cookie = session_cookie(viewer)

    async def body() -> None:
        connected, _ = await communicator(quiet_run.pk + 1000, cookie).connect()
        assert not connected

    scenario(body)


def test_a_cross_origin_handshake_is_refused(quiet_run, viewer):
    cookie = session_cookie(viewer)

    async def body() -> None:
        connected, _ = await communicator(quiet_run.pk, cookie, origin=b"https://evil.example").connect()
        assert not connected

    scenario(body)


@pytest.mark.worker
def test_a_real_run_streams_every_state_change_until_it_succeeds(
    project, make_pipeline, teammate, celery_worker
):
    pipeline = make_pipeline(
        project,
        [("data", "make_dataset"), ("split", "split_dataset"), ("train", "train_logistic_regression")],
        [("data.dataset", "split.dataset"), ("split.train", "train.train")],
        name="Streamed",
    )
    received: list[dict[str, Any]] = []
    snapshot_states: dict[str, str] = {}

    cookie = session_cookie(teammate)

    async def body() -> None:
        run = await database_sync_to_async(submit_run)(pipeline, {}, teammate)
        ws = communicator(run.pk, cookie)
        assert (await ws.connect())[0]
        snapshot = await receive(ws)
        snapshot_states.update({n["node_id"]: n["state"] for n in snapshot["run"]["node_runs"]})
        last = snapshot["seq"]
        while True:
            message = await receive(ws)
            for event in message["events"]:
                assert event["seq"] == last + 1
                last = event["seq"]
                received.append(event)
            if any(
                e["kind"] == "run_state" and e["payload"]["state"] == "succeeded" for e in message["events"]
            ):
                break
        await ws.disconnect()

    scenario(body)
    run = wait_for_run(Run.objects.get(pipeline=pipeline))
    assert run.state == RunState.SUCCEEDED
    # every node's path is visible to the viewer, and the viewer's log matches the database
    states = [(e["node_id"], e["payload"]["state"]) for e in received if e["kind"] == "node_state"]
    order = ["pending", "queued", "running", "succeeded"]
    for node in ("data", "split", "train"):
        # the snapshot may already hold a node's first states (the first node starts at once)
        path = [snapshot_states[node]] + [s for n, s in states if n == node]
        assert path[-1] == "succeeded" and path == sorted(path, key=order.index), path
    assert [s for n, s in states if n == "train"] == ["queued", "running", "succeeded"], received
    assert received[-1]["seq"] == run.last_event_seq
    train_lines = [
        line
        for e in received
        if e["kind"] == "node_log" and e["node_id"] == "train"
        for line in e["payload"]["lines"]
    ]
    assert any("trained for" in line for line in train_lines)
    # and the training loss arrived as metric points while the node ran
    points = [
        p
        for e in received
        if e["kind"] == "node_metrics" and e["node_id"] == "train"
        for p in e["payload"]["points"]
    ]
    assert points and {name for name, _step, _value in points} >= {"loss"}
