"""An editor annotates a pipeline: a note (plain text, even when it looks like HTML) and a
group around two nodes that moves them along; both are saved and come back after a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import Dialog, FloatRect, Locator, Page, expect

from editor.library.loader import examples_project
from editor.models import Operation, Pipeline
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE_TEXT = "Check the split ratio <script>alert('hi')</script> before training"


@pytest.fixture
def two_nodes(member) -> Pipeline:
    def node(node_id: str, slug: str, x: int) -> dict:
        operation = Operation.objects.get(project=None, slug=slug)
        position = {"x": x, "y": 0}
        return {"id": node_id, "operation": operation.pk, "label": "", "params": {}, "position": position}

    return Pipeline.objects.create(
        project=examples_project(),
        name="Annotated in the browser",
        graph={
            "nodes": [node("make_dataset", "make_dataset", 0), node("split_dataset", "split_dataset", 340)],
            "edges": [
                {
                    "id": "e1",
                    "source": "make_dataset",
                    "source_port": "dataset",
                    "target": "split_dataset",
                    "target_port": "dataset",
                }
            ],
            "inputs": [],
        },
        created_by=member,
    )


def canvas_node(page: Page, node_id: str) -> Locator:
    return page.locator(f'.react-flow__node[data-id="{node_id}"]')


def box(locator: Locator) -> FloatRect:
    found = locator.bounding_box()
    assert found
    return found


def drag_by(page: Page, handle: Locator, dx: float, dy: float) -> None:
    start = box(handle)
    x, y = start["x"] + 40, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=12)
    page.mouse.up()


def test_an_editor_adds_a_note_and_a_group_that_survive_a_reload(
    page: Page, live_server, two_nodes, screenshot
):
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/pipelines/{two_nodes.pk}/edit/")
    expect(page.locator(".react-flow__node-operation")).to_have_count(2)

    # when the two nodes are selected and grouped with Ctrl+G
    canvas_node(page, "make_dataset").click()
    canvas_node(page, "split_dataset").click(modifiers=["Control"])
    page.keyboard.press("Control+g")
    group = page.locator(".react-flow__node-nodeGroup")
    expect(group).to_have_count(1)
    expect(group).to_contain_text("2 nodes")

    # and the group is named in place
    group.locator(".group-node-header").dblclick()
    label = page.get_by_role("textbox", name="Group label")
    expect(label).to_be_focused()
    label.fill("Data preparation")
    label.press("Enter")
    expect(group.locator(".group-node-label")).to_have_text("Data preparation")
    page.get_by_role("group", name="Group colour").get_by_role("button", name="Blue").click()
    expect(group.locator(".group-node")).to_have_attribute("data-color", "blue")

    # and moving the group moves its nodes
    before = box(canvas_node(page, "make_dataset"))
    drag_by(page, group.locator(".group-node-header"), 0, 120)
    after = box(canvas_node(page, "make_dataset"))
    assert after["y"] - before["y"] > 60, (before, after)

    # and a note is added with N on the canvas, and typed into
    page.locator(".react-flow__pane").click(position={"x": 60, "y": 60})
    page.keyboard.press("n")
    text = page.get_by_role("textbox", name="Note text")
    expect(text).to_be_focused()
    text.press_sequentially(NOTE_TEXT)
    text.press("Escape")
    note = page.locator(".react-flow__node-note")
    expect(note).to_have_count(1)
    expect(note.locator(".note-node-text")).to_have_text(NOTE_TEXT)
    assert note.locator("script").count() == 0
    drag_by(page, note, 0, -260)  # out of the way of the nodes

    # then saving makes version 1, with the note and the group
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Saved as version")).to_contain_text(
        "Saved as version 1"
    )
    two_nodes.refresh_from_db()
    assert [n["text"] for n in two_nodes.graph["notes"]] == [NOTE_TEXT]
    assert [(g["label"], g["color"], g["nodes"]) for g in two_nodes.graph["groups"]] == [
        ("Data preparation", "blue", ["make_dataset", "split_dataset"])
    ]
    assert two_nodes.versions.get().graph["notes"][0]["text"] == NOTE_TEXT

    # and after a reload both are there again, the note still as text
    page.reload()
    expect(page.locator(".react-flow__node-note .note-node-text")).to_have_text(NOTE_TEXT)
    expect(page.locator(".react-flow__node-nodeGroup .group-node-label")).to_have_text("Data preparation")
    expect(page.locator(".react-flow__node-nodeGroup")).to_contain_text("2 nodes")
    assert dialogs == []
    screenshot(page, "editor-annotations-light")

    # and in the dark theme, with the note selected (its colours and resize handles)
    page.evaluate("localStorage.setItem('pipewright.theme', 'dark')")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.locator(".react-flow__node-note").click()
    expect(page.get_by_role("group", name="Note colour")).to_be_visible()
    expect(page.locator(".note-node.is-selected")).to_have_count(1)
    page.wait_for_timeout(300)  # the selection ring's transition
    screenshot(page, "editor-annotations-dark")


def test_the_pipeline_page_draws_notes_and_groups_read_only(page: Page, live_server, two_nodes, screenshot):
    # given a pipeline with a note and a group around its two nodes
    two_nodes.graph = {
        **two_nodes.graph,
        "notes": [
            {
                "id": "note",
                "text": NOTE_TEXT,
                "position": {"x": 0, "y": -220},
                "width": 260,
                "height": 120,
                "color": "blue",
            }
        ],
        "groups": [
            {
                "id": "prep",
                "label": "Data preparation",
                "position": {"x": -30, "y": -60},
                "width": 640,
                "height": 220,
                "color": "green",
                "nodes": ["make_dataset", "split_dataset"],
            }
        ],
    }
    two_nodes.save()
    log_in(page, live_server.url)

    # when its page is opened
    page.goto(f"{live_server.url}/pipelines/{two_nodes.pk}/")

    # then the preview draws both, the note as text, with nothing to edit
    note = page.locator(".react-flow__node-note")
    expect(note.locator(".note-node-text")).to_have_text(NOTE_TEXT)
    assert note.locator("script").count() == 0
    group = page.locator(".react-flow__node-nodeGroup")
    expect(group.locator(".group-node-label")).to_have_text("Data preparation")
    expect(group).to_contain_text("2 nodes")
    expect(page.locator(".react-flow__node-operation")).to_have_count(2)
    page.wait_for_timeout(300)  # fitView
    screenshot(page, "pipeline-preview-annotations-light")
    note.click()
    expect(page.get_by_role("textbox", name="Note text")).to_have_count(0)
    expect(page.locator(".react-flow__resize-control")).to_have_count(0)
    expect(page.get_by_role("group", name="Note colour")).to_have_count(0)

    # and in the dark theme
    page.evaluate("localStorage.setItem('pipewright.theme', 'dark')")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.locator(".react-flow__node-note .note-node-text")).to_have_text(NOTE_TEXT)
    page.wait_for_timeout(300)
    screenshot(page, "pipeline-preview-annotations-dark")
