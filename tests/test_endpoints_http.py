"""Endpoint deployments called over real HTTP: Daphne serves `POST /endpoints/<name>`, a
real Celery worker runs the pipeline, the answer carries its outputs (or a URL to poll)."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import pytest
import requests

from editor.models import Artifact
from runs.choices import RunState
from runs.deployments import create_deployment
from runs.environment import create_variable
from runs.models import DeploymentCall, Run
from storage_backends.registry import get_storage
from tests.fixtures.engine import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DOUBLE = """
def run(x: int) -> dict:
    return {"y": x * 2}
"""
# Counts the lines of a file, and says hello to someone.
COUNT_LINES = """
def run(table, greeting: str) -> dict:
    with open(table) as f:
        lines = f.read().splitlines()
    return {"rows": len(lines), "hello": greeting}
"""
SLOW = """
import time

def run(seconds: float) -> dict:
    time.sleep(seconds)
    return {"slept": seconds}
"""


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"EndpointToken {token}"}


@pytest.fixture
def doubler(project, teammate, make_op, make_graph_pipeline) -> tuple[Any, str]:
    """An endpoint deployment `double`: the caller's `x` in, `y` out; its token."""
    op = make_op(project, "double", DOUBLE, inputs=[("x", "int")], outputs=[("y", "int")])
    pipeline = make_graph_pipeline(project, {"double": op}, name="Double")
    created = create_deployment(
        pipeline,
        {
            "name": "double",
            "rule": "endpoint",
            "input_mappings": {"double.x": {"kind": "endpoint_value", "name": "x"}},
            "output_mappings": {"double.y": {"kind": "endpoint_value", "name": "y"}},
            "wait_seconds": 60,
        },
        teammate,
    )
    assert created.token is not None
    return created.deployment, created.token


