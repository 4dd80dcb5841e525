"""Parameters with bounds and choices: declared on the operation, enforced on every path."""

import pytest

from editor.models import Operation, Pipeline
from runs.models import Run

pytestmark = pytest.mark.django_db

SOURCE = "def run(ctx, epochs: int, mode: str) -> dict:\n    return {}\n"
LIMITED = [
    {"name": "epochs", "type": "int", "default": 10, "minimum": 1, "maximum": 100},
    {"name": "mode", "type": "str", "default": "fast", "choices": ["fast", "exact"]},
]


@pytest.fixture
def limited(project, client_for, teammate):
    client = client_for(teammate)
    op = client.post(
        "/api/operations/", {"project": project.pk, "name": "Fit", "slug": "fit"}, format="json"
    ).json()
    version = client.post(
        f"/api/operations/{op['id']}/versions/", {"source": SOURCE, "parameters": LIMITED}, format="json"
    )
    assert version.status_code == 201, version.content
    assert version.json()["parameters"][0]["maximum"] == 100
    return op["id"]


@pytest.mark.parametrize(
    "param, says",
    [
        ({"name": "p", "type": "str", "minimum": 1}, "minimum and maximum are for int and float parameters"),
        ({"name": "p", "type": "int", "minimum": 5, "maximum": 1}, "minimum 5 is above maximum 1"),
        ({"name": "p", "type": "bool", "choices": [True]}, "choices are for int, float and str parameters"),
        ({"name": "p", "type": "int", "choices": [1, "two"]}, "choice 'two' is not of type int"),
        ({"name": "p", "type": "int", "default": 0, "minimum": 1}, "default 0 must be at least 1"),
        ({"name": "p", "type": "str", "default": "x", "choices": ["a"]}, "default 'x' must be one of \"a\""),
    ],
)
def test_limits_that_do_not_fit_are_refused_naming_the_parameter(project, client_for, teammate, param, says):
    client = client_for(teammate)
    op = client.post(
        "/api/operations/", {"project": project.pk, "name": "Bad", "slug": "bad"}, format="json"
    ).json()
    response = client.post(
        f"/api/operations/{op['id']}/versions/", {"source": SOURCE, "parameters": [param]}, format="json"
    )
    assert response.status_code == 400
    assert says in " ".join(map(str, response.json()["parameters"]))
    assert Operation.objects.get(pk=op["id"]).versions.count() == 0


def test_a_value_outside_the_limits_is_refused_on_save_and_at_submit(limited, project, client_for, teammate):
    client = client_for(teammate)
    graph = {
        "nodes": [{"id": "fit", "operation": limited, "params": {"epochs": 500}}],
        "edges": [],
        "inputs": [],
    }
    saved = client.post(
        "/api/pipelines/", {"project": project.pk, "name": "P", "graph": graph}, format="json"
    )
    assert saved.status_code == 400
    assert "node fit, port epochs: parameter 'epochs' must be at most 100" in saved.json()["graph"]
    graph["nodes"][0]["params"] = {"mode": "slow"}
    saved = client.post(
        "/api/pipelines/", {"project": project.pk, "name": "P", "graph": graph}, format="json"
    )
    assert saved.json()["graph"] == ['node fit, port mode: parameter \'mode\' must be one of "fast", "exact"']

    graph["nodes"][0]["params"] = {"epochs": 50}
    pipeline = client.post(
        "/api/pipelines/", {"project": project.pk, "name": "P", "graph": graph}, format="json"
    )
    assert pipeline.status_code == 201
    refused = client.post(
        "/api/runs/", {"pipeline": pipeline.json()["id"], "params": {"fit": {"epochs": 0}}}, format="json"
    )
    assert refused.status_code == 400
    assert "node fit, port epochs: parameter 'epochs' must be at least 1" in refused.json()["graph"]
    assert Run.objects.count() == 0
    assert Pipeline.objects.get().graph["nodes"][0]["params"] == {"epochs": 50}
