"""Comparing runs side by side: parameters, metrics and outputs per node with their differences,
and the difference between the pipeline versions the runs used."""

from collections.abc import Callable
from typing import Any

import pytest

from editor.models import Operation, Pipeline
from runs.choices import RunState
from runs.graph_diff import OperationInfo, diff_graphs
from runs.models import NodeRun, Run
from runs.submit import submit_run
from tests.fixtures.engine import wait_for_run

pytestmark = pytest.mark.django_db

BLOBS_NODES = [("data", "make_dataset"), ("split", "split_dataset"), ("train", "train_logistic_regression")]
BLOBS_EDGES = [("data.dataset", "split.dataset"), ("split.train", "train.train")]


@pytest.fixture
def blobs(project, make_pipeline) -> Pipeline:
    return make_pipeline(project, BLOBS_NODES, BLOBS_EDGES, name="Blobs", params={"data": {"n_samples": 120}})


@pytest.fixture
def queued(monkeypatch, teammate) -> Callable[..., Run]:
    """Submits a run that never executes (no worker) and gives its nodes the metrics given."""
    from runs import tasks

    monkeypatch.setattr(tasks.advance_run, "delay", lambda *args: None)

    def make(
        pipeline: Pipeline, name: str, metrics: dict[str, dict[str, Any]] | None = None, **config
    ) -> Run:
        run = submit_run(pipeline, {"name": name, **config}, teammate)
        for node_id, values in (metrics or {}).items():
            NodeRun.objects.filter(run=run, node_id=node_id).update(metrics=values)
        return run

    return make


def compare(client, *runs: Run | int):
    ids = ",".join(str(run if isinstance(run, int) else run.pk) for run in runs)
    return client.get(f"/api/runs/compare/?ids={ids}")


def row(rows: list[dict[str, Any]], node: str, name: str, key: str = "name") -> dict[str, Any]:
    return next(item for item in rows if item["node"] == node and item[key] == name)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_three_finished_runs_show_their_params_metrics_and_outputs_side_by_side(
    celery_worker, blobs, client_for, teammate
):
    # given three runs that trained for a different number of epochs
    runs = [
        wait_for_run(
            submit_run(blobs, {"name": f"e{epochs}", "params": {"train": {"epochs": epochs}}}, teammate)
        )
        for epochs in (2, 15, 25)
    ]
    assert [run.state for run in runs] == [RunState.SUCCEEDED] * 3

    # when
    response = compare(client_for(teammate), *runs)

    # then every run is a column, in the order asked for
    assert response.status_code == 200, response.content
    body = response.json()
    assert [run["name"] for run in body["runs"]] == ["e2", "e15", "e25"]
    assert all(run["state"] == "succeeded" and run["duration_seconds"] > 0 for run in body["runs"])
    assert len({run["version_number"] for run in body["runs"]}) == 1
    assert body["nodes"]["train"] == "train_logistic_regression"

    # the epochs differ; the dataset size (set on the node) and the learning rate (a default) do not
    epochs = row(body["params"], "train", "epochs")
    assert epochs == {"node": "train", "name": "epochs", "values": [2, 15, 25], "differs": True}
    assert row(body["params"], "data", "n_samples")["values"] == [120, 120, 120]
    assert row(body["params"], "data", "n_samples")["differs"] is False
    assert row(body["params"], "train", "learning_rate")["differs"] is False

    # the loss is the last value each run logged, with its series for the chart
    loss = row(body["metrics"], "train", "loss")
    logged = [NodeRun.objects.get(run=run, node_id="train").metrics["loss"] for run in runs]
    assert loss["last"] == [metric["last"] for metric in logged]
    assert loss["differs"] is True
    assert [[step for step, _ in series] for series in loss["series"]] == [
        [0, 1],
        [0, 10, 14],
        [0, 10, 20, 24],
    ]

    # outputs: the same split in every run, a different model; artifacts download
    assert row(body["outputs"], "split", "train", key="port")["differs"] is False
    model = row(body["outputs"], "train", "model", key="port")
    assert model["differs"] is True
    first = model["values"][0]
    assert first["kind"] == "artifact" and first["size"] > 0 and first["name"]
    assert client_for(teammate).get(first["download_url"]).status_code == 200
    assert body["graph_diffs"] == []


def test_runs_of_different_versions_come_with_the_graph_diff(project, blobs, queued, client_for, viewer):
    # given a run, then the pipeline edited (a node added and wired, a node renamed and its
    # parameter changed), then two more runs
    before = queued(
        blobs, "before", metrics={"train": {"loss": {"last": 0.5, "series": [[0, 0.9], [1, 0.5]]}}}
    )
    graph = blobs.graph
    describe = Operation.objects.get(slug="describe_dataset")
    graph["nodes"].append(
        {
            "id": "stats",
            "operation": describe.pk,
            "label": "Stats",
            "params": {},
            "position": {"x": 0, "y": 200},
        }
    )
    graph["edges"].append(
        {
            "id": "d->s",
            "source": "data",
            "source_port": "dataset",
            "target": "stats",
            "target_port": "dataset",
        }
    )
    graph["nodes"][0]["params"] = {"n_samples": 300}
    graph["nodes"][0]["label"] = "Make data"
    Pipeline.objects.filter(pk=blobs.pk).update(graph=graph)
    blobs.refresh_from_db()
    after = queued(blobs, "after", metrics={"train": {"loss": {"last": 0.3, "series": [[0, 0.8], [1, 0.3]]}}})
    again = queued(blobs, "after again")

    # when a viewer of the project compares them
    response = compare(client_for(viewer), before, after, again)

    # then one diff: the second version against the first run's
    assert response.status_code == 200, response.content
    body = response.json()
    assert [run["version_number"] for run in body["runs"]] == [1, 2, 2]
    [diff] = body["graph_diffs"]
    assert (diff["base"]["number"], diff["version"]["number"], diff["runs"]) == (1, 2, [after.pk, again.pk])
    nodes = {node["id"]: node for node in diff["nodes"]}
    assert nodes["stats"]["status"] == "added"
    assert nodes["stats"]["inputs"] == ["dataset"]
    assert nodes["data"]["status"] == "changed"
    assert {"field": "label", "old": "make_dataset", "new": "Make data"} in nodes["data"]["changes"]
    assert nodes["train"]["status"] == "same"
    assert [(e["source"], e["target"], e["status"]) for e in diff["edges"] if e["status"] != "same"] == [
        ("data", "stats", "added")
    ]
    assert diff["params"] == [
        {"node": "data", "name": "n_samples", "old": 120, "new": 300, "status": "changed"}
    ]
    assert diff["counts"]["nodes_added"] == 1 and diff["counts"]["edges_added"] == 1
    # and the table shows the effective values of each run, the new node only where it exists
    assert row(body["params"], "data", "n_samples")["values"] == [120, 300, 300]
    assert row(body["metrics"], "train", "loss")["last"] == [0.5, 0.3, None]


