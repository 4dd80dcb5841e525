"""GPU nodes go to the workers started with `-Q gpu`; the rest to `-Q default` workers."""

import pytest

from runs.choices import RunState
from runs.submit import submit_run
from tests.fixtures.engine import wait_for_run

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WHERE = """
import os, socket
def run(ctx) -> dict:
    print("CUDA_VISIBLE_DEVICES=" + repr(os.environ.get("CUDA_VISIBLE_DEVICES")))
    return {"out": 1}
"""


def test_gpu_nodes_run_on_the_gpu_queue_workers(celery_worker, project, owner, make_op, make_graph_pipeline):
    cpu_op = make_op(project, "on_cpu", WHERE, outputs=[("out", "int")])
    # No GPU exists on this machine: the GPU node may fall back to the CPU, saying so.
    gpu_op = make_op(
        project, "on_gpu", WHERE, outputs=[("out", "int")], resources={"gpus": 1, "cpu_fallback": True}
    )
    pipeline = make_graph_pipeline(project, {"prepare": cpu_op, "train": gpu_op, "report": cpu_op})
    run = wait_for_run(submit_run(pipeline, {"name": "routing"}, owner), timeout=60)
    assert run.state == RunState.SUCCEEDED, run.error
    nodes = {node.node_id: node for node in run.node_runs.all()}
    gpu_worker = celery_worker.gpu_worker
    assert gpu_worker is not None
    assert nodes["train"].worker.startswith(gpu_worker.name), nodes["train"].worker
    assert nodes["prepare"].worker.startswith(celery_worker.name)
    assert nodes["report"].worker.startswith(celery_worker.name)
    assert "no GPU" in nodes["train"].log or "CPU" in nodes["train"].log
