"""Projects, membership and the two ways of signing in (session, token)."""

import pytest
from rest_framework.test import APIClient

from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.django_db


def test_whoever_creates_a_project_owns_it(client_for, outsider):
    response = client_for(outsider).post("/api/projects/", {"name": "My lab"}, format="json")
    assert response.status_code == 201
    assert response.json()["role"] == "owner"
    assert response.json()["slug"] == "my-lab"


def test_projects_list_only_memberships_with_the_users_role(project, client_for, viewer, outsider):
    assert [(p["name"], p["role"]) for p in client_for(viewer).get("/api/projects/").json()["results"]] == [
        ("Research", "viewer")
    ]
    assert client_for(outsider).get("/api/projects/").json()["count"] == 0
    assert client_for(outsider).get(f"/api/projects/{project.pk}/").status_code == 404


def test_only_an_owner_manages_members(project, client_for, owner, teammate, outsider):
    refused = client_for(teammate).post(
        f"/api/projects/{project.pk}/members/", {"username": "oscar", "role": "viewer"}, format="json"
    )
    added = client_for(owner).post(
        f"/api/projects/{project.pk}/members/", {"username": "oscar", "role": "viewer"}, format="json"
    )
    unknown = client_for(owner).post(
        f"/api/projects/{project.pk}/members/", {"username": "nobody", "role": "viewer"}, format="json"
    )
    assert refused.status_code == 403
    assert added.status_code == 201
    assert unknown.status_code == 400 and "username" in unknown.json()
    assert client_for(outsider).get(f"/api/projects/{project.pk}/").status_code == 200


def test_an_editor_cannot_delete_the_project(project, client_for, teammate):
    assert client_for(teammate).delete(f"/api/projects/{project.pk}/").status_code == 403


def test_the_api_refuses_anonymous_requests():
    assert APIClient().get("/api/pipelines/").status_code in (401, 403)


def test_a_script_signs_in_with_a_token(project, viewer):
    # given
    token = APIClient().post("/api/auth/token/", {"username": "vera", "password": PASSWORD}).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    # when
    response = client.get("/api/projects/")
    # then
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_a_wrong_password_gets_no_token(viewer):
    response = APIClient().post("/api/auth/token/", {"username": "vera", "password": "wrong"})
    assert response.status_code == 400
    assert "token" not in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/pipelines/",
        "/pipelines/7/",
        "/pipelines/7/edit/",
        "/runs/3/",
        "/operations/new/",
        "/operations/5/edit/",
    ],
)
def test_browser_pages_need_login_and_serve_the_app(client, client_for, viewer, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    page = client_for(viewer).get(path)
    assert page.status_code == 200
    assert b'<div id="root">' in page.content


def test_openapi_schema_and_docs_are_served(client_for, viewer):
    client = client_for(viewer)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/pipelines/",
        "/api/pipelines/{id}/freeze/",
        "/api/artifacts/{id}/download/",
        "/api/runs/",
    ):
        assert path in paths
    assert client.get("/api/docs/").status_code == 200
