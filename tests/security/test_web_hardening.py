"""The browser-facing defences: the live stream refuses foreign origins (cross-site
websocket hijacking), session-authenticated writes need the CSRF token while API tokens
do not, and every page and API answer carries the security headers and the CSP."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from editor.models import Pipeline
from pipewright.asgi import application
from runs.models import Run
from runs.submit import submit_run
from tests.fixtures.users import PASSWORD

EVIL = "https://evil.example"


# --- cross-site websocket hijacking --------------------------------------------------------


def session_cookie(user: Any) -> str:
    client = APIClient()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def scenario(body: Callable[[], Awaitable[None]]) -> None:
    """The async body in a thread of its own (a browser test earlier in the session may
    leave an event loop running in this one), its ORM connections closed after."""

    async def bounded() -> None:
        try:
            await asyncio.wait_for(body(), timeout=60)
        finally:
            await database_sync_to_async(connections.close_all)()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, bounded()).result()


@pytest.fixture
def quiet_run(project, make_pipeline, teammate, monkeypatch) -> Run:
    """A submitted run that no worker advances."""
    from runs import tasks

    monkeypatch.setattr(tasks.advance_run, "delay", lambda *args: None)
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Watched")
    return submit_run(pipeline, {"name": "watched"}, teammate)


def open_stream(run_id: int, cookie: str, origin: str) -> WebsocketCommunicator:
    headers = [(b"host", b"localhost"), (b"origin", origin.encode()), (b"cookie", cookie.encode())]
    return WebsocketCommunicator(application, f"/ws/runs/{run_id}/", headers=headers)


@pytest.mark.django_db(transaction=True)
def test_a_members_session_from_a_foreign_origin_cannot_open_the_run_stream(quiet_run, viewer):
    # given a project member's valid session cookie
    cookie = session_cookie(viewer)

    async def body() -> None:
        # when a page on another site opens the stream with it
        foreign = open_stream(quiet_run.pk, cookie, EVIL)
        connected, _ = await foreign.connect()
        # then the handshake is refused before the consumer sees it
        assert not connected
        await foreign.disconnect()

        # and from the app's own origin the same cookie is let in
        own = open_stream(quiet_run.pk, cookie, "http://localhost")
        connected, _ = await own.connect()
        assert connected
        assert (await own.receive_json_from(timeout=30))["type"] == "snapshot"
        await own.disconnect()

    scenario(body)


@pytest.mark.django_db(transaction=True)
def test_the_live_server_refuses_a_foreign_origin_and_accepts_its_own(asgi_server, quiet_run, viewer):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect
    from websockets.typing import Origin

    cookie = {"Cookie": session_cookie(viewer)}
    url = asgi_server.url.replace("http://", "ws://") + f"/ws/runs/{quiet_run.pk}/"

    with pytest.raises(InvalidStatus) as refused:
        connect(url, origin=Origin(EVIL), additional_headers=cookie, open_timeout=20)
    assert refused.value.response.status_code == 403

    with connect(url, origin=Origin(asgi_server.url), additional_headers=cookie, open_timeout=20) as ws:
        assert '"snapshot"' in str(ws.recv(timeout=20))


# --- CSRF ----------------------------------------------------------------------------------


def csrf_client(user: Any) -> tuple[APIClient, str]:
    """A client that checks CSRF as a browser's requests are checked, signed in through
    the login form; and the CSRF token the app gives its pages."""
    client = APIClient(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    signed_in = client.post(
        "/accounts/login/",
        {
            "username": user.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert signed_in.status_code == 302
    client.get("/pipelines/")  # the SPA's page hands out the (rotated) token
    return client, client.cookies["csrftoken"].value


@pytest.fixture
def a_pipeline(project) -> Pipeline:
    return Pipeline.objects.create(
        project=project, name="Existing", graph={"nodes": [], "edges": [], "inputs": []}
    )


def writes(project: Any, pipeline: Pipeline) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("post", "/api/pipelines/", {"project": project.pk, "name": "New"}),
        ("patch", f"/api/pipelines/{pipeline.pk}/", {"description": "changed"}),
        ("post", "/api/runs/", {"pipeline": pipeline.pk}),
        ("post", f"/api/projects/{project.pk}/members/", {"username": "oscar", "role": "viewer"}),
        ("post", "/api/environment-variables/", {"project": project.pk, "name": "EPOCHS", "value": "3"}),
        ("post", "/api/accounts/", {"kind": "storage", "backend": "local", "label": "Disk"}),
        ("delete", f"/api/pipelines/{pipeline.pk}/", {}),
    ]


@pytest.mark.django_db
def test_session_writes_without_the_csrf_token_are_refused(project, a_pipeline, owner, outsider):
    client, _ = csrf_client(owner)

    for method, path, data in writes(project, a_pipeline):
        response = getattr(client, method)(path, data, format="json")

        assert response.status_code == 403, (method, path, response.content)
        assert "CSRF" in response.json()["detail"], (method, path)
    assert Pipeline.objects.filter(project=project).count() == 1
    assert project.memberships.filter(user=outsider).exists() is False


@pytest.mark.django_db
def test_session_writes_with_the_csrf_token_go_through(project, a_pipeline, owner, outsider):
    client, token = csrf_client(owner)

    answers = {
        (method, path): getattr(client, method)(path, data, format="json", HTTP_X_CSRFTOKEN=token)
        for method, path, data in writes(project, a_pipeline)
    }

    assert all(a.status_code != 403 for a in answers.values()), {k: a.status_code for k, a in answers.items()}
    assert answers[("post", "/api/pipelines/")].status_code == 201
    assert answers[("post", f"/api/projects/{project.pk}/members/")].status_code in (200, 201)
    assert answers[("post", "/api/environment-variables/")].status_code == 201
    assert answers[("delete", f"/api/pipelines/{a_pipeline.pk}/")].status_code == 204
    assert project.memberships.filter(user=outsider).exists()


@pytest.mark.django_db
def test_a_token_authenticated_script_needs_no_csrf_token(project, owner):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")

    created = client.post("/api/pipelines/", {"project": project.pk, "name": "Scripted"}, format="json")

    assert created.status_code == 201, created.content
    deleted = client.delete(f"/api/pipelines/{created.json()['id']}/")
    assert deleted.status_code == 204


@pytest.mark.django_db
def test_the_login_form_needs_the_csrf_token(owner):
    client = Client(enforce_csrf_checks=True)
    credentials = {"username": owner.username, "password": PASSWORD}

    refused = client.post("/accounts/login/", credentials)
    assert refused.status_code == 403 and "CSRF" in refused.content.decode()
    assert "_auth_user_id" not in client.session

    client.get("/accounts/login/")
    signed_in = client.post(
        "/accounts/login/", {**credentials, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    )
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


# --- security headers and CSP --------------------------------------------------------------

BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_base_headers(response: Any) -> None:
    for header, value in BASE_HEADERS.items():
        assert response.headers.get(header) == value, (header, response.headers.get(header))
    assert response.headers.get("Referrer-Policy") in ("same-origin", "strict-origin-when-cross-origin")


def csp_directives(response: Any) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "signed_in"),
    [
        ("/accounts/login/", False),
        ("/pipelines/", True),
        ("/runs/3/", True),
        ("/pipelines/", False),  # the redirect to the login page
        ("/api/projects/", True),
        ("/api/projects/", False),  # refused
        ("/api/no-such-thing/", True),
        ("/api/schema/", True),
        ("/healthz", False),
        ("/admin/login/", False),
    ],
)
def test_every_page_and_api_answer_has_the_security_headers_and_the_csp(client, owner, path, signed_in):
    if signed_in:
        client.force_login(owner)

    response = client.get(path)

    assert_base_headers(response)
    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:", "blob:"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]


@pytest.mark.django_db
def test_a_write_answer_and_a_csrf_refusal_carry_the_headers_too(client, owner, project):
    client.force_login(owner)
    created = client.post(
        "/api/pipelines/", {"project": project.pk, "name": "H"}, content_type="application/json"
    )
    refused = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})

    for response in (created, refused):
        assert_base_headers(response)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_app_shell_runs_no_inline_script_the_csp_would_block(client, owner):
    client.force_login(owner)

    html = client.get("/pipelines/").content.decode()

    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    for attributes, body in scripts:
        # external, or a JSON data block (json_script), which the browser never executes
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
        assert "src=" not in attributes or not body.strip()
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers


@pytest.mark.django_db
def test_the_api_docs_run_under_a_csp_that_allows_only_their_cdn(client, owner):
    client.force_login(owner)

    page = client.get("/api/docs/")

    assert page.status_code == 200
    assert_base_headers(page)  # drf-spectacular's own COOP (unsafe-none) is not sent
    html = page.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    sources = [re.search(r'src="([^"]+)"', attributes) for attributes, _ in scripts]
    assert all(sources) and not any(body.strip() for _, body in scripts)  # no inline script
    directives = csp_directives(page)
    assert directives["script-src"] == ["'self'", "https://cdn.jsdelivr.net"]
    assert all(s.group(1).startswith(("https://cdn.jsdelivr.net/", "/api/docs/")) for s in sources if s), (
        sources
    )
    assert directives["frame-ancestors"] == ["'none'"]
    # the start-up script comes from the page's own URL, as JavaScript, under the same policy
    script_url = next(s.group(1) for s in sources if s and s.group(1).startswith("/api/docs/"))
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_the_policy_is_configurable_and_can_be_turned_off(client, settings):
    settings.PIPEWRIGHT_CSP = "default-src 'none'"
    assert client.get("/accounts/login/").headers["Content-Security-Policy"] == "default-src 'none'"

    settings.PIPEWRIGHT_CSP = ""
    settings.PIPEWRIGHT_CSP_BY_PATH = {"/accounts/": "default-src 'self'"}
    assert client.get("/accounts/login/").headers["Content-Security-Policy"] == "default-src 'self'"

    settings.PIPEWRIGHT_CSP_BY_PATH = {}
    response = client.get("/accounts/login/")
    assert "Content-Security-Policy" not in response.headers
    assert_base_headers(response)
