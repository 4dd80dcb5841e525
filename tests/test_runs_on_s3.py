"""A run whose files go to S3: a real worker process, a real S3 server on loopback."""

import json

import pytest

from editor.artifacts import open_artifact
from editor.models import Artifact
from runs.choices import RunState
from runs.models import Run, RunEvent
from runs.submit import submit_run
from tests.fixtures.engine import wait_for_run

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_run_stores_its_artifacts_under_the_prefix_and_the_secret_stays_ciphertext(
    celery_worker, s3_server, project, teammate, make_pipeline, client_for
):
    bucket = s3_server.make_bucket()
    pipeline = make_pipeline(
        project,
        [("data", "make_dataset"), ("split", "split_dataset")],
        [("data.dataset", "split.dataset")],
        name="Blobs on S3",
    )
    options = {
        "endpoint": s3_server.endpoint,
        "bucket": bucket,
        "prefix": "team/pipewright",
        "access_key": s3_server.access_key,
        "secret_key": s3_server.secret_key,
    }
    storage = {"backend": "s3", "options": options}
    with s3_server.checking_credentials():
        run = submit_run(pipeline, {"name": "s3", "storage": storage}, teammate)
        run = wait_for_run(run, timeout=90)
        assert run.state == RunState.SUCCEEDED, run.error

        # Every output is an object in the bucket, under the prefix, with the recorded checksum.
        artifacts = list(Artifact.objects.filter(produced_by__run=run))
        assert {a.name for a in artifacts} >= {"data.dataset.csv", "split.train.csv", "split.test.csv"}
        objects = {obj.object_name for obj in s3_server.client().list_objects(bucket, recursive=True)}
        for artifact in artifacts:
            assert artifact.storage_backend == "s3"
            assert f"team/pipewright/{artifact.location}" in objects
            assert artifact.storage_options == {k: v for k, v in options.items() if "key" not in k}
        assert all(name.startswith("team/pipewright/runs/") for name in objects)

        # The app reads them back (download, preview) with the run's secrets.
        dataset = next(a for a in artifacts if a.name == "data.dataset.csv")
        with open_artifact(dataset) as stream:
            assert len(stream.read().decode().splitlines()) > 10
        client = client_for(teammate)
        download = client.get(f"/api/artifacts/{dataset.pk}/download/")
        assert download.status_code == 200
        assert download["X-Checksum-Sha256"] == dataset.checksum

    # The secret is nowhere in clear: config, events, API answers, node logs, the worker's log.
    secret = s3_server.secret_key
    run = Run.objects.get(pk=run.pk)
    assert secret not in json.dumps(run.config)
    assert secret not in run.secret_ciphertext
    assert all(secret not in json.dumps(e.payload) for e in RunEvent.objects.filter(run=run))
    assert secret not in client.get(f"/api/runs/{run.pk}/").content.decode()
    assert secret not in client.get(f"/api/runs/{run.pk}/events/").content.decode()
    assert all(secret not in node.log for node in run.node_runs.all())
    assert secret not in celery_worker.log_path.read_text()


def test_a_run_with_a_wrong_secret_fails_and_says_why(
    celery_worker, s3_server, project, teammate, make_pipeline
):
    bucket = s3_server.make_bucket()
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Wrong key")
    storage = {
        "backend": "s3",
        "options": {
            "endpoint": s3_server.endpoint,
            "bucket": bucket,
            "access_key": s3_server.access_key,
            "secret_key": "not-the-secret",
        },
    }
    with s3_server.checking_credentials():
        run = submit_run(pipeline, {"name": "bad key", "storage": storage}, teammate)
        run = wait_for_run(run, timeout=90)
    assert run.state == RunState.FAILED
    node = run.node_runs.get()
    assert "not-the-secret" not in node.log + node.error + run.error
    assert node.error
