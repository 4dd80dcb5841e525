"""Comparing runs: three finished runs of the example ticked in the runs list and compared,
their parameters, metrics table, loss chart, image outputs and the graph diff between versions."""

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


def add_a_stats_node(pipeline: Pipeline) -> None:
    """Edit the pipeline as the editor would: a second Describe node wired to the data, and
    the split's test fraction changed."""
    graph = pipeline.graph
    describe = next(node for node in graph["nodes"] if node["id"] == "describe")
    graph["nodes"].append(
        {**describe, "id": "stats", "label": "Describe again", "position": {"x": 300, "y": 380}}
    )
    graph["edges"].append(
        {"source": "data", "source_port": "dataset", "target": "stats", "target_port": "dataset"}
    )
    next(node for node in graph["nodes"] if node["id"] == "split")["params"] = {"test_fraction": 0.3}
    Pipeline.objects.filter(pk=pipeline.pk).update(graph=graph)
    pipeline.refresh_from_db()


def wait_for_the_three_images(page: Page) -> None:
    images = page.get_by_role("img", name="Preview of report.chart.png")
    expect(images).to_have_count(3)
    for image in images.all():
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())


def test_compare_three_finished_runs_shows_metrics_table_chart_and_graph_diff(
    page: Page, asgi_server, celery_worker, member, screenshot
):
    # given two runs of the example, then the pipeline edited and a third run, each run
    # training for a different number of epochs
    pipeline = Pipeline.objects.get(name=EXAMPLE)

    def run(name: str, epochs: int):
        submitted = submit_run(pipeline, {"name": name, "params": {"train": {"epochs": epochs}}}, member)
        return wait_for_run(submitted, timeout=90)

    short, medium = run("short", 2), run("medium", 15)
    add_a_stats_node(pipeline)
    long = run("long", 25)
    assert short.state == medium.state == long.state == RunState.SUCCEEDED
    loss = {
        r.name: NodeRun.objects.get(run=r, node_id="train").metrics["loss"]["last"]
        for r in (short, medium, long)
    }

    # when the three are ticked in the runs list and compared
    log_in(page, asgi_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Runs").click()
    compare = page.get_by_role("button", name=re.compile(r"^Compare \("))
    expect(compare).to_be_disabled()
    for name in ("short", "medium", "long"):
        page.get_by_role("checkbox", name=f"Select {name}", exact=True).check()
    expect(compare).to_have_text("Compare (3)")
    screenshot(page, "runs-list-ticked")
    compare.click()

    # then the metrics table has a column per run with each run's last loss, the lowest marked best
    expect(page).to_have_url(re.compile(rf"/runs/compare/\?ids={short.pk},{medium.pk},{long.pk}$"))
    metrics = page.get_by_role("table", name="Metrics")
    expect(metrics.locator("thead th")).to_have_text(["Metric", "short", "medium", "long"])
    loss_row = metrics.locator("tr", has=page.get_by_role("rowheader", name=re.compile(r"^loss")))
    cells = loss_row.get_by_role("cell")
    expect(cells).to_have_count(3)
    for cell, name in zip(cells.all(), ("short", "medium", "long"), strict=True):
        expect(cell).to_contain_text(repr(float(f"{loss[name]:.4g}")))  # as the page rounds it
    expect(cells.nth(2)).to_contain_text("best")
    expect(loss_row).to_have_class("is-different")

    # and the loss chart draws one line per run, named in its legend
    chart = page.get_by_role("img", name="Train · loss by step, one line per run")
    expect(chart.locator(".series-chart-line path")).to_have_count(3)
    legend = page.get_by_role("list", name="Legend of Train · loss")
    expect(legend.get_by_role("listitem")).to_have_text(["short", "medium", "long"])
    chart.hover()
    expect(legend).to_contain_text("step")

    # and the epochs row of the parameters is highlighted as different
    params = page.get_by_role("table", name="Parameters")
    epochs = params.locator("tr", has=page.get_by_role("rowheader", name=re.compile(r"^epochs")))
    expect(epochs).to_have_class("is-different")
    expect(epochs.get_by_role("cell")).to_have_text(["2", "15", "25"])
    page.get_by_role("checkbox", name=re.compile(r"^Only differences")).check()
    expect(params.get_by_role("rowheader", name="n_samples", exact=True)).to_have_count(0)

    # and the report images sit side by side
    wait_for_the_three_images(page)

    # and the graph diff shows the version the last run used against the first's
    diff = page.get_by_role("region", name="Graph diff")
    expect(diff.get_by_role("heading", name="Version 2 against version 1")).to_be_visible()
    expect(diff).to_contain_text("1 node added")
    expect(diff).to_contain_text("split.test_fraction: 0.25 → 0.3")
    expect(diff.locator(".react-flow__node.diff-added")).to_have_count(1)
    page.get_by_role("checkbox", name=re.compile(r"^Only differences")).uncheck()
    page.mouse.move(0, 0)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "compare-runs")

    # and in the dark theme
    page.evaluate("localStorage.setItem('pipewright.theme', 'dark')")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.get_by_role("table", name="Metrics")).to_be_visible()
    expect(page.locator(".react-flow__node.diff-added")).to_have_count(1)
    wait_for_the_three_images(page)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "compare-runs-dark")
