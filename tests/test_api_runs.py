"""Submitting and controlling runs through the API."""

import pytest

from editor.library.loader import LoadReport, load_builtin_operations
from runs.choices import RunState
from runs.models import Run
from tests.fixtures.engine import wait_for_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def blobs(project, make_pipeline):
    return make_pipeline(
        project,
        [("data", "make_dataset"), ("split", "split_dataset"), ("train", "train_logistic_regression")],
        [("data.dataset", "split.dataset"), ("split.train", "train.train")],
        name="Blobs",
    )


def test_bad_configs_get_a_400_listing_every_problem(blobs, client_for, teammate):
    response = client_for(teammate).post(
        "/api/runs/",
        {
            "pipeline": blobs.pk,
            "compute": {"backend": "mainframe"},
            "params": {"train": {"epochs": "many", "nope": 1}, "ghost": {}},
            "until": "nowhere",
            "surprise": 1,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"surprise": ["Unknown field."]}
    response = client_for(teammate).post(
        "/api/runs/",
        {
            "pipeline": blobs.pk,
            "compute": {"backend": "mainframe"},
            "params": {"train": {"epochs": "many", "nope": 1}, "ghost": {}},
            "until": "nowhere",
        },
        format="json",
    )
    body = response.json()
    assert response.status_code == 400
    assert "unknown backend 'mainframe'" in body["compute"][0]
    graph = " | ".join(body["graph"])
    assert "node train, port epochs: parameter 'epochs' must be of type int" in graph
    assert "node train, port nope: unknown parameter 'nope'" in graph
    assert "node ghost: parameters given for a node that does not exist" in graph
    assert "node nowhere: no such node to run" in graph
    assert Run.objects.count() == 0
    assert blobs.versions.count() == 0  # nothing half-saved: no version frozen either


def test_an_unconnected_required_input_is_refused_at_submit(project, make_pipeline, client_for, teammate):
    pipeline = make_pipeline(project, [("split", "split_dataset")], name="Dangling")
    body = client_for(teammate).post("/api/runs/", {"pipeline": pipeline.pk}, format="json").json()
    assert body["graph"] == ["node split, port dataset: required input is not connected"]


def test_a_viewer_cannot_start_a_run_and_an_outsider_cannot_see_the_pipeline(
    blobs, client_for, viewer, outsider
):
    assert client_for(viewer).post("/api/runs/", {"pipeline": blobs.pk}, format="json").status_code == 403
    assert client_for(outsider).post("/api/runs/", {"pipeline": blobs.pk}, format="json").status_code == 404


def test_run_names_are_unique_per_pipeline_and_tag_the_version(
    blobs, client_for, teammate, django_capture_on_commit_callbacks
):
    client = client_for(teammate)
    names = [
        client.post("/api/runs/", {"pipeline": blobs.pk, "name": "test"}, format="json").json()["name"]
        for _ in range(3)
    ]
    assert names == ["test", "test_2", "test_3"]
    version = blobs.versions.get()
    assert version.tags == ["test", "test_2", "test_3"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_run_submitted_through_the_api_runs_and_shows_node_logs(
    celery_worker, project, client_for, teammate, make_pipeline
):
    load_builtin_operations(LoadReport())
    pipeline = make_pipeline(
        project,
        [("data", "make_dataset"), ("stats", "describe_dataset")],
        [("data.dataset", "stats.dataset")],
        name="Stats",
    )
    client = client_for(teammate)
    created = client.post(
        "/api/runs/", {"pipeline": pipeline.pk, "params": {"data": {"n_samples": 40}}}, format="json"
    )
    assert created.status_code == 201, created.json()
    run = wait_for_run(Run.objects.get(pk=created.json()["id"]))
    assert run.state == RunState.SUCCEEDED
    detail = client.get(f"/api/runs/{run.pk}/").json()
    assert [n["state"] for n in detail["node_runs"]] == ["succeeded", "succeeded"]
    stats = next(n for n in detail["node_runs"] if n["node_id"] == "stats")
    assert stats["outputs"]["stats"]["value"]["rows"] == 40
    node = client.get(f"/api/runs/{run.pk}/nodes/data/").json()
    assert "wrote 40 rows" in node["log"]
    artifact = stats["outputs"]["stats"]["artifact"]
    assert client.get(f"/api/artifacts/{artifact}/download/").status_code == 200
    events = client.get(f"/api/runs/{run.pk}/events/?after=0").json()
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[-1]["payload"]["state"] == "succeeded"
    rerun = client.post(f"/api/runs/{run.pk}/rerun/", {}, format="json").json()
    assert wait_for_run(Run.objects.get(pk=rerun["id"])).node_runs.filter(state="cached").count() == 2


def test_a_node_log_comes_with_its_sequence_number_and_downloads_whole(
    blobs, client_for, teammate, viewer, outsider, monkeypatch
):
    from runs import tasks
    from runs.events import record_event
    from runs.submit import submit_run

    monkeypatch.setattr(tasks.advance_run, "delay", lambda *args: None)
    run = submit_run(blobs, {"name": "logged"}, teammate)
    run.node_runs.filter(node_id="train").update(log="epoch 1\nepoch 2\n")
    record_event(run.pk, "node_log", "train", lines=["epoch 1", "epoch 2"])
    run.refresh_from_db()

    body = client_for(viewer).get(f"/api/runs/{run.pk}/nodes/train/").json()
    assert body["log"] == "epoch 1\nepoch 2\n"
    assert body["log_seq"] == run.last_event_seq == 2

    response = client_for(viewer).get(f"/api/runs/{run.pk}/nodes/train/log/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="logged-train.log"'
    assert response.content == b"epoch 1\nepoch 2\n"

    assert client_for(viewer).get(f"/api/runs/{run.pk}/nodes/ghost/log/").status_code == 404
    assert client_for(viewer).get(f"/api/runs/{run.pk}/nodes/ghost/").status_code == 404
    assert client_for(outsider).get(f"/api/runs/{run.pk}/nodes/train/log/").status_code == 404
