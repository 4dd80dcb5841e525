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


def test_a_builtin_is_duplicated_and_a_container_operation_is_written_and_joins_the_palette(
    page: Page, live_server, member, screenshot
):
    project = examples_project()
    builtin = Operation.objects.get(project=None, slug="train_logistic_regression")
    log_in(page, live_server.url)

    # when a built-in is opened, read-only, and duplicated into the project
    page.goto(f"{live_server.url}/operations/{builtin.pk}/edit/?project={project.pk}")
    expect(page.get_by_role("note")).to_contain_text("Built-in operations can't be edited")
    page.get_by_role("button", name="Duplicate into project").click()
    dialog = page.get_by_role("dialog", name="Duplicate into project")
    expect(dialog.get_by_label("Project")).to_have_value(str(project.pk))
    dialog.get_by_role("button", name="Duplicate").click()

    # then the copy opens in the authoring page, editable, as version 1
    copy = f"{builtin.name} (copy)"
    expect(page.get_by_role("heading", name=f"Edit {copy}")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Duplicated")).to_contain_text(
        f"Duplicated as “{copy}”, version 1"
    )
    duplicated = Operation.objects.get(project=project, name=copy)
    assert duplicated.versions.get().content_hash == builtin.versions.get().content_hash
    assert page.url.endswith(f"/operations/{duplicated.pk}/edit/")

    # when a new operation is switched to Container and given an image, a command and args
    page.goto(f"{live_server.url}/operations/new/?project={project.pk}")
    page.get_by_label("Name", exact=True).fill("Resize images")
    page.get_by_role("radio", name="Container image").check()
    expect(page.locator(".cm-content")).to_have_count(0)
    page.get_by_label("Image", exact=True).fill("ghcr.io/acme/resize:1.4")
    page.get_by_label("Command one item per line").fill("python\n/app/resize.py")
    page.get_by_label("Args one item per line").fill("--scale={{x}}\n--out\n{{y}}")
    expect(page.get_by_label("Command line")).to_have_text("python /app/resize.py --scale={{x}} --out {{y}}")
    placeholders = page.get_by_role("table", name="Placeholders")
    expect(placeholders).to_contain_text("$PW_INPUT_X")
    expect(placeholders).to_contain_text("$PW_OUTPUT_Y")
    page.get_by_role("button", name="Save version").click()

    # then it is saved as version 1 of a container operation
    expect(page.get_by_role("status").filter(has_text="version")).to_contain_text("Saved as version 1")
    operation = Operation.objects.get(project=project, name="Resize images")
    version = operation.versions.get()
    assert (version.kind, version.image) == ("container", "ghcr.io/acme/resize:1.4")
    assert version.command == ["python", "/app/resize.py"]
    assert version.args == ["--scale={{x}}", "--out", "{{y}}"]
    assert version.source == ""
    expect(page.get_by_role("radio", name="Container image")).to_be_checked()
    page.wait_for_timeout(200)
    screenshot(page, "operation-editor-container-light")

    # and in the dark theme
    page.evaluate("localStorage.setItem('pipewright.theme', 'dark')")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.get_by_label("Image", exact=True)).to_have_value("ghcr.io/acme/resize:1.4")
    page.wait_for_timeout(200)
    screenshot(page, "operation-editor-container-dark")

    # and the pipeline editor's palette offers both
    pipeline = Pipeline.objects.create(
        project=project, name="Uses them", graph={"nodes": [], "edges": [], "inputs": []}, created_by=member
    )
    page.goto(f"{live_server.url}/pipelines/{pipeline.pk}/edit/")
    palette = page.get_by_role("region", name="Operations")
    expect(palette.get_by_role("button", name="Resize images", exact=True)).to_be_visible()
    expect(palette.get_by_role("button", name=copy, exact=True)).to_be_visible()
