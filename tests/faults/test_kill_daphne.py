"""`kill -9` of Daphne during a run with websocket viewers: the workers do not depend on it,
so every node still ends and the run does not stay `running`; once Daphne is started again
on the same port, a viewer that reconnects with `?after=<its last seq>` is sent every event
it missed exactly once, in order, without a gap, and ends with the database's state, both
a plain websocket client and the run page in the browser, which reconnects by itself and
never reloads (docs/api.md, "The live run stream")."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from rest_framework.test import APIClient

from runs.choices import NodeState, RunState
from runs.models import NodeRun, Run
from runs.submit import submit_run
from tests.faults.figures import record
from tests.fixtures.engine import wait_for, wait_for_run
from tests.fixtures.processes import AsgiServer

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# A node that prints a line every half second (events all along) until the test opens its
# gate (none: at once), then a few more.
GATED = """
import os, time
def run(ctx, gate: str, steps: int, count: int = 0) -> dict:
    deadline = time.monotonic() + 120
    waited = 0
    while gate and not os.path.exists(gate) and time.monotonic() < deadline:
        waited += 1
        print(f"waiting {waited}", flush=True)
        time.sleep(0.5)
    for step in range(1, steps + 1):
        print(f"tick {step} of {steps}", flush=True)
        time.sleep(0.5)
    return {"count": count + steps}
