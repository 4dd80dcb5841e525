"""Path traversal: every way a name from outside becomes a path or an object key stays
confined. Storage keys (local disk and S3), artifact ids in download URLs, outputs a node
links to files outside its work dir, entries of imported zips, and files of synced git
repositories. Each test looks at the file system (or the bucket) afterwards, not only at the
answer.

(tests/test_storage_local.py, tests/test_storage_s3.py and tests/test_yaml_pipelines.py hold
the first checks of each; these are the hostile variations.)"""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from editor.artifacts import open_artifact, store_artifact
from editor.git_repos import SyncFailed, sync
from editor.models import Artifact, GitRepository, Pipeline
from runs.choices import NodeState, RunState
from runs.node_io import _fetch_artifact
from runs.submit import submit_run
from storage_backends.base import InvalidKey
from storage_backends.local import LocalStorage
from storage_backends.s3 import S3Storage
from tests.fixtures.engine import wait_for_run
from tests.fixtures.git import git

# Keys that climb out, are absolute, use the other separator, or smuggle a NUL.
ESCAPING_KEYS = [
    "../x",
    "../../../../../../tmp/pw-escape",
    "a/../../b",
    "a/../b",
    "..\\x",
    "a\\..\\..\\b",
    "/etc/passwd",
    "//etc/passwd",
    "a/\x00/b",
    "x\x00.txt",
    "",
    ".",
    "a/./b",
    "a//b",
    "a/",
]
# Keys that only look like traversal once decoded: the backend never decodes, so they are
# plain names that stay inside the root (or prefix) as they are.
ENCODED_KEYS = ["..%2fx", "..%2F..%2Fetc%2Fpasswd", "%2e%2e/x", "..%5cx", "....x", "...", "a/.../b"]
MAIN_YML = b"name: traversal\ntasks: [{name: a, image: busybox}]\n"


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


# --- local storage ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", ESCAPING_KEYS)
def test_local_storage_refuses_an_escaping_key_for_every_operation(tmp_path, key):
    # given a root inside a folder we watch
    root = tmp_path / "root"
    root.mkdir()
    before = files_under(tmp_path)
    storage = LocalStorage(root)

    # when / then every operation refuses before any I/O
    with pytest.raises(InvalidKey):
        storage.save(key, io.BytesIO(b"owned"))
    for operation in (storage.open, storage.exists, storage.delete):
        with pytest.raises(InvalidKey):
            operation(key)
    assert files_under(tmp_path) == before


@pytest.mark.parametrize("key", ENCODED_KEYS)
def test_local_storage_keeps_encoded_dots_as_plain_names_inside_the_root(tmp_path, key):
    root = tmp_path / "root"
    root.mkdir()
    storage = LocalStorage(root)

    stored = storage.save(key, io.BytesIO(b"data"))

    assert stored.key == key
    written = {p for p in files_under(tmp_path) if p.is_file()}
    assert written == {root / key}
    with storage.open(key) as stream:
        assert stream.read() == b"data"


def test_local_storage_will_not_read_or_write_through_links_inside_its_root(tmp_path):
    # given links inside the root to a file and a folder outside it
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret").write_text("top secret")
    (root / "file-link").symlink_to(outside / "secret")
    (root / "dir-link").symlink_to(outside)
    storage = LocalStorage(root)

    # when / then neither link is followed
    for key in ("file-link", "dir-link/secret"):
        with pytest.raises(InvalidKey, match="escapes"):
            storage.open(key)
        with pytest.raises(InvalidKey, match="escapes"):
            storage.save(key, io.BytesIO(b"owned"))
        with pytest.raises(InvalidKey, match="escapes"):
            storage.delete(key)
    assert (outside / "secret").read_text() == "top secret"
    assert sorted(p.name for p in outside.iterdir()) == ["secret"]


# --- S3 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["../other", "tenant/../../other", "a\\..\\b", "tenant/\x00"])
def test_an_s3_prefix_that_climbs_is_refused(prefix):
    with pytest.raises(InvalidKey):
        S3Storage(endpoint="http://127.0.0.1:9", bucket="pw-bucket", prefix=prefix)


