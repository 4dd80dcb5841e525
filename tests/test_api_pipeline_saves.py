"""Saving the draft from the graph editor: stale saves are refused, versions can be restored."""

import pytest

from editor.models import Pipeline

pytestmark = pytest.mark.django_db


def url(pipeline: Pipeline, suffix: str = "") -> str:
    return f"/api/pipelines/{pipeline.pk}/{suffix}"


def test_a_pipeline_starts_at_revision_1_and_get_returns_it(project, client_for, teammate, viewer):
    # when
    created = client_for(teammate).post(
        "/api/pipelines/", {"project": project.pk, "name": "Fresh", "revision": 7}, format="json"
    )
    pipeline = Pipeline.objects.get(name="Fresh")
    # then
    assert created.status_code == 201, created.json()
    assert created.json()["revision"] == 1
    assert client_for(viewer).get(url(pipeline)).json()["revision"] == 1
    assert client_for(viewer).get("/api/pipelines/").json()["results"][0]["revision"] == 1


def test_a_save_with_the_current_revision_is_kept_and_increments_it(
    project, make_pipeline, client_for, teammate
):
    # given
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Before")
    # when
    response = client_for(teammate).patch(url(pipeline), {"name": "After", "revision": 1}, format="json")
    # then
    assert response.status_code == 200, response.json()
    assert response.json()["revision"] == 2
    assert response.json()["name"] == "After"
    pipeline.refresh_from_db()
    assert (pipeline.name, pipeline.revision) == ("After", 2)


def test_a_stale_save_is_refused_with_409_and_changes_nothing(project, make_pipeline, client_for, teammate):
    # given: another tab already saved revision 2
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Shared")
    Pipeline.objects.filter(pk=pipeline.pk).update(revision=2, description="from the other tab")
    # when
    response = client_for(teammate).patch(
        url(pipeline),
        {"description": "mine", "graph": {"nodes": [], "edges": [], "inputs": []}, "revision": 1},
        format="json",
    )
    # then
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This pipeline was changed elsewhere (revision 2) since you opened revision 1. "
        "Reload it, or save your version as a copy.",
        "current_revision": 2,
    }
    pipeline.refresh_from_db()
    assert pipeline.description == "from the other tab"
    assert pipeline.node_count == 1
    assert pipeline.revision == 2


def test_of_two_saves_from_the_same_revision_only_the_first_wins(
    project, make_pipeline, client_for, teammate, owner
):
    # given: two tabs both opened revision 1
    pipeline = make_pipeline(project, [], name="Contested")
    # when
    first = client_for(teammate).patch(
        url(pipeline), {"description": "tab one", "revision": 1}, format="json"
    )
    second = client_for(owner).put(
        url(pipeline),
        {"project": project.pk, "name": "Contested", "description": "tab two", "revision": 1},
        format="json",
    )
    # then
    assert first.status_code == 200 and first.json()["revision"] == 2
    assert second.status_code == 409
    assert second.json()["current_revision"] == 2
    pipeline.refresh_from_db()
    assert (pipeline.description, pipeline.revision) == ("tab one", 2)


def test_a_save_without_a_revision_still_overwrites_and_increments(
    project, make_pipeline, client_for, teammate
):
    pipeline = make_pipeline(project, [], name="Legacy")
    Pipeline.objects.filter(pk=pipeline.pk).update(revision=5)
    response = client_for(teammate).patch(url(pipeline), {"description": "no check"}, format="json")
    assert response.status_code == 200
    assert response.json()["revision"] == 6


