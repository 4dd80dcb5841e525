"""The storage backend goes away while a node uploads its output: the node fails
saying so, the run ends, no half-written artifact is recorded; once the storage is
back a new run succeeds (docs/engine.md, "Faults")."""

from __future__ import annotations

import time

import pytest

from editor.models import Artifact
from runs.choices import NodeState, RunState
from runs.submit import submit_run
from tests.faults.figures import record
from tests.faults.proxy import CuttableProxy
from tests.fixtures.engine import wait_for_run

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

MB = 1024 * 1024
BLOB = """
import os
def run(ctx, megabytes: int) -> dict:
    path = ctx.output_path("blob", ".bin")
    with open(path, "wb") as out:
        for _ in range(megabytes):
            out.write(os.urandom(1024 * 1024))
    print(f"wrote {megabytes} MB", flush=True)
    return {"blob": path}
"""


@pytest.fixture
def s3_behind_a_proxy(s3_server):
    proxy = CuttableProxy(s3_server.port)
    yield proxy
    proxy.close()


def test_storage_lost_mid_upload_fails_the_node_clearly_and_records_no_artifact(
    celery_worker, s3_server, s3_behind_a_proxy, project, owner, make_op, make_graph_pipeline, long_variant
):
    # given a node whose output (40 MB: four parts of 10 MB) goes to S3 through a proxy
    proxy = s3_behind_a_proxy
    bucket = s3_server.make_bucket()
    blob = make_op(project, "blob", BLOB, outputs=[("blob", "file")], params=[("megabytes", "int", 40)])
    pipeline = make_graph_pipeline(project, {"blob": blob})
    options = {
        "endpoint": proxy.endpoint,
        "bucket": bucket,
        "access_key": s3_server.access_key,
        "secret_key": s3_server.secret_key,
    }
    storage = {"backend": "s3", "options": options}

    # when the storage goes away once 12 MB of the upload have been sent (the long variant:
    # also within the first part, and within the last)
    for cut in [1, 12, 35] if long_variant else [12]:
        proxy.cut_after(cut * MB)
        run = submit_run(pipeline, {"name": f"storage lost after {cut} MB", "storage": storage}, owner)
        run = wait_for_run(run, timeout=120)
        if proxy.cut_at is not None:
            record("storage cut mid-upload", "node failed after the cut", time.monotonic() - proxy.cut_at)

        # then the upload was cut in the middle, and the node failed saying which output and why
        assert proxy.is_down and proxy.sent_upstream >= cut * MB
        node = run.node_runs.get()
        assert run.state == RunState.FAILED, (run.state, node.state, node.error)
        assert node.state == NodeState.FAILED
        assert "wrote 40 MB" in node.log, (node.error, node.log)  # the node itself did its work
        assert node.error.startswith("could not store output 'blob' (S3 / MinIO storage): "), node.error
        assert "internal error" not in node.error
        assert s3_server.secret_key not in node.error + node.log
        # and nothing half-written is recorded, nor left as an object in the bucket
        assert not Artifact.objects.filter(produced_by__run=run).exists()
        assert node.outputs == {}
        assert list(s3_server.client().list_objects(bucket, recursive=True)) == []
        proxy.restore()

    # when the storage is back, the same pipeline runs again to success
    again = submit_run(pipeline, {"name": "storage back", "storage": storage}, owner)
    again = wait_for_run(again, timeout=120)
    node = again.node_runs.get()
    assert again.state == RunState.SUCCEEDED, (node.state, node.error)
    artifact = Artifact.objects.get(produced_by__run=again)
    assert artifact.size == 40 * MB
    stored = s3_server.client().stat_object(bucket, artifact.location)
    assert stored.size == 40 * MB
