"""An editor writes an operation in the browser and uses it in a pipeline."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from editor.library.loader import examples_project
from editor.models import Operation, Pipeline
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operation_written_in_the_browser_gets_versions_and_joins_the_palette(
    page: Page, live_server, member, screenshot
):
    project = examples_project()
    log_in(page, live_server.url)

    # when a new operation is written from its template and saved
    page.goto(f"{live_server.url}/operations/new/?project={project.pk}")
    page.get_by_label("Name", exact=True).fill("Double it")
    source = page.locator(".cm-content")
    expect(source).to_contain_text("def run")
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_role("status").filter(has_text="version")).to_contain_text("Saved as version 1")
    operation = Operation.objects.get(project=project, name="Double it")
    assert operation.versions.get().source.startswith("def run")
    screenshot(page, "operation-editor")

    # and its code is changed and saved again
    source.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n# doubled\n")
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_role("status").filter(has_text="version")).to_contain_text("Saved as version 2")
    assert "# doubled" in operation.versions.get(number=2).source

    # then the pipeline editor's palette offers it
    pipeline = Pipeline.objects.create(
        project=project, name="Uses it", graph={"nodes": [], "edges": [], "inputs": []}, created_by=member
    )
    page.goto(f"{live_server.url}/pipelines/{pipeline.pk}/edit/")
    palette = page.get_by_role("region", name="Operations")
    expect(palette.get_by_role("button", name="Double it", exact=True)).to_be_visible()