def test_a_save_that_changes_nothing_keeps_the_revision(project, make_pipeline, client_for, teammate):
    pipeline = make_pipeline(project, [], name="Same")
    response = client_for(teammate).patch(url(pipeline), {"name": "Same", "revision": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["revision"] == 1


def test_a_bad_revision_is_a_400_naming_the_field(project, make_pipeline, client_for, teammate):
    pipeline = make_pipeline(project, [], name="Typo")
    response = client_for(teammate).patch(url(pipeline), {"revision": "latest"}, format="json")
    assert response.status_code == 400
    assert "revision" in response.json()


def test_freezing_checks_the_revision_when_given(project, make_pipeline, client_for, teammate):
    # given
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Freeze me")
    Pipeline.objects.filter(pk=pipeline.pk).update(revision=3)
    client = client_for(teammate)
    # when
    stale = client.post(url(pipeline, "freeze/"), {"revision": 2}, format="json")
    current = client.post(url(pipeline, "freeze/"), {"revision": 3}, format="json")
    unchanged = client.post(url(pipeline, "freeze/"), {"revision": 3}, format="json")
    unchecked = client.post(url(pipeline, "freeze/"))
    # then
    assert stale.status_code == 409
    assert stale.json()["current_revision"] == 3
    assert current.status_code == 201
    assert unchanged.status_code == 200 and unchanged.json()["id"] == current.json()["id"]
    assert unchecked.status_code == 200 and unchecked.json()["id"] == current.json()["id"]
    assert pipeline.versions.count() == 1
    pipeline.refresh_from_db()
    assert pipeline.revision == 3  # freezing does not change the draft


def test_a_stale_freeze_stores_no_version(project, make_pipeline, client_for, teammate):
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="No version")
    response = client_for(teammate).post(url(pipeline, "freeze/"), {"revision": 9}, format="json")
    assert response.status_code == 409
    assert pipeline.versions.count() == 0


def test_restoring_a_version_copies_its_graph_into_the_draft(project, make_pipeline, client_for, teammate):
    # given: version 1 has two nodes, then the draft was cut down to one
    pipeline = make_pipeline(
        project,
        [("data", "make_dataset"), ("split", "split_dataset")],
        [("data.dataset", "split.dataset")],
        name="Restorable",
    )
    client = client_for(teammate)
    frozen = client.post(url(pipeline, "freeze/")).json()
    draft = client.get(url(pipeline)).json()
    cut = {**draft["graph"], "nodes": draft["graph"]["nodes"][:1], "edges": []}
    assert client.patch(url(pipeline), {"graph": cut, "revision": 1}, format="json").status_code == 200
    # when
    response = client.post(url(pipeline, "versions/1/restore/"), {"revision": 2}, format="json")
    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == pipeline.pk
    assert body["revision"] == 3
    assert [n["id"] for n in body["graph"]["nodes"]] == ["data", "split"]
    assert all("operation_version" not in n for n in body["graph"]["nodes"])
    assert body["graph"]["nodes"][0]["params"] == frozen["graph"]["nodes"][0]["params"]
    assert len(body["graph"]["edges"]) == 1
    pipeline.refresh_from_db()
    assert pipeline.node_count == 2 and pipeline.revision == 3
    # freezing the restored draft finds the same version again
    again = client.post(url(pipeline, "freeze/"))
    assert again.status_code == 200 and again.json()["id"] == frozen["id"]


def test_restoring_with_a_stale_revision_is_refused(project, make_pipeline, client_for, teammate):
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Stale restore")
    client = client_for(teammate)
    client.post(url(pipeline, "freeze/"))
    client.patch(url(pipeline), {"graph": {"nodes": [], "edges": [], "inputs": []}}, format="json")
    response = client.post(url(pipeline, "versions/1/restore/"), {"revision": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["current_revision"] == 2
    pipeline.refresh_from_db()
    assert pipeline.node_count == 0


def test_a_viewer_may_not_restore_and_an_outsider_sees_nothing(
    project, make_pipeline, client_for, teammate, viewer, outsider
):
    # given
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Guarded")
    client_for(teammate).post(url(pipeline, "freeze/"))
    client_for(teammate).patch(url(pipeline), {"graph": {"nodes": [], "edges": []}}, format="json")
    # when
    by_viewer = client_for(viewer).post(url(pipeline, "versions/1/restore/"))
    by_outsider = client_for(outsider).post(url(pipeline, "versions/1/restore/"))
    # then
    assert by_viewer.status_code == 403
    assert by_outsider.status_code == 404
    pipeline.refresh_from_db()
    assert pipeline.node_count == 0 and pipeline.revision == 2


def test_restoring_an_unknown_version_is_a_404(project, make_pipeline, client_for, teammate):
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Versionless")
    response = client_for(teammate).post(url(pipeline, "versions/4/restore/"))
    assert response.status_code == 404
    assert "no version 4" in response.json()["detail"]


def test_a_version_opens_read_only_by_number_list_and_id(
    project, make_pipeline, client_for, teammate, viewer
):
    # the editor's "open a version" uses the existing read-only endpoints
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Readable")
    frozen = client_for(teammate).post(url(pipeline, "freeze/")).json()
    listed = client_for(viewer).get(url(pipeline, "versions/")).json()
    opened = client_for(viewer).get(f"/api/pipeline-versions/{listed[0]['id']}/")
    assert opened.status_code == 200
    assert opened.json()["graph"] == frozen["graph"]
    assert (
        client_for(viewer).put(f"/api/pipeline-versions/{frozen['id']}/", {}, format="json").status_code
        == 405
    )
