"""YAML pipelines in the browser: import a main.yml (its problems shown with file and line), then
read the pipeline back as YAML."""

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from editor.models import PipelineVersion
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKEN = """\
name: yaml-hello
tasks:
  - name: prepare
    image: Python:3.11
  - name: greet
    image: python:3.11
    depends: [ghost]
"""

VALID = """\
name: yaml-hello
description: Say hello from two containers.
tasks:
  - name: prepare
    image: python:3.11
    command: ["echo", "hi"]
  - name: greet
    image: python:3.11
    command: ["echo", "hello"]
    depends: [prepare]
"""

COMMIT = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"


def keep(path: Path) -> None:
    """Screenshots also go to /tmp: other test runs wipe test-results/."""
    shutil.copy(path, Path("/tmp") / path.name)


def write_main(folder: Path, text: str) -> Path:
    folder.mkdir()
    path = folder / "main.yml"
    path.write_text(text)
    return path


def test_a_user_imports_a_yaml_pipeline_and_reads_it_back(
    page: Page, live_server, member, screenshot, tmp_path
):
    # given
    broken = write_main(tmp_path / "broken", BROKEN)
    valid = write_main(tmp_path / "valid", VALID)
    log_in(page, live_server.url)

    # when a main.yml with two problems is uploaded
    page.get_by_role("button", name="Import YAML").click()
    dialog = page.get_by_role("dialog", name="Import YAML pipeline")
    dialog.get_by_label("File").set_input_files(str(broken))
    dialog.get_by_role("button", name="Import", exact=True).click()

    # then both are listed with their file and line, and the dialog stays open
    problems = dialog.get_by_role("alert")
    expect(problems).to_contain_text("main.yml was not imported: 2 problems")
    expect(problems.get_by_role("listitem")).to_have_count(2)
    expect(problems.get_by_role("listitem").nth(0)).to_have_text(
        re.compile(r"^main\.yml:4 — .*repository names must be lowercase")
    )
    expect(problems.get_by_role("listitem").nth(1)).to_have_text(
        re.compile(r"^main\.yml:7 — task 'greet' depends on unknown task 'ghost'")
    )
    keep(screenshot(page, "yaml-import-problems"))

    # when a valid one is uploaded (Enter imports)
    dialog.get_by_label("File").set_input_files(str(valid))
    expect(problems).to_have_count(0)
    dialog.get_by_label("Project").press("Enter")

    # then the pipeline page shows its tasks as nodes
    expect(page).to_have_url(re.compile(r"/pipelines/\d+/$"))
    expect(page.get_by_role("heading", name="yaml-hello", level=1)).to_be_visible()
    expect(page.locator(".react-flow__node")).to_have_count(2)
    expect(page.get_by_test_id("rf__node-prepare")).to_contain_text("prepare")
    expect(page.get_by_test_id("rf__node-greet")).to_contain_text("greet")
    expect(page.locator(".react-flow__edge")).to_have_count(1)

    # when its version came from a git repository (as a repository sync records it)
    PipelineVersion.objects.filter(pipeline__name="yaml-hello").update(git_commit=COMMIT)
    page.reload()

    # then the header and the versions panel show the short sha, the whole one in its title
    expect(page.get_by_title(f"Git commit {COMMIT}")).to_have_count(2)
    expect(page.get_by_role("region", name="Versions").get_by_title(f"Git commit {COMMIT}")).to_have_text(
        "git 1a2b3c4d"
    )
    keep(screenshot(page, "yaml-pipeline-page"))

    # when it is viewed as YAML
    page.get_by_role("button", name="View as YAML").click()
    viewer = page.get_by_role("dialog", name="Pipeline as YAML")
    text = viewer.get_by_test_id("yaml-text")

    # then the text names the tasks and what they run, and downloads as main.yml or a zip
    expect(text).to_contain_text("name: yaml-hello")
    expect(text).to_contain_text("name: prepare")
    expect(text).to_contain_text("name: greet")
    expect(text).to_contain_text("python:3.11")
    keep(screenshot(page, "yaml-view"))
    with page.expect_download() as yml:
        viewer.get_by_role("button", name="Download main.yml").click()
    assert yml.value.suggested_filename == "main.yml"
    with page.expect_download() as zipped:
        viewer.get_by_role("link", name="Download zip").click()
    assert zipped.value.suggested_filename.endswith(".zip")
    page.keyboard.press("Escape")
    expect(viewer).to_have_count(0)

    # and in the dark theme
    page.evaluate("localStorage.setItem('pipewright.theme', 'dark')")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.get_by_role("button", name="View as YAML").click()
    expect(page.get_by_role("dialog", name="Pipeline as YAML").get_by_test_id("yaml-text")).to_contain_text(
        "name: greet"
    )
    keep(screenshot(page, "yaml-view-dark"))
    page.keyboard.press("Escape")
    page.goto(f"{live_server.url}/pipelines/")
    page.get_by_role("button", name="Import YAML").click()
    dialog = page.get_by_role("dialog", name="Import YAML pipeline")
    dialog.get_by_label("File").set_input_files(str(broken))
    dialog.get_by_role("button", name="Import", exact=True).click()
    expect(dialog.get_by_role("alert").get_by_role("listitem")).to_have_count(2)
    keep(screenshot(page, "yaml-import-problems-dark"))
