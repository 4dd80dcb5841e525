"""An editor builds a pipeline in the browser: drag, connect, set a parameter,
save, reload; undo and redo; a refused connection says why."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from editor.library.loader import examples_project
from editor.models import Pipeline
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def empty_pipeline(member) -> Pipeline:
    return Pipeline.objects.create(
        project=examples_project(),
        name="Built in the browser",
        graph={"nodes": [], "edges": [], "inputs": []},
        created_by=member,
    )


def drag_from_palette(page: Page, name: str, x: int, y: int) -> None:
    palette = page.get_by_role("region", name="Operations")
    item = palette.get_by_role("button", name=name, exact=True)
    item.drag_to(page.locator(".react-flow__pane"), target_position={"x": x, "y": y})


def handle(page: Page, node_id: str, kind: str, port: str) -> Locator:
    return page.locator(
        f'.react-flow__node[data-id="{node_id}"] .react-flow__handle.{kind}[data-handleid="{port}"]'
    )


def connect(page: Page, source: Locator, target: Locator) -> None:
    start, end = source.bounding_box(), target.bounding_box()
    assert start and end
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    page.mouse.up()


def test_an_editor_builds_saves_and_reopens_a_pipeline(page: Page, live_server, empty_pipeline, screenshot):
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/pipelines/{empty_pipeline.pk}/edit/")
    nodes = page.locator(".react-flow__node")
    expect(page.get_by_role("region", name="Operations")).to_be_visible()

    # when two operations are dragged onto the canvas and wired
    drag_from_palette(page, "Make dataset", 520, 140)
    drag_from_palette(page, "Split dataset", 120, 380)  # left of its source, for Tidy up to fix
    expect(nodes).to_have_count(2)
    connect(
        page,
        handle(page, "make_dataset", "source", "dataset"),
        handle(page, "split_dataset", "target", "dataset"),
    )
    expect(page.locator(".react-flow__edge")).to_have_count(1)

    # and a parameter is set in the inspector
    page.locator('.react-flow__node[data-id="make_dataset"]').click()
    inspector = page.get_by_role("region", name="Node inspector")
    samples = inspector.get_by_label("n_samples")
    samples.fill("250")
    samples.press("Tab")

    # and Tidy up lays the graph out left to right (ELK, in a worker)
    page.get_by_role("button", name="Tidy up").click()
    expect(page.get_by_role("button", name="Tidy up")).to_be_enabled()
    expect(page.get_by_role("alert")).to_have_count(0)
    make = page.locator('.react-flow__node[data-id="make_dataset"]').bounding_box()
    split = page.locator('.react-flow__node[data-id="split_dataset"]').bounding_box()
    assert make and split and make["x"] + make["width"] <= split["x"]

    # then saving makes version 1
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Saved as version")).to_contain_text(
        "Saved as version 1"
    )
    screenshot(page, "editor-saved")

    # and after a reload the same graph is there
    page.reload()
    expect(nodes).to_have_count(2)
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    page.locator('.react-flow__node[data-id="make_dataset"]').click()
    expect(page.get_by_role("region", name="Node inspector").get_by_label("n_samples")).to_have_value("250")
    empty_pipeline.refresh_from_db()
    assert {n["id"] for n in empty_pipeline.graph["nodes"]} == {"make_dataset", "split_dataset"}
    assert empty_pipeline.versions.count() == 1


def test_undo_redo_and_a_refused_connection(page: Page, live_server, empty_pipeline):
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/pipelines/{empty_pipeline.pk}/edit/")
    nodes = page.locator(".react-flow__node")
    drag_from_palette(page, "Make dataset", 200, 200)
    drag_from_palette(page, "Plot metrics", 600, 260)
    expect(nodes).to_have_count(2)

    # a file output into a json input is refused, with the reason shown
    connect(
        page,
        handle(page, "make_dataset", "source", "dataset"),
        handle(page, "plot_metrics", "target", "history"),
    )
    expect(page.get_by_role("alert")).to_contain_text(re.compile("type mismatch", re.I))
    expect(page.locator(".react-flow__edge")).to_have_count(0)

    # undo removes the last node, redo brings it back
    page.locator(".react-flow__pane").click(position={"x": 50, "y": 50})
    page.keyboard.press("Control+z")
    expect(nodes).to_have_count(1)
    page.keyboard.press("Control+Shift+z")
    expect(nodes).to_have_count(2)
    page.get_by_role("button", name="Undo").click()
    expect(nodes).to_have_count(1)
    page.get_by_role("button", name="Redo").click()
    expect(nodes).to_have_count(2)
