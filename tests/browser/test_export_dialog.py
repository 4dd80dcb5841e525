"""The export dialog: a pipeline with a file input is exported from the editor with that input
static (a file uploaded in the dialog), and the zip the browser saves holds the runnable bundle
and the file; then from the pipeline page, in the dark theme."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from editor.library.loader import examples_project
from editor.models import Artifact, Operation, Pipeline
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLE = "x,y\n1,2\n3,4\n5,6\n"


@pytest.fixture
def describe_with_input(member) -> Pipeline:
    """One node fed by a file input, as the editor saves it (see test_pipeline_inputs.py)."""
    operation = Operation.objects.get(project=None, slug="describe_dataset")
    node = {
        "id": "describe",
        "operation": operation.pk,
        "label": "",
        "params": {},
        "position": {"x": 360, "y": 0},
    }
    edge = {
        "id": "table.value->describe.dataset",
        "source": "table",
        "source_port": "value",
        "target": "describe",
        "target_port": "dataset",
    }
    table = {
        "name": "table",
        "type": "file",
        "description": "A CSV table with a header row",
        "position": {"x": 0, "y": 0},
    }
    return Pipeline.objects.create(
        project=examples_project(),
        name="Describe an uploaded table",
        graph={"nodes": [node], "edges": [edge], "inputs": [table]},
        created_by=member,
    )


def keep(path: Path) -> None:
    """Screenshots also go to /tmp: other test runs wipe test-results/."""
    shutil.copy(path, Path("/tmp") / path.name)


def test_an_export_with_a_static_file_downloads_a_runnable_zip_holding_it(
    page: Page, asgi_server, describe_with_input, screenshot, tmp_path
):
    # given the pipeline open in the editor
    log_in(page, asgi_server.url)
    page.goto(f"{asgi_server.url}/pipelines/{describe_with_input.pk}/edit/")
    expect(page.locator('.react-flow__node[data-id="describe"]')).to_be_visible()

    # when the export dialog opens from the "+" menu
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("menuitem", name="Export…").click()
    dialog = page.get_by_role("dialog", name="Export pipeline")
    expect(dialog).to_contain_text("python main.py")
    table = dialog.get_by_role("group", name="table")
    expect(table.get_by_role("radio", name=re.compile("^Command-line argument"))).to_be_checked()
    expect(table).to_contain_text("Required when the zip runs: a path.")

    # and the input is made static without a file: the dialog says so next to it, nothing is sent
    table.get_by_role("radio", name=re.compile("^Static")).check()
    dialog.get_by_role("button", name=re.compile("^Download zip")).click()
    expect(table.get_by_text("Choose an artifact, or upload a file.")).to_be_visible()
    keep(screenshot(page, "export-dialog-refused"))

    # and a file is uploaded for it
    upload = tmp_path / "blobs.csv"
    upload.write_text(TABLE)
    table.locator('input[type="file"]').set_input_files(str(upload))
    picker = table.get_by_label("Artifact shipped in the zip")
    expect(picker.locator("option:checked")).to_contain_text("blobs.csv")
    expect(table.get_by_text("Choose an artifact, or upload a file.")).to_have_count(0)
    keep(screenshot(page, "export-dialog"))

    # and the zip is downloaded
    with page.expect_download() as info:
        dialog.get_by_role("button", name=re.compile("^Download zip")).click()
    download = info.value

    # then the browser saves it under the server's name, and the dialog says so
    assert download.suggested_filename == "describe-an-uploaded-table-v1.zip"
    expect(dialog.get_by_role("status")).to_contain_text("Saved describe-an-uploaded-table-v1.zip")
    keep(screenshot(page, "export-dialog-saved"))
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    names = set(zipfile.ZipFile(target).namelist())
    assert {"main.py", "pipeline.json", "runtime/cli.py", "README.md", "artifacts/table.csv"} <= names, names
    assert zipfile.ZipFile(target).read("artifacts/table.csv").decode() == TABLE

    # when the pipeline page offers Export too, in the dark theme, and the uploaded file is picked
    page.evaluate("localStorage.setItem('pipewright.theme', 'dark')")
    page.goto(f"{asgi_server.url}/pipelines/{describe_with_input.pk}/")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.get_by_role("button", name="Export", exact=True).click()
    dialog = page.get_by_role("dialog", name="Export pipeline")
    expect(dialog).to_contain_text("Version 1 as a zip")
    table = dialog.get_by_role("group", name="table")
    table.get_by_role("radio", name=re.compile("^Static")).check()
    uploaded = Artifact.objects.get(project=examples_project(), name="blobs.csv")
    table.get_by_label("Artifact shipped in the zip").select_option(str(uploaded.pk))
    keep(screenshot(page, "export-dialog-dark"))
    with page.expect_download() as info:
        page.keyboard.press("Control+Enter")
    assert info.value.suggested_filename == "describe-an-uploaded-table-v1.zip"
