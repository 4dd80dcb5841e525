"""Pipeline inputs: drawn in the editor, wired to node inputs like an output, chosen when a
run starts (an artifact or a value), fed by the engine and by the exported `main.py`."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from credentials.models import LinkedAccount
from editor.graph import check_wiring, parse_graph
from editor.hashing import content_hash
from editor.models import Artifact, Operation, Pipeline, Project
from editor.operations import interface_of, latest_versions
from editor.projects import create_project
from runs.bundle import render_bundle
from runs.choices import RunState
from runs.models import Run
from runs.submit import operation_versions_for
from tests.fixtures.engine import wait_for_run

pytestmark = pytest.mark.django_db

# Counts the lines of a table and copies it; the copy is what checksums compare.
COUNT = """
import shutil
def run(ctx, table) -> dict:
    lines = open(table).read().splitlines()
    shutil.copyfile(table, str(ctx.output_path("copy")) + ".csv")
    return {"rows": len(lines) - 1}
"""
TIMES = """
def run(n: int, factor: float) -> dict:
    return {"out": n * factor}
"""
S3_OPTIONS = {"endpoint": "http://127.0.0.1:9", "bucket": "artifacts", "prefix": "team"}


def edge(source: str, source_port: str, target: str, target_port: str) -> dict[str, str]:
    return {
        "id": f"{source}.{source_port}->{target}.{target_port}",
        "source": source,
        "source_port": source_port,
        "target": target,
        "target_port": target_port,
    }


@pytest.fixture
def ops(project: Project, make_op: Any) -> dict[str, Operation]:
    return {
        "count": make_op(
            project, "count", COUNT, inputs=[("table", "file")], outputs=[("rows", "int"), ("copy", "file")]
        ),
        "times": make_op(
            project, "times", TIMES, inputs=[("n", "int"), ("factor", "float")], outputs=[("out", "float")]
        ),
    }


def input_graph(ops: dict[str, Operation], **changes: Any) -> dict[str, Any]:
    """table (file) -> count.table; n (int, required) -> times.n;
    factor (float, default 2.5) -> times.factor."""
    return {
        "nodes": [
            {
                "id": "count",
                "operation": ops["count"].pk,
                "label": "",
                "params": {},
                "position": {"x": 300, "y": 0},
            },
            {
                "id": "times",
                "operation": ops["times"].pk,
                "label": "",
                "params": {},
                "position": {"x": 300, "y": 200},
            },
        ],
        "edges": [
            edge("table", "value", "count", "table"),
            edge("n", "value", "times", "n"),
            edge("factor", "value", "times", "factor"),
        ],
        "inputs": [
            {"name": "table", "type": "file", "description": "a CSV table", "position": {"x": 0, "y": 0}},
            {"name": "n", "type": "int", "position": {"x": 0, "y": 200}},
            {"name": "factor", "type": "float", "default": 2.5, "position": {"x": 0, "y": 300}},
        ],
        **changes,
    }


def problems_of(graph: dict[str, Any]) -> list[str]:
    parsed = parse_graph(graph)
    versions = latest_versions({node.operation for node in parsed.nodes})
    interfaces = {op_id: interface_of(version) for op_id, version in versions.items()}
    return [problem.message for problem in check_wiring(parsed, interfaces)]


def upload(client: Any, project: Project, content: bytes, name: str = "table.csv") -> dict[str, Any]:
    response = client.post(
        "/api/artifacts/",
        {"project": project.pk, "file": SimpleUploadedFile(name, content, content_type="text/csv")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


# --- the graph ---------------------------------------------------------------------


def test_an_input_wired_to_a_fitting_port_is_valid_and_saved_with_its_position(
    project, ops, client_for, teammate
):
    # given
    pipeline = Pipeline.objects.create(project=project, name="Inputs")
    client = client_for(teammate)
    # when
    saved = client.patch(f"/api/pipelines/{pipeline.pk}/", {"graph": input_graph(ops)}, format="json")
    # then
    assert saved.status_code == 200, saved.content
    graph = saved.json()["graph"]
    assert graph["inputs"][0] == {
        "name": "table",
        "type": "file",
        "default": None,
        "description": "a CSV table",
        "position": {"x": 0, "y": 0},
    }
    assert graph["edges"][0]["source"] == "table"
    assert problems_of(graph) == []


def test_input_edges_are_type_checked_like_outputs_and_unknown_inputs_refused(ops):
    graph = input_graph(ops)
    graph["inputs"][1]["type"] = "str"  # a str cannot feed an int port
    graph["edges"].append(edge("ghost", "value", "count", "table"))
    graph["edges"].append(edge("factor", "out", "count", "table"))
    problems = problems_of(graph)
    assert "type mismatch: str input 'n' cannot feed a int input" in problems
    assert "edge refers to missing node 'ghost'" in problems
    assert "pipeline input 'factor' has one output, 'value', not 'out'" in problems


def test_an_input_feeding_a_port_twice_or_fed_by_an_edge_is_refused(ops):
    graph = input_graph(ops)
    graph["edges"].append(edge("table", "value", "count", "table"))
    graph["edges"].append(edge("count", "rows", "n", "value"))
    problems = problems_of(graph)
    assert "input is connected twice" in problems
    assert "pipeline input 'n' cannot be fed by an edge" in problems


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"inputs": [{"name": "count", "type": "int"}]}, "input name 'count' is also a node id"),
        (
            {"inputs": [{"name": "a", "type": "int"}, {"name": "a", "type": "str"}]},
            "input name 'a' is used twice",
        ),
        (
            {"inputs": [{"name": "a", "type": "int"}], "notes": [{"id": "a"}]},
            "note id 'a' is also an input name",
        ),
        (
            {"inputs": [{"name": "a", "type": "int"}], "groups": [{"id": "a"}]},
            "group id 'a' is also an input name",
        ),
        ({"inputs": [{"name": "a", "type": "int", "default": "3"}]}, "default must be of type int"),
        ({"inputs": [{"name": "a", "type": "file", "default": 3}]}, "a file input has no default"),
        ({"inputs": [{"name": "a b", "type": "int"}]}, "inputs.0.name"),
    ],
)
def test_input_names_share_one_namespace_and_defaults_fit_their_type(ops, change, message):
    graph = {**input_graph(ops), "edges": [], **change}
    response_problems: list[str] = []
    try:
        parse_graph(graph)
    except Exception as exc:  # GraphInvalid
        response_problems = [str(exc)]
    assert any(message in problem for problem in response_problems), response_problems


def test_graphs_saved_before_inputs_had_positions_keep_their_hash():
    old = {
        "nodes": [],
        "edges": [],
        "inputs": [{"name": "n", "type": "int", "default": 1, "description": ""}],
    }
    assert parse_graph(old).model_dump(mode="json") == old
    assert content_hash(parse_graph(old).model_dump(mode="json")) == content_hash(old)


# --- submitting --------------------------------------------------------------------


@pytest.fixture
def inputs_pipeline(project, ops) -> Pipeline:
    return Pipeline.objects.create(project=project, name="Inputs", graph=input_graph(ops))


def submit(client: Any, pipeline: Pipeline, **config: Any) -> Any:
    return client.post("/api/runs/", {"pipeline": pipeline.pk, **config}, format="json")


def test_a_required_wired_input_left_out_is_a_400_naming_it(inputs_pipeline, client_for, teammate):
    response = submit(client_for(teammate), inputs_pipeline, inputs={"n": {"value": 3}})
    assert response.status_code == 400
    assert response.json() == {"inputs": ["inputs.table: required pipeline input: choose an artifact for it"]}
    assert Run.objects.count() == 0


def test_bad_input_values_and_artifacts_are_named(inputs_pipeline, project, client_for, teammate, owner):
    client = client_for(teammate)
    elsewhere = create_project(owner, name="Elsewhere")
    foreign = Artifact.objects.create(project=elsewhere, name="x.csv", location="x", size=1, checksum="0")
    response = submit(
        client,
        inputs_pipeline,
        inputs={
            "table": {"artifact": foreign.pk},
            "n": {"value": "three"},
            "factor": {"artifact": 1},
            "ghost": {"value": 1},
        },
    )
    assert response.status_code == 400
    assert sorted(response.json()["inputs"]) == [
        "inputs.factor: a float input takes a value, not an artifact",
        "inputs.ghost: the pipeline has no input 'ghost'",
        "inputs.n: must be of type int",
        f"inputs.table: artifact {foreign.pk} is not in this project",
    ]
    response = submit(client, inputs_pipeline, inputs={"table": {"value": "a.csv"}, "n": {"artifact": "x"}})
    assert response.status_code == 400
    assert "an artifact is given by its id" in response.json()["inputs"][0]


def test_a_directory_input_needs_an_archive(project, ops, make_op, client_for, teammate):
    lister = make_op(project, "lister", "def run(folder):\n    return {}\n", inputs=[("folder", "directory")])
    graph = {
        "nodes": [{"id": "ls", "operation": lister.pk, "params": {}, "position": {"x": 0, "y": 0}}],
        "edges": [edge("folder", "value", "ls", "folder")],
        "inputs": [{"name": "folder", "type": "directory"}],
    }
    pipeline = Pipeline.objects.create(project=project, name="Folder", graph=graph)
    client = client_for(teammate)
    csv = upload(client, project, b"a\n1\n")
    response = submit(client, pipeline, inputs={"folder": {"artifact": csv["id"]}})
    assert response.json()["inputs"] == [
        "inputs.folder: artifact 'table.csv' is not a directory "
        "(a directory output, or an uploaded .tar.gz archive)"
    ]
    archive = upload(client, project, b"\x1f\x8b", name="photos.tar.gz")
    assert submit(client, pipeline, inputs={"folder": {"artifact": archive["id"]}}).status_code == 201


def test_defaults_are_written_into_the_run_and_unwired_inputs_are_not_asked_for(
    inputs_pipeline, project, client_for, teammate
):
    # given a pipeline whose `table` input feeds nothing the run executes
    client = client_for(teammate)
    # when only `times` runs
    response = submit(client, inputs_pipeline, nodes=["times"], inputs={"n": {"value": 4}})
    # then the file input is not asked for and the default of `factor` is recorded
    assert response.status_code == 201, response.content
    run = Run.objects.get()
    assert run.config["inputs"] == {"n": {"value": 4}, "factor": {"value": 2.5}}


def test_run_setup_lists_the_pipeline_inputs(inputs_pipeline, client_for, teammate):
    setup = client_for(teammate).get(f"/api/pipelines/{inputs_pipeline.pk}/run-setup/").json()
    assert setup["inputs"] == [
        {"name": "table", "type": "file", "default": None, "description": "a CSV table", "wired": True},
        {"name": "n", "type": "int", "default": None, "description": "", "wired": True},
        {"name": "factor", "type": "float", "default": 2.5, "description": "", "wired": True},
    ]


# --- credentials of input artifacts ------------------------------------------------


@pytest.fixture
def owners_s3_artifact(project, owner) -> Artifact:
    account = LinkedAccount(owner=owner, kind="storage", backend="s3", label="Owner's", options=S3_OPTIONS)
    account.secrets = {"access_key": "AK-OWNER", "secret_key": "owner-secret"}
    account.save()
    return Artifact.objects.create(
        project=project,
        name="table.csv",
        storage_backend="s3",
        storage_options=S3_OPTIONS,
        storage_account=account,
        location="team/table.csv",
        size=4,
        checksum="c" * 64,
    )


def test_an_artifact_in_someone_elses_storage_needs_the_submitters_credentials(
    inputs_pipeline, owners_s3_artifact, client_for, teammate, owner
):
    client = client_for(teammate)
    key = str(owners_s3_artifact.pk)
    listed = client.get(f"/api/artifacts/?project={inputs_pipeline.project_id}").json()["results"]
    assert [item["needs_credentials"] for item in listed] == [True]
    assert client_for(owner).get(f"/api/artifacts/{key}/").json()["needs_credentials"] is False
    inputs = {"table": {"artifact": owners_s3_artifact.pk}, "n": {"value": 1}}
    # without credentials
    response = submit(client, inputs_pipeline, inputs=inputs)
    assert response.status_code == 400
    assert response.json()["input_credentials"][0].startswith(
        f"input_credentials.{key}: artifact 'table.csv'"
    )
    # with someone else's account, or a bad option
    foreign = owners_s3_artifact.storage_account
    response = submit(
        client,
        inputs_pipeline,
        inputs=inputs,
        input_credentials={key: {"account": foreign.pk}},
    )
    assert response.json()["input_credentials"] == [
        f"input_credentials.{key}.account: {foreign.pk} is not one of your linked accounts"
    ]
    response = submit(
        client, inputs_pipeline, inputs=inputs, input_credentials={key: {"options": {"bucket": "x"}}}
    )
    assert any(
        m.startswith(f"input_credentials.{key}.options.bucket:") for m in response.json()["input_credentials"]
    )
    assert Run.objects.count() == 0


def test_typed_input_credentials_stay_out_of_the_config_and_open_the_artifact(
    inputs_pipeline, owners_s3_artifact, client_for, teammate, monkeypatch
):
    # given
    client = client_for(teammate)
    key = str(owners_s3_artifact.pk)
    # when the teammate types their own keys
    response = submit(
        client,
        inputs_pipeline,
        inputs={"table": {"artifact": owners_s3_artifact.pk}, "n": {"value": 1}},
        input_credentials={key: {"options": {"access_key": "AK-TED", "secret_key": "ted-secret"}}},
    )
    # then the run keeps them encrypted, never in its config or answers
    assert response.status_code == 201, response.content
    run = Run.objects.get()
    assert "ted-secret" not in json.dumps(run.config) + response.content.decode()
    assert run.config["input_credentials"] == {key: {"account": None, "options": {}}}
    assert run.backend_secrets("inputs") == {key: {"access_key": "AK-TED", "secret_key": "ted-secret"}}
    # and the worker opens the artifact with them, at the artifact's place
    from runs import inputs as run_inputs

    opened: dict[str, Any] = {}
    monkeypatch.setattr(run_inputs, "get_storage", lambda name, options: opened.update(name=name, **options))
    run_inputs.input_storage(run, owners_s3_artifact)
    assert opened == {"name": "s3", **S3_OPTIONS, "access_key": "AK-TED", "secret_key": "ted-secret"}


# --- a real run and the exported bundle --------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_uploaded_artifact_and_a_value_feed_nodes_in_the_app_and_in_main_py(
    celery_worker, project, ops, client_for, teammate, tmp_path
):
    # given a pipeline with a file input and two value inputs, and an uploaded table
    pipeline = Pipeline.objects.create(project=project, name="Inputs", graph=input_graph(ops))
    client = client_for(teammate)
    table = b"x,y\n1,2\n3,4\n5,6\n"
    uploaded = upload(client, project, table)
    # when a run gives the table and n (factor keeps its default)
    created = submit(
        client, pipeline, cache=False, inputs={"table": {"artifact": uploaded["id"]}, "n": {"value": 4}}
    )
    assert created.status_code == 201, created.content
    run = wait_for_run(Run.objects.get(pk=created.json()["id"]), timeout=120)
    # then each node got its input
    assert run.state == RunState.SUCCEEDED, run.error
    outputs = {nr.node_id: nr.outputs for nr in run.node_runs.all()}
    assert outputs["count"]["rows"]["value"] == 3
    assert outputs["count"]["copy"]["checksum"] == uploaded["checksum"]
    assert outputs["times"]["out"]["value"] == 10.0
    # and the bundle lists the inputs, and its main.py given the same inputs makes the same files
    bundle = render_bundle(run.pipeline_version, operation_versions_for(run.pipeline_version, latest=False))
    spec = json.loads((bundle / "pipeline.json").read_text())
    assert [(item["name"], item["type"], item.get("default")) for item in spec["inputs"]] == [
        ("table", "file", None),
        ("n", "int", None),
        ("factor", "float", 2.5),
    ]
    (tmp_path / "table.csv").write_bytes(table)
    command = [sys.executable, str(bundle / "main.py"), "--out", str(tmp_path / "out")]
    missing = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert missing.returncode != 0
    assert "input 'table' (file) is required: give it with --input table=PATH" in missing.stderr
    result = subprocess.run(
        [*command, "--input", "table=table.csv", "--input", "n=4"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    compared = 0
    for node_run in run.node_runs.all():
        produced = json.loads((tmp_path / "out" / node_run.node_id / "result.json").read_text())["outputs"]
        for port, ref in node_run.outputs.items():
            assert sha256(tmp_path / "out" / node_run.node_id / produced[port]["path"]) == ref["checksum"], (
                port
            )
            compared += 1
    assert compared == 3
    # and the same content uploaded again is a cache hit
    again = upload(client, project, table, name="again.csv")
    rerun = submit(client, pipeline, inputs={"table": {"artifact": again["id"]}, "n": {"value": 4}})
    rerun_run = wait_for_run(Run.objects.get(pk=rerun.json()["id"]), timeout=120)
    assert sorted(rerun_run.node_runs.values_list("state", flat=True)) == ["cached", "cached"]
