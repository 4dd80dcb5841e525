"""Export: a pipeline as a zip that runs anywhere with `python main.py`."""

import asyncio
import hashlib
import io
import json
import subprocess
import sys
import venv
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.management import call_command

from credentials.models import LinkedAccount
from editor.artifacts import store_artifact
from editor.library.loader import examples_project, load_library
from editor.models import Artifact, Pipeline
from runs.choices import RunState
from runs.export import export_chunks, prepare_export
from runs.submit import submit_run
from tests.fixtures.engine import wait_for_run

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = ["Classify synthetic blobs", "Train a network on a GPU"]
COUNT_LINES = """
def run(ctx, table: str, scale: int) -> dict:
    with open(table) as f:
        rows = sum(1 for _ in f)
    return {"rows": rows * scale}
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def body_of(response) -> bytes:
    """A streamed response's bytes (the view streams asynchronously, as Daphne serves it),
    read on a thread of its own: the browser tests leave an event loop on this one."""

    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, collect()).result()


def unzip(data: bytes, target: Path) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(data))
    archive.extractall(target)
    return archive


@pytest.fixture(scope="module")
def clean_python(tmp_path_factory):
    """A fresh virtual environment with nothing but pip: each test installs the zip's requirements."""
    root = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=True).create(root)
    return root / "bin" / "python"


@pytest.mark.worker
@pytest.mark.parametrize("name", EXAMPLES)
def test_an_exported_example_runs_in_a_fresh_venv_with_the_apps_results(
    name, celery_worker, clean_python, owner, tmp_path
):
    # given the example run in the app
    load_library()
    pipeline = Pipeline.objects.get(project=examples_project(), name=name)
    run = wait_for_run(submit_run(pipeline, {"cache": False}), timeout=180)
    assert run.state == RunState.SUCCEEDED, run.error

    # when its version is exported, unzipped into an empty folder and run in a clean venv
    prepared = prepare_export(pipeline, owner, {"version": run.pipeline_version.number})
    unzip(b"".join(export_chunks(prepared)), tmp_path / "zip")
    install = subprocess.run(
        [str(clean_python), "-m", "pip", "install", "-q", "-r", "requirements.txt"],
        cwd=tmp_path / "zip", capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-2000:]
    result = subprocess.run(
        [str(clean_python), "main.py", "--out", "results"],
        cwd=tmp_path / "zip", capture_output=True, text=True, timeout=600,
    )  # fmt: skip

    # then every output has the checksum of the app's artifact
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All nodes succeeded" in result.stdout
    compared = 0
    for node_run in run.node_runs.all():
        folder = tmp_path / "zip" / "results" / node_run.node_id
        produced = json.loads((folder / "result.json").read_text())["outputs"]
        for port, ref in node_run.outputs.items():
            assert sha256(folder / produced[port]["path"]) == ref["checksum"], (node_run.node_id, port)
            compared += 1
    assert compared == sum(len(n.outputs) for n in run.node_runs.all()) > 0


@pytest.fixture
def counting(project, make_op, make_graph_pipeline):
    """A pipeline with a file input `table` and a value input `scale`, both wired."""
    op = make_op(
        project,
        "count_lines",
        COUNT_LINES,
        inputs=[("table", "file"), ("scale", "int")],
        outputs=[("rows", "int")],
    )
    pipeline = make_graph_pipeline(project, {"count": op}, name="Count lines")
    pipeline.graph["inputs"] = [
        {"name": "table", "type": "file", "default": None, "description": "a text file"},
        {"name": "scale", "type": "int", "default": 2, "description": ""},
    ]
    pipeline.graph["edges"] = [
        {"id": "t", "source": "table", "source_port": "value", "target": "count", "target_port": "table"},
        {"id": "s", "source": "scale", "source_port": "value", "target": "count", "target_port": "scale"},
    ]
    pipeline.save()
    return pipeline


