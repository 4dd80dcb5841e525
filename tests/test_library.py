"""The built-in library: loads idempotently, and its operations really compute."""

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from django.core.management import call_command

from editor.graph import missing_inputs, parse_graph, topological_order
from editor.library.catalog import OPERATIONS_DIR
from editor.library.loader import load_library
from editor.models import Operation, OperationVersion, Pipeline
from editor.operations import interface_of
from runtime.context import NodeContext
from runtime.invoke import call_operation, load_entrypoint

pytestmark = pytest.mark.django_db


def run_in_process(pipeline: Pipeline, work_root: Path) -> dict[str, dict]:
    """Run a pipeline's nodes in order in this process, wiring outputs to inputs."""
    graph = parse_graph(pipeline.graph)
    slugs = dict(Operation.objects.values_list("pk", "slug"))
    nodes = {node.id: node for node in graph.nodes}
    results: dict[str, dict] = {}
    logs: dict[str, str] = {}
    for node_id in topological_order(graph):
        node = nodes[node_id]
        op = Operation.objects.get(pk=node.operation)
        params = {p["name"]: p["default"] for p in op.versions.latest("number").parameters} | node.params
        inputs = {e.target_port: results[e.source][e.source_port] for e in graph.edges if e.target == node_id}
        ctx = NodeContext(work_root / node_id, node_id=node_id, gpus=[])
        function = load_entrypoint(OPERATIONS_DIR / f"{slugs[node.operation]}.py", slugs[node.operation])
        out = io.StringIO()
        with redirect_stdout(out):
            results[node_id] = call_operation(function, {**params, **inputs}, ctx)
        logs[node_id] = out.getvalue()
    results["_logs"] = logs
    return results


def test_loading_twice_changes_nothing():
    first = load_library()
    second = load_library()
    assert len(first.versions_created) == 7
    assert sorted(first.pipelines_created) == ["Classify synthetic blobs", "Train a network on a GPU"]
    assert second.versions_created == [] and second.pipelines_created == []
    assert OperationVersion.objects.count() == 7


def test_an_edited_example_is_not_overwritten_on_the_next_load():
    load_library()
    pipeline = Pipeline.objects.get(name="Classify synthetic blobs")
    pipeline.description = "mine"
    pipeline.save()
    load_library()
    pipeline.refresh_from_db()
    assert pipeline.description == "mine"


def test_examples_are_complete_graphs_with_a_version():
    load_library()
    for pipeline in Pipeline.objects.all():
        graph = parse_graph(pipeline.graph)
        interfaces = {
            n.operation: interface_of(Operation.objects.get(pk=n.operation).versions.latest("number"))
            for n in graph.nodes
        }
        assert missing_inputs(graph, interfaces) == [], pipeline.name
        assert pipeline.versions.count() == 1


def test_the_classification_example_learns_and_draws_a_png(tmp_path):
    # given
    load_library()
    pipeline = Pipeline.objects.get(name="Classify synthetic blobs")
    # when
    results = run_in_process(pipeline, tmp_path)
    # then
    assert results["evaluate"]["metrics"]["accuracy"] > 0.9
    assert results["describe"]["stats"]["rows"] == 600
    chart = Path(results["report"]["chart"])
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    losses = [json.loads(line) for line in (tmp_path / "train" / "metrics.jsonl").read_text().splitlines()]
    assert losses[0]["value"] > losses[-1]["value"]
    assert (tmp_path / "train" / "progress").read_text() == "1.0000"


def test_the_gpu_example_falls_back_to_the_cpu_and_says_so(tmp_path, monkeypatch):
    # given a machine without a usable GPU (this one)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    load_library()
    pipeline = Pipeline.objects.get(name="Train a network on a GPU")
    # when
    results = run_in_process(pipeline, tmp_path)
    # then
    assert "falling back to the CPU" in results["_logs"]["train"]
    assert results["train"]["metrics"]["device"] == "cpu"
    assert results["train"]["metrics"]["accuracy"] > 0.7


def test_ensure_admin_creates_one_account_and_shows_the_password_once():
    first, second = io.StringIO(), io.StringIO()
    call_command("ensure_admin", stdout=first)
    call_command("ensure_admin", stdout=second)
    assert "password:" in first.getvalue()
    assert "password:" not in second.getvalue()
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="admin")
    assert admin.projects.filter(slug="examples").exists()