def test_no_s3_key_reaches_outside_the_prefix(s3_server):
    # given a storage on a prefix of a bucket that holds a neighbour's object
    bucket = s3_server.make_bucket()
    client = s3_server.client()
    client.put_object(bucket, "tenant/b/secret", io.BytesIO(b"neighbour"), 9)
    storage = s3_server.storage(bucket=bucket, prefix="tenant/a")

    # when escaping keys are tried on every operation
    for key in [*ESCAPING_KEYS, "../b/secret"]:
        with pytest.raises(InvalidKey):
            storage.save(key, io.BytesIO(b"owned"))
        with pytest.raises(InvalidKey):
            storage.open(key)
        with pytest.raises(InvalidKey):
            storage.delete(key)
    with pytest.raises(InvalidKey):
        storage.list_keys("../b")
    # and encoded ones are written as the plain names they are
    for key in ENCODED_KEYS:
        storage.save(key, io.BytesIO(b"data"))

    # then the bucket holds the neighbour's object untouched and ours under our prefix only
    names = sorted(obj.object_name for obj in client.list_objects(bucket, recursive=True))
    assert names == sorted(["tenant/b/secret", *(f"tenant/a/{key}" for key in ENCODED_KEYS)])
    assert client.get_object(bucket, "tenant/b/secret").read() == b"neighbour"
    assert storage.list_keys() == sorted(ENCODED_KEYS)


# --- artifacts through the API ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/artifacts/..%2f..%2fetc%2fpasswd/download/",
        "/api/artifacts/..%5c..%5cetc%5cpasswd/download/",
        "/api/artifacts/%2fetc%2fpasswd/download/",
        "/api/artifacts/1%00/download/",
        "/api/artifacts/-1/download/",
        "/api/artifacts/99999999999999999999999/download/",
        "/api/artifacts/../../etc/passwd/download/",
    ],
)
def test_a_crafted_artifact_id_is_a_404(client_for, teammate, project, url):
    response = client_for(teammate).get(url)

    assert response.status_code == 404, response.content[:300]
    assert b"root:" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/endpoints/x/artifacts/..%2f1", "/endpoints/..%2f..%2fx/artifacts/1"])
def test_a_crafted_endpoint_artifact_url_is_refused(client, url):
    response = client.get(url, HTTP_AUTHORIZATION="Bearer nothing")

    assert response.status_code in (401, 404), response.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["../../../../tmp/pw-upload", "..\\..\\evil.txt", "/etc/passwd", ".."])
def test_an_uploaded_artifact_name_never_becomes_a_path(client_for, teammate, project, artifacts_dir, name):
    # given an upload named like a path
    upload = io.BytesIO(b"uploaded")
    upload.name = "upload.bin"

    # when
    created = client_for(teammate).post(
        "/api/artifacts/", {"project": project.pk, "file": upload, "name": name}, format="multipart"
    )

    # then it is stored under the project's upload folder, under a plain file name
    assert created.status_code == 201, created.json()
    artifact = Artifact.objects.get(pk=created.json()["id"])
    assert artifact.location.startswith(f"projects/{project.pk}/uploads/")
    assert ".." not in artifact.location.split("/")
    [stored] = [p for p in files_under(artifacts_dir) if p.is_file()]
    assert stored.resolve().is_relative_to(Path(artifacts_dir).resolve())
    assert not Path("/tmp/pw-upload").exists()
    # and downloads back as it went in
    download = client_for(teammate).get(f"/api/artifacts/{artifact.pk}/download/")
    assert b"".join(download.streaming_content) == b"uploaded"


@pytest.mark.django_db
def test_a_store_under_a_tampered_name_stays_in_the_project_folder(project, artifacts_dir):
    artifact = store_artifact(project, "../../" * 10 + "etc/passwd", io.BytesIO(b"x"))

    path = Path(artifacts_dir) / artifact.location
    assert path.is_file() and path.resolve().is_relative_to(Path(artifacts_dir).resolve())
    assert path.name == "passwd"


# --- node outputs that are links ----------------------------------------------------------------