def test_a_static_input_ships_in_the_zip_and_the_rest_stay_arguments(counting, owner, project, tmp_path):
    upload = store_artifact(project, "lines.txt", io.BytesIO(b"a\nb\nc\n"), user=owner)
    prepared = prepare_export(counting, owner, {"static": {"table": {"artifact": upload.pk}}})
    archive = unzip(b"".join(export_chunks(prepared)), tmp_path)
    names = archive.namelist()
    assert {"main.py", "pipeline.json", "requirements.txt", "README.md", "runtime/cli.py"} <= set(names)
    assert "artifacts/table.txt" in names
    assert any(name.startswith("operations/") for name in names)
    for info in archive.infolist():  # nothing can land outside the folder it is unzipped into
        assert not info.filename.startswith("/") and ".." not in Path(info.filename).parts
    assert archive.getinfo("main.py").external_attr >> 16 & 0o111
    readme = archive.read("README.md").decode()
    assert "`table` (file): fixed, shipped as `artifacts/table.txt`" in readme
    assert "--input scale=" in readme

    # --help lists what is still an argument, and the parameters
    help_text = subprocess.run(
        [sys.executable, "main.py", "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    ).stdout
    assert "scale" in help_text and "int, default 2" in help_text
    assert "fixed inputs (shipped in artifacts/): table" in help_text

    # it runs with the shipped file, and an argument changes the value input
    result = subprocess.run(
        [sys.executable, "main.py", "--input", "scale=5", "--out", "out"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    produced = json.loads((tmp_path / "out" / "count" / "result.json").read_text())["outputs"]["rows"]
    assert json.loads((tmp_path / "out" / "count" / produced["path"]).read_text()) == 15


def test_a_static_artifact_in_s3_is_fetched_with_a_linked_account_and_no_secret_ships(
    counting, owner, project, s3_server, tmp_path
):
    bucket = s3_server.make_bucket()
    account = LinkedAccount(owner=owner, kind="storage", backend="s3", label="Team S3")
    account.options = {"endpoint": s3_server.endpoint, "bucket": bucket, "prefix": "data"}
    account.secrets = {"access_key": s3_server.access_key, "secret_key": s3_server.secret_key}
    account.save()
    storage = s3_server.storage(bucket=bucket, prefix="data")
    stored = storage.save("uploads/lines.txt", io.BytesIO(b"x\n" * 1000))
    artifact = Artifact.objects.create(
        project=project, name="lines.txt", storage_backend="s3", location=stored.key, size=stored.size,
        checksum=stored.checksum, storage_options={"bucket": bucket, "prefix": "data",
        "endpoint": s3_server.endpoint}, storage_account=account,
    )  # fmt: skip
    with s3_server.checking_credentials():
        prepared = prepare_export(counting, owner, {"static": {"table": {"artifact": artifact.pk}}})
        data = b"".join(export_chunks(prepared))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert hashlib.sha256(archive.read("artifacts/table.txt")).hexdigest() == artifact.checksum
    for info in archive.infolist():
        content = archive.read(info)
        for secret in (s3_server.secret_key, s3_server.access_key):
            assert secret.encode() not in content, info.filename


def test_export_refusals_name_the_problem(
    counting, owner, teammate, outsider, project, client_for, make_user
):
    from editor.projects import create_project

    client = client_for(teammate)
    url = f"/api/pipelines/{counting.pk}/export/"
    unknown = client.post(url, {"static": {"nope": {"value": 1}}}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["static"] == ["static.nope: the pipeline has no input 'nope'"]
    elsewhere = create_project(outsider, name="Elsewhere")
    foreign = store_artifact(elsewhere, "x.txt", io.BytesIO(b"x"), user=outsider)
    refused = client.post(url, {"static": {"table": {"artifact": foreign.pk}}}, format="json")
    assert refused.status_code == 400
    assert f"artifact {foreign.pk} is not in this project" in refused.json()["static"][0]
    no_current = client.post(url, {"static": {"table": {}}}, format="json")
    assert "no current value" in no_current.json()["static"][0]
    # someone else's linked account: the exporter must bring credentials
    account = LinkedAccount.objects.create(owner=owner, kind="storage", backend="s3", label="Olivia's")
    kept = Artifact.objects.create(
        project=project, name="k.txt", storage_backend="s3", location="k.txt", size=1, checksum="0",
        storage_options={"endpoint": "http://127.0.0.1:9", "bucket": "bkt"}, storage_account=account,
    )  # fmt: skip
    needs = client.post(url, {"static": {"table": {"artifact": kept.pk}}}, format="json")
    assert needs.status_code == 400
    assert "choose your linked account" in needs.json()["input_credentials"][0]
    # an artifact that cannot be fetched is refused before anything is sent
    gone = store_artifact(project, "gone.txt", io.BytesIO(b"x"), user=owner)
    gone_path = Path(gone.location)
    from editor.artifacts import storage_of

    storage_of(gone).delete(gone.location)
    missing = client.post(url, {"static": {"table": {"artifact": gone.pk}}}, format="json")
    assert missing.status_code == 400
    assert "cannot be fetched" in missing.json()["static"][0], gone_path
    # an invalid pipeline lists its problems
    counting.graph["edges"] = []
    counting.save()
    invalid = client.post(url, {}, format="json")
    assert invalid.status_code == 400
    assert "node count, port table: required input is not connected" in invalid.json()["graph"]


def test_the_api_streams_a_zip_named_after_the_version_and_viewers_get_the_latest(
    counting, teammate, viewer, client_for, project, owner
):
    upload = store_artifact(project, "lines.txt", io.BytesIO(b"1\n2\n"), user=owner)
    response = client_for(teammate).post(
        f"/api/pipelines/{counting.pk}/export/", {"static": {"table": {"artifact": upload.pk}}}, format="json"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="count-lines-v1.zip"'
    assert response.streaming
    archive = zipfile.ZipFile(io.BytesIO(body_of(response)))
    assert archive.read("artifacts/table.txt") == b"1\n2\n"
    # a viewer cannot freeze a new version, and exports the latest one
    counting.description = "changed"
    counting.save()
    as_viewer = client_for(viewer).post(f"/api/pipelines/{counting.pk}/export/", {}, format="json")
    assert as_viewer.status_code == 200
    assert as_viewer["X-Pipeline-Version"] == "1"


def test_the_export_command_writes_the_zip(counting, owner, project, tmp_path):
    upload = store_artifact(project, "lines.txt", io.BytesIO(b"a\n"), user=owner)
    target = tmp_path / "count.zip"
    call_command(
        "export_pipeline", "Count lines", "--static", f"table={upload.pk}", "--user", owner.username,
        "-o", str(target), stderr=io.StringIO(),
    )  # fmt: skip
    names = zipfile.ZipFile(target).namelist()
    assert "artifacts/table.txt" in names and "main.py" in names
