"""Archiving, restoring, deleting, cloning runs and filing them into experiments."""

import io

import pytest

from editor.artifacts import open_artifact, store_artifact
from editor.models import Artifact
from runs.choices import RunState
from runs.models import Experiment, Run, RunEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def blobs(project, make_pipeline):
    return make_pipeline(
        project,
        [("data", "make_dataset"), ("split", "split_dataset")],
        [("data.dataset", "split.dataset")],
        name="Blobs",
    )


@pytest.fixture
def start_run(blobs, client_for, teammate):
    def start(state: str = RunState.SUCCEEDED, **body) -> Run:
        response = client_for(teammate).post("/api/runs/", {"pipeline": blobs.pk, **body}, format="json")
        assert response.status_code == 201, response.json()
        Run.objects.filter(pk=response.json()["id"]).update(state=state)
        return Run.objects.get(pk=response.json()["id"])

    return start


def listed(client, query: str = "") -> list[int]:
    return [run["id"] for run in client.get(f"/api/runs/{query}").json()["results"]]


def test_an_archived_run_leaves_the_default_list_and_comes_back_when_restored(
    start_run, client_for, teammate
):
    # given
    client = client_for(teammate)
    kept, archived = start_run(), start_run()
    # when
    response = client.post(f"/api/runs/{archived.pk}/archive/")
    # then
    assert response.status_code == 200
    assert response.json()["archived_at"] is not None
    assert listed(client) == [kept.pk]
    assert listed(client, "?archived=true") == [archived.pk]
    # when
    response = client.post(f"/api/runs/{archived.pk}/restore/")
    # then
    assert response.json()["archived_at"] is None
    assert sorted(listed(client)) == sorted([kept.pk, archived.pk])
    assert listed(client, "?archived=true") == []


def test_a_viewer_cannot_archive_restore_delete_or_move_a_run_and_an_outsider_does_not_see_it(
    start_run, client_for, viewer, outsider
):
    run = start_run()
    for user, code in ((viewer, 403), (outsider, 404)):
        client = client_for(user)
        assert client.post(f"/api/runs/{run.pk}/archive/").status_code == code
        assert client.post(f"/api/runs/{run.pk}/restore/").status_code == code
        moved = client.post(f"/api/runs/{run.pk}/experiment/", {"experiment": None}, format="json")
        assert moved.status_code == code
        assert client.delete(f"/api/runs/{run.pk}/").status_code == code
    assert client_for(viewer).get(f"/api/runs/{run.pk}/clone-setup/").status_code == 200
    assert client_for(outsider).get(f"/api/runs/{run.pk}/clone-setup/").status_code == 404
    assert Run.objects.filter(pk=run.pk, archived_at__isnull=True).exists()


def test_deleting_a_run_removes_its_node_runs_events_and_artifact_files(
    start_run, client_for, teammate, project, django_capture_on_commit_callbacks
):
    # given
    run = start_run()
    node_run = run.node_runs.get(node_id="data")
    artifact = store_artifact(project, "dataset.csv", io.BytesIO(b"a,b\n1,2\n"))
    Artifact.objects.filter(pk=artifact.pk).update(produced_by=node_run)
    upload = store_artifact(project, "kept.csv", io.BytesIO(b"x\n"))
    assert RunEvent.objects.filter(run=run).exists()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(teammate).delete(f"/api/runs/{run.pk}/")
    # then
    assert response.status_code == 200
    assert response.json()["artifacts"] == 1
    assert response.json()["node_runs"] == 2
    assert not Run.objects.filter(pk=run.pk).exists()
    assert not RunEvent.objects.filter(run_id=run.pk).exists()
    assert not Artifact.objects.filter(pk=artifact.pk).exists()
    with pytest.raises(FileNotFoundError):
        open_artifact(artifact)
    assert open_artifact(upload).read() == b"x\n"


