"""The pipelines API as the editor and scripts use it."""

import copy

import pytest

from editor.models import Pipeline

pytestmark = pytest.mark.django_db


def test_members_see_their_projects_pipelines_and_outsiders_see_nothing(
    project, make_pipeline, client_for, viewer, outsider
):
    # given
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Blobs")
    # when
    seen_by_viewer = client_for(viewer).get("/api/pipelines/").json()
    seen_by_outsider = client_for(outsider).get("/api/pipelines/").json()
    # then
    assert [p["name"] for p in seen_by_viewer["results"]] == ["Blobs"]
    assert seen_by_viewer["results"][0]["node_count"] == 1
    assert seen_by_viewer["results"][0]["project_name"] == "Research"
    assert seen_by_outsider["count"] == 0
    assert client_for(outsider).get(f"/api/pipelines/{pipeline.pk}/").status_code == 404


def test_an_editor_creates_a_pipeline_and_a_viewer_cannot(project, client_for, teammate, viewer):
    # when
    created = client_for(teammate).post(
        "/api/pipelines/", {"project": project.pk, "name": "New one"}, format="json"
    )
    refused = client_for(viewer).post(
        "/api/pipelines/", {"project": project.pk, "name": "Mine"}, format="json"
    )
    # then
    assert created.status_code == 201, created.json()
    assert created.json()["graph"] == {"nodes": [], "edges": [], "inputs": []}
    assert created.json()["created_by"] == "ted"
    assert refused.status_code == 400
    assert "project" in refused.json()
    assert Pipeline.objects.filter(name="Mine").count() == 0


def test_a_taken_name_is_a_400_naming_the_field(project, make_pipeline, client_for, teammate):
    make_pipeline(project, [], name="Taken")
    response = client_for(teammate).post(
        "/api/pipelines/", {"project": project.pk, "name": "Taken"}, format="json"
    )
    assert response.status_code == 400
    assert "already exists" in response.json()["name"][0]


