"""Git repositories in the browser: link a local bare repository, sync it (one pipeline imported,
the broken one reported with its file and line), push a changed pipeline back as a commit with
a message, and see an unreachable repository refused with a clear error."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from editor.models import Pipeline
from tests.browser.conftest import log_in
from tests.fixtures.git import git

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HELLO = b"""\
name: hello
description: Say hello.
tasks:
  - name: greet
    image: busybox:1.36
    command: [sh, -c]
    args: ['echo hello > "{{greeting}}"']
    outputs: [greeting]
"""

BROKEN = b"""\
name: broken
tasks:
  - name: a
    image: busybox
    depends: [z]
"""


@pytest.fixture
def remote(tmp_path: Path, settings) -> Path:
    """A bare repository whose `main` holds pipelines/hello (valid) and pipelines/broken."""
    settings.PIPEWRIGHT_GIT_ALLOW_LOCAL = True  # the live server runs in this process
    bare = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", str(bare))
    work = tmp_path / "work"
    git("clone", "--quiet", str(bare), str(work))
    git("checkout", "--quiet", "-b", "main", cwd=work)
    for folder, text in (("hello", HELLO), ("broken", BROKEN)):
        (work / "pipelines" / folder).mkdir(parents=True)
        (work / "pipelines" / folder / "main.yml").write_bytes(text)
    git("add", "--all", cwd=work)
    git("commit", "--quiet", "-m", "Two pipelines", cwd=work)
    git("push", "--quiet", "origin", "main", cwd=work)
    return bare


def dark(page: Page) -> None:
    page.evaluate("document.documentElement.dataset.theme = 'dark'; window.scrollTo(0, 0)")
    page.wait_for_timeout(400)  # the buttons' colour transitions


def light(page: Page) -> None:
    page.evaluate("delete document.documentElement.dataset.theme")


def test_link_sync_and_push_a_git_repository(page: Page, live_server, project, teammate, remote, screenshot):
    # given Ted, an editor of Research, on the Repositories page
    log_in(page, live_server.url, "ted")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Repositories").click()
    expect(page.get_by_role("heading", name="No repositories linked yet")).to_be_visible()
    screenshot(page, "repositories-empty")

    # when he links the bare repository, first with a folder outside it
    page.get_by_role("button", name="Link repository").click()
    dialog = page.get_by_role("dialog", name="Link repository")
    expect(dialog.get_by_label("Branch")).to_have_value("main")
    dialog.get_by_label("Repository URL").fill(str(remote))
    folder = dialog.get_by_label("Folder")
    folder.fill("../elsewhere")
    dialog.get_by_label("Access token").fill("not-needed-but-kept")
    expect(dialog.get_by_text("Stored encrypted; never shown again.")).to_be_visible()
    dialog.get_by_role("button", name="Link repository").click()
    # then the folder is refused next to its field
    expect(dialog.get_by_text("a folder inside the repository, without `..`")).to_be_visible()
    expect(folder).to_have_attribute("aria-invalid", "true")
    screenshot(page, "repository-dialog-error")
    folder.fill("pipelines")
    dialog.get_by_role("button", name="Link repository").click()
    expect(dialog).to_have_count(0)
    card = page.get_by_role("article", name=str(remote))
    expect(card).to_be_visible()
    expect(card.get_by_text("set", exact=True)).to_be_visible()  # the credentials, never shown
    expect(card.get_by_text("never")).to_be_visible()

    # when he syncs it now
    card.get_by_role("button", name="Sync now").click()
    # then one pipeline is imported and the broken one is reported with its file and line
    report = card.get_by_role("region", name="Sync report")
    expect(report).to_contain_text("1 pipeline imported, 1 problem.")
    expect(report.get_by_role("link", name="hello")).to_have_attribute(
        "href", f"/pipelines/{Pipeline.objects.get(project=project, name='hello').pk}/"
    )
    problems = report.get_by_role("list", name="Problems")
    expect(problems).to_contain_text("pipelines/broken/main.yml:5 — task 'a' depends on unknown task 'z'")
    head = git("--git-dir", str(remote), "rev-parse", "main").strip()
    expect(card.get_by_text(head[:7]).first).to_be_visible()
    expect(card.get_by_role("table").get_by_role("link", name="hello")).to_be_visible()
    assert not Pipeline.objects.filter(project=project, name="broken").exists()
    screenshot(page, "repositories-synced")
    dark(page)
    screenshot(page, "repositories-synced-dark")
    light(page)

    # when the pipeline changes in the app and he pushes it with a message
    Pipeline.objects.filter(project=project, name="hello").update(description="Say hello, twice.")
    card.get_by_role("button", name="Push hello").click()
    push = page.get_by_role("dialog", name="Push hello")
    push.get_by_label("Commit message").fill("Describe hello better")
    page.wait_for_timeout(300)  # the dialog's pop-in animation
    screenshot(page, "repository-push-dialog")
    push.get_by_role("button", name="Push", exact=True).click()
    # then the dialog shows the commit now at the head of the branch, with the version
    commit = push.get_by_test_id("pushed-commit")
    expect(commit).to_have_text(re.compile(r"^[0-9a-f]{40}$"))
    assert commit.inner_text() == git("--git-dir", str(remote), "rev-parse", "main").strip() != head
    message = git("--git-dir", str(remote), "log", "-1", "--format=%s", "main").strip()
    assert message == "Describe hello better"
    expect(push.get_by_test_id("pushed-version")).to_have_text(re.compile(r"^version \d+$"))
    screenshot(page, "repository-pushed")
    dark(page)
    screenshot(page, "repository-pushed-dark")
    light(page)
    push.get_by_role("button", name="Done").click()
    expect(push).to_have_count(0)
    # and the card's last commit is the pushed one
    pushed = git("--git-dir", str(remote), "rev-parse", "main").strip()
    expect(card.get_by_title(pushed)).to_have_text(pushed[:7])


def test_an_unreachable_repository_is_refused_with_a_clear_error(
    page: Page, live_server, project, teammate, settings, screenshot
):
    # given a repository whose server does not answer
    settings.PIPEWRIGHT_GIT_ALLOW_LOCAL = True
    url = "http://127.0.0.1:9/team/pipelines.git"
    log_in(page, live_server.url, "ted")
    page.goto(f"{live_server.url}/repositories/")
    page.get_by_role("button", name="Link repository").click()
    dialog = page.get_by_role("dialog", name="Link repository")
    dialog.get_by_label("Repository URL").fill(url)
    dialog.get_by_role("button", name="Link repository").click()
    card = page.get_by_role("article", name=url)

    # when it is synced
    card.get_by_role("button", name="Sync now").click()

    # then the error says why, and that nothing changed
    alert = card.get_by_role("alert")
    expect(alert).to_contain_text("Could not sync.")
    expect(alert).to_contain_text(f"cannot read {url} (branch main)")
    expect(alert).to_contain_text("Nothing was changed")
    screenshot(page, "repository-unreachable")

    # and after a reload the repository keeps the error as its last one
    page.reload()
    expect(page.get_by_role("article", name=url)).to_contain_text("Last sync failed:")
    screenshot(page, "repository-last-error")
