"""The websocket routes in the authorization matrix: every route of runs/routing.py has a
rule, and the live run stream takes members of the run's project (any role) only, through
the real ASGI application (origin check, session auth, URL routing)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.db import connections
from rest_framework.test import APIClient

from editor.choices import Role
from editor.library.loader import LoadReport, load_builtin_operations
from editor.models import Pipeline
from editor.projects import add_member, create_project
from pipewright.asgi import application
from runs.models import Run
from runs.routing import websocket_urlpatterns
from runs.submit import submit_run

from .urlconf import normalise

pytestmark = pytest.mark.django_db(transaction=True)

# Who may open each websocket route: the members of the run's project, any role.
WS_RULES = {"ws/runs/<run_id>/": "viewer"}
ALLOWED = {"anonymous": False, "outsider": False, "viewer": True, "editor": True, "owner": True}


def test_every_websocket_route_has_a_rule():
    routes = {normalise(str(pattern.pattern)) for pattern in websocket_urlpatterns}

    assert routes == set(WS_RULES), f"routes: {sorted(routes)}; rules: {sorted(WS_RULES)}"


def session_cookie(user: Any) -> bytes:
    client = APIClient()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def scenario(body: Callable[[], Awaitable[None]]) -> None:
    """The async body in a thread of its own (Playwright's sync API, from browser tests
    earlier in the session, leaves an event loop running in this one)."""

    async def bounded() -> None:
        try:
            await asyncio.wait_for(body(), timeout=30)
        finally:  # the ORM's thread keeps its connection otherwise, which blocks dropping the test DB
            await database_sync_to_async(connections.close_all)()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, bounded()).result()


@pytest.fixture
def members() -> dict[str, Any]:
    """The callers (no passwords: hashing one costs a second here; sessions log them in)."""
    make = get_user_model().objects.create_user
    return {caller: make(username=f"ws-{caller}") for caller in ("owner", "editor", "viewer", "outsider")}


@pytest.fixture
def quiet_run(members, monkeypatch) -> Run:
    """A submitted run of the owner's project that no worker advances."""
    from runs import tasks

    monkeypatch.setattr(tasks.advance_run, "delay", lambda *args: None)
    project = create_project(members["owner"], name="Streams")
    add_member(project, members["editor"], Role.EDITOR)
    add_member(project, members["viewer"], Role.VIEWER)
    make_dataset = load_builtin_operations(LoadReport())["make_dataset"]
    node = {"id": "data", "operation": make_dataset.pk, "params": {}, "position": {"x": 0, "y": 0}}
    graph = {"nodes": [node], "edges": [], "inputs": []}
    pipeline = Pipeline.objects.create(project=project, name="Watched", graph=graph)
    return submit_run(pipeline, {"name": "watched"}, members["editor"])


@pytest.mark.parametrize("caller", list(ALLOWED))
def test_the_run_stream_takes_members_of_the_project_only(quiet_run, members, caller):
    # given
    user = members.get(caller)
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if user is not None:
        headers.append((b"cookie", session_cookie(user)))

    async def body() -> None:
        ws = WebsocketCommunicator(application, f"/ws/runs/{quiet_run.pk}/", headers=headers)
        # when
        connected, _ = await ws.connect()
        # then
        try:
            assert connected is ALLOWED[caller]
            if connected:
                snapshot = await ws.receive_json_from(timeout=10)
                assert snapshot["type"] == "snapshot"
        finally:
            await ws.disconnect()

    scenario(body)
