"""Browser tests: Debian's Chromium driven by Playwright against a live server."""

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from editor.choices import Role
from editor.library.loader import examples_project, load_library
from editor.projects import add_member
from tests.fixtures.users import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls made
# by the test body itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PIPEWRIGHT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(settings.BASE_DIR) / "test-results" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: `apt-get install chromium` (make test does this as root)"
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1366, "height": 820}}


@pytest.fixture
def screenshot():
    """Saves a screenshot under test-results/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def member(make_user):
    """Ada, an editor of the Examples project (with the library loaded)."""
    load_library()
    user = make_user("ada")
    add_member(examples_project(), user, Role.EDITOR)
    return user


def log_in(page: Page, base_url: str, username: str = "ada") -> None:
    """Open the app, get sent to the login page, sign in, land on the pipelines list."""
    page.goto(f"{base_url}/pipelines/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/pipelines/$"))
