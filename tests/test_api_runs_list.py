"""The runs list across pipelines, the node runs list and the artifacts list: filters,
ordering (by a metric too), bad parameters and who sees what."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from editor.models import Artifact, Pipeline
from runs.choices import NodeState, RunState
from runs.models import Experiment, NodeRun, Run
from runs.submit import submit_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def blobs(project, make_pipeline) -> Pipeline:
    return make_pipeline(
        project,
        [("data", "make_dataset"), ("train", "train_logistic_regression")],
        [("data.dataset", "train.train")],
        name="Blobs",
    )


@pytest.fixture
def make_run(teammate) -> Callable[..., Run]:
    """Submits a run (nothing executes) and sets its state, times and metrics directly."""

    def make(pipeline: Pipeline, name: str, **fields: Any) -> Run:
        metrics = fields.pop("metrics", {})
        run = submit_run(pipeline, {"name": name}, teammate)
        Run.objects.filter(pk=run.pk).update(**fields)
        for node_id, values in metrics.items():
            NodeRun.objects.filter(run=run, node_id=node_id).update(
                metrics={k: {"last": v, "series": [[0, v]]} for k, v in values.items()},
                finished_at=timezone.now(),
            )
        run.refresh_from_db()
        return run

    return make


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [run["name"] for run in response.json()["results"]]


def test_runs_filter_by_state_pipeline_experiment_and_text(
    project, blobs, make_pipeline, make_run, client_for, teammate
):
    # given
    other = make_pipeline(project, [("data", "make_dataset")], name="Moons")
    experiment = Experiment.objects.create(project=project, name="Sweep")
    make_run(blobs, "alpha", state=RunState.SUCCEEDED, experiment=experiment)
    make_run(blobs, "beta", state=RunState.FAILED)
    make_run(other, "gamma", state=RunState.SUCCEEDED)
    client = client_for(teammate)

    # when / then
    assert sorted(names(client.get("/api/runs/?state=succeeded"))) == ["alpha", "gamma"]
    assert sorted(names(client.get("/api/runs/?state=failed,succeeded"))) == ["alpha", "beta", "gamma"]
    assert sorted(names(client.get(f"/api/runs/?pipeline={blobs.pk}"))) == ["alpha", "beta"]
    assert names(client.get(f"/api/runs/?experiment={experiment.pk}")) == ["alpha"]
    assert names(client.get("/api/runs/?q=moo")) == ["gamma"]  # the pipeline's name
    assert names(client.get("/api/runs/?q=BET")) == ["beta"]  # the run's name


def test_runs_filter_by_tag_and_creation_dates(project, blobs, make_pipeline, make_run, client_for, teammate):
    # given
    old = make_run(blobs, "old", created_at=timezone.make_aware(datetime.datetime(2024, 3, 1, 12)))
    make_run(make_pipeline(project, [("data", "make_dataset")], name="Moons"), "new")
    old.pipeline_version.add_tag("baseline")
    client = client_for(teammate)

    # then
    assert names(client.get("/api/runs/?tag=baseline")) == ["old"]
    assert names(client.get("/api/runs/?tag=nope")) == []
    assert names(client.get("/api/runs/?created_before=2024-03-01")) == ["old"]
    assert names(client.get("/api/runs/?created_after=2025-01-01")) == ["new"]
    assert names(client.get("/api/runs/?created_after=2024-02-01&created_before=2024-04-01")) == ["old"]


def test_runs_order_by_a_metric_with_runs_without_it_last(blobs, make_run, client_for, teammate):
    # given
    make_run(blobs, "high", metrics={"train": {"loss": 0.9}})
    make_run(blobs, "none")
    make_run(blobs, "low", metrics={"train": {"loss": 0.1}, "data": {"rows": 100}})
    make_run(blobs, "mid", metrics={"train": {"loss": 0.5}})
    client = client_for(teammate)

    # when
    ascending = client.get("/api/runs/?ordering=metric:loss&metric=loss")
    descending = client.get("/api/runs/?ordering=-metric:loss")

    # then
    assert names(ascending) == ["low", "mid", "high", "none"]
    assert [run["metric"] for run in ascending.json()["results"]] == [0.1, 0.5, 0.9, None]
    assert names(descending) == ["high", "mid", "low", "none"]


def test_runs_order_by_name_creation_and_duration(blobs, make_run, client_for, teammate):
    # given
    start = timezone.now() - datetime.timedelta(hours=1)
    make_run(blobs, "b-long", started_at=start, finished_at=start + datetime.timedelta(minutes=30))
    make_run(blobs, "a-short", started_at=start, finished_at=start + datetime.timedelta(minutes=1))
    make_run(blobs, "c-pending")
    client = client_for(teammate)

    # then
    assert names(client.get("/api/runs/?ordering=name")) == ["a-short", "b-long", "c-pending"]
    assert names(client.get("/api/runs/?ordering=created_at")) == ["b-long", "a-short", "c-pending"]
    assert names(client.get("/api/runs/?ordering=-created_at")) == ["c-pending", "a-short", "b-long"]
    assert names(client.get("/api/runs/?ordering=duration")) == ["a-short", "b-long", "c-pending"]
    assert names(client.get("/api/runs/?ordering=-duration")) == ["b-long", "a-short", "c-pending"]


def test_the_runs_list_stays_paginated_with_a_count(blobs, make_run, client_for, teammate):
    for i in range(3):
        make_run(blobs, f"run-{i}")
    body = client_for(teammate).get("/api/runs/?ordering=name&limit=2&offset=2").json()
    assert body["count"] == 3
    assert [run["name"] for run in body["results"]] == ["run-2"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("state=sleeping", "state"),
        ("pipeline=abc", "pipeline"),
        ("experiment=x", "experiment"),
        ("created_after=yesterday", "created_after"),
        ("created_before=2024-13-01", "created_before"),
        ("ordering=size", "ordering"),
        ("ordering=metric:bad name", "ordering"),
        ("metric=a b", "metric"),
    ],
)
def test_bad_run_list_parameters_are_a_400_naming_the_parameter(
    blobs, client_for, teammate, query, parameter
):
    response = client_for(teammate).get(f"/api/runs/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_outsiders_see_no_runs_node_runs_or_artifacts(blobs, make_run, client_for, outsider):
    run = make_run(blobs, "secret", metrics={"train": {"loss": 0.2}})
    client = client_for(outsider)
    assert client.get("/api/runs/?ordering=metric:loss").json()["count"] == 0
    assert client.get("/api/node-runs/").json()["count"] == 0
    assert client.get(f"/api/node-runs/?run={run.pk}").json()["count"] == 0
    node_run = run.node_runs.first()
    assert node_run is not None
    assert client.get(f"/api/node-runs/{node_run.pk}/").status_code == 404


def test_node_runs_filter_and_order(project, blobs, make_pipeline, make_run, client_for, viewer):
    # given
    start = timezone.now() - datetime.timedelta(hours=1)
    first = make_run(blobs, "first")
    second = make_run(make_pipeline(project, [("data", "make_dataset")], name="Moons"), "second")
    NodeRun.objects.filter(run=first, node_id="data").update(
        state=NodeState.SUCCEEDED, started_at=start, finished_at=start + datetime.timedelta(minutes=5)
    )
    NodeRun.objects.filter(run=first, node_id="train").update(
        state=NodeState.FAILED,
        started_at=start + datetime.timedelta(minutes=5),
        finished_at=start + datetime.timedelta(minutes=6),
    )
    client = client_for(viewer)

    def rows(query: str) -> list[tuple[str, str]]:
        response = client.get(f"/api/node-runs/?{query}")
        assert response.status_code == 200, response.content
        return [(row["run_name"], row["node_id"]) for row in response.json()["results"]]

    # then
    assert rows(f"run={first.pk}&ordering=started_at") == [
        ("first", "data"),
        ("first", "train"),
    ]
    assert rows("state=failed") == [("first", "train")]
    assert rows("operation=train_logistic_regression") == [("first", "train")]
    train_op = NodeRun.objects.get(run=first, node_id="train").operation_version.operation_id
    assert rows(f"operation={train_op}") == [("first", "train")]
    assert rows(f"pipeline={second.pipeline_id}") == [("second", "data")]
    assert rows(f"run={first.pk}&ordering=-duration") == [("first", "data"), ("first", "train")]
    row = client.get(f"/api/node-runs/?run={first.pk}&state=failed").json()["results"][0]
    assert row["pipeline_name"] == "Blobs"
    assert row["operation_name"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("state=nope", "state"),
        ("operation=no-such-op", "operation"),
        ("run=x", "run"),
        ("ordering=name", "ordering"),
    ],
)
def test_bad_node_run_parameters_are_a_400(blobs, client_for, teammate, query, parameter):
    response = client_for(teammate).get(f"/api/node-runs/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_artifacts_name_the_run_and_node_that_made_them_and_filter_by_text(
    project, blobs, make_run, client_for, teammate
):
    # given
    run = make_run(blobs, "maker")
    node_run = run.node_runs.get(node_id="train")
    Artifact.objects.create(
        project=project, name="model.pkl", location="a/model.pkl", size=3, produced_by=node_run
    )
    Artifact.objects.create(project=project, name="upload.csv", location="b/upload.csv", size=4)
    client = client_for(teammate)

    # when
    body = client.get(f"/api/artifacts/?project={project.pk}&q=model").json()

    # then
    assert body["count"] == 1
    [artifact] = body["results"]
    assert (artifact["run"], artifact["run_name"], artifact["node_id"]) == (run.pk, "maker", "train")
    upload = client.get("/api/artifacts/?q=upload").json()["results"][0]
    assert (upload["run"], upload["run_name"], upload["node_id"]) == (None, None, None)
    assert client.get("/api/artifacts/?q=maker").json()["count"] == 1  # the run's name


def test_metric_names_lists_what_recent_runs_logged_to_members_only(
    client_for, teammate, outsider, project, make_pipeline
):
    from runs.models import NodeRun, Run
    from runs.submit import submit_run

    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Metrics")
    run = submit_run(pipeline, {"name": "m"}, teammate)
    NodeRun.objects.filter(run=run).update(
        metrics={"loss": {"last": 0.5, "series": []}, "accuracy": {"last": 0.9}}
    )
    assert client_for(teammate).get("/api/runs/metric-names/").json() == {"names": ["accuracy", "loss"]}
    assert client_for(teammate).get(f"/api/runs/metric-names/?pipeline={pipeline.pk}").json()["names"] == [
        "accuracy",
        "loss",
    ]
    assert client_for(outsider).get("/api/runs/metric-names/").json() == {"names": []}
    assert client_for(teammate).get("/api/runs/metric-names/?pipeline=x").status_code == 400
    assert Run.objects.count() == 1
