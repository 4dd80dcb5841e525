"""The app works under its Content-Security-Policy (pipewright/security_headers.py): the
editor's canvas (React Flow's inline styles, the ELK layout worker), the code editor and
the run page's live stream load in Chromium, served by Daphne, without one violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from editor.library.loader import examples_project
from runs.submit import submit_run
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
});
"""


@pytest.fixture
def violations(page: Page) -> list[str]:
    """What the browser says the policy blocked, on any page the test opens."""
    found: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if "Content Security Policy" in message.text or "CSP violation" in message.text
            else None
        ),
    )
    return found


@pytest.fixture
def watched_run(member: Any, make_pipeline: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A run of two library operations that no worker advances (the page only watches it)."""
    from runs import tasks

    monkeypatch.setattr(tasks.advance_run, "delay", lambda *args: None)
    pipeline = make_pipeline(
        examples_project(),
        [("data", "make_dataset"), ("split", "split_dataset")],
        [("data.dataset", "split.dataset")],
        name="Under the policy",
    )
    return submit_run(pipeline, {"name": "policed"}, member)


def test_the_editor_the_code_editor_and_the_live_run_page_work_under_the_csp(
    page: Page, asgi_server: Any, watched_run: Any, violations: list[str]
) -> None:
    base = asgi_server.url
    log_in(page, base)

    # the editor: React Flow draws the graph, and Tidy up runs ELK in a worker
    editor = page.goto(f"{base}/pipelines/{watched_run.pipeline_id}/edit/")
    assert editor is not None
    assert "script-src 'self'" in editor.headers["content-security-policy"]
    expect(page.locator(".react-flow__node")).to_have_count(2)
    page.get_by_role("button", name="Tidy up").click()
    expect(page.get_by_role("button", name="Tidy up")).to_be_enabled()
    expect(page.get_by_role("alert")).to_have_count(0)

    # the code editor (CodeMirror injects its styles)
    page.goto(f"{base}/operations/new/")
    expect(page.locator(".cm-editor").first).to_be_visible()

    # the run page opens the live stream (ws: on the same host), which stays open
    sockets: list[Any] = []
    page.on("websocket", lambda ws: sockets.append(ws))
    page.goto(f"{base}/runs/{watched_run.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("policed")
    expect(page.locator(".react-flow__node")).to_have_count(2)
    page.wait_for_timeout(1000)
    stream = f"{base.replace('http://', 'ws://')}/ws/runs/{watched_run.pk}/"
    assert [ws.url.split("?")[0] for ws in sockets] == [stream]
    assert not sockets[0].is_closed()
    # and a socket the page opens itself gets through the handshake and receives the snapshot
    first_message = page.evaluate(
        """(url) => new Promise((resolve) => {
            const ws = new WebSocket(url);
            ws.onmessage = (e) => { resolve(JSON.parse(e.data).type); ws.close(); };
            ws.onerror = () => resolve("error");
        })""",
        stream,
    )
    assert first_message == "snapshot"

    assert violations == []