def test_run_overrides_beat_node_params_which_beat_operation_defaults(blobs, queued, client_for, teammate):
    # given
    one = queued(blobs, "one", params={"split": {"seed": 7}})
    two = queued(blobs, "two")

    # when
    body = compare(client_for(teammate), one, two).json()

    # then
    seed = row(body["params"], "split", "seed")
    assert seed["values"][0] == 7 and seed["values"][1] != 7 and seed["differs"] is True
    assert row(body["params"], "split", "test_fraction")["differs"] is False


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ("", "Choose 2 to 10 runs"),
        ("{a}", "Choose 2 to 10 runs"),
        ("{a},{a}", "Choose 2 to 10 runs"),
        ("{a},x", "'x' is not a run id"),
        ("{a},{b},99999", "No run 99999"),
    ],
)
def test_it_refuses_fewer_than_two_unknown_or_malformed_ids(
    blobs, queued, client_for, teammate, ids, message
):
    a, b = queued(blobs, "a"), queued(blobs, "b")
    response = client_for(teammate).get(f"/api/runs/compare/?ids={ids.format(a=a.pk, b=b.pk)}")
    assert response.status_code == 400
    assert message in response.json()["ids"][0]


def test_it_refuses_more_than_ten_runs(blobs, queued, client_for, teammate):
    runs = [queued(blobs, f"r{i}") for i in range(11)]
    response = compare(client_for(teammate), *runs)
    assert response.status_code == 400
    assert response.json()["ids"] == ["Choose 2 to 10 runs to compare (got 11)."]
    assert compare(client_for(teammate), *runs[:10]).status_code == 200


def test_runs_of_a_project_you_are_not_in_are_not_found(blobs, queued, client_for, outsider):
    a, b = queued(blobs, "a"), queued(blobs, "b")
    response = compare(client_for(outsider), a, b)
    assert response.status_code == 400
    assert response.json()["ids"][0].startswith(f"No run {a.pk}, {b.pk} among the runs you can see")


def op(operation_id: int, number: int = 1, **defaults: Any) -> OperationInfo:
    return OperationInfo(operation_id, f"op{operation_id}", number, ["x"], ["y"], defaults)


def node(node_id: str, version: int, **params: Any) -> dict[str, Any]:
    return {"id": node_id, "operation": 0, "operation_version": version, "params": params}


def edge(source: str, target: str) -> dict[str, str]:
    return {"source": source, "source_port": "y", "target": target, "target_port": "x"}


def test_graph_diff_names_added_removed_and_changed_nodes_edges_and_params():
    # given operation versions 10 (op 1 v1), 11 (op 1 v2) and 20 (op 2)
    ops = {10: op(1, 1, rate=0.1), 11: op(1, 2, rate=0.1), 20: op(2, 1)}
    old = {"nodes": [node("a", 10), node("b", 10, rate=0.5), node("gone", 20)], "edges": [edge("a", "gone")]}
    new = {"nodes": [node("a", 11), node("b", 10, rate=0.2), node("new", 20)], "edges": [edge("a", "new")]}

    # when
    diff = diff_graphs(old, new, ops)

    # then
    status = {n["id"]: n["status"] for n in diff["nodes"]}
    assert status == {"a": "changed", "b": "changed", "new": "added", "gone": "removed"}
    a = next(n for n in diff["nodes"] if n["id"] == "a")
    assert a["changes"] == [{"field": "operation", "old": "op1 v1", "new": "op1 v2"}]
    assert diff["params"] == [{"node": "b", "name": "rate", "old": 0.5, "new": 0.2, "status": "changed"}]
    assert [(e["target"], e["status"]) for e in diff["edges"]] == [("new", "added"), ("gone", "removed")]
    assert diff["counts"] == {
        "nodes_added": 1,
        "nodes_removed": 1,
        "nodes_changed": 2,
        "edges_added": 1,
        "edges_removed": 1,
        "params_changed": 1,
    }


def test_graph_diff_of_a_graph_with_itself_is_all_same():
    ops = {10: op(1)}
    graph = {"nodes": [node("a", 10), node("b", 10)], "edges": [edge("a", "b")]}
    diff = diff_graphs(graph, graph, ops)
    assert {n["status"] for n in diff["nodes"]} == {"same"}
    assert {e["status"] for e in diff["edges"]} == {"same"}
    assert diff["params"] == [] and not any(diff["counts"].values())
