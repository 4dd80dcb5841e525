"""The Python SDK (sdk/pipewright_sdk) against the running server: Daphne and real workers."""

import io

import pytest
from pipewright_sdk import Pipewright, PipewrightError

from runs.models import EnvironmentVariable, Run
from tests.fixtures.users import PASSWORD

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SCALE = """
def run(ctx, numbers, factor: float, label: str) -> dict:
    total = sum(float(line) for line in open(numbers).read().split())
    return {"total": total * factor, "label": label.upper()}
"""


@pytest.fixture
def scale(project, make_op, make_graph_pipeline):
    """A pipeline with a file input, a value input and a parameter."""
    operation = make_op(
        project,
        "scale",
        SCALE,
        inputs=[("numbers", "file"), ("label", "str")],
        outputs=[("total", "float"), ("label", "str")],
        params=[("factor", "float", 1.0)],
    )
    pipeline = make_graph_pipeline(project, {"scale": operation}, name="Scale numbers")
    pipeline.graph["inputs"] = [
        {"name": "numbers", "type": "file", "position": {"x": 0, "y": 0}},
        {"name": "label", "type": "str", "default": "none", "position": {"x": 0, "y": 100}},
    ]
    pipeline.graph["edges"] += [
        {
            "id": "i1",
            "source": "numbers",
            "source_port": "value",
            "target": "scale",
            "target_port": "numbers",
        },
        {"id": "i2", "source": "label", "source_port": "value", "target": "scale", "target_port": "label"},
    ]
    pipeline.save()
    return pipeline


def test_run_pipeline_uploads_file_inputs_and_returns_the_outputs(
    asgi_server, celery_worker, scale, teammate
):
    # given a client signed in with a username and password (it gets an API token)
    pw = Pipewright(asgi_server.url, username=teammate.username, password=PASSWORD)
    assert pw.token

    # when a pipeline is run by name with a file, a value and a parameter
    outputs = pw.run_pipeline(
        "Scale numbers",
        inputs={"numbers": io.BytesIO(b"1\n2\n3.5\n"), "label": "sum"},
        params={"scale": {"factor": 2}},
        name="from the sdk",
    )

    # then its outputs come back by node and port
    assert outputs == {"scale.total": 13.0, "scale.label": "SUM"}
    run = Run.objects.get(pipeline=scale)
    assert run.name == "from the sdk"
    assert run.created_by == teammate


def test_errors_name_what_was_wrong(asgi_server, celery_worker, scale, teammate):
    pw = Pipewright(asgi_server.url, username=teammate.username, password=PASSWORD)
    with pytest.raises(PipewrightError) as refused:
        pw.run_pipeline("Scale numbers", inputs={"label": "x"}, params={"scale": {"factor": "big"}})
    assert refused.value.status == 400
    assert "factor" in str(refused.value)
    with pytest.raises(PipewrightError) as missing:
        pw.run_pipeline("No such pipeline")
    assert missing.value.status == 404
    with pytest.raises(PipewrightError) as signed_out:
        Pipewright(asgi_server.url, token="not-a-token").run_pipeline("Scale numbers")
    # a wrong token is a 401 (token authentication comes first: docs/security.md)
    assert signed_out.value.status == 401
    assert "Invalid token" in str(signed_out.value)


def test_environment_variables_are_created_then_updated_and_secrets_stay_hidden(
    asgi_server, celery_worker, project, teammate
):
    pw = Pipewright(asgi_server.url, username=teammate.username, password=PASSWORD)
    created = pw.create_or_update_environment_variable("API_KEY", "first", secret=True, project=project.pk)
    updated = pw.create_or_update_environment_variable("API_KEY", "second", secret=True, project=project.pk)

    assert created["id"] == updated["id"]
    assert "second" not in str(updated) and "first" not in str(created)
    variable = EnvironmentVariable.objects.get(project=project, name="API_KEY")
    assert variable.read() == "second"
    assert "second" not in variable.value_ciphertext


DOUBLE = "def run(ctx, x: float) -> dict:\n    return {'y': x * 2}\n"


def test_create_a_deployment_and_trigger_its_endpoint(
    asgi_server, celery_worker, project, teammate, make_op, make_graph_pipeline
):
    operation = make_op(project, "double", DOUBLE, inputs=[("x", "float")], outputs=[("y", "float")])
    make_graph_pipeline(project, {"double": operation}, name="Double")
    pw = Pipewright(asgi_server.url, username=teammate.username, password=PASSWORD)

    # given a deployment made with the SDK (its token comes back once)
    deployment = pw.create_deployment(
        "Double",
        "double-it",
        input_mappings={"double.x": {"kind": "endpoint_value", "name": "x"}},
        output_mappings={"double.y": {"kind": "endpoint_value", "name": "y"}},
    )
    assert deployment["url"].endswith("/endpoints/double-it")

    # when its endpoint is called with the token only (no API token)
    answer = Pipewright(asgi_server.url).trigger_endpoint("double-it", deployment["token"], {"x": 21})

    # then the outputs come back by their mapped names
    assert answer["outputs"] == {"y": 42.0}
    assert Run.objects.get(pk=answer["run_id"]).deployment_id == deployment["id"]
    with pytest.raises(PipewrightError) as refused:
        pw.trigger_endpoint("double-it", "wrong-token", {"x": 1})
    assert refused.value.status == 401
    with pytest.raises(PipewrightError) as wrong_type:
        pw.trigger_endpoint("double-it", deployment["token"], {"x": "many"})
    assert wrong_type.value.status == 400 and "x" in str(wrong_type.value)
