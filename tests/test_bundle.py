"""One contract, three uses: the bundle run by `python main.py` gives the app's outputs."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from editor.library.loader import examples_project, load_library
from editor.models import Artifact, Pipeline
from runs.bundle import render_bundle
from runs.choices import RunState
from runs.submit import operation_versions_for, submit_run
from tests.fixtures.engine import wait_for_run

pytestmark = pytest.mark.django_db(transaction=True)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.worker
def test_the_bundle_run_by_main_py_gives_identical_artifacts(celery_worker, tmp_path):
    # given the example pipeline run in the app
    load_library()
    pipeline = Pipeline.objects.get(project=examples_project(), name="Classify synthetic blobs")
    run = wait_for_run(submit_run(pipeline, {"cache": False}), timeout=120)
    assert run.state == RunState.SUCCEEDED, run.error
    # when its bundle runs on its own, in another folder
    bundle = render_bundle(run.pipeline_version, operation_versions_for(run.pipeline_version, latest=False))
    result = subprocess.run(
        [sys.executable, str(bundle / "main.py"), "--out", str(tmp_path / "out")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # then every output file has the checksum of the app's artifact
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All nodes succeeded" in result.stdout
    compared = 0
    for node_run in run.node_runs.all():
        produced = json.loads((tmp_path / "out" / node_run.node_id / "result.json").read_text())["outputs"]
        for port, ref in node_run.outputs.items():
            local = tmp_path / "out" / node_run.node_id / produced[port]["path"]
            assert sha256(local) == ref["checksum"] == Artifact.objects.get(pk=ref["artifact"]).checksum, (
                node_run.node_id,
                port,
            )
            compared += 1
    assert compared == 8  # every output of the six nodes, the pickled model and the PNG included


def test_a_bundle_holds_main_pipeline_operations_runtime_and_requirements(tmp_path):
    load_library()
    pipeline = Pipeline.objects.get(name="Train a network on a GPU")
    version = pipeline.versions.get()
    bundle = render_bundle(version, operation_versions_for(version, latest=False))
    names = sorted(
        str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
    assert "main.py" in names and "pipeline.json" in names
    assert "operations/train_mlp_gpu_v1.py" in names
    assert "runtime/node.py" in names
    assert (bundle / "requirements.txt").read_text().split() == ["matplotlib", "numpy", "torch"]
    spec = json.loads((bundle / "pipeline.json").read_text())
    assert [n["id"] for n in spec["nodes"]] == ["data", "split", "train", "report"]
    # the runtime is standard library only: no Django anywhere in it
    assert not any("django" in (bundle / n).read_text() for n in names if n.startswith("runtime/"))
    # rendering again is a cache hit on the same folder
    assert render_bundle(version, operation_versions_for(version, latest=False)) == bundle


def test_main_py_runs_one_node_and_reports_an_exception_as_a_failure(tmp_path):
    load_library()
    version = Pipeline.objects.get(name="Classify synthetic blobs").versions.get()
    bundle = render_bundle(version, operation_versions_for(version, latest=False))
    ok = subprocess.run(
        [
            sys.executable,
            str(bundle / "main.py"),
            "--node",
            "data",
            "--out",
            str(tmp_path),
            "--param",
            "data.n_samples=50",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert len((tmp_path / "data" / "outputs" / "dataset.csv").read_text().splitlines()) == 51
    bad = subprocess.run(
        [sys.executable, str(bundle / "main.py"), "--node", "split", "--out", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1
    assert "required input 'dataset' of node 'split' has no value" in bad.stderr


EMIT = """
import os
def run(ctx) -> dict:
    print("visible=" + os.environ.get("CUDA_VISIBLE_DEVICES", "unset"))
    return {"out": 1}
"""


def test_pipeline_json_carries_each_nodes_resources_and_main_py_honours_them(
    project, make_op, make_graph_pipeline, tmp_path
):
    # given an operation asking for 2Gi and no GPU, and nodes overriding it
    from editor.pipelines import freeze_version

    emit = make_op(project, "emit", EMIT, outputs=[("out", "int")], resources={"memory": "2Gi", "cpu": 2})
    pipeline = make_graph_pipeline(
        project,
        {"plain": emit, "fallback": emit, "strict": emit, "dist": emit},
        overrides={
            "fallback": {"resources": {"gpus": 1, "cpu_fallback": True}, "timeout_seconds": 60},
            "strict": {"resources": {"gpus": 1}, "retries": 2},
            "dist": {"resources": {"resource_type": "PyTorchJob", "workers": 4, "memory": "8Gi"}},
        },
    )
    version, _ = freeze_version(pipeline)
    # when
    bundle = render_bundle(version, operation_versions_for(version, latest=False))
    # then every node says what it gets: the operation's resources with its overrides
    nodes = {node["id"]: node for node in json.loads((bundle / "pipeline.json").read_text())["nodes"]}
    defaults = {"cpu": 2.0, "memory": "2Gi", "gpus": 0, "cpu_fallback": False}
    defaults |= {"resource_type": "job", "workers": 1}
    assert nodes["plain"]["resources"] == defaults
    assert nodes["fallback"]["resources"] == {**defaults, "gpus": 1, "cpu_fallback": True}
    distributed = {"resource_type": "PyTorchJob", "workers": 4, "memory": "8Gi"}
    assert nodes["dist"]["resources"] == {**defaults, **distributed}
    assert nodes["fallback"]["timeout_seconds"] == 60 and nodes["strict"]["retries"] == 2
    assert "retries" not in nodes["plain"] and "timeout_seconds" not in nodes["plain"]
    # and `python main.py` on a machine without GPUs runs the fallback node on the CPU
    # and refuses the one that needs a GPU, saying why
    result = subprocess.run(
        [sys.executable, str(bundle / "main.py"), "--out", str(tmp_path / "out")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[fallback] asks for 1 GPU(s) but this machine has 0: running on the CPU" in result.stdout
    assert "[strict] FAILED: needs 1 GPU(s) and this machine has 0" in result.stdout
    assert "[plain] succeeded" in result.stdout and "[dist] succeeded" in result.stdout
    assert "visible=" in result.stdout and "visible=unset" not in result.stdout
    # while a machine with GPUs gives the GPU node its devices
    with_gpus = subprocess.run(
        [sys.executable, str(bundle / "main.py"), "--out", str(tmp_path / "gpu"), "--only", "strict"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": "3,5"},
    )
    assert with_gpus.returncode == 0, with_gpus.stdout + with_gpus.stderr
    assert "[strict] GPU(s) 3" in with_gpus.stdout and "visible=3\n" in with_gpus.stdout