LINK_FILE = """
import os


def run(ctx) -> dict:
    os.symlink("/etc/passwd", ctx.output_path("f"))
    return {}
"""
LINK_RETURNED = """
import os


def run(ctx) -> dict:
    link = os.path.join(str(ctx.work_dir), "passwd-link")
    os.symlink("/etc/passwd", link)
    return {"f": link}
"""
LINK_IN_DIRECTORY = """
import os


def run(ctx) -> dict:
    folder = ctx.output_path("d")
    os.makedirs(folder)
    with open(os.path.join(folder, "ok.txt"), "w") as out:
        out.write("fine")
    os.symlink("/etc/passwd", os.path.join(folder, "leak"))
    return {}
"""


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("source", [LINK_FILE, LINK_RETURNED], ids=["written-link", "returned-link"])
def test_a_file_output_linking_outside_the_work_dir_fails_the_node_and_stores_nothing(
    celery_worker, project, owner, make_op, make_graph_pipeline, source
):
    # given a node whose file output is a link to /etc/passwd
    operation = make_op(project, "leak", source, outputs=[("f", "file")])
    pipeline = make_graph_pipeline(project, {"leak": operation})

    # when it runs on the real worker
    run = wait_for_run(submit_run(pipeline, {}, owner))

    # then the node fails saying why, and no artifact holds the file's content
    node = run.node_runs.get(node_id="leak")
    assert (run.state, node.state) == (RunState.FAILED, NodeState.FAILED)
    assert "outside the work dir" in node.error, node.error
    assert not Artifact.objects.filter(produced_by__run=run).exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_link_inside_a_directory_output_is_kept_as_a_link_never_as_the_file(
    celery_worker, project, owner, make_op, make_graph_pipeline, tmp_path
):
    # given a directory output holding a file and a link to /etc/passwd
    operation = make_op(project, "dirleak", LINK_IN_DIRECTORY, outputs=[("d", "directory")])
    pipeline = make_graph_pipeline(project, {"dirleak": operation})

    # when
    run = wait_for_run(submit_run(pipeline, {}, owner))

    # then the stored archive has the link as a link: /etc/passwd's content is not in it
    assert run.state == RunState.SUCCEEDED, run.error
    artifact = Artifact.objects.get(produced_by__run=run)
    with open_artifact(artifact) as stream, tarfile.open(fileobj=stream, mode="r:gz") as archive:
        members = {member.name: member for member in archive.getmembers()}
        assert members["./leak"].issym() and members["./leak"].linkname == "/etc/passwd"
        passwd = Path("/etc/passwd").read_bytes()
        for member in members.values():
            if member.isfile():
                content = archive.extractfile(member)
                assert content is not None and passwd not in content.read()
    # and a node that takes it as input refuses to unpack the link (the "data" filter)
    with pytest.raises(tarfile.TarError):
        _fetch_artifact(artifact, tmp_path / "inputs" / "d", "directory")
    assert not (tmp_path / "inputs" / "d" / "leak").exists()


# --- imported archives --------------------------------------------------------------------------