def test_a_call_with_json_inputs_answers_the_run_outputs(asgi_server, celery_worker, doubler):
    deployment, token = doubler

    # when a caller posts its inputs with the token
    response = requests.post(f"{asgi_server.url}/endpoints/double", json={"x": 21}, headers=auth(token))

    # then the run ran to the end and its output comes back under its mapped name
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["outputs"] == {"y": 42}
    run = Run.objects.get(pk=body["run_id"])
    assert run.state == RunState.SUCCEEDED and run.deployment_id == deployment.pk
    assert run.config["inputs"] == {"double.x": {"value": 21}}
    call = DeploymentCall.objects.get(deployment=deployment)
    assert (call.status_code, call.run_id) == (200, run.pk) and call.latency_ms > 0

    # a JSON body sent as curl -d sends it (form-urlencoded) is read as JSON too
    as_form = requests.post(
        f"{asgi_server.url}/endpoints/double",
        data='{"x": 5}',
        headers={**auth(token), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert as_form.status_code == 200 and as_form.json()["outputs"] == {"y": 10}


def test_a_wrong_token_gets_the_same_401_as_an_unknown_deployment(asgi_server, doubler):
    _, token = doubler
    wrong = requests.post(f"{asgi_server.url}/endpoints/double", json={"x": 1}, headers=auth("pw_wrong"))
    missing = requests.post(f"{asgi_server.url}/endpoints/double", json={"x": 1})
    unknown = requests.post(f"{asgi_server.url}/endpoints/no-such-thing", json={"x": 1}, headers=auth(token))

    for response in (wrong, missing, unknown):
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid or missing endpoint token."}
    assert wrong.content == unknown.content == missing.content
    assert Run.objects.count() == 0


def test_bad_inputs_are_a_400_naming_the_input(asgi_server, doubler):
    _, token = doubler
    url = f"{asgi_server.url}/endpoints/double"

    wrong_type = requests.post(url, json={"x": "twenty"}, headers=auth(token))
    malformed = requests.post(
        url, data=b'{"x": 2', headers={**auth(token), "Content-Type": "application/json"}
    )
    missing = requests.post(url, json={}, headers=auth(token))
    unknown = requests.post(url, json={"x": 1, "z": 2}, headers=auth(token))

    assert wrong_type.status_code == 400
    assert wrong_type.json()["errors"] == {"x": ["the input 'x' must be of type int"]}
    assert malformed.status_code == 400 and "Malformed JSON" in malformed.json()["errors"]["body"][0]
    assert missing.status_code == 400 and "x" in missing.json()["errors"]
    assert unknown.status_code == 400 and "z" in unknown.json()["errors"]
    assert Run.objects.count() == 0


def test_a_body_over_the_limit_is_a_413(asgi_server, doubler):
    deployment, token = doubler
    deployment.max_body_bytes = 100
    deployment.save()

    response = requests.post(
        f"{asgi_server.url}/endpoints/double", json={"x": 1, "pad": "a" * 200}, headers=auth(token)
    )

    assert response.status_code == 413
    assert "100 bytes" in response.json()["detail"]


def test_calls_over_the_rate_limit_are_a_429_with_retry_after(asgi_server, doubler):
    deployment, token = doubler
    deployment.rate_limit_per_minute = 2
    deployment.wait_seconds = 0
    deployment.save()
    url = f"{asgi_server.url}/endpoints/double"

    statuses = [requests.post(url, json={"x": i}, headers=auth(token)) for i in range(4)]

    # (a minute boundary between the calls resets the count: then only the last is refused)
    assert [r.status_code for r in statuses[:2]] == [202, 202]
    assert statuses[-1].status_code == 429
    assert 1 <= int(statuses[-1].headers["Retry-After"]) <= 60
    # (the runs started end before the test does: the database is emptied after it)
    wait_for(
        lambda: not Run.objects.filter(state__in=RunState.active()).exists(), timeout=60, what="runs to end"
    )


def test_a_paused_deployment_says_so_only_to_a_good_token(asgi_server, doubler):
    deployment, token = doubler
    deployment.enabled = False
    deployment.save()
    url = f"{asgi_server.url}/endpoints/double"

    assert requests.post(url, json={"x": 1}, headers=auth(token)).status_code == 503
    assert requests.post(url, json={"x": 1}, headers=auth("pw_nope")).status_code == 401


def test_a_file_input_comes_as_one_multipart_part(
    asgi_server, celery_worker, project, teammate, make_op, make_graph_pipeline
):
    op = make_op(
        project,
        "count_lines",
        COUNT_LINES,
        inputs=[("table", "file"), ("greeting", "str")],
        outputs=[("rows", "int"), ("hello", "str")],
    )
    pipeline = make_graph_pipeline(project, {"count": op}, name="Count")
    created = create_deployment(
        pipeline,
        {
            "name": "count-lines",
            "rule": "endpoint",
            "input_mappings": {
                "count.table": {"kind": "endpoint_file", "name": "table"},
                "count.greeting": {"kind": "endpoint_value", "name": "greeting"},
            },
            "output_mappings": {"count.rows": {"kind": "endpoint_value", "name": "rows"}},
            "wait_seconds": 60,
        },
        teammate,
    )
    assert created.token is not None

    response = requests.post(
        f"{asgi_server.url}/endpoints/count-lines",
        data={"inputs": json.dumps({"greeting": "hi"})},
        files={"table": ("t.csv", b"a,b\n1,2\n3,4\n", "text/csv")},
        headers=auth(created.token),
    )

    assert response.status_code == 200, response.text
    # `hello` is an unmapped output: discarded
    assert response.json()["outputs"] == {"rows": 3}
    run = Run.objects.get(pk=response.json()["run_id"])
    assert set(run.config["inputs"]["count.table"]) == {"artifact"}

    two_files = requests.post(
        f"{asgi_server.url}/endpoints/count-lines",
        data={"greeting": "hi"},
        files={"table": ("t.csv", b"a\n", "text/csv"), "other": ("o.csv", b"b\n", "text/csv")},
        headers=auth(created.token),
    )
    assert two_files.status_code == 400 and "one file" in two_files.json()["errors"]["other"][0]


def test_a_slow_run_answers_202_and_a_url_to_poll_until_done(
    asgi_server, celery_worker, project, teammate, make_op, make_graph_pipeline
):
    op = make_op(project, "slow", SLOW, inputs=[("seconds", "float")], outputs=[("slept", "float")])
    pipeline = make_graph_pipeline(project, {"slow": op}, name="Slow")
    created = create_deployment(
        pipeline,
        {
            "name": "slow",
            "rule": "endpoint",
            "input_mappings": {"slow.seconds": {"kind": "endpoint_value", "name": "seconds"}},
            "output_mappings": {"slow.slept": {"kind": "endpoint_value"}},
            "wait_seconds": 1,
        },
        teammate,
    )
    token = created.token
    assert token is not None

    started = time.monotonic()
    response = requests.post(f"{asgi_server.url}/endpoints/slow", json={"seconds": 3}, headers=auth(token))

    assert response.status_code == 202, response.text
    assert time.monotonic() - started < 3
    body = response.json()
    assert body["poll_url"].endswith(f"/endpoints/slow/runs/{body['run_id']}")
    assert response.headers["Location"] == body["poll_url"]
    assert requests.get(body["poll_url"]).status_code == 401

    def done() -> Any:
        polled = requests.get(body["poll_url"], headers=auth(token))
        return polled if polled.status_code != 202 else None

    final = wait_for(done, timeout=60, what="the slow run to finish")
    assert final.status_code == 200
    assert final.json() == {"run_id": body["run_id"], "state": "succeeded", "outputs": {"slow_slept": 3}}


SHOUT = """
def run(ctx, table, scale: int) -> dict:
    text = open(table).read()
    with open(str(ctx.output_path("upper")) + ".txt", "w") as out:
        out.write(text.upper())
    return {"total": len(text.split()) * scale}
"""


def test_datastore_and_environment_mappings_end_to_end(
    asgi_server, celery_worker, project, teammate, make_op, make_graph_pipeline
):
    # given a file in the datastore, a variable, and a deployment reading both
    storage = get_storage(None)
    storage.save("in/words.txt", io.BytesIO(b"one two three\n"))
    create_variable(project, "SCALE", "10", secret=True, user=teammate)
    op = make_op(
        project,
        "shout",
        SHOUT,
        inputs=[("table", "file"), ("scale", "int")],
        outputs=[("upper", "file"), ("total", "int")],
    )
    pipeline = make_graph_pipeline(project, {"shout": op}, name="Shout")
    created = create_deployment(
        pipeline,
        {
            "name": "shout",
            "rule": "endpoint",
            "input_mappings": {
                "shout.table": {"kind": "datastore", "path": "in/words.txt"},
                "shout.scale": {"kind": "env", "variable": "SCALE"},
            },
            "output_mappings": {
                "shout.upper": {"kind": "endpoint_value", "name": "upper"},
                "shout.total": {"kind": "datastore", "path": "out/total-{run_id}.json"},
            },
            "wait_seconds": 60,
        },
        teammate,
    )
    token = created.token
    assert token is not None

    # when it is called with an empty body
    response = requests.post(f"{asgi_server.url}/endpoints/shout", headers=auth(token))

    # then the file output comes back as a download, the value goes to the datastore
    assert response.status_code == 200, response.text
    body = response.json()
    upper = body["outputs"]["upper"]
    assert set(upper) == {"artifact", "name", "size", "download_url"} and upper["name"] == "shout.upper.txt"
    assert requests.get(upper["download_url"]).status_code == 401
    download = requests.get(upper["download_url"], headers=auth(token))
    assert download.status_code == 200 and download.content == b"ONE TWO THREE\n"
    assert Artifact.objects.get(pk=upper["artifact"]).produced_by is not None
    total_path = f"out/total-{body['run_id']}.json"
    wait_for(lambda: storage.exists(total_path), timeout=30, what="the datastore output")
    with storage.open(total_path) as stream:
        assert json.loads(stream.read()) == 30
