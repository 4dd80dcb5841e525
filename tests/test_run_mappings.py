"""A plain run's mappings (the `run` column of the mapping table): inputs from an environment
variable or a storage path, outputs also written to a storage path; the kinds only endpoints
take are refused for runs, naming the input."""

import io
import json

import pytest

from runs.choices import RunState
from runs.environment import create_variable
from runs.models import Run
from storage_backends.registry import get_storage
from tests.fixtures.engine import wait_for_run

SECRET = "tok-9f8e7d6c5b4a-hidden"
COUNT = """
def run(ctx, table, label: str, factor: int) -> dict:
    words = open(table).read().split()
    return {"count": len(words) * factor, "label": label.upper() + "/" + str(len(label))}
"""


@pytest.fixture
def counting(project, make_op, make_graph_pipeline):
    op = make_op(
        project,
        "count",
        COUNT,
        inputs=[("table", "file"), ("label", "str"), ("factor", "int")],
        outputs=[("count", "int"), ("label", "str")],
    )
    return make_graph_pipeline(project, {"count": op}, name="Count words")


def post(client, pipeline, **body):
    return client.post("/api/runs/", {"pipeline": pipeline.pk, **body}, format="json")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_run_takes_inputs_from_the_environment_and_the_datastore_and_writes_an_output_there(
    celery_worker, counting, project, teammate, client_for
):
    # given a file in the run's storage and two environment variables, one secret
    storage = get_storage(None)
    storage.save("in/words.txt", io.BytesIO(b"one two three four\n"))
    create_variable(project, "FACTOR", "10", secret=False, user=teammate)
    create_variable(project, "LABEL", SECRET, secret=True, user=teammate)

    # when a run maps its inputs to them and one output to a storage path
    response = post(
        client_for(teammate),
        counting,
        inputs={"count.factor": {"value": 1}},
        input_mappings={
            "count.table": {"kind": "datastore", "path": "in/words.txt"},
            "count.label": {"kind": "env", "variable": "LABEL"},
        },
        output_mappings={"count.count": {"kind": "datastore", "path": "out/count-{run_id}.json"}},
    )
    assert response.status_code == 201, response.json()
    run = wait_for_run(Run.objects.get(pk=response.json()["id"]), timeout=90)

    # then the node read them, the secret stayed off the run, and the output was written
    assert run.state == RunState.SUCCEEDED, run.error
    node = run.node_runs.get()
    assert node.outputs["count"]["value"] == 4
    assert node.outputs["label"]["value"] == f"{SECRET.upper()}/{len(SECRET)}"
    assert SECRET not in json.dumps(run.config)
    assert set(run.config["inputs"]["count.label"]) == {"secret"}

    def written() -> bool:
        try:
            with storage.open(f"out/count-{run.pk}.json") as out:
                return json.loads(out.read()) == 4
        except FileNotFoundError:
            return False

    from tests.fixtures.engine import wait_for

    wait_for(written, timeout=30, what="the output written to the datastore")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mapping", "says"),
    [
        ({"kind": "endpoint_value", "name": "label"}, "cannot be used by a plain run"),
        ({"kind": "env", "variable": "NOPE"}, "no environment variable NOPE"),
        ({"kind": "datastore", "path": "../etc/passwd"}, "'..' segment"),
        ({"kind": "teleport"}, "unknown mapping kind"),
    ],
)
def test_refused_run_mappings_name_the_input(counting, teammate, client_for, mapping, says):
    response = post(client_for(teammate), counting, input_mappings={"count.label": mapping})
    assert response.status_code == 400
    messages = " ".join(response.json().get("inputs", []))
    assert "inputs.count.label" in messages and says in messages
    assert not Run.objects.exists()


@pytest.mark.django_db
def test_an_input_given_twice_is_refused(counting, project, teammate, client_for):
    create_variable(project, "LABEL", "x", secret=False, user=teammate)
    response = post(
        client_for(teammate),
        counting,
        inputs={"count.label": {"value": "y"}},
        input_mappings={"count.label": {"kind": "env", "variable": "LABEL"}},
    )
    assert response.status_code == 400
    assert "given twice" in " ".join(response.json()["inputs"])


@pytest.mark.django_db
def test_a_recurring_run_refuses_mappings_and_says_what_to_use(counting, teammate, client_for):
    response = client_for(teammate).post(
        "/api/recurring-runs/",
        {
            "pipeline": counting.pk,
            "input_mappings": {"count.label": {"kind": "none"}},
            "schedule": {"interval_seconds": 3600},
        },
        format="json",
    )
    assert response.status_code == 400
    assert "periodic deployment" in json.dumps(response.json())