"""

# Generous: the machine running the suite may be loaded.
TIMEOUT = 60.0


@pytest.fixture
def daphne(django_db_setup, tmp_path, channels_redis):
    """A Daphne of this test's own, free to kill (the session's `asgi_server` is shared)."""
    server = AsgiServer(tmp_path / "daphne.log", channels_redis)
    server.start()
    yield server
    server.stop()


def gated_pipeline(project, make_op, make_graph_pipeline, first_gate, slow_gate):
    """tick -> slow and quick, a second or so each once their gate (if any) is open: tick
    waits for `first_gate`, slow for `slow_gate`."""
    ticker = make_op(
        project,
        "ticker",
        GATED,
        outputs=[("count", "int")],
        params=[("gate", "str", ""), ("steps", "int", 2)],
    )
    follower = make_op(
        project,
        "follower",
        GATED,
        inputs=[("count", "int")],
        outputs=[("count", "int")],
        params=[("gate", "str", ""), ("steps", "int", 2)],
    )
    return make_graph_pipeline(
        project,
        {"tick": ticker, "slow": follower, "quick": follower},
        ["tick.count -> slow.count", "tick.count -> quick.count"],
        name="Gated",
        params={"tick": {"gate": str(first_gate)}, "slow": {"gate": str(slow_gate)}},
    )


def node_states(run: Run) -> dict[str, str]:
    return {n.node_id: n.state for n in NodeRun.objects.filter(run=run)}


def moved_on_without_daphne(run: Run) -> bool:
    """tick and quick ended and slow waits at its gate, with nobody to serve viewers."""
    return node_states(run) == {
        "tick": NodeState.SUCCEEDED,
        "quick": NodeState.SUCCEEDED,
        "slow": NodeState.RUNNING,
    }


# --- a websocket client ----------------------------------------------------------------------


def session_cookie(user: Any) -> str:
    client = APIClient()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


class Viewer:
    """What a client following the stream knows: every event's seq it was sent, in order,
    and the run's and each node's last state from them."""

    def __init__(self) -> None:
        self.seqs: list[int] = []
        self.run_state: str | None = None
        self.nodes: dict[str, str] = {}

    @property
    def last_seq(self) -> int:
        return self.seqs[-1] if self.seqs else 0

    def apply(self, frame: str | bytes) -> None:
        message = json.loads(frame)
        assert message["type"] == "events", message  # never a snapshot: it is never far behind
        for event in message["events"]:
            self.seqs.append(event["seq"])
            if event["kind"] == "run_state":
                self.run_state = event["payload"]["state"]
            elif event["kind"] == "node_state":
                self.nodes[event["node_id"]] = event["payload"]["state"]


def connect(server: AsgiServer, run: Run, cookie: str, after: int):
    from websockets.sync.client import connect as ws_connect
    from websockets.typing import Origin

    url = server.url.replace("http://", "ws://") + f"/ws/runs/{run.pk}/?after={after}"
    return ws_connect(url, origin=Origin(server.url), additional_headers={"Cookie": cookie}, open_timeout=20)


def test_a_viewer_resyncs_exactly_after_daphne_is_killed_and_started_again(
    daphne, celery_worker, project, owner, make_op, make_graph_pipeline, tmp_path
):
    from websockets.exceptions import ConnectionClosed

    cookie = session_cookie(owner)
    first_gate, slow_gate = tmp_path / "first-gate", tmp_path / "slow-gate"
    pipeline = gated_pipeline(project, make_op, make_graph_pipeline, first_gate, slow_gate)
    run = submit_run(pipeline, {"name": "watched through a crash"}, owner)
    viewer = Viewer()

    # given a viewer following the run from its first event, while its first node runs
    with connect(daphne, run, cookie, after=0) as first:
        while viewer.nodes.get("tick") != NodeState.RUNNING:
            viewer.apply(first.recv(timeout=TIMEOUT))

        # when Daphne is killed at once
        daphne.kill_hard()

        # then the viewer hears its connection drop (it does not hang), having been sent
        # what was in flight, and nothing past it
        with pytest.raises(ConnectionClosed):
            while True:
                viewer.apply(first.recv(timeout=TIMEOUT))
    seen_before = viewer.last_seq

    # and the run goes on without Daphne: nodes end and start, events are recorded
    first_gate.touch()
    wait_for(lambda: moved_on_without_daphne(run), timeout=TIMEOUT, what="the run to move on without Daphne")
    run.refresh_from_db()
    missed = run.last_event_seq
    assert missed > seen_before

    # when Daphne is started again on the same port and the viewer reconnects after its last seq
    restarted_at = time.monotonic()
    daphne.start()
    with connect(daphne, run, cookie, after=seen_before) as second:
        # then the first event it is sent is the one after its last, and it catches up
        frame = second.recv(timeout=TIMEOUT)
        assert json.loads(frame)["events"][0]["seq"] == seen_before + 1
        viewer.apply(frame)
        while viewer.last_seq < missed:
            viewer.apply(second.recv(timeout=TIMEOUT))
        record("kill -9 of Daphne", "viewer resynced after restart", time.monotonic() - restarted_at)
        assert viewer.nodes == {
            "tick": NodeState.SUCCEEDED,
            "quick": NodeState.SUCCEEDED,
            "slow": NodeState.RUNNING,
        }
        # and follows the run live from there to its end
        slow_gate.touch()
        while viewer.run_state not in RunState.terminal():
            viewer.apply(second.recv(timeout=TIMEOUT))

    # and the run and every node ended in the database, the run not left running
    run = wait_for_run(run, timeout=TIMEOUT)
    assert run.state == RunState.SUCCEEDED, {n.node_id: (n.state, n.error) for n in run.node_runs.all()}
    nodes = node_states(run)
    assert nodes == {"tick": NodeState.SUCCEEDED, "slow": NodeState.SUCCEEDED, "quick": NodeState.SUCCEEDED}

    # and across both connections the viewer was sent every event once, in order, no gap
    assert viewer.seqs == list(range(1, run.last_event_seq + 1)), viewer.seqs
    # and what it knows is the database's state
    assert viewer.run_state == run.state
    assert viewer.nodes == nodes


# --- the run page ----------------------------------------------------------------------------


@pytest.mark.browser
def test_the_run_page_reconnects_by_itself_after_daphne_is_killed(
    page, screenshot, daphne, celery_worker, project, owner, make_op, make_graph_pipeline, tmp_path
):
    from playwright.sync_api import expect

    from tests.browser.conftest import log_in

    first_gate, slow_gate = tmp_path / "first-gate", tmp_path / "slow-gate"
    pipeline = gated_pipeline(project, make_op, make_graph_pipeline, first_gate, slow_gate)
    run = submit_run(pipeline, {"name": "watched through a crash"}, owner)
    node = page.locator(".run-node")
    live = page.locator(".connection-live")
    reconnecting = page.get_by_role("status").filter(has_text="Reconnecting")

    # given the run page open, following the run live while its first node runs
    log_in(page, daphne.url, owner.username)
    page.goto(f"{daphne.url}/runs/{run.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(run.name)
    page.evaluate("window.__notReloaded = true")
    expect(page.locator('.run-node[data-state="running"]')).to_have_count(1, timeout=30_000)
    expect(live).to_have_count(1, timeout=30_000)

    # when Daphne is killed at once
    daphne.kill_hard()

    # then the page says it is reconnecting, while the run goes on
    expect(reconnecting).to_be_visible(timeout=15_000)
    first_gate.touch()
    wait_for(lambda: moved_on_without_daphne(run), timeout=TIMEOUT, what="the run to move on without Daphne")
    expect(reconnecting).to_be_visible()
    screenshot(page, "daphne-kill-reconnecting")

    # when Daphne is started again on the same port
    restarted_at = time.monotonic()
    daphne.start()

    # then the page reconnects by itself and shows what it missed
    expect(live).to_have_count(1, timeout=30_000)
    record("kill -9 of Daphne", "run page live again after restart", time.monotonic() - restarted_at)
    expect(reconnecting).to_have_count(0)
    expect(node.filter(has_text="quick")).to_have_attribute("data-state", "succeeded", timeout=10_000)
    expect(node.filter(has_text="slow")).to_have_attribute("data-state", "running")

    # and follows the run to its end, without a reload, as the database has it
    slow_gate.touch()
    run = wait_for_run(run, timeout=TIMEOUT)
    assert run.state == RunState.SUCCEEDED, {n.node_id: (n.state, n.error) for n in run.node_runs.all()}
    assert set(node_states(run).values()) == {NodeState.SUCCEEDED}
    expect(page.locator('.run-node[data-state="succeeded"]')).to_have_count(3, timeout=30_000)
    expect(page.locator(".page-header .badge")).to_have_text("Succeeded", timeout=10_000)
    expect(reconnecting).to_have_count(0)
    assert page.evaluate("window.__notReloaded === true")
    screenshot(page, "daphne-kill-final")
