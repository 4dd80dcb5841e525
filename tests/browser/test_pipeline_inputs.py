"""An editor adds a pipeline input in the browser, wires it to a node and saves; then runs the
pipeline from the execute dialog with a file uploaded for that input, and the run succeeds."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from editor.library.loader import examples_project
from editor.models import Operation, Pipeline
from runs.choices import RunState
from runs.models import Run
from tests.browser.conftest import log_in
from tests.fixtures.engine import wait_for_run

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TABLE = "x,y\n1,2\n3,4\n5,6\n"


@pytest.fixture
def describe_only(member) -> Pipeline:
    operation = Operation.objects.get(project=None, slug="describe_dataset")
    position = {"x": 360, "y": 0}
    node = {"id": "describe", "operation": operation.pk, "label": "", "params": {}, "position": position}
    return Pipeline.objects.create(
        project=examples_project(),
        name="Describe an uploaded table",
        graph={"nodes": [node], "edges": [], "inputs": []},
        created_by=member,
    )


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


def keep(path: Path) -> None:
    """Screenshots also go to /tmp: other test runs wipe test-results/."""
    shutil.copy(path, Path("/tmp") / path.name)


def test_an_input_added_in_the_editor_is_given_a_file_when_the_run_starts(
    page: Page, asgi_server, celery_worker, describe_only, screenshot, tmp_path
):
    # given the pipeline open in the editor
    log_in(page, asgi_server.url)
    page.goto(f"{asgi_server.url}/pipelines/{describe_only.pk}/edit/")
    expect(page.locator('.react-flow__node[data-id="describe"]')).to_be_visible()

    # when a pipeline input is added from the palette, renamed and wired to the node
    page.get_by_role("region", name="Operations").get_by_role("button", name="+ Pipeline input").click()
    added = page.locator('.react-flow__node[data-id="input"]')
    expect(added).to_be_visible()
    expect(added.locator(".input-node-badge")).to_have_text("Input")
    inspector = page.get_by_role("region", name="Node inspector")
    inspector.get_by_label("Name").fill("table")
    inspector.get_by_label(re.compile("^Description")).fill("A CSV table with a header row")
    node = page.locator('.react-flow__node[data-id="table"]')
    expect(node).to_be_visible()
    expect(node.locator(".input-node-type")).to_have_text("file")
    # it was added in the middle of the view, over the node: dragged to the left of it
    start, target = node.bounding_box(), page.locator('.react-flow__node[data-id="describe"]').bounding_box()
    assert start and target
    page.mouse.move(start["x"] + 30, start["y"] + 12)
    page.mouse.down()
    page.mouse.move(target["x"] - start["width"] - 80, start["y"] + 12, steps=12)
    page.mouse.up()
    connect(page, handle(page, "table", "source", "value"), handle(page, "describe", "target", "dataset"))
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    node.click()
    expect(inspector).to_contain_text("feeding describe.dataset")

    # and the pipeline is saved
    page.get_by_role("button", name="Save", exact=True).click()
    saved = page.get_by_role("status").filter(has_text="Saved as version")
    expect(saved).to_contain_text("Saved as version 1")
    keep(screenshot(page, "editor-pipeline-input"))
    describe_only.refresh_from_db()
    assert describe_only.graph["inputs"][0]["name"] == "table"
    assert describe_only.graph["edges"][0]["source"] == "table"

    # when the execute dialog opens and a file is uploaded for the input
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("menuitem", name="Run…").click()
    dialog = page.get_by_role("dialog", name="Run pipeline")
    inputs = dialog.get_by_role("group", name="Inputs")
    picker = inputs.get_by_label(re.compile("^table"))
    expect(picker).to_be_visible()
    # Run without a file: the input is required, said next to it.
    dialog.get_by_role("button", name="Run", exact=True).click()
    expect(inputs.get_by_text("Choose an artifact, or upload a file.")).to_be_visible()
    upload = tmp_path / "blobs.csv"
    upload.write_text(TABLE)
    inputs.locator('input[type="file"]').set_input_files(str(upload))
    expect(picker.locator("option:checked")).to_contain_text("blobs.csv")
    keep(screenshot(page, "execute-dialog-inputs"))
    dialog.get_by_role("button", name="Run", exact=True).click()

    # then the run view opens and the run succeeds on the uploaded table
    expect(page).to_have_url(re.compile(r"/runs/\d+/$"))
    run = wait_for_run(Run.objects.get(pipeline=describe_only), timeout=90)
    assert run.state == RunState.SUCCEEDED, (run.error, [n.log[-500:] for n in run.node_runs.all()])
    expect(page.locator('.run-node[data-state="succeeded"]')).to_have_count(1, timeout=60_000)
    stats = run.node_runs.get(node_id="describe").outputs["stats"]["value"]
    assert stats["rows"] == 3 and stats["columns"]["y"]["max"] == 6.0
    assert set(run.config["inputs"]) == {"table"}
