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


def test_an_input_artifact_in_someone_elses_s3_is_read_by_the_worker_with_the_submitters_account(
    celery_worker, s3_server, project, owner, teammate, make_pipeline, client_for
):
    from credentials.models import LinkedAccount

    bucket = s3_server.make_bucket()
    public = {"endpoint": s3_server.endpoint, "bucket": bucket, "prefix": "shared"}
    secrets = {"access_key": s3_server.access_key, "secret_key": s3_server.secret_key}
    accounts = {}
    for user in (owner, teammate):
        account = LinkedAccount(owner=user, kind="storage", backend="s3", label="Team bucket", options=public)
        account.secrets = secrets
        account.save()
        accounts[user.pk] = account
    # given a dataset the owner's run stored in S3 with the owner's linked account
    maker = make_pipeline(project, [("data", "make_dataset")], name="Make")
    storage = {"backend": "s3", "options": {}, "account": accounts[owner.pk].pk}
    with s3_server.checking_credentials():
        made = wait_for_run(submit_run(maker, {"name": "make", "storage": storage}, owner), timeout=90)
    assert made.state == RunState.SUCCEEDED, made.error
    dataset = Artifact.objects.get(produced_by__run=made, name="data.dataset.csv")
    assert dataset.storage_account_id == accounts[owner.pk].pk

    # and a pipeline whose input `table` feeds describe_dataset
    describe = make_pipeline(project, [("describe", "describe_dataset")], name="Describe")
    describe.graph["inputs"] = [{"name": "table", "type": "file", "position": {"x": 0, "y": 0}}]
    describe.graph["edges"] = [
        {"id": "t", "source": "table", "source_port": "value", "target": "describe", "target_port": "dataset"}
    ]
    describe.save()
    client = client_for(teammate)
    body = {"pipeline": describe.pk, "inputs": {"table": {"artifact": dataset.pk}}}

    # when the teammate runs it without credentials, they are asked for theirs
    refused = client.post("/api/runs/", body, format="json")
    assert refused.status_code == 400
    assert "choose your linked account" in refused.json()["input_credentials"][0]

    # and with their own linked account the worker reads the owner's object with it
    body["input_credentials"] = {str(dataset.pk): {"account": accounts[teammate.pk].pk}}
    with s3_server.checking_credentials():
        started = client.post("/api/runs/", body, format="json")
        assert started.status_code == 201, started.content
        run = wait_for_run(Run.objects.get(pk=started.json()["id"]), timeout=90)
    node = run.node_runs.get()
    assert run.state == RunState.SUCCEEDED, (run.error, node.error, node.log[-800:])
    assert node.outputs["stats"]["size"] > 0
    assert s3_server.secret_key not in json.dumps(run.config)
