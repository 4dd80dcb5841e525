"""An editor archives and restores a finished run, then clones it into a new run."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from editor.models import Pipeline
from runs.choices import RunState
from runs.models import Run
from runs.submit import submit_run
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EXAMPLE = "Classify synthetic blobs"
RUN_TIMEOUT_S = 90


def finished_run(user) -> Run:
    """A debug run of the example with a parameter changed, run to its end by the worker."""
    pipeline = Pipeline.objects.get(name=EXAMPLE)
    run = submit_run(pipeline, {"name": "base", "debug": True, "params": {"data": {"n_samples": 300}}}, user)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.state in RunState.terminal():
            break
        time.sleep(0.5)
    assert run.state == RunState.SUCCEEDED
    return run


def test_an_editor_archives_restores_and_clones_a_run(
    page: Page, asgi_server, celery_worker, member, screenshot
):
    # given a finished run
    log_in(page, asgi_server.url)
    run = finished_run(member)
    page.goto(f"{asgi_server.url}/runs/{run.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("base")

    # when the editor archives it
    page.get_by_role("button", name="Archive", exact=True).click()

    # then the page says so, and the run is in the Archived view only
    expect(page.locator(".page-header .tag-archived")).to_have_text("Archived")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Runs").click()
    expect(page.get_by_role("heading", name="No runs yet")).to_be_visible()
    page.get_by_role("button", name="Archived", exact=True).click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="base", exact=True))
    expect(row).to_be_visible()
    screenshot(page, "runs-archived")

    # when it is restored
    row.get_by_role("button", name=re.compile("^Restore")).click()

    # then it leaves the Archived view and is back in the list
    expect(page.get_by_role("heading", name="No archived runs")).to_be_visible()
    page.get_by_role("button", name="Runs", exact=True).click()
    page.get_by_role("link", name="base", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("base")
    expect(page.locator(".page-header .tag-archived")).to_have_count(0)

    # when the editor clones it
    page.get_by_role("button", name="Clone", exact=True).click()

    # then the dialog comes prefilled with the original's choices
    dialog = page.get_by_role("dialog", name="Clone run")
    expect(dialog.get_by_label("Execution name")).to_have_value("base")
    expect(dialog.get_by_label("Debug mode")).to_be_checked()
    expect(dialog.get_by_role("list", name="Parameters")).to_contain_text("data.n_samples = 300")
    expect(dialog).to_contain_text("Time-dependent inputs are not recreated")
    screenshot(page, "clone-dialog")

    # and started, the clone's page says where it came from
    dialog.get_by_role("button", name="Run", exact=True).click()
    expect(page).to_have_url(re.compile(r"/runs/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("base_2")
    expect(page.locator(".meta-list")).to_contain_text("Cloned from")
    page.get_by_role("link", name="base", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/runs/{run.pk}/$"))
    clone = Run.objects.get(name="base_2")
    assert clone.cloned_from_id == run.pk
    assert clone.pipeline_version_id == run.pipeline_version_id
    assert clone.config["params"] == {"data": {"n_samples": 300}}
    assert clone.debug