def test_a_viewer_cannot_change_a_pipeline(project, make_pipeline, client_for, viewer):
    pipeline = make_pipeline(project, [], name="Stable")
    response = client_for(viewer).patch(f"/api/pipelines/{pipeline.pk}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 403
    pipeline.refresh_from_db()
    assert pipeline.name == "Stable"


def test_a_bad_graph_lists_every_problem_and_saves_nothing(
    project, make_pipeline, builtin_ops, client_for, teammate
):
    # given
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Before")
    split = builtin_ops["split_dataset"].pk
    graph = {
        "nodes": [
            {"id": "a", "operation": split},
            {"id": "b", "operation": split, "params": {"test_fraction": "half"}},
        ],
        "edges": [
            {"source": "a", "source_port": "train", "target": "b", "target_port": "dataset"},
            {"source": "b", "source_port": "test", "target": "a", "target_port": "dataset"},
            {"source": "a", "source_port": "bogus", "target": "b", "target_port": "dataset"},
            {"source": "a", "source_port": "test", "target": "b", "target_port": "dataset"},
        ],
    }
    # when
    response = client_for(teammate).patch(
        f"/api/pipelines/{pipeline.pk}/", {"name": "After", "graph": graph}, format="json"
    )
    # then
    assert response.status_code == 400
    messages = " | ".join(response.json()["graph"])
    assert "cycle" in messages
    assert "node b, port test_fraction: parameter 'test_fraction' must be of type float" in messages
    assert "no output port 'bogus'" in messages
    assert "input is connected twice" in messages
    pipeline.refresh_from_db()
    assert pipeline.name == "Before" and pipeline.node_count == 1


def test_a_bad_node_override_is_a_400_naming_the_field_and_saves_nothing(
    project, make_pipeline, builtin_ops, client_for, teammate
):
    # given
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Before")
    before = pipeline.graph
    node = {"id": "data", "operation": builtin_ops["make_dataset"].pk}
    bad = [
        {**node, "resources": {"memory": "lots"}},
        {**node, "id": "b", "resources": {"resource_type": "SparkJob", "workers": 0}},
        {**node, "id": "c", "retries": 21, "timeout_seconds": 0},
    ]
    # when
    response = client_for(teammate).patch(
        f"/api/pipelines/{pipeline.pk}/", {"name": "After", "graph": {"nodes": bad}}, format="json"
    )
    # then
    assert response.status_code == 400
    messages = " | ".join(response.json()["graph"])
    assert "nodes.0.resources.memory: Value error, must be a quantity like 512Mi or 2Gi" in messages
    assert "nodes.1.resources.resource_type:" in messages
    assert "nodes.1.resources.workers:" in messages
    assert "nodes.2.retries:" in messages and "nodes.2.timeout_seconds:" in messages
    pipeline.refresh_from_db()
    assert pipeline.name == "Before" and pipeline.graph == before


def test_node_overrides_are_saved_and_frozen_as_given(
    project, make_pipeline, builtin_ops, client_for, teammate
):
    # given
    pipeline = make_pipeline(project, [], name="Overrides")
    override = {"resources": {"gpus": 1, "memory": "512Mi"}, "retries": 2, "timeout_seconds": 30.0}
    node = {"id": "data", "operation": builtin_ops["make_dataset"].pk, **override}
    client = client_for(teammate)
    # when
    saved = client.patch(f"/api/pipelines/{pipeline.pk}/", {"graph": {"nodes": [node]}}, format="json")
    frozen = client.post(f"/api/pipelines/{pipeline.pk}/freeze/", {}, format="json")
    # then unset overrides stay absent, set ones round-trip
    assert saved.status_code == 200, saved.json()
    [stored] = saved.json()["graph"]["nodes"]
    assert {key: stored[key] for key in override} == override
    assert "retry_backoff_seconds" not in stored
    assert frozen.status_code in (200, 201), frozen.json()
    [version_node] = pipeline.versions.get().graph["nodes"]
    assert version_node["resources"] == {"gpus": 1, "memory": "512Mi"}


def test_a_graph_may_not_use_another_projects_operation(
    project, client_for, teammate, outsider, make_pipeline
):
    from editor.models import Operation
    from editor.projects import create_project

    secret_project = create_project(outsider, name="Secret")
    secret_op = Operation.objects.create(project=secret_project, name="Private", slug="private")
    pipeline = make_pipeline(project, [], name="Sneaky")
    response = client_for(teammate).patch(
        f"/api/pipelines/{pipeline.pk}/",
        {"graph": {"nodes": [{"id": "x", "operation": secret_op.pk}]}},
        format="json",
    )
    assert response.status_code == 400
    assert f"unknown operation {secret_op.pk}" in response.json()["graph"][0]


def test_freezing_gives_content_hashed_versions(project, make_pipeline, client_for, teammate):
    # given
    pipeline = make_pipeline(
        project,
        [("data", "make_dataset"), ("split", "split_dataset")],
        [("data.dataset", "split.dataset")],
        name="Frozen",
    )
    client = client_for(teammate)
    # when
    first = client.post(f"/api/pipelines/{pipeline.pk}/freeze/")
    again = client.post(f"/api/pipelines/{pipeline.pk}/freeze/")
    graph = copy.deepcopy(first.json()["graph"])
    graph["nodes"][0]["params"]["n_samples"] = 50
    for node in graph["nodes"]:
        node.pop("operation_version")
    client.patch(f"/api/pipelines/{pipeline.pk}/", {"graph": graph}, format="json")
    changed = client.post(f"/api/pipelines/{pipeline.pk}/freeze/")
    # then
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["graph"]["nodes"][0]["params"] == {
        "n_samples": 600,
        "n_features": 4,
        "separation": 2.0,
        "seed": 42,
    }
    assert isinstance(first.json()["graph"]["nodes"][0]["operation_version"], int)
    assert changed.status_code == 201
    assert changed.json()["number"] == 2
    assert changed.json()["content_hash"] != first.json()["content_hash"]
    versions = client.get(f"/api/pipelines/{pipeline.pk}/versions/").json()
    assert [v["number"] for v in versions] == [2, 1]


def test_validate_returns_problems_as_data(project, make_pipeline, client_for, viewer):
    pipeline = make_pipeline(project, [("split", "split_dataset")], name="Check")
    body = client_for(viewer).post(f"/api/pipelines/{pipeline.pk}/validate/", {}, format="json").json()
    assert body == {"valid": True, "problems": []}


def test_the_project_filter_must_be_a_number(client_for, viewer):
    response = client_for(viewer).get("/api/pipelines/?project=abc")
    assert response.status_code == 400
    assert "project" in response.json()
