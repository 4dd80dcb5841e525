"""The database unavailable for a few seconds: requests get a clean 503, workers
ride it out and the runs they hold finish after it (docs/engine.md, "Faults")."""

from __future__ import annotations

import time

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from runs.choices import NodeState, RunState
from runs.submit import submit_run
from tests.faults.conftest import database_outage, database_unreachable_here, is_sqlite
from tests.faults.figures import record
from tests.fixtures.engine import wait_for_node_to_print, wait_for_run

pytestmark = [pytest.mark.django_db(transaction=True)]

DETAIL = "The database is unavailable; try again shortly."

HOLD = """
import time
def run(ctx, seconds: float) -> dict:
    print("started", flush=True)
    time.sleep(seconds)
    print("done", flush=True)
    return {"out": 41}
"""
PLUS_ONE = """
def run(ctx, x: int) -> dict:
    return {"y": x + 1}
"""


def assert_clean_503(response):
    assert response.status_code == 503, response.content[:500]
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": DETAIL}
    assert int(response["Retry-After"]) > 0
    assert b"Traceback" not in response.content


def test_api_requests_get_a_clean_503_while_the_database_is_unreachable(owner, project, tmp_path):
    # given a user signed in by session and another by token
    session_client = APIClient()
    session_client.force_login(owner)
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    assert session_client.get("/api/projects/").status_code == 200

    # when the database does not answer
    with database_unreachable_here(tmp_path):
        # then reads and writes through the API answer 503 with Retry-After, never a 500 page
        assert_clean_503(session_client.get("/api/projects/"))
        assert_clean_503(token_client.get(f"/api/projects/{project.pk}/"))
        assert_clean_503(token_client.post("/api/projects/", {"name": "During the outage"}, format="json"))
        # and so does a page outside the API
        assert_clean_503(session_client.get("/pipelines/"))

    # and once it is back, the same requests work again
    assert session_client.get("/api/projects/").status_code == 200
    assert token_client.get(f"/api/projects/{project.pk}/").status_code == 200


@pytest.mark.worker
def test_runs_started_before_a_database_outage_finish_after_it(
    private_worker, project, owner, make_op, make_graph_pipeline, long_variant
):
    # given a worker whose writes give up quickly when SQLite is locked (0.3 s, not 20 s)
    worker = private_worker(PIPEWRIGHT_SQLITE_TIMEOUT="0.3")
    # the long variant: three runs at once through three outages in a row
    at_once, outages = (3, 3) if long_variant else (1, 1)
    seconds = 4.0 * outages
    hold = make_op(project, "hold", HOLD, outputs=[("out", "int")], params=[("seconds", "float", seconds)])
    plus_one = make_op(project, "plus_one", PLUS_ONE, inputs=[("x", "int")], outputs=[("y", "int")])
    pipeline = make_graph_pipeline(
        project,
        {"hold": hold, "plus": plus_one},
        ["hold.out -> plus.x"],
        params={"hold": {"seconds": seconds}},
    )
    # and runs whose first node is running
    runs = [submit_run(pipeline, {"name": f"through an outage {i}"}, owner) for i in range(at_once)]
    for run in runs:
        held = run.node_runs.get(node_id="hold")
        wait_for_node_to_print(held.pk)

    # when the database stops answering for 1.5 s while the nodes run, once or more
    # (each shorter than the 3 s after which the tests' reaper takes a silent node for lost)
    for _ in range(outages):
        with database_outage():
            time.sleep(1.5)
        ended_at = time.monotonic()
        time.sleep(1.5)  # the heartbeats catch up

    # then the nodes go on, their outcome is recorded, and the runs finish
    for run in runs:
        run = wait_for_run(run, timeout=90)
        record("database unavailable 1.5 s", "run finished after the outage", time.monotonic() - ended_at)
        nodes = {nr.node_id: nr for nr in run.node_runs.all()}
        assert run.state == RunState.SUCCEEDED, {k: (v.state, v.error) for k, v in nodes.items()}
        assert nodes["hold"].state == NodeState.SUCCEEDED
        assert nodes["hold"].attempt == 1  # carried on, not retried
        assert nodes["plus"].outputs["y"]["value"] == 42
        assert "done" in nodes["hold"].log  # lines written during the outage were kept
    if any(run.node_runs.get(node_id="hold").worker == worker.name for run in runs) and is_sqlite():
        # the worker saw the outage and backed off, rather than losing the node
        assert "database unavailable while" in worker.log_path.read_text()
