"""An editor runs an example pipeline from the browser and follows it on the run page."""

import re

import pytest
from playwright.sync_api import Page, expect

from runs.choices import RunState
from runs.models import Run
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EXAMPLE = "Classify synthetic blobs"
RUN_TIMEOUT_MS = 90_000


def test_an_editor_runs_an_example_and_opens_a_node(
    page: Page, asgi_server, celery_worker, member, screenshot
):
    # given the example pipeline is open
    log_in(page, asgi_server.url)
    page.get_by_role("link", name=EXAMPLE).click()
    expect(page).to_have_url(re.compile(r"/pipelines/\d+/$"))
    expect(page.get_by_role("region", name="Recent runs")).to_contain_text("No runs yet")

    # when the editor presses Run and starts the run from the execute dialog
    page.get_by_role("button", name="Run", exact=True).click()
    dialog = page.get_by_role("dialog", name="Run pipeline")
    dialog.get_by_role("button", name="Run", exact=True).click()

    # then the run page shows the frozen graph and every node turns succeeded, live
    expect(page).to_have_url(re.compile(r"/runs/\d+/$"))
    page.evaluate("window.__notReloaded = true")
    run = Run.objects.get()
    assert page.url.endswith(f"/runs/{run.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(run.name)
    expect(page.locator(".react-flow__node")).to_have_count(6)
    succeeded = page.locator('.run-node[data-state="succeeded"]')
    expect(succeeded).to_have_count(6, timeout=RUN_TIMEOUT_MS)
    expect(page.locator(".page-header .badge")).to_have_text("Succeeded")
    expect(page.get_by_role("status").filter(has_text="nodes done")).to_have_text("6 of 6 nodes done")
    expect(page.get_by_role("button", name="Cancel")).to_have_count(0)
    assert page.evaluate("window.__notReloaded === true"), "the page reloaded"
    run.refresh_from_db()
    assert run.state == RunState.SUCCEEDED
    screenshot(page, "run-page")

    # when the editor opens the report node
    page.locator(".react-flow__node", has_text="Plot report").click()

    # then its panel shows the chart and the log
    panel = page.get_by_role("region", name="Node details")
    expect(panel.get_by_role("heading", name="Plot report")).to_be_visible()
    expect(panel.locator(".badge")).to_have_text("Succeeded")
    chart = panel.get_by_role("img", name="chart of Plot report")
    expect(chart).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    expect(panel.get_by_role("link", name="Download", exact=True)).to_have_attribute(
        "download", "report.chart.png"
    )
    expect(panel.get_by_role("log", name="Log of Plot report")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/runs/\d+/\?node=report$"))
    screenshot(page, "run-node-panel")

    # and a node that prints shows its lines in the log
    page.locator(".react-flow__node", has_text="Train logistic regression").click()
    expect(panel.get_by_role("heading", name="Train")).to_be_visible()
    expect(panel.get_by_role("log", name="Log of Train")).to_contain_text("trained for")
    expect(panel.get_by_role("row", name=re.compile(r"^loss"))).to_be_visible()

    # and Escape closes it
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(page.get_by_role("region", name="Run details")).to_be_visible()

    # and the pipeline lists the run among its recent runs
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=EXAMPLE).click()
    recent = page.get_by_role("region", name="Recent runs")
    expect(recent.get_by_role("link", name=run.name, exact=True)).to_have_attribute(
        "href", f"/runs/{run.pk}/"
    )
    expect(recent.locator(".badge")).to_have_text("Succeeded")
    screenshot(page, "pipeline-recent-runs")
