"""One known secret, given to the app every way a secret comes in (a storage account's
secret key, a secret project variable mapped into a run's input, a git repository's
token, an endpoint token), then a real run on a real worker: the secret must come out
nowhere a user or an operator can look, and be ciphertext wherever it is stored."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection

from credentials.models import LinkedAccount
from editor.models import Artifact, GitRepository
from pipewright.asgi import application
from runs import tokens
from runs.choices import RunState
from runs.models import Deployment, EnvironmentVariable, NodeRun, Run, RunEvent
from tests.fixtures.engine import wait_for_run
from tests.test_export import body_of
from tests.test_live_stream import scenario, session_cookie

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CANARY = "CANARY-5f2a9c-do-not-leak"
ENDPOINT_TOKEN = tokens.TOKEN_PREFIX + CANARY

# Uses the secret without printing it: its length goes to an output and to a file.
MEASURE = """
def run(ctx, key: str) -> dict:
    print("got a key of", len(key), "characters")
    path = ctx.output_path("report", ".txt")
    with open(path, "w") as f:
        f.write(f"length {len(key)}\\n")
    return {"length": len(key), "report": path}
"""


def assert_clean(where: str, content: Any) -> None:
    text = content.decode(errors="replace") if isinstance(content, bytes) else str(content)
    assert CANARY not in text, f"the canary leaked into {where}"


@pytest.fixture
def refusing_git_server() -> Iterator[tuple[str, list[str | None]]]:
    """An HTTP git remote that answers 403 to everything; the Authorization headers it saw."""
    seen: list[str | None] = []

    class Refuse(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization"))
            self.send_response(403)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/team/pipelines.git", seen
    server.shutdown()


@pytest.fixture
def canary_everywhere(
    project, teammate, client_for, make_op, make_graph_pipeline, s3_server, refusing_git_server, monkeypatch
) -> dict[str, Any]:
    """The canary as every kind of secret, given through the API as a user gives it."""
    if s3_server.kind != "moto":
        pytest.skip(
            "the canary is a made-up S3 secret key: only moto (outside checking_credentials) takes it"
        )
    monkeypatch.setattr(tokens, "new_token", lambda: ENDPOINT_TOKEN)
    client = client_for(teammate)
    bucket = s3_server.make_bucket()
    s3 = {"endpoint": s3_server.endpoint, "bucket": bucket, "prefix": "canary"}

    account = client.post(
        "/api/accounts/",
        {
            "kind": "storage",
            "backend": "s3",
            "label": "Canary bucket",
            "options": {**s3, "access_key": "canary-access-key", "secret_key": CANARY},
        },
        format="json",
    )
    assert account.status_code == 201, account.content
    variable = client.post(
        "/api/environment-variables/",
        {"project": project.pk, "name": "API_KEY", "value": CANARY, "secret": True},
        format="json",
    )
    assert variable.status_code == 201, variable.content
    git_url, git_seen = refusing_git_server
    repository = client.post(
        "/api/repositories/",
        {"project": project.pk, "url": git_url, "secret": {"token": CANARY}},
        format="json",
    )
    assert repository.status_code == 201, repository.content

    op = make_op(
        project, "measure", MEASURE, inputs=[("key", "str")], outputs=[("length", "int"), ("report", "file")]
    )
    pipeline = make_graph_pipeline(project, {"measure": op}, name="Canary")
    # a pipeline input, so the pipeline also exports (the secret stays an argument)
    pipeline.graph["inputs"] = [{"name": "key", "type": "str", "default": None, "description": ""}]
    pipeline.graph["edges"] = [
        {"id": "k", "source": "key", "source_port": "value", "target": "measure", "target_port": "key"}
    ]
    pipeline.save()
    deployment = client.post(
        "/api/deployments/",
        {
            "pipeline": pipeline.pk,
            "name": "canary",
            "rule": "endpoint",
            "wait_seconds": 90,
            "input_mappings": {"key": {"kind": "env", "variable": "API_KEY"}},
            "output_mappings": {"measure.length": {"kind": "endpoint_value", "name": "length"}},
            "storage": {"backend": "s3", "account": account.json()["id"], "options": {}},
        },
        format="json",
    )
    assert deployment.status_code == 201, deployment.content
    assert deployment.json()["token"] == ENDPOINT_TOKEN  # shown in this one answer, by design
    return {
        "client": client,
        "bucket": bucket,
        "account": account.json()["id"],
        "variable": variable.json()["id"],
        "repository": repository.json()["id"],
        "git_seen": git_seen,
        "pipeline": pipeline,
        "deployment": Deployment.objects.get(name="canary"),
        "created": [account, variable, repository],
    }


def read(response: Any) -> bytes:
    """A response's bytes, streamed (synchronously or not) or not."""
    if not response.streaming:
        return bytes(response.content)
    if response.is_async:
        return bytes(body_of(response))
    return b"".join(response.streaming_content)


def stream_messages(run: Run, user: Any) -> list[dict[str, Any]]:
    """Everything the live stream sends a member about the finished run: snapshot and events."""
    cookie = session_cookie(user)
    last_seq = RunEvent.objects.filter(run=run).order_by("-seq").values_list("seq", flat=True).first()
    messages: list[dict[str, Any]] = []

    async def body() -> None:
        headers = [(b"origin", b"http://localhost"), (b"host", b"localhost"), (b"cookie", cookie)]
        ws = WebsocketCommunicator(application, f"/ws/runs/{run.pk}/", headers=headers)
        assert (await ws.connect())[0]
        messages.append(await ws.receive_json_from(timeout=30))  # the snapshot
        await ws.send_json_to({"type": "resume", "after": 0})
        seen = 0
        while seen < (last_seq or 0):
            message = await ws.receive_json_from(timeout=30)
            messages.append(message)
            seen = max([seen, *(e["seq"] for e in message.get("events", []))])
        await ws.disconnect()

    scenario(body)
    return messages


