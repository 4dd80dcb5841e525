"""The runs list across pipelines: sorted by a metric the runs logged, filtered by state;
the artifacts page previews a chart a run made."""

import re

import pytest
from playwright.sync_api import Page, expect

from editor.models import Pipeline
from runs.choices import RunState
from runs.models import NodeRun
from runs.submit import submit_run
from tests.browser.conftest import log_in
from tests.fixtures.engine import wait_for_run

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EXAMPLE = "Classify synthetic blobs"


def test_runs_sort_by_a_metric_filter_by_state_and_artifacts_preview_a_chart(
    page: Page, asgi_server, celery_worker, member, screenshot
):
    # given two runs of the example that trained for a different number of epochs
    pipeline = Pipeline.objects.get(name=EXAMPLE)
    short = wait_for_run(
        submit_run(pipeline, {"name": "short", "params": {"train": {"epochs": 2}}}, member), timeout=90
    )
    long = wait_for_run(
        submit_run(pipeline, {"name": "long", "params": {"train": {"epochs": 300}}}, member), timeout=90
    )
    assert short.state == long.state == RunState.SUCCEEDED
    loss = {
        run.name: NodeRun.objects.get(run=run, node_id="train").metrics["loss"]["last"]
        for run in (short, long)
    }
    assert loss["long"] < loss["short"]

    # when the runs page shows the loss column, sorted ascending
    log_in(page, asgi_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Runs").click()
    page.get_by_role("combobox", name="Metric column").fill("loss")
    page.get_by_role("button", name="loss", exact=True).click()

    # then the run that trained longer, with the lower loss, comes first
    expect(page).to_have_url(re.compile(r"ordering=metric%3Aloss"))
    rows = page.locator("table.table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("long")
    expect(rows.nth(1)).to_contain_text("short")
    expect(page.get_by_text("1\u20132 of 2")).to_be_visible()
    page.get_by_role("button", name="loss", exact=True).click()
    expect(rows.nth(0)).to_contain_text("short")
    screenshot(page, "runs-list-by-metric")

    # when filtering by state, it is kept in the URL
    page.get_by_role("combobox", name="Filter by state").select_option("failed")
    expect(page).to_have_url(re.compile(r"state=failed"))
    expect(page.get_by_role("heading", name="No matching runs")).to_be_visible()
    page.get_by_role("combobox", name="Filter by state").select_option("succeeded")
    expect(rows).to_have_count(2)

    # when the artifacts page is opened and the chart of a run is previewed
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Artifacts").click()
    expect(page).to_have_url(re.compile(r"/artifacts/$"))
    page.get_by_role("searchbox", name="Search artifacts by name, run or node").fill("long")
    chart_row = page.locator("table.table tbody tr", has_text="report.chart.png")
    expect(chart_row).to_have_count(1)
    expect(chart_row.get_by_role("link", name="long")).to_have_attribute("href", f"/runs/{long.pk}/")
    chart_row.get_by_role("button", name="Preview report.chart.png").click()

    # then the PNG shows inline
    image = page.get_by_role("img", name="Preview of report.chart.png")
    expect(image).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    screenshot(page, "artifacts-preview")
