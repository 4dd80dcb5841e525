"""The run view stays live: log lines arrive as they are printed, and the page
recovers by itself when the channel layer's Redis restarts mid-run."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from editor.library.loader import examples_project
from runs.choices import RunState
from runs.models import Run
from runs.submit import submit_run
from tests.browser.conftest import log_in
from tests.fixtures.engine import wait_for, wait_for_run

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# It starts ticking once the test opens its gate (the page is open by then: on a loaded
# machine the run could otherwise be over before the page shows it running).
TICKER = """
import os, time

def run(gate: str = "", steps: int = 6) -> dict:
    deadline = time.monotonic() + 120
    while gate and not os.path.exists(gate) and time.monotonic() < deadline:
        time.sleep(0.1)
    for step in range(1, steps + 1):
        print(f"tick {step} of {steps}", flush=True)
        time.sleep(0.5)
    return {"count": steps}
"""

FOLLOWER = """
def run(count: int) -> dict:
    print(f"got {count}")
    return {"double": count * 2}
"""


@pytest.fixture
def gate(tmp_path):
    return tmp_path / "gate"


@pytest.fixture
def ticking_run(member, make_op, make_graph_pipeline, gate):
    """A run whose first node, once `gate` exists, prints a line every half second for three seconds."""
    project = examples_project()
    params = [("gate", "str", str(gate)), ("steps", "int", 6)]
    ticker = make_op(project, "ticker", TICKER, outputs=[("count", "int")], params=params)
    follower = make_op(project, "follower", FOLLOWER, inputs=[("count", "int")], outputs=[("double", "int")])
    pipeline = make_graph_pipeline(
        project, {"tick": ticker, "follow": follower}, ["tick.count -> follow.count"], name="Ticking"
    )
    return lambda: submit_run(pipeline, {"name": "ticking"}, member)


def open_run(page: Page, base_url: str, run: Run) -> None:
    log_in(page, base_url)
    page.goto(f"{base_url}/runs/{run.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(run.name)
    page.evaluate("window.__notReloaded = true")


def test_log_lines_arrive_while_the_node_runs(
    page: Page, asgi_server, celery_worker, ticking_run, gate, screenshot
):
    run = ticking_run()
    open_run(page, asgi_server.url, run)

    # when the ticking node is opened while it runs
    expect(page.locator('.run-node[data-state="running"]')).to_have_count(1, timeout=30_000)
    gate.touch()
    page.locator(".react-flow__node", has_text="Ticker").click()
    panel = page.get_by_role("region", name="Node details")
    log = panel.get_by_role("log", name="Log of tick")

    # then its lines appear one after another, before the node is done
    expect(log).to_contain_text("tick 2 of 6", timeout=15_000)
    assert Run.objects.get(pk=run.pk).node_runs.get(node_id="tick").state == "running"
    screenshot(page, "run-live-log")
    expect(log).to_contain_text("tick 6 of 6", timeout=15_000)

    # and the run ends succeeded, without the page ever reloading
    expect(page.locator('.run-node[data-state="succeeded"]')).to_have_count(2, timeout=30_000)
    expect(page.locator(".page-header .badge")).to_have_text("Succeeded")
    assert page.evaluate("window.__notReloaded === true")
    # and the whole log can be downloaded
    with page.expect_download() as download:
        panel.get_by_role("link", name="Download log").click()
    assert "tick 6 of 6" in download.value.path().read_text()


def test_the_page_recovers_when_the_channel_layer_restarts(
    page: Page, asgi_server, celery_worker, channels_redis, ticking_run, gate, screenshot
):
    run = ticking_run()
    open_run(page, asgi_server.url, run)
    expect(page.locator('.run-node[data-state="running"]')).to_have_count(1, timeout=30_000)
    gate.touch()

    # when the channel layer's Redis goes away mid-run, and comes back
    channels_redis.stop()
    try:
        wait_for(
            lambda: Run.objects.get(pk=run.pk).node_runs.get(node_id="tick").state != "running",
            timeout=30,
            what="the ticking node to finish while Redis is down",
        )
        time.sleep(0.5)
    finally:
        channels_redis.start()

    # then the page ends showing the run's true final state
    wait_for_run(run)
    assert Run.objects.get(pk=run.pk).state == RunState.SUCCEEDED
    expect(page.locator('.run-node[data-state="succeeded"]')).to_have_count(2, timeout=30_000)
    expect(page.locator(".page-header .badge")).to_have_text("Succeeded", timeout=10_000)
    expect(page.get_by_role("status").filter(has_text="Reconnecting")).to_have_count(0, timeout=15_000)
    assert page.evaluate("window.__notReloaded === true")
    screenshot(page, "run-after-redis-restart")