def test_a_running_run_is_not_deleted_until_cancelled(start_run, client_for, teammate):
    run = start_run(RunState.RUNNING)
    response = client_for(teammate).delete(f"/api/runs/{run.pk}/")
    assert response.status_code == 409
    assert "cancel it first" in response.json()["detail"]
    assert Run.objects.filter(pk=run.pk).exists()


def test_a_run_is_filed_into_an_experiment_of_its_project_and_taken_out(
    start_run, client_for, teammate, project, make_user
):
    # given
    run = start_run()
    experiment = Experiment.objects.create(project=project, name="lr sweep")
    elsewhere = Experiment.objects.create(project=type(project).objects.create(name="Other"), name="other")
    client = client_for(teammate)
    # when / then
    response = client.post(f"/api/runs/{run.pk}/experiment/", {"experiment": experiment.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["experiment"] == experiment.pk
    assert client.get("/api/experiments/").json()["results"][0]["run_count"] == 1
    response = client.post(f"/api/runs/{run.pk}/experiment/", {"experiment": elsewhere.pk}, format="json")
    assert response.status_code == 400
    assert "is not an experiment of this project" in response.json()["experiment"][0]
    assert client.post(f"/api/runs/{run.pk}/experiment/", {}, format="json").status_code == 400
    response = client.post(f"/api/runs/{run.pk}/experiment/", {"experiment": None}, format="json")
    assert response.json()["experiment"] is None


def test_an_experiment_needs_a_unique_name(project, client_for, teammate):
    client = client_for(teammate)
    body = {"project": project.pk, "name": "sweep", "description": "learning rates"}
    assert client.post("/api/experiments/", body, format="json").status_code == 201
    response = client.post("/api/experiments/", body, format="json")
    assert response.status_code == 400
    assert "name" in response.json()


def test_clone_setup_gives_the_original_choices_without_secrets_and_the_clone_records_its_origin(
    start_run, blobs, client_for, teammate, project
):
    # given
    experiment = Experiment.objects.create(project=project, name="sweep")
    params = {"data": {"n_samples": 50}}
    original = start_run(name="base", debug=True, experiment=experiment.pk, params=params)
    client = client_for(teammate)
    # when
    setup = client.get(f"/api/runs/{original.pk}/clone-setup/").json()
    # then
    assert setup["cloned_from"] == original.pk
    assert setup["pipeline_version"] == original.pipeline_version_id
    assert setup["name"] == "base"
    assert setup["run_name"] == "base_2"
    assert setup["debug"] is True
    assert setup["experiment"] == experiment.pk
    assert setup["params"] == {"data": {"n_samples": 50}}
    assert setup["compute"]["backend"] == "local"
    assert setup["secrets_dropped"] is False
    # when
    response = client.post(
        "/api/runs/",
        {
            "pipeline": blobs.pk,
            "name": setup["name"],
            "pipeline_version": setup["pipeline_version"],
            "params": setup["params"],
            "debug": setup["debug"],
            "cloned_from": original.pk,
        },
        format="json",
    )
    # then
    assert response.status_code == 201
    clone = response.json()
    assert clone["cloned_from"] == original.pk
    assert clone["cloned_from_name"] == "base"
    assert clone["pipeline_version"] == original.pipeline_version_id
    assert clone["name"] == "base_2"


def test_a_clone_must_come_from_a_run_of_the_same_pipeline(
    start_run, project, make_pipeline, client_for, teammate
):
    original = start_run()
    other = make_pipeline(project, [("data", "make_dataset")], name="Other")
    response = client_for(teammate).post(
        "/api/runs/", {"pipeline": other.pk, "cloned_from": original.pk}, format="json"
    )
    assert response.status_code == 400
    assert "is not a run of this pipeline" in response.json()["cloned_from"][0]


def test_the_experiments_pages_are_served_by_the_app(client, teammate):
    client.force_login(teammate)
    assert client.get("/experiments/").status_code == 200
    assert client.get("/experiments/3/").status_code == 200
