"""Duplicating an operation (a built-in one, or one of a project) into a project."""

import pytest

from editor.choices import Role
from editor.models import Operation
from editor.projects import add_member, create_project

pytestmark = pytest.mark.django_db


def duplicate(client, operation_id, **body):
    return client.post(f"/api/operations/{operation_id}/duplicate/", body, format="json")


def test_a_builtin_is_copied_with_its_latest_content_as_version_1(builtin_ops, project, client_for, teammate):
    # given a built-in operation
    original = builtin_ops["train_logistic_regression"]
    latest = original.latest_version

    # when an editor of the project duplicates it there
    response = duplicate(client_for(teammate), original.pk, project=project.pk)

    # then the project has a copy with the same content as its version 1
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == f"{original.name} (copy)"
    assert body["slug"] == "train-logistic-regression-copy"
    assert (body["project"], body["builtin"], body["category"]) == (project.pk, False, original.category)
    copy = Operation.objects.get(pk=body["id"])
    version = copy.versions.get()
    assert version.number == 1 and body["latest_version"]["number"] == 1
    assert version.content_hash == latest.content_hash
    assert (version.source, version.inputs) == (latest.source, latest.inputs)
    assert copy.created_by == teammate
    # and the built-in is untouched
    assert original.versions.count() == 1 and original.project is None


def test_copies_get_unique_names_and_slugs_and_a_name_can_be_given(
    builtin_ops, project, client_for, teammate
):
    client = client_for(teammate)
    original = builtin_ops["make_dataset"]
    first = duplicate(client, original.pk, project=project.pk).json()
    second = duplicate(client, original.pk, project=project.pk).json()
    named = duplicate(client, original.pk, project=project.pk, name="  My blobs ").json()
    assert (first["name"], second["name"]) == (f"{original.name} (copy)", f"{original.name} (copy 2)")
    assert first["slug"] != second["slug"]
    assert (named["name"], named["slug"]) == ("My blobs", "my-blobs")


def test_a_project_operation_can_be_copied_into_another_project(project, owner, client_for, teammate):
    # given an operation with two versions in one project, and a second project of the teammate
    client = client_for(teammate)
    op = client.post(
        "/api/operations/", {"project": project.pk, "name": "Echo", "slug": "echo"}, format="json"
    ).json()
    for image in ("busybox:1.35", "busybox:1.36"):
        client.post(
            f"/api/operations/{op['id']}/versions/",
            {"kind": "container", "image": image, "args": ["hi"]},
            format="json",
        )
    other = create_project(teammate, name="Sandbox")

    # when it is duplicated there
    response = duplicate(client, op["id"], project=other.pk)

    # then the copy's only version has the latest image
    assert response.status_code == 201
    copy = Operation.objects.get(pk=response.json()["id"])
    assert (copy.project, copy.name, copy.slug) == (other, "Echo (copy)", "echo-copy")
    version = copy.versions.get()
    assert (version.number, version.kind, version.image) == (1, "container", "busybox:1.36")
    assert version.args == ["hi"]


def test_only_an_editor_of_the_target_project_can_duplicate_into_it(
    builtin_ops, project, client_for, viewer, outsider, owner
):
    original = builtin_ops["make_dataset"]
    # a viewer of the project is refused, naming the project
    refused = duplicate(client_for(viewer), original.pk, project=project.pk)
    assert refused.status_code == 403
    assert "Research" in refused.json()["detail"]
    # someone outside it cannot see it at all
    hidden = duplicate(client_for(outsider), original.pk, project=project.pk)
    assert hidden.status_code == 400 and "project" in hidden.json()
    # the project is required
    assert "project" in duplicate(client_for(owner), original.pk).json()
    assert Operation.objects.filter(project=project).count() == 0


def test_an_operation_of_a_project_one_cannot_see_cannot_be_duplicated(project, make_user, client_for, owner):
    # given an operation of another project that the owner of "Research" is not in
    stranger = make_user("sam")
    theirs = create_project(stranger, name="Secret")
    op = Operation.objects.create(project=theirs, name="Hidden", slug="hidden")
    # then duplicating it is a 404, as if it did not exist
    assert duplicate(client_for(owner), op.pk, project=project.pk).status_code == 404
    # and a viewer of its project may copy it into a project they edit
    add_member(theirs, owner, Role.VIEWER)
    assert duplicate(client_for(owner), op.pk, project=project.pk).status_code == 201
