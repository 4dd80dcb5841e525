"""Artifacts: uploads stream to storage with checksums; downloads stream back."""

import hashlib
import io
import os
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from editor.models import Artifact

pytestmark = pytest.mark.django_db


def upload(client: Any, project: Any, content: bytes, name: str = "data.csv") -> Any:
    return client.post(
        "/api/artifacts/",
        {"project": project.pk, "file": SimpleUploadedFile(name, content, content_type="text/csv")},
        format="multipart",
    )


def test_an_upload_is_stored_with_size_and_checksum_and_downloads_identically(
    project, client_for, teammate, viewer
):
    # given 3 MiB of random bytes (larger than the in-memory upload threshold)
    content = os.urandom(3 * 1024 * 1024)
    # when
    response = upload(client_for(teammate), project, content)
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["size"] == len(content)
    assert body["checksum"] == hashlib.sha256(content).hexdigest()
    download = client_for(viewer).get(body["download_url"])
    assert download.status_code == 200
    assert download["X-Checksum-Sha256"] == body["checksum"]
    assert 'filename="data.csv"' in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == content


def test_an_upload_over_the_limit_is_refused_and_leaves_nothing(project, client_for, teammate, settings):
    # given
    settings.PIPEWRIGHT_MAX_UPLOAD_BYTES = 1024 * 1024
    # when
    response = upload(client_for(teammate), project, b"x" * (2 * 1024 * 1024))
    # then
    assert response.status_code == 413
    assert "limit" in response.json()["file"][0]
    assert Artifact.objects.count() == 0
    assert not any(p.is_file() for p in settings.PIPEWRIGHT_ARTIFACTS_DIR.rglob("*"))


def test_a_path_in_the_file_name_cannot_escape(project, client_for, teammate, settings):
    response = upload(client_for(teammate), project, b"a,b\n", name="../../etc/passwd")
    assert response.status_code == 201
    artifact = Artifact.objects.get()
    assert ".." not in artifact.location
    assert artifact.location.startswith(f"projects/{project.pk}/uploads/")
    assert (settings.PIPEWRIGHT_ARTIFACTS_DIR / artifact.location).is_file()


def test_outsiders_and_viewers_cannot_touch_artifacts(project, client_for, teammate, viewer, outsider):
    artifact_id = upload(client_for(teammate), project, b"secret").json()["id"]
    assert client_for(outsider).get(f"/api/artifacts/{artifact_id}/download/").status_code == 404
    assert upload(client_for(viewer), project, b"nope").status_code == 400
    assert client_for(viewer).delete(f"/api/artifacts/{artifact_id}/").status_code == 403


def test_deleting_an_artifact_removes_its_bytes(project, client_for, teammate, settings):
    artifact_id = upload(client_for(teammate), project, b"bye").json()["id"]
    path = settings.PIPEWRIGHT_ARTIFACTS_DIR / Artifact.objects.get(pk=artifact_id).location
    assert client_for(teammate).delete(f"/api/artifacts/{artifact_id}/").status_code == 204
    assert not path.exists()


def test_a_missing_file_field_is_named(project, client_for, teammate):
    response = client_for(teammate).post("/api/artifacts/", {"project": project.pk}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_store_artifact_streams_from_any_file_object(project):
    from editor.artifacts import open_artifact, store_artifact

    artifact = store_artifact(project, "numbers.bin", io.BytesIO(b"0123456789" * 1000))
    assert artifact.size == 10000
    with open_artifact(artifact) as stream:
        assert hashlib.sha256(stream.read()).hexdigest() == artifact.checksum
