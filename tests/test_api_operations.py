"""Operations: a library of immutable versions."""

import pytest

from editor.models import Operation

pytestmark = pytest.mark.django_db

SOURCE = "def run(x: int) -> dict:\n    return {'y': x * 2}\n"
VERSION = {
    "kind": "python",
    "source": SOURCE,
    "inputs": [{"name": "x", "type": "int"}],
    "outputs": [{"name": "y", "type": "int"}],
}


def test_builtin_operations_are_listed_for_everyone_and_read_only(builtin_ops, client_for, outsider):
    client = client_for(outsider)
    listed = client.get("/api/operations/?limit=100").json()
    slugs = {op["slug"] for op in listed["results"]}
    assert {"make_dataset", "train_mlp_gpu", "plot_metrics"} <= slugs
    gpu = next(op for op in listed["results"] if op["slug"] == "train_mlp_gpu")
    assert gpu["builtin"] is True
    assert gpu["latest_version"]["resources"]["gpus"] == 1
    response = client.patch(f"/api/operations/{gpu['id']}/", {"name": "Mine now"}, format="json")
    assert response.status_code == 403


def test_posting_identical_content_returns_the_same_version(project, client_for, teammate):
    client = client_for(teammate)
    op = client.post(
        "/api/operations/", {"project": project.pk, "name": "Double", "slug": "double"}, format="json"
    ).json()
    first = client.post(f"/api/operations/{op['id']}/versions/", VERSION, format="json")
    same = client.post(f"/api/operations/{op['id']}/versions/", VERSION, format="json")
    changed = client.post(
        f"/api/operations/{op['id']}/versions/",
        {**VERSION, "source": SOURCE.replace("2", "3")},
        format="json",
    )
    assert (first.status_code, same.status_code, changed.status_code) == (201, 200, 201)
    assert first.json()["id"] == same.json()["id"]
    assert changed.json()["number"] == 2
    assert first.json()["resources"] == {"cpu": 1.0, "memory": "1Gi", "gpus": 0, "cpu_fallback": False}


def test_a_bad_interface_is_a_400_naming_the_field(project, client_for, teammate):
    client = client_for(teammate)
    op = client.post(
        "/api/operations/", {"project": project.pk, "name": "Bad", "slug": "bad"}, format="json"
    ).json()
    response = client.post(
        f"/api/operations/{op['id']}/versions/",
        {**VERSION, "inputs": [{"name": "x", "type": "tensor"}, {"name": "x", "type": "int"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "inputs" in response.json()
    empty = client.post(f"/api/operations/{op['id']}/versions/", {**VERSION, "source": "  "}, format="json")
    assert empty.status_code == 400 and "source" in empty.json()
    assert Operation.objects.get(pk=op["id"]).versions.count() == 0


def test_a_duplicate_slug_is_refused(project, client_for, teammate):
    client = client_for(teammate)
    client.post("/api/operations/", {"project": project.pk, "name": "A", "slug": "same"}, format="json")
    response = client.post(
        "/api/operations/", {"project": project.pk, "name": "B", "slug": "same"}, format="json"
    )
    assert response.status_code == 400 and "slug" in response.json()


def test_versions_cannot_be_edited_in_place(builtin_ops):
    version = builtin_ops["make_dataset"].latest_version
    version.source = "changed"
    with pytest.raises(ValueError, match="immutable"):
        version.save()


def test_marking_an_operation_idempotent_is_a_new_version(project, client_for, teammate):
    client = client_for(teammate)
    op = client.post(
        "/api/operations/", {"project": project.pk, "name": "Upsert", "slug": "upsert"}, format="json"
    ).json()
    plain = client.post(f"/api/operations/{op['id']}/versions/", VERSION, format="json").json()
    marked = client.post(
        f"/api/operations/{op['id']}/versions/", {**VERSION, "idempotent": True}, format="json"
    ).json()

    assert plain["idempotent"] is False
    assert marked["idempotent"] is True
    assert marked["number"] == plain["number"] + 1
    assert marked["content_hash"] != plain["content_hash"]
