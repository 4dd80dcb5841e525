"""A secret environment variable read by a deployment's mapping reaches the node but never
the run's config, events, API answers or logs; re-runs keep it; another value is no cache hit."""

import json

import pytest

from credentials.crypto import decrypt_json
from runs.choices import NodeState, RunState
from runs.deployments import create_deployment, start_deployment_run
from runs.environment import create_variable, update_variable
from runs.models import NodeRun, RunEvent
from runs.submit import rerun
from tests.fixtures.engine import wait_for_run

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SECRET = "sk-live-0123456789-never-shown"
MEASURE = """
import hashlib

def run(ctx, key: str) -> dict:
    print("got a key of", len(key), "characters")
    return {"fingerprint": hashlib.sha256(key.encode()).hexdigest()[:12]}
"""


def fingerprint(value: str) -> str:
    import hashlib

    return hashlib.sha256(value.encode()).hexdigest()[:12]


@pytest.fixture
def deployment(project, teammate, make_op, make_graph_pipeline):
    variable = create_variable(project, "API_KEY", SECRET, secret=True, user=teammate)
    op = make_op(project, "measure", MEASURE, inputs=[("key", "str")], outputs=[("fingerprint", "str")])
    pipeline = make_graph_pipeline(project, {"measure": op}, name="Measure")
    created = create_deployment(
        pipeline,
        {
            "name": "measure",
            "rule": "endpoint",
            "input_mappings": {"measure.key": {"kind": "env", "variable": "API_KEY"}},
            "output_mappings": {"measure.fingerprint": {"kind": "endpoint_value", "name": "fingerprint"}},
        },
        teammate,
    )
    return created.deployment, variable


def test_a_secret_variable_reaches_the_node_but_stays_off_the_run(
    celery_worker, deployment, client_for, teammate
):
    deployment, _ = deployment
    run = wait_for_run(start_deployment_run(deployment), timeout=90)

    assert run.state == RunState.SUCCEEDED, run.error
    node = NodeRun.objects.get(run=run)
    assert node.outputs["fingerprint"]["value"] == fingerprint(SECRET)
    # the config holds a digest; the value is in the run's encrypted secrets only
    assert SECRET not in json.dumps(run.config)
    assert set(run.config["inputs"]["measure.key"]) == {"secret"}
    assert decrypt_json(run.secret_ciphertext)["input_values"] == {"measure.key": SECRET}
    assert SECRET not in run.secret_ciphertext
    events = json.dumps(list(RunEvent.objects.filter(run=run).values_list("payload", flat=True)))
    assert SECRET not in events
    assert SECRET not in node.log and "got a key of 30 characters" in node.log
    answer = client_for(teammate).get(f"/api/runs/{run.pk}/")
    assert answer.status_code == 200 and SECRET not in answer.content.decode()


def test_a_rerun_keeps_the_secret_and_another_value_is_not_a_cache_hit(celery_worker, deployment, teammate):
    deployment, variable = deployment
    first = wait_for_run(start_deployment_run(deployment), timeout=90)

    again = wait_for_run(rerun(first, teammate), timeout=90)
    assert again.state == RunState.SUCCEEDED, again.error
    assert NodeRun.objects.get(run=again).state == NodeState.CACHED  # same key: same result
    assert SECRET not in json.dumps(again.config)

    update_variable(variable, value="another-key", secret=True)
    changed = wait_for_run(start_deployment_run(deployment), timeout=90)
    node = NodeRun.objects.get(run=changed)
    assert node.state == NodeState.SUCCEEDED  # ran again: the digest differs
    assert node.outputs["fingerprint"]["value"] == fingerprint("another-key")