def files_under(root: Path) -> Iterator[Path]:
    return (path for path in root.rglob("*") if path.is_file())


def test_the_canary_secret_never_comes_out(
    canary_everywhere, celery_worker, asgi_server, s3_server, teammate, caplog
):
    world = canary_everywhere
    client = world["client"]

    # given the canary is stored, when a caller runs the deployment with the canary token
    called = requests.post(
        f"{asgi_server.url}/endpoints/canary",
        json={},
        headers={"Authorization": f"EndpointToken {ENDPOINT_TOKEN}"},
        timeout=120,
    )
    assert called.status_code == 200, called.text
    assert called.json()["outputs"] == {"length": len(CANARY)}  # the node got the secret
    run = wait_for_run(Run.objects.get(pk=called.json()["run_id"]), timeout=90)
    assert run.state == RunState.SUCCEEDED, run.error
    node = NodeRun.objects.get(run=run)
    assert f"got a key of {len(CANARY)} characters" in node.log
    report = Artifact.objects.get(produced_by__run=run, name__startswith="measure.report")
    assert report.storage_backend == "s3"  # the run used the account's secret key
    # and the repository's token is used (as a header), when it syncs
    synced = client.post(f"/api/repositories/{world['repository']}/sync/")
    assert synced.status_code == 400, synced.content
    assert world["git_seen"] and all(world["git_seen"]), world["git_seen"]  # sent, as a header

    # then no answer of the API the user can fetch carries it
    assert_clean("the endpoint's answer", called.content)
    assert_clean("the repository sync failure", synced.content)
    for created in world["created"]:
        assert_clean(f"the answer to creating {created.request['PATH_INFO']}", created.content)
    pipeline, deployment = world["pipeline"], world["deployment"]
    paths = [
        "/api/accounts/",
        f"/api/accounts/{world['account']}/",
        f"/api/environment-variables/?project={pipeline.project_id}",
        f"/api/environment-variables/{world['variable']}/",
        "/api/repositories/",
        f"/api/repositories/{world['repository']}/",
        "/api/deployments/",
        f"/api/deployments/{deployment.pk}/",
        f"/api/deployments/{deployment.pk}/calls/",
        "/api/runs/",
        f"/api/runs/{run.pk}/",
        f"/api/runs/{run.pk}/events/",
        f"/api/runs/{run.pk}/clone-setup/",
        f"/api/runs/{run.pk}/nodes/measure/",
        f"/api/runs/{run.pk}/nodes/measure/log",
        f"/api/node-runs/?run={run.pk}",
        f"/api/node-runs/{node.pk}/",
        f"/api/pipelines/{pipeline.pk}/",
        f"/api/pipelines/{pipeline.pk}/run-setup/",
        f"/api/pipelines/{pipeline.pk}/deploy-setup/",
        f"/api/pipelines/{pipeline.pk}/yaml/",
        "/api/artifacts/",
        f"/api/artifacts/{report.pk}/",
        f"/api/artifacts/{report.pk}/download/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        body = read(response)
        assert_clean(f"GET {path}", body)

    # nor the live stream, snapshot and events
    messages = stream_messages(run, teammate)
    assert [m["type"] for m in messages][:2] == ["snapshot", "events"]
    assert_clean("the live stream", json.dumps(messages))

    # nor the pipeline export zip, any of its files
    export = client.post(f"/api/pipelines/{pipeline.pk}/export/", {}, format="json")
    assert export.status_code == 200, export.content
    archive = zipfile.ZipFile(io.BytesIO(read(export)))
    for name in archive.namelist():
        assert_clean(f"the export's {name}", archive.read(name))

    # and every stored copy is ciphertext: no column of any table holds it in clear
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # table names come from the schema
            assert_clean(f"the table {table}", cursor.fetchall())
    assert LinkedAccount.objects.get(pk=world["account"]).secrets["secret_key"] == CANARY
    assert EnvironmentVariable.objects.get(pk=world["variable"]).read() == CANARY
    assert GitRepository.objects.get(pk=world["repository"]).secrets()["token"] == CANARY

    # nor any file the app, the worker and the servers wrote: the data dir (database, bundles,
    # work dirs, artifacts), the bucket, and the logs of the worker, Daphne and this process
    files = list(files_under(Path(settings.DATA_DIR)))
    if connection.vendor == "sqlite":  # the database file is among them
        assert Path(connection.settings_dict["NAME"]).name in {f.name for f in files}
    assert any("bundles" in f.parts for f in files)  # and the run's execution bundle
    for file in files:
        assert_clean(f"the file {file}", file.read_bytes())
    minio = s3_server.client()
    for item in minio.list_objects(world["bucket"], recursive=True):
        response = minio.get_object(world["bucket"], item.object_name)
        assert_clean(f"the object {item.object_name}", response.read())
        response.close()
    logs = [celery_worker.log_path, asgi_server.log_path]
    if celery_worker.gpu_worker is not None:
        logs.append(celery_worker.gpu_worker.log_path)
    for log in logs:
        assert_clean(f"the log {log}", log.read_bytes())
    assert_clean("this process's log records", caplog.text)
