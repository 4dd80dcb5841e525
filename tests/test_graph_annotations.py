"""Notes and groups on the editor's canvas: saved, frozen and restored with the graph,
checked at the edge, and never seen by the engine or the bundle."""

from typing import Any

import pytest

from editor.graph import GraphInvalid, parse_graph
from editor.models import Pipeline
from runs.bundle import bundle_spec
from runs.submit import operation_versions_for

pytestmark = pytest.mark.django_db


def url(pipeline: Pipeline, suffix: str = "") -> str:
    return f"/api/pipelines/{pipeline.pk}/{suffix}"


NOTE = {
    "id": "note",
    "text": "Why 250 samples?\n<script>alert(1)</script> stays text",
    "position": {"x": 40, "y": -180},
    "width": 260,
    "height": 140,
    "color": "yellow",
}
GROUP = {
    "id": "group",
    "label": "Data preparation",
    "position": {"x": -30, "y": -60},
    "width": 520,
    "height": 220,
    "color": "blue",
    "nodes": ["data", "split"],
}


def annotated(graph: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**graph, "notes": [NOTE], "groups": [GROUP], **changes}


@pytest.fixture
def wired(project, make_pipeline) -> Pipeline:
    return make_pipeline(
        project,
        [("data", "make_dataset"), ("split", "split_dataset")],
        [("data.dataset", "split.dataset")],
        name="Annotated",
    )


def test_notes_and_groups_are_saved_frozen_and_restored(wired, client_for, teammate):
    # given
    client = client_for(teammate)
    graph = annotated(client.get(url(wired)).json()["graph"])
    # when
    saved = client.patch(url(wired), {"graph": graph, "revision": 1}, format="json")
    frozen = client.post(url(wired, "freeze/"), {"revision": 2}, format="json")
    # then the draft and the version keep them as sent
    assert saved.status_code == 200, saved.json()
    assert saved.json()["graph"]["notes"] == [NOTE]
    assert saved.json()["graph"]["groups"] == [GROUP]
    assert frozen.status_code == 201, frozen.json()
    assert frozen.json()["graph"]["notes"] == [NOTE]
    assert frozen.json()["graph"]["groups"] == [GROUP]
    # and after the draft loses them, restoring the version brings them back
    bare = {key: value for key, value in graph.items() if key not in ("notes", "groups")}
    assert client.patch(url(wired), {"graph": bare, "revision": 2}, format="json").status_code == 200
    assert "notes" not in client.get(url(wired)).json()["graph"]
    restored = client.post(url(wired, "versions/1/restore/"), {"revision": 3}, format="json")
    assert restored.status_code == 200, restored.json()
    assert restored.json()["graph"]["notes"] == [NOTE]
    assert restored.json()["graph"]["groups"] == [GROUP]


def test_a_note_changes_the_version_but_not_the_bundle(wired, client_for, teammate):
    # given version 1 without annotations
    client = client_for(teammate)
    first = client.post(url(wired, "freeze/")).json()
    graph = client.get(url(wired)).json()["graph"]
    # when a note and a group are added and frozen
    client.patch(url(wired), {"graph": annotated(graph), "revision": 1}, format="json")
    second = client.post(url(wired, "freeze/")).json()
    # then that is a new version, whose bundle is the same as the first one's
    assert second["number"] == 2 and second["content_hash"] != first["content_hash"]
    versions = {version.number: version for version in wired.versions.all()}
    specs = [bundle_spec(v, operation_versions_for(v, latest=False)) for v in (versions[1], versions[2])]
    assert {key: value for key, value in specs[0].items() if key != "pipeline"} == {
        key: value for key, value in specs[1].items() if key != "pipeline"
    }
    assert "notes" not in specs[1] and "groups" not in specs[1]


def test_a_graph_without_annotations_serialises_as_before():
    # Versions stored before notes and groups existed keep their content hash.
    graph = {"nodes": [{"id": "a", "operation": 1}], "edges": [], "inputs": []}
    assert set(parse_graph(graph).model_dump(mode="json")) == {"nodes", "edges", "inputs"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"notes": [{**NOTE, "text": "x" * 5001}]}, "notes.0.text", "at most 5000 characters"),
        ({"notes": [{**NOTE, "color": "red"}]}, "notes.0.color", "'yellow'"),
        ({"notes": [{**NOTE, "width": 0}]}, "notes.0.width", "greater than or equal to 20"),
        ({"notes": [{**NOTE, "html": "<b>"}]}, "notes.0.html", "Extra inputs are not permitted"),
        ({"notes": [NOTE, NOTE]}, "notes", "note id 'note' is used twice"),
        ({"notes": [{**NOTE, "id": "data"}]}, "notes", "note id 'data' is also a node id"),
        ({"groups": [{**GROUP, "label": "x" * 201}]}, "groups.0.label", "at most 200 characters"),
        ({"groups": [{**GROUP, "id": "note"}]}, "groups", "group id 'note' is also a note id"),
        ({"groups": [{**GROUP, "id": "split"}]}, "groups", "group id 'split' is also a node id"),
        ({"groups": [{**GROUP, "nodes": ["data", "ghost"]}]}, "groups", "names unknown node 'ghost'"),
        ({"groups": [{**GROUP, "nodes": ["data", "note"]}]}, "groups", "names unknown node 'note'"),
        ({"groups": [{**GROUP, "nodes": ["data", "data"]}]}, "groups", "names node 'data' twice"),
        (
            {"groups": [GROUP, {**GROUP, "id": "other", "nodes": ["split"]}]},
            "groups",
            "node 'split' is in two groups: 'group' and 'other'",
        ),
    ],
)
def test_a_bad_note_or_group_is_refused_naming_the_field(
    wired, client_for, teammate, changes, field, message
):
    # given
    client = client_for(teammate)
    graph = annotated(client.get(url(wired)).json()["graph"], **changes)
    # when
    response = client.patch(url(wired), {"graph": graph, "revision": 1}, format="json")
    # then
    assert response.status_code == 400
    problems = response.json()["graph"]
    assert any(p.startswith(f"{field}: ") and message in p for p in problems), problems
    wired.refresh_from_db()
    assert wired.revision == 1 and "notes" not in wired.graph


def test_parse_graph_lists_annotation_problems_with_the_rest():
    with pytest.raises(GraphInvalid) as caught:
        parse_graph(
            {
                "nodes": [{"id": "a", "operation": 1}],
                "notes": [{"id": "n", "text": 5}],
                "groups": [{"id": "g", "nodes": ["b"]}],
            }
        )
    text = str(caught.value)
    assert "notes.0.text" in text and "groups: " in text and "'b'" in text