def zip_with(entries: list[tuple[str, bytes, int | None]]) -> io.BytesIO:
    """A zip of (name, data, mode) entries; a mode with S_IFLNK makes the entry a symlink."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name)
            if mode is not None:
                info.external_attr = mode << 16
            archive.writestr(info, data)
    buffer.seek(0)
    buffer.name = "pipeline.zip"
    return buffer


LINK = stat.S_IFLNK | 0o777


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("entry", "data", "mode"),
    [
        ("../evil.txt", b"owned", None),
        ("configs/../../evil.txt", b"owned", None),
        ("/tmp/pw-zip-evil.txt", b"owned", None),
        ("..\\evil.txt", b"owned", None),
        ("C:/evil.txt", b"owned", None),
        ("configs/passwd", b"/etc/passwd", LINK),
        ("configs/up", b"../../../../", LINK),
        ("main.yml", b"/etc/passwd", LINK),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "backslash", "drive", "link-abs", "link-up", "main-link"],
)
def test_an_imported_zip_entry_that_escapes_is_a_400_naming_it(
    client_for, owner, project, tmp_path, entry, data, mode
):
    # given a zip holding a good main.yml and one hostile entry
    entries: list[tuple[str, bytes, int | None]] = [(entry, data, mode)]
    if entry != "main.yml":
        entries.insert(0, ("main.yml", MAIN_YML, None))
    upload = zip_with(entries)
    cwd_before = files_under(Path.cwd() / "var") if (Path.cwd() / "var").exists() else set()

    # when
    refused = client_for(owner).post(
        "/api/pipelines/import/", {"project": project.pk, "file": upload}, format="multipart"
    )

    # then the entry is named and nothing is created, here or on disk
    assert refused.status_code == 400, refused.content[:500]
    assert entry in {problem["file"] for problem in refused.json()["problems"]}
    assert not Pipeline.objects.exists()
    assert not Path("/tmp/pw-zip-evil.txt").exists()
    assert not (Path.cwd().parent / "evil.txt").exists()
    if cwd_before:
        assert files_under(Path.cwd() / "var") - cwd_before == set()


# --- git repositories -----------------------------------------------------------------------------


def push_tree(tmp_path: Path, build: Any) -> Path:
    """A bare repository whose `main` holds what `build(work)` wrote (links committed as links)."""
    bare, work = tmp_path / "remote.git", tmp_path / "work"
    git("init", "--quiet", "--bare", str(bare))
    git("clone", "--quiet", str(bare), str(work))
    git("checkout", "--quiet", "-b", "main", cwd=work)
    build(work)
    git("add", "--all", cwd=work)
    git("commit", "--quiet", "-m", "tree", cwd=work)
    git("push", "--quiet", "origin", "main", cwd=work)
    return bare


def repository_of(bare: Path, project: Any, owner: Any) -> GitRepository:
    return GitRepository.objects.create(project=project, url=str(bare), path="pipelines", created_by=owner)


@pytest.mark.django_db
def test_git_sync_does_not_import_a_file_linked_outside_the_clone(settings, tmp_path, project, owner):
    # given a pipeline folder with a good main.yml and configs/x -> /etc/passwd
    settings.PIPEWRIGHT_GIT_ALLOW_LOCAL = True

    def build(work: Path) -> None:
        folder = work / "pipelines" / "leaky"
        (folder / "configs").mkdir(parents=True)
        (folder / "main.yml").write_bytes(MAIN_YML)
        (folder / "configs" / "x").symlink_to("/etc/passwd")

    bare = push_tree(tmp_path, build)
    repository = repository_of(bare, project, owner)

    # when
    report = sync(repository, owner)

    # then the folder is refused, naming the link, and no pipeline holds the file
    assert report.imported == []
    assert {p["file"] for p in report.problems} == {"pipelines/leaky/configs/x"}
    assert not Pipeline.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("link", ["main.yml", "folder"])
def test_git_sync_does_not_follow_a_linked_main_yml_or_pipeline_folder(
    settings, tmp_path, project, owner, link
):
    # given a main.yml outside the clone, linked as a pipeline's main.yml or as its whole folder
    settings.PIPEWRIGHT_GIT_ALLOW_LOCAL = True
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "main.yml").write_bytes(b"name: stolen\ntasks: [{name: a, image: busybox}]\n")

    def build(work: Path) -> None:
        (work / "pipelines").mkdir()
        if link == "folder":
            (work / "pipelines" / "stolen").symlink_to(outside)
        else:
            (work / "pipelines" / "stolen").mkdir()
            (work / "pipelines" / "stolen" / "main.yml").symlink_to(outside / "main.yml")

    bare = push_tree(tmp_path, build)
    repository = repository_of(bare, project, owner)

    # when
    report = sync(repository, owner)

    # then
    assert report.imported == []
    assert report.problems and all("links are not taken" in p["message"] for p in report.problems)
    assert not Pipeline.objects.filter(name="stolen").exists()


@pytest.mark.django_db
def test_git_sync_refuses_a_repository_path_that_is_a_link_outside_the_clone(
    settings, tmp_path, project, owner
):
    # given a repository whose configured folder is a link to a folder of pipelines elsewhere
    settings.PIPEWRIGHT_GIT_ALLOW_LOCAL = True
    outside = tmp_path / "outside"
    (outside / "stolen").mkdir(parents=True)
    (outside / "stolen" / "main.yml").write_bytes(b"name: stolen\ntasks: [{name: a, image: busybox}]\n")
    bare = push_tree(tmp_path, lambda work: (work / "pipelines").symlink_to(outside))
    repository = repository_of(bare, project, owner)

    # when / then
    with pytest.raises(SyncFailed, match="link"):
        sync(repository, owner)
    assert not Pipeline.objects.filter(name="stolen").exists()
