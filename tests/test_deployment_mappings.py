"""Deployment mappings: every kind under every rule (the refused ones too), the problems
that name the step input, resolving each kind when a run starts, outputs returned or
written to the datastore; the deployments API; a periodic deployment's tick."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from editor.models import Artifact, Pipeline, PipelineVersion
from editor.pipelines import freeze_version
from runs.deployments import create_deployment, start_deployment_run
from runs.environment import create_variable
from runs.mappings import (
    INPUT_RULES,
    OUTPUT_RULES,
    RULES,
    CallFile,
    Kind,
    MappingBroken,
    collect_outputs,
    deliver_outputs,
    mapping_problems,
    resolve_inputs,
    step_inputs,
    step_outputs,
)
from runs.models import Deployment, DeploymentCall, EndpointToken, RecurringRun, Run, TickOutcome
from runs.schedules import fire
from runs.tokens import digest
from storage_backends.registry import get_storage

pytestmark = pytest.mark.django_db

WORK = """
def run(ctx, table, n: int, label) -> dict:
    return {"rows": n, "extra": {"label": label}}
"""


def edge(source: str, source_port: str, target: str, target_port: str) -> dict[str, str]:
    return {
        "id": f"{source}.{source_port}->{target}.{target_port}",
        "source": source,
        "source_port": source_port,
        "target": target,
        "target_port": target_port,
    }


@pytest.fixture
def pipeline(project, make_op) -> Pipeline:
    """Pipeline inputs `table` (file) and `n` (int) wired to work; work.label (str) unwired;
    outputs work.rows (int), work.copy (file), work.extra (json), none read by an edge."""
    op = make_op(
        project,
        "work",
        WORK,
        inputs=[("table", "file"), ("n", "int"), ("label", "str")],
        outputs=[("rows", "int"), ("copy", "file"), ("extra", "json")],
    )
    graph = {
        "nodes": [
            {"id": "work", "operation": op.pk, "label": "", "params": {}, "position": {"x": 0, "y": 0}}
        ],
        "edges": [edge("table", "value", "work", "table"), edge("n", "value", "work", "n")],
        "inputs": [{"name": "table", "type": "file"}, {"name": "n", "type": "int"}],
    }
    return Pipeline.objects.create(project=project, name="Work", graph=graph)


@pytest.fixture
def version(pipeline, teammate) -> PipelineVersion:
    return freeze_version(pipeline, teammate)[0]


@pytest.fixture
def datastore_file(settings) -> str:
    get_storage(None).save("data/in.csv", io.BytesIO(b"a,b\n1,2\n"))
    get_storage(None).save("data/n.txt", io.BytesIO(b"7"))
    return "data/in.csv"


@pytest.fixture
def variable(project, teammate) -> Any:
    return create_variable(project, "EPOCHS", "5", secret=False, user=teammate)


# What works under every rule, for the inputs a test does not look at.
def base_inputs() -> dict[str, Any]:
    return {
        "table": {"kind": "datastore", "path": "data/in.csv"},
        "n": {"kind": "constant", "value": 3},
        "work.label": {"kind": "constant", "value": "x"},
    }


# For each kind: the step input it is tried on, and a mapping that fits that input.
INPUT_CASES: dict[Kind, tuple[str, dict[str, Any]]] = {
    Kind.CONSTANT: ("n", {"kind": "constant", "value": 4}),
    Kind.ENDPOINT_VALUE: ("n", {"kind": "endpoint_value", "name": "count"}),
    Kind.ENDPOINT_FILE: ("table", {"kind": "endpoint_file", "name": "table"}),
    Kind.ENV: ("n", {"kind": "env", "variable": "EPOCHS"}),
    Kind.DATASTORE: ("table", {"kind": "datastore", "path": "data/in.csv"}),
    Kind.NONE: ("work.label", {"kind": "none"}),
}
# The issue's table: the rules each kind may be used by.
EXPECTED_INPUT_RULES = {
    Kind.CONSTANT: {"run", "endpoint", "periodic"},
    Kind.ENDPOINT_VALUE: {"endpoint"},
    Kind.ENDPOINT_FILE: {"endpoint"},
    Kind.ENV: {"run", "endpoint", "periodic"},
    Kind.DATASTORE: {"run", "endpoint", "periodic"},
    Kind.NONE: {"run", "endpoint", "periodic"},
}
OUTPUT_CASES: dict[str, dict[str, Any]] = {
    "constant": {"kind": "constant", "value": 1},
    "endpoint_value": {"kind": "endpoint_value", "name": "rows"},
    "endpoint_file": {"kind": "endpoint_file", "name": "rows"},
    "env": {"kind": "env", "variable": "EPOCHS"},
    "datastore": {"kind": "datastore", "path": "out/rows-{run_id}.json"},
    "none": {"kind": "none"},
}
EXPECTED_OUTPUT_RULES: dict[str, set[str]] = {
    "constant": set(),
    "endpoint_value": {"endpoint"},
    "endpoint_file": set(),
    "env": set(),
    "datastore": {"run", "endpoint", "periodic"},
    "none": {"run", "endpoint", "periodic"},
}


def test_the_rule_table_is_the_issues_table():
    assert {kind: set(rules) for kind, rules in INPUT_RULES.items()} == EXPECTED_INPUT_RULES
    assert {str(kind): set(rules) for kind, rules in OUTPUT_RULES.items()} == {
        kind: rules for kind, rules in EXPECTED_OUTPUT_RULES.items() if rules
    }


def test_step_inputs_and_outputs_are_the_pipeline_inputs_unwired_node_inputs_and_unread_outputs(version):
    assert step_inputs(version) == {
        "table": {"type": "file", "pipeline_input": True},
        "n": {"type": "int", "pipeline_input": True},
        "work.label": {"type": "str", "pipeline_input": False},
    }
    assert set(step_outputs(version)) == {"work.rows", "work.copy", "work.extra"}


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("kind", list(Kind))
def test_every_input_mapping_kind_under_every_rule(version, variable, datastore_file, kind, rule):
    key, mapping = INPUT_CASES[kind]

    problems = mapping_problems(version, rule, {**base_inputs(), key: mapping}, {})

    if rule in EXPECTED_INPUT_RULES[kind]:
        assert problems == {}
    else:
        who = "a plain run" if rule == "run" else f"a {rule} deployment"
        assert problems == {f"inputs.{key}": [f"{kind} cannot be used by {who} (only: endpoint)"]}


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("kind", list(OUTPUT_CASES))
def test_every_output_mapping_kind_under_every_rule(version, datastore_file, kind, rule):
    problems = mapping_problems(version, rule, base_inputs(), {"work.rows": OUTPUT_CASES[kind]})

    if rule in EXPECTED_OUTPUT_RULES[kind]:
        assert problems == {}
    else:
        [message] = problems["outputs.work.rows"]
        expected = "is not a mapping for an output" if not EXPECTED_OUTPUT_RULES[kind] else "cannot be used"
        assert expected in message


def test_an_unmapped_input_is_an_error_that_names_it(version):
    problems = mapping_problems(version, "endpoint", {"table": {"kind": "endpoint_file"}}, {})

    assert problems == {
        "inputs.n": ["step input 'n' (int) is not mapped"],
        "inputs.work.label": ["step input 'work.label' (str) is not mapped"],
    }


@pytest.mark.parametrize(
    ("key", "mapping", "expected"),
    [
        ("n", {"kind": "constant", "value": "three"}, "the constant must be of type int"),
        ("table", {"kind": "constant", "value": "a.csv"}, "takes an artifact"),
        ("table", {"kind": "constant", "artifact": 999}, "artifact 999 is not in this project"),
        ("table", {"kind": "endpoint_value"}, "map it to an endpoint_file"),
        ("n", {"kind": "endpoint_file"}, "map it to an endpoint_value"),
        ("n", {"kind": "env", "variable": "MISSING"}, "no environment variable MISSING"),
        ("n", {"kind": "env", "variable": "lower"}, "environment variable's name"),
        ("table", {"kind": "env", "variable": "EPOCHS"}, "cannot take an environment variable"),
        ("table", {"kind": "datastore", "path": "../etc/passwd"}, "invalid artifact key"),
        ("n", {"kind": "none"}, "a int input cannot be None"),
        ("n", {"kind": "telepathy"}, "unknown mapping kind 'telepathy'"),
        ("n", {"kind": "constant", "value": 1, "path": "x"}, "constant takes no path"),
        ("n", "3", 'must be an object with a "kind"'),
        ("nope", {"kind": "none"}, "has no step input 'nope'"),
    ],
)
def test_a_bad_input_mapping_is_named_with_why(version, variable, key, mapping, expected):
    problems = mapping_problems(version, "endpoint", {**base_inputs(), key: mapping}, {})

    assert expected in " ".join(problems[f"inputs.{key}"])


def test_a_call_takes_one_file_and_caller_names_are_unique(project, make_op, make_graph_pipeline, teammate):
    two = make_op(
        project, "two", "def run(a, b) -> dict:\n    return {}\n", inputs=[("a", "file"), ("b", "file")]
    )
    version = freeze_version(make_graph_pipeline(project, {"two": two}), teammate)[0]

    files = mapping_problems(
        version, "endpoint", {"two.a": {"kind": "endpoint_file"}, "two.b": {"kind": "endpoint_file"}}, {}
    )
    names = mapping_problems(
        version,
        "endpoint",
        {"two.a": {"kind": "endpoint_file", "name": "f"}, "two.b": {"kind": "constant", "artifact": 1}},
        {},
    )

    assert "one file" in files["inputs.two.b"][0]
    assert "inputs.two.a" not in names


# --- resolving when a run starts ----------------------------------------------------------


def deployment_with(pipeline, user, rule="endpoint", **mappings: Any) -> Deployment:
    inputs = {**base_inputs(), **mappings.pop("inputs", {})}
    data: dict[str, Any] = {
        "name": mappings.pop("name", "work"),
        "rule": rule,
        "input_mappings": inputs,
        "output_mappings": mappings.pop("outputs", {}),
    }
    if rule == "periodic":
        data["schedule"] = {"cron": "0 3 * * *"}
    return create_deployment(pipeline, data, user).deployment


def test_each_input_kind_resolves_to_the_runs_input(pipeline, teammate, variable, datastore_file):
    deployment = deployment_with(
        pipeline,
        teammate,
        inputs={
            "table": {"kind": "endpoint_file", "name": "table"},
            "n": {"kind": "env", "variable": "EPOCHS"},
            "work.label": {"kind": "endpoint_value", "name": "label"},
        },
    )
    upload = CallFile("table", "t.csv", io.BytesIO(b"x\n1\n"), "text/csv")

    inputs, credentials = resolve_inputs(deployment, {"label": "hi"}, upload)

    artifact = Artifact.objects.get(pk=inputs["table"]["artifact"])
    assert artifact.name == "t.csv" and artifact.size == 4 and artifact.project_id == pipeline.project_id
    assert inputs["n"] == {"value": 5}  # the variable's text, read as the input's type
    assert inputs["work.label"] == {"value": "hi"}
    assert credentials == {}


def test_constant_datastore_and_none_resolve(pipeline, teammate, datastore_file):
    deployment = deployment_with(
        pipeline,
        teammate,
        inputs={
            "n": {"kind": "datastore", "path": "data/n.txt"},
            "work.label": {"kind": "none"},
        },
    )

    inputs, _ = resolve_inputs(deployment)

    copied = Artifact.objects.get(pk=inputs["table"]["artifact"])
    assert copied.name == "in.csv" and copied.size == len(b"a,b\n1,2\n")
    assert inputs["n"] == {"value": 7}
    assert inputs["work.label"] == {"value": None}


def test_an_environment_variable_is_read_when_the_run_starts(pipeline, teammate, variable):
    deployment = deployment_with(pipeline, teammate, inputs={"n": {"kind": "env", "variable": "EPOCHS"}})
    get_storage(None).save("data/in.csv", io.BytesIO(b"a\n"))
    first = start_deployment_run(deployment)

    variable.write("9")
    variable.save()
    second = start_deployment_run(deployment)

    assert first.config["inputs"]["n"] == {"value": 5}
    assert second.config["inputs"]["n"] == {"value": 9}
    assert second.deployment_id == deployment.pk


def test_a_secret_variable_is_decrypted_for_the_run(pipeline, teammate, project):
    create_variable(project, "LABEL", "s3cret", secret=True, user=teammate)
    get_storage(None).save("data/in.csv", io.BytesIO(b"a\n"))
    deployment = deployment_with(
        pipeline, teammate, inputs={"work.label": {"kind": "env", "variable": "LABEL"}}
    )

    inputs, _ = resolve_inputs(deployment)

    assert inputs["work.label"] == {"value": "s3cret"}


def test_a_mapping_that_cannot_be_resolved_names_the_input(pipeline, teammate, variable, datastore_file):
    deployment = deployment_with(pipeline, teammate, inputs={"n": {"kind": "env", "variable": "EPOCHS"}})
    variable.write("many")
    variable.save()

    with pytest.raises(MappingBroken, match=r"inputs\.n \(EPOCHS\).*not a JSON int"):
        resolve_inputs(deployment)
    get_storage(None).delete("data/in.csv")
    variable.write("1")
    variable.save()
    with pytest.raises(MappingBroken, match=r"inputs\.table: no file 'data/in.csv'"):
        resolve_inputs(deployment)


def test_outputs_come_back_by_mapped_name_go_to_the_datastore_or_are_discarded(
    pipeline, teammate, datastore_file
):
    deployment = deployment_with(
        pipeline,
        teammate,
        outputs={
            "work.rows": {"kind": "endpoint_value", "name": "count"},
            "work.copy": {"kind": "endpoint_value"},
            "work.extra": {"kind": "datastore", "path": "out/extra-{run_id}.json"},
        },
    )
    run = start_deployment_run(deployment)
    copy = Artifact.objects.create(
        project=pipeline.project, name="work.copy.csv", location="data/in.csv", size=8, checksum="x"
    )
    run.node_runs.filter(node_id="work").update(
        outputs={
            "rows": {"artifact": 0, "value": 3, "type": "int"},
            "copy": {"artifact": copy.pk, "type": "file"},
            "extra": {"artifact": 0, "value": {"a": 1}, "type": "json"},
        }
    )

    returned = collect_outputs(run, deployment, lambda artifact: f"/dl/{artifact.pk}")
    written = deliver_outputs(run, deployment)

    assert returned == {
        "count": 3,
        "work_copy": {
            "artifact": copy.pk,
            "name": "work.copy.csv",
            "size": 8,
            "download_url": f"/dl/{copy.pk}",
        },
    }
    assert written == [f"out/extra-{run.pk}.json"]
    with get_storage(None).open(written[0]) as stream:
        assert json.loads(stream.read()) == {"a": 1}


# --- the API ---------------------------------------------------------------------------


def create_via_api(client, pipeline, **fields: Any) -> Any:
    body = {
        "pipeline": pipeline.pk,
        "name": "work-api",
        "rule": "endpoint",
        "input_mappings": base_inputs(),
        **fields,
    }
    return client.post("/api/deployments/", body, format="json")


def test_creating_an_endpoint_deployment_shows_its_token_once(client_for, teammate, pipeline, datastore_file):
    client = client_for(teammate)

    response = create_via_api(client, pipeline, wait_seconds=5)

    assert response.status_code == 201, response.json()
    body = response.json()
    token = body["token"]
    assert token.startswith("pw_")
    assert body["url"] == "http://testserver/endpoints/work-api"
    assert body["wait_seconds"] == 5 and body["enabled"] is True
    assert body["tokens"][0]["prefix"] == token[:8]
    stored = EndpointToken.objects.get()
    assert stored.digest == digest(token) and token not in stored.digest
    detail = client.get(f"/api/deployments/{body['id']}/").json()
    assert "token" not in detail and token not in json.dumps(detail)
    assert detail["tokens"] == [{**body["tokens"][0]}]
    assert [d["name"] for d in client.get("/api/deployments/").json()["results"]] == ["work-api"]


@pytest.mark.parametrize("rule", ["endpoint", "periodic"])
def test_the_api_refuses_a_kind_its_rule_cannot_use_naming_the_input(client_for, teammate, pipeline, rule):
    refused = "endpoint_file" if rule == "periodic" else None
    inputs = base_inputs()
    if refused:
        inputs["table"] = {"kind": refused}
    else:
        del inputs["n"]
    extra = {"schedule": {"cron": "0 3 * * *"}} if rule == "periodic" else {}

    response = create_via_api(client_for(teammate), pipeline, rule=rule, input_mappings=inputs, **extra)

    assert response.status_code == 400
    if refused:
        assert "cannot be used by a periodic deployment" in response.json()["inputs.table"][0]
    else:
        assert response.json()["inputs.n"] == ["step input 'n' (int) is not mapped"]
    assert Deployment.objects.count() == 0


def test_run_config_problems_come_back_as_for_a_run(client_for, teammate, pipeline, datastore_file):
    response = create_via_api(
        client_for(teammate), pipeline, compute={"backend": "nowhere"}, params={"work": {"zzz": 1}}
    )

    assert response.status_code == 400
    body = response.json()
    assert "unknown backend 'nowhere'" in body["compute"][0]
    assert "unknown parameter 'zzz'" in body["graph"][0]


def test_bad_fields_come_back_by_name(client_for, teammate, pipeline, datastore_file):
    client = client_for(teammate)

    bad_name = create_via_api(client, pipeline, name="Not A Slug")
    too_long = create_via_api(client, pipeline, wait_seconds=301)
    no_cron = create_via_api(client, pipeline, rule="periodic")
    bad_cron = create_via_api(client, pipeline, rule="periodic", schedule={"cron": "often"})

    assert "name" in bad_name.json()
    assert "wait_seconds" in too_long.json()
    assert "schedule" in no_cron.json()
    assert "five fields" in bad_cron.json()["schedule.cron"][0]


def test_who_may_deploy(client_for, viewer, outsider, pipeline, datastore_file):
    assert create_via_api(client_for(viewer), pipeline).status_code == 403
    assert create_via_api(client_for(outsider), pipeline).status_code == 404


def test_pause_limits_tokens_and_delete(client_for, teammate, viewer, pipeline, datastore_file):
    client = client_for(teammate)
    deployment_id = create_via_api(client, pipeline).json()["id"]
    url = f"/api/deployments/{deployment_id}/"

    paused = client.patch(url, {"enabled": False, "rate_limit_per_minute": 5}, format="json")
    refused = client.patch(url, {"name": "other"}, format="json")
    as_viewer = client_for(viewer).patch(url, {"enabled": True}, format="json")
    issued = client.post(f"{url}tokens/", {"revoke_others": True}, format="json")
    revoked = client.post(f"{url}tokens/{issued.json()['id']}/revoke/")

    assert paused.status_code == 200 and paused.json()["enabled"] is False
    assert paused.json()["rate_limit_per_minute"] == 5
    assert refused.status_code == 400 and "name" in refused.json()
    assert as_viewer.status_code == 403
    assert issued.status_code == 201 and issued.json()["token"].startswith("pw_")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    # regenerating revoked the first token; revoking the new one leaves none live
    assert not EndpointToken.objects.filter(deployment_id=deployment_id, revoked_at__isnull=True).exists()
    assert client.get(f"{url}calls/").json()["results"] == []
    assert client.delete(url).status_code == 204
    assert not Deployment.objects.exists() and not EndpointToken.objects.exists()


# --- periodic ----------------------------------------------------------------------------


def test_a_periodic_deployment_owns_a_cron_schedule_whose_ticks_resolve_the_mappings_then(
    client_for, teammate, pipeline, variable, datastore_file
):
    client = client_for(teammate)
    inputs = {**base_inputs(), "n": {"kind": "env", "variable": "EPOCHS"}}
    response = create_via_api(
        client,
        pipeline,
        name="nightly",
        rule="periodic",
        input_mappings=inputs,
        schedule={"cron": "0 3 * * *", "timezone": "Europe/Paris"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["token"] is None and body["url"] is None
    assert body["schedule"]["cron"] == "0 3 * * *" and body["schedule"]["next_fire_at"]
    deployment = Deployment.objects.get(pk=body["id"])
    schedule = deployment.recurring_run
    assert schedule is not None and schedule.next_fire_at is not None

    # when its tick fires, after the variable changed
    variable.write("11")
    variable.save()
    tick = fire(schedule.pk, schedule.next_fire_at)

    # then the run took the variable's value at that moment, and is the deployment's
    assert tick is not None
    assert tick.outcome == TickOutcome.STARTED, tick.message
    run = Run.objects.get(pk=tick.run.pk if tick.run else 0)
    assert run.deployment_id == deployment.pk and run.recurring_run_id == schedule.pk
    assert run.config["inputs"]["n"] == {"value": 11}
    assert DeploymentCall.objects.get(deployment=deployment).run_id == run.pk

    # pausing the deployment pauses its schedule; deleting it deletes the schedule
    client.patch(f"/api/deployments/{deployment.pk}/", {"enabled": False}, format="json")
    schedule.refresh_from_db()
    assert schedule.enabled is False and schedule.next_fire_at is None
    client.delete(f"/api/deployments/{deployment.pk}/")
    assert not RecurringRun.objects.filter(pk=schedule.pk).exists()


def test_a_tick_whose_mapping_cannot_resolve_fails_naming_the_input(
    pipeline, teammate, variable, datastore_file
):
    deployment = deployment_with(
        pipeline, teammate, rule="periodic", name="tick", inputs={"n": {"kind": "env", "variable": "EPOCHS"}}
    )
    variable.delete()
    schedule = deployment.recurring_run
    assert schedule is not None and schedule.next_fire_at is not None

    tick = fire(schedule.pk, schedule.next_fire_at)

    assert tick is not None and tick.outcome == TickOutcome.FAILED
    assert "inputs.n" in tick.message and "EPOCHS was deleted" in tick.message
    assert not Run.objects.exists()
