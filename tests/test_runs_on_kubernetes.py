"""A run on the kubernetes compute backend, end to end through the app: the real worker drives
the real kubernetes client against a local API server whose "kubelet" runs the pods' commands,
with the run's files in a real S3 server."""

import json

import pytest

from editor.models import Artifact
from runs.choices import RunState
from runs.models import Run
from runs.submit import submit_run
from tests.fixtures.engine import wait_for_run

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_pipeline_runs_as_kubernetes_jobs_with_its_files_in_s3(
    celery_worker, s3_server, fake_kubernetes, project, teammate, make_pipeline
):
    bucket = s3_server.make_bucket()
    pipeline = make_pipeline(
        project,
        [("data", "make_dataset"), ("split", "split_dataset")],
        [("data.dataset", "split.dataset")],
        name="Blobs on Kubernetes",
    )
    config = {
        "name": "k8s",
        "compute": {
            "backend": "kubernetes",
            "options": {"api_server": fake_kubernetes.url, "token": "fake-token", "namespace": "pipelines"},
        },
        "storage": {
            "backend": "s3",
            "options": {
                "endpoint": s3_server.endpoint,
                "bucket": bucket,
                "access_key": s3_server.access_key,
                "secret_key": s3_server.secret_key,
            },
        },
    }
    run = wait_for_run(submit_run(pipeline, config, teammate), timeout=120)
    nodes = {node.node_id: node for node in run.node_runs.all()}
    failures = {k: (n.error, n.log[-800:]) for k, n in nodes.items()}
    assert run.state == RunState.SUCCEEDED, (run.error, failures)

    # One Job per node, in the chosen namespace, labelled with the run and node.
    created = fake_kubernetes.requests_to("POST", "/apis/batch/v1/namespaces/pipelines/jobs")
    labels = [request.body["metadata"]["labels"] for request in created]
    assert sorted(label["pipewright.dev/node"] for label in labels) == ["data", "split"]
    assert {label["pipewright.dev/run"] for label in labels} == {str(run.pk)}
    assert all(r.headers.get("Authorization") == "Bearer fake-token" for r in created)
    # The pod's log reached the node's log, and the outputs came back into S3.
    log = nodes["data"].log
    assert "[pipewright] created Job pipelines/" in log
    assert "wrote 600 rows with 4 features to dataset.csv" in log  # printed inside the pod
    assert "[pipewright] uploaded the node's outputs" in log
    objects = {obj.object_name for obj in s3_server.client().list_objects(bucket, recursive=True)}
    for artifact in Artifact.objects.filter(produced_by__run=run):
        assert artifact.location in objects
    assert nodes["split"].outputs["train"]["size"] > 0
    # Jobs and temporary objects are cleaned up after each node.
    assert not [name for name in objects if name.startswith("tmp/")]
    # The cluster token is a secret: never in the run's config.
    assert "fake-token" not in json.dumps(Run.objects.get(pk=run.pk).config)
