"""Platform environment variables: create, list, update, delete per project; secret values
are encrypted at rest and never come back out of the API."""

from __future__ import annotations

import pytest
from django.db import connection

from runs.models import EnvironmentVariable

pytestmark = pytest.mark.django_db

SECRET = "hunter2-very-secret-value"


def create(client, project, **fields):
    return client.post("/api/environment-variables/", {"project": project.pk, **fields}, format="json")


def table_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM runs_environmentvariable")
        return list(cursor.fetchall())


def test_a_plain_variable_reads_back(client_for, teammate, project):
    client = client_for(teammate)

    response = create(client, project, name="EPOCHS", value="20")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["value"], body["secret"], body["has_value"]) == ("EPOCHS", "20", False, True)
    listed = client.get(f"/api/environment-variables/?project={project.pk}").json()["results"]
    assert [(v["name"], v["value"]) for v in listed] == [("EPOCHS", "20")]


def test_a_secret_value_is_write_only_and_encrypted_at_rest(client_for, teammate, project):
    client = client_for(teammate)

    created = create(client, project, name="API_KEY", value=SECRET, secret=True)
    variable_id = created.json()["id"]
    detail = client.get(f"/api/environment-variables/{variable_id}/")
    listed = client.get("/api/environment-variables/")
    changed = client.patch(
        f"/api/environment-variables/{variable_id}/", {"value": SECRET + "2"}, format="json"
    )

    for response in (created, detail, changed):
        assert response.json()["value"] is None and response.json()["has_value"] is True
        assert SECRET not in response.content.decode()
    assert SECRET not in listed.content.decode()
    # at rest: no column of the row holds the value
    assert table_rows() and all(SECRET not in str(cell) for row in table_rows() for cell in row)
    variable = EnvironmentVariable.objects.get(pk=variable_id)
    assert variable.value == "" and variable.value_ciphertext
    assert variable.read() == SECRET + "2"


def test_making_a_secret_plain_needs_the_value_again(client_for, teammate, project):
    client = client_for(teammate)
    variable_id = create(client, project, name="TOKEN", value=SECRET, secret=True).json()["id"]
    url = f"/api/environment-variables/{variable_id}/"

    refused = client.patch(url, {"secret": False}, format="json")
    plain = client.patch(url, {"secret": False, "value": "public"}, format="json")
    secret_again = client.patch(url, {"secret": True}, format="json")

    assert refused.status_code == 400 and "value" in refused.json()
    assert plain.json()["value"] == "public"
    assert secret_again.json()["value"] is None
    assert EnvironmentVariable.objects.get(pk=variable_id).read() == "public"
    assert all("public" not in str(cell) for row in table_rows() for cell in row)


def test_names_are_checked_and_unique_per_project(client_for, teammate, project):
    client = client_for(teammate)
    create(client, project, name="SEED", value="1")

    lower = create(client, project, name="seed", value="1")
    twice = create(client, project, name="SEED", value="2")
    no_value = create(client, project, name="OTHER")
    rename = client.patch(
        f"/api/environment-variables/{EnvironmentVariable.objects.get().pk}/", {"name": "NEW"}, format="json"
    )

    assert lower.status_code == 400 and "name" in lower.json()
    assert twice.status_code == 400 and "already" in twice.json()["name"][0]
    assert no_value.status_code == 400 and "value" in no_value.json()
    assert rename.status_code == 400 and "name" in rename.json()


def test_who_may_see_and_change_variables(client_for, teammate, viewer, outsider, project):
    variable_id = create(client_for(teammate), project, name="SEED", value="1").json()["id"]
    url = f"/api/environment-variables/{variable_id}/"

    assert client_for(viewer).get(url).status_code == 200
    assert client_for(viewer).patch(url, {"value": "2"}, format="json").status_code == 403
    assert create(client_for(viewer), project, name="MINE", value="1").status_code == 400  # not editable
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(outsider).get("/api/environment-variables/").json()["results"] == []
    assert client_for(teammate).delete(url).status_code == 204
    assert not EnvironmentVariable.objects.exists()


def test_a_variable_a_deployment_reads_cannot_be_deleted(
    client_for, teammate, project, make_op, make_graph_pipeline
):
    client = client_for(teammate)
    variable_id = create(client, project, name="SEED", value="1").json()["id"]
    op = make_op(project, "echo", "def run(x: int) -> dict:\n    return {}\n", inputs=[("x", "int")])
    pipeline = make_graph_pipeline(project, {"echo": op})
    deployed = client.post(
        "/api/deployments/",
        {
            "pipeline": pipeline.pk,
            "name": "seeded",
            "rule": "endpoint",
            "input_mappings": {"echo.x": {"kind": "env", "variable": "SEED"}},
        },
        format="json",
    )
    assert deployed.status_code == 201, deployed.json()

    response = client.delete(f"/api/environment-variables/{variable_id}/")

    assert response.status_code == 400 and "seeded" in response.json()["name"][0]
    assert EnvironmentVariable.objects.filter(pk=variable_id).exists()
