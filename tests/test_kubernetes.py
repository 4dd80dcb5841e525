"""The Kubernetes compute backend: its manifests, and the real `kubernetes` client
driving nodes of real bundles through a fake API server whose kubelet runs pods as
local processes (tests/fixtures/fake_kubernetes.py), with a real S3 server for the
bundle and the outputs in transit (tests/fixtures/s3.py)."""

from __future__ import annotations

import io
import json
import re
import shutil
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from compute_backends import k8s_manifests as m
from compute_backends.base import LaunchRefused, LaunchSpec
from compute_backends.kubernetes import (
    KubernetesCompute,
    KubernetesExecution,
    LogPosition,
    pending_reason,
    unpack_outputs,
)
from runs.bundle import write_bundle
from storage_backends.local import LocalStorage
from tests.fixtures.fake_kubernetes import FakeKubernetes
from tests.fixtures.fake_kubernetes import fake_kubernetes as fake_kubernetes
from tests.fixtures.s3 import S3Server
from tests.fixtures.s3 import s3_server as s3_server

# --- a bundle of small operations ------------------------------------------------------------

SHOUT = """
from pathlib import Path


def run(ctx, words, times):
    found = Path(words).read_text().split()
    for word in found:
        print(word.upper() * times, flush=True)
    ctx.log_metric("words", len(found))
    path = ctx.output_path("report", ".txt")
    Path(path).write_text(" ".join(found).upper())
    return {"report": path, "count": len(found)}
"""

FAIL = """
def run(ctx):
    print("about to fail", flush=True)
    raise ValueError("this node always fails")
"""

SLOW = """
import time


def run(ctx, seconds):
    deadline = time.time() + seconds
    tick = 0
    while time.time() < deadline:
        print(f"tick {tick}", flush=True)
        tick += 1
        time.sleep(0.1)
    return {}
"""


def operation(slug: str, inputs: list[dict[str, Any]], outputs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": slug.title(),
        "slug": slug,
        "version": 1,
        "content_hash": slug,
        "kind": "python",
        "module": f"{slug}_v1",
        "file": f"operations/{slug}_v1.py",
        "entrypoint": "run",
        "inputs": inputs,
        "outputs": outputs,
        "parameters": [],
        "resources": {},
        "requirements": [],
    }


OPERATIONS = {
    "shout": (
        operation(
            "shout",
            [{"name": "words", "type": "file"}],
            [{"name": "report", "type": "file"}, {"name": "count", "type": "int"}],
        ),
        SHOUT,
        {"times": 1},
    ),
    "fail": (operation("fail", [], []), FAIL, {}),
    "slow": (operation("slow", [], []), SLOW, {"seconds": 30}),
}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real execution bundle (runs/bundle.write_bundle) with one node per operation."""
    target = tmp_path_factory.mktemp("bundle") / "b"
    nodes = [
        {"id": slug, "label": slug, "operation": entry, "params": params}
        for slug, (entry, _, params) in OPERATIONS.items()
    ]
    spec = {
        "format": 1,
        "pipeline": {"id": 1, "name": "Kubernetes test", "version": 1, "content_hash": "x"},
        "nodes": nodes,
        "edges": [],
        "inputs": [],
    }
    sources = {entry["file"]: source for entry, source, _ in OPERATIONS.values()}
    write_bundle(target, spec, sources)
    return target


def launch_spec(
    bundle: Path,
    node_id: str,
    work_dir: Path,
    inputs: dict[str, Any] | None = None,
    resources: dict[str, Any] | None = None,
    **more: Any,
) -> LaunchSpec:
    """The node's work dir and job file, laid out as runs/executor.py does."""
    (work_dir / "inputs").mkdir(parents=True, exist_ok=True)
    nodes = {n["id"]: n for n in json.loads((bundle / "pipeline.json").read_text())["nodes"]}
    job_file = work_dir / "job.json"
    job_file.write_text(json.dumps({"inputs": inputs or {}, "params": {}, "node": nodes[node_id]}))
    return LaunchSpec(
        bundle_dir=bundle,
        node_id=node_id,
        work_dir=work_dir,
        job_file=job_file,
        resources=resources or {"cpu": 0.5, "memory": "256Mi"},
        run_id=more.pop("run_id", 7),
        attempt=more.pop("attempt", 1),
        **more,
    )


def run_to_end(execution: Any, timeout: float = 60.0) -> tuple[int, list[str]]:
    """Watch like runs/watch.py: new lines, then the exit code, until it ends."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        lines += execution.read_lines()
        code = execution.exit_code()
        if code is not None:
            lines += execution.read_lines()
            return code, lines
        assert time.monotonic() < deadline, "\n".join(lines)
        execution.wait(0.05)


def lines_until(execution: Any, wanted: str, timeout: float = 60.0) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while not any(wanted in line for line in lines):
        assert execution.exit_code() is None, "\n".join(lines)
        assert time.monotonic() < deadline, "\n".join(lines)
        lines += execution.read_lines()
        execution.wait(0.05)
    return lines


@pytest.fixture
def storage(s3_server: S3Server) -> Any:
    return s3_server.storage()


@pytest.fixture
def backend(fake_kubernetes: FakeKubernetes, storage: Any) -> KubernetesCompute:
    return KubernetesCompute(
        {"namespace": "pipelines"},
        storage=storage,
        configuration=fake_kubernetes.configuration(),
        poll_seconds=0.1,
    )


def words_input(work_dir: Path, text: str = "hello kubernetes world") -> dict[str, str]:
    path = work_dir / "inputs" / "words.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return {"words": str(path)}


# --- running nodes through the real client ---------------------------------------------------


def test_a_node_runs_in_a_pod_and_its_outputs_land_in_the_work_dir(
    backend, fake_kubernetes, storage, bundle, tmp_path
):
    # given a node with a file input, laid out as the executor does
    work_dir = tmp_path / "work"
    spec = launch_spec(bundle, "shout", work_dir, inputs=words_input(work_dir))
    # when it runs on Kubernetes
    execution = backend.launch(spec)
    code, lines = run_to_end(execution)
    # then its log arrived line by line, and its outputs are in the work dir
    assert code == 0, "\n".join(lines)
    assert lines[0].startswith("[pipewright] created Job pipelines/pw-7-shout-1-")
    assert "[pipewright] fetched the bundle and the inputs" in lines
    assert lines.index("HELLO") < lines.index("KUBERNETES") < lines.index("WORLD")
    assert any(line.startswith("[pipewright] uploaded the node's outputs") for line in lines)
    result = json.loads((work_dir / "result.json").read_text())
    assert result["outputs"]["count"] == {"type": "int", "path": "outputs/count.json", "value": 3}
    assert (work_dir / result["outputs"]["report"]["path"]).read_text() == "HELLO KUBERNETES WORLD"
    assert json.loads((work_dir / "metrics.jsonl").read_text())["value"] == 3.0
    assert json.loads((work_dir / "job.json").read_text())["inputs"]["words"].startswith(str(work_dir))
    # the Job was made as the manifest says, and the pod ran the bundle's node
    created = fake_kubernetes.requests_to("POST", "/apis/batch/v1/namespaces/pipelines/jobs")
    assert len(created) == 1
    job = created[0].body
    assert job["metadata"]["labels"]["pipewright.dev/run"] == "7"
    pod = job["spec"]["template"]["spec"]
    assert pod["containers"][0]["command"][:4] == ["python", "../bundle/runtime/pod.py", "--node", "shout"]
    assert fake_kubernetes.requests_to("GET", "/api/v1/namespaces/pipelines/pods?labelSelector=job-name")
    # when it is released, the Job and the objects in transit are gone
    execution.release()
    deleted = fake_kubernetes.requests_to("DELETE", f"/jobs/{job['metadata']['name']}")
    assert [r.query["propagationPolicy"] for r in deleted] == [["Background"]]
    assert storage.list_keys("tmp") == []


def test_a_failing_node_gives_its_exit_code_and_its_log(backend, bundle, tmp_path):
    # given a node whose operation raises
    work_dir = tmp_path / "work"
    # when it runs
    execution = backend.launch(launch_spec(bundle, "fail", work_dir))
    code, lines = run_to_end(execution)
    execution.release()
    # then its code and traceback come back, and no result
    assert code == 1
    assert "about to fail" in lines
    assert "ValueError: this node always fails" in lines
    assert not (work_dir / "result.json").exists()


def test_log_lines_arrive_while_the_node_runs_and_kill_deletes_the_job(
    backend, fake_kubernetes, bundle, tmp_path
):
    # given a node that prints for 30 s
    execution = backend.launch(launch_spec(bundle, "slow", tmp_path / "work"))
    # when its first lines are out
    lines = lines_until(execution, "tick 2")
    # then they arrived while it still runs, each once
    assert execution.exit_code() is None
    ticks = [line for line in lines if line.startswith("tick ")]
    assert ticks == [f"tick {i}" for i in range(len(ticks))]
    name = lines[0].rsplit("/", 1)[1]
    pod = fake_kubernetes.pod_of(name)
    assert pod is not None and pod.process is not None
    process = pod.process
    # when it is killed
    execution.kill()
    # then its Job was deleted with its pods, and the process is gone
    deleted = fake_kubernetes.requests_to("DELETE", f"/apis/batch/v1/namespaces/pipelines/jobs/{name}")
    assert len(deleted) == 1 and deleted[0].query == {"propagationPolicy": ["Background"]}
    assert process.wait(timeout=10) != 0
    assert execution.exit_code() == 137
    execution.release()
    assert len(fake_kubernetes.requests_to("DELETE")) == 1


def test_a_pending_pod_says_why_through_on_wait_once_per_change(backend, fake_kubernetes, bundle, tmp_path):
    # given a cluster with no room for the pod
    fake_kubernetes.hold_pods("Unschedulable", "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.")
    waits: list[str] = []
    spec = launch_spec(bundle, "shout", tmp_path / "work", inputs=words_input(tmp_path / "work"))
    execution = backend.launch(spec, on_wait=waits.append)
    # when it is watched for a while
    seen: list[str] = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        seen += execution.read_lines()
        assert execution.exit_code() is None
        execution.wait(0.05)
    # then the reason was told once
    assert waits == [
        "[pipewright] waiting for Kubernetes: Unschedulable: "
        "0/3 nodes are available: 3 Insufficient nvidia.com/gpu."
    ]
    # when the reason changes, it is told again; once the pod runs, the node ends
    fake_kubernetes.hold_pods("ImagePullBackOff", 'Back-off pulling image "python:3.11-slim"')
    while len(waits) < 2:
        seen += execution.read_lines()
        execution.wait(0.05)
    fake_kubernetes.release_pods()
    code, lines = run_to_end(execution)
    execution.release()
    assert code == 0, "\n".join(lines)
    assert (
        waits[1]
        == '[pipewright] waiting for Kubernetes: ImagePullBackOff: Back-off pulling image "python:3.11-slim"'
    )
    assert len(waits) == 2
    # a pod pulling its image is on a node already: the log says which
    assert [line for line in seen + lines if line.endswith(" is on node fake-node")]


def test_every_request_carries_the_bearer_token(backend, fake_kubernetes, bundle, tmp_path):
    execution = backend.launch(launch_spec(bundle, "fail", tmp_path / "work"))
    run_to_end(execution)
    execution.release()
    assert len(fake_kubernetes.requests) > 3
    assert {r.headers.get("Authorization") for r in fake_kubernetes.requests} == {"Bearer fake-token"}


def test_a_wrong_token_is_refused_and_leaves_nothing_behind(fake_kubernetes, storage, bundle, tmp_path):
    backend = KubernetesCompute(storage=storage, configuration=fake_kubernetes.configuration("wrong"))
    with pytest.raises(LaunchRefused, match="HTTP 401 Unauthorized"):
        backend.launch(launch_spec(bundle, "fail", tmp_path / "work"))
    assert storage.list_keys("tmp") == []


def test_the_api_server_and_token_options_reach_the_cluster(fake_kubernetes, storage, bundle, tmp_path):
    # given cluster access from the options alone, as a linked account would give it
    options = {"api_server": fake_kubernetes.url, "token": "fake-token", "namespace": "team-a"}
    backend = KubernetesCompute(options, storage=storage, poll_seconds=0.1)
    # when a node runs
    execution = backend.launch(launch_spec(bundle, "fail", tmp_path / "work"))
    code, _ = run_to_end(execution)
    execution.release()
    # then it ran in that namespace
    assert code == 1
    assert fake_kubernetes.requests_to("POST", "/apis/batch/v1/namespaces/team-a/jobs")


def test_a_kubeconfig_that_cannot_be_loaded_is_a_refusal(storage, bundle, tmp_path):
    backend = KubernetesCompute({"kubeconfig": str(tmp_path / "missing.yaml")}, storage=storage)
    with pytest.raises(LaunchRefused, match="cannot load the Kubernetes configuration"):
        backend.launch(launch_spec(bundle, "fail", tmp_path / "work"))


def test_a_storage_without_presigned_urls_is_refused(fake_kubernetes, bundle, tmp_path):
    backend = KubernetesCompute(
        storage=LocalStorage(tmp_path / "artifacts"), configuration=fake_kubernetes.configuration()
    )
    with pytest.raises(LaunchRefused, match="Kubernetes compute needs S3 storage"):
        backend.launch(launch_spec(bundle, "fail", tmp_path / "work"))
    assert fake_kubernetes.requests == []


def test_a_job_past_its_deadline_ends_with_124(backend, fake_kubernetes, bundle, tmp_path):
    # given a slow node with a 1 s timeout
    execution = backend.launch(launch_spec(bundle, "slow", tmp_path / "work", timeout_seconds=1))
    # when the Job controller stops it
    code, lines = run_to_end(execution)
    execution.release()
    # then the node failed as timed out, saying why
    assert code == 124, "\n".join(lines)
    assert fake_kubernetes.requests_to("POST")[0].body["spec"]["activeDeadlineSeconds"] == 1
    assert (
        "[pipewright] Kubernetes stopped the node: DeadlineExceeded: "
        "Job was active longer than specified deadline"
    ) in lines


def test_a_pytorchjob_runs_its_master_and_brings_back_its_outputs(backend, fake_kubernetes, bundle, tmp_path):
    # given a node asking for a distributed PyTorch job
    work_dir = tmp_path / "work"
    resources = {"cpu": 1, "memory": "1Gi", "resource_type": "PyTorchJob", "workers": 2}
    spec = launch_spec(bundle, "shout", work_dir, inputs=words_input(work_dir, "a b"), resources=resources)
    # when it runs
    execution = backend.launch(spec)
    code, lines = run_to_end(execution)
    execution.release()
    # then the CRD was created, its master's log and outputs came back, and it was deleted
    assert code == 0, "\n".join(lines)
    assert lines[0].startswith("[pipewright] created PyTorchJob pipelines/pw-7-shout-1-")
    created = fake_kubernetes.requests_to("POST", "/apis/kubeflow.org/v1/namespaces/pipelines/pytorchjobs")
    replicas = created[0].body["spec"]["pytorchReplicaSpecs"]
    assert (replicas["Master"]["replicas"], replicas["Worker"]["replicas"]) == (1, 2)
    assert [line for line in lines if line in ("A", "B")] == ["A", "B"]
    assert json.loads((work_dir / "result.json").read_text())["outputs"]["count"]["value"] == 2
    name = created[0].body["metadata"]["name"]
    assert fake_kubernetes.requests_to("DELETE", f"/pytorchjobs/{name}?propagationPolicy=Background")


def test_without_the_training_operator_a_pytorchjob_is_refused(backend, fake_kubernetes, bundle, tmp_path):
    fake_kubernetes.kubeflow_installed = False
    spec = launch_spec(bundle, "fail", tmp_path / "work", resources={"resource_type": "PyTorchJob"})
    with pytest.raises(LaunchRefused, match="is the Kubeflow training operator installed"):
        backend.launch(spec)
    assert backend.storage.list_keys("tmp") == []


def test_a_manifest_the_cluster_refuses_is_a_refusal(backend, fake_kubernetes, bundle, tmp_path):
    fake_kubernetes.refuse_create = (
        422,
        "Invalid",
        'Job.batch "x" is invalid: spec.template: Required value',
    )
    with pytest.raises(LaunchRefused, match=r"HTTP 422 .*is invalid: spec.template: Required value"):
        backend.launch(launch_spec(bundle, "fail", tmp_path / "work"))


class EvilOutputs:
    """S3 storage whose uploaded outputs hold a member climbing out of the work dir."""

    def __init__(self, storage: Any) -> None:
        self.storage = storage

    def __getattr__(self, name: str) -> Any:
        return getattr(self.storage, name)

    def open(self, key: str) -> Any:
        if key.endswith("outputs.tar.gz"):
            return io.BytesIO(tar_of({"result.json": b"{}", "../escaped.txt": b"gotcha"}))
        return self.storage.open(key)


def tar_of(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return buffer.getvalue()


def test_outputs_escaping_the_work_dir_are_refused(fake_kubernetes, storage, bundle, tmp_path):
    # given a storage that hands back an archive climbing out of the work dir
    backend = KubernetesCompute(
        storage=EvilOutputs(storage), configuration=fake_kubernetes.configuration(), poll_seconds=0.1
    )
    work_dir = tmp_path / "deep" / "work"
    spec = launch_spec(bundle, "shout", work_dir, inputs=words_input(work_dir))
    # when the node ends well
    execution = backend.launch(spec)
    code, lines = run_to_end(execution)
    execution.release()
    # then the archive is refused, nothing landed outside, and the node fails
    assert code == 1
    assert any(line.startswith("[pipewright] refused the outputs the pod uploaded") for line in lines)
    assert not (tmp_path / "deep" / "escaped.txt").exists()


@pytest.mark.parametrize(
    "archive",
    [
        tar_of({"/etc/absolute.txt": b"x"}),
        tar_of({"outputs/../../up.txt": b"x"}),
        tar_of({}, links={"outputs/link": "/etc/passwd"}),
    ],
    ids=["absolute", "climbing", "link-out"],
)
def test_unpacking_refuses_members_outside_the_work_dir(archive, tmp_path):
    work_dir = tmp_path / "a" / "work"
    work_dir.mkdir(parents=True)
    with pytest.raises(tarfile.FilterError):
        unpack_outputs(io.BytesIO(archive), work_dir)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.django_db
def test_nodes_of_the_example_pipeline_run_through_the_fake_kubelet(backend, tmp_path):
    # given the bundle of the built-in example, rendered as a run renders it
    from editor.library.loader import examples_project, load_library
    from editor.models import Pipeline
    from runs.bundle import render_bundle
    from runs.submit import operation_versions_for

    load_library()
    version = Pipeline.objects.get(project=examples_project(), name="Classify synthetic blobs").versions.get()
    bundle = render_bundle(version, operation_versions_for(version, latest=False))
    # when its first node runs, then the second on the first one's output
    data_dir = tmp_path / "data"
    execution = backend.launch(launch_spec(bundle, "data", data_dir))
    code, lines = run_to_end(execution, timeout=120)
    execution.release()
    assert code == 0, "\n".join(lines)
    dataset = data_dir / json.loads((data_dir / "result.json").read_text())["outputs"]["dataset"]["path"]
    split_dir = tmp_path / "split"
    (split_dir / "inputs").mkdir(parents=True)
    shutil.copyfile(dataset, split_dir / "inputs" / "dataset.csv")
    inputs = {"dataset": str(split_dir / "inputs" / "dataset.csv")}
    execution = backend.launch(launch_spec(bundle, "split", split_dir, inputs=inputs))
    code, lines = run_to_end(execution, timeout=120)
    execution.release()
    # then both made their outputs as main.py would
    assert code == 0, "\n".join(lines)
    outputs = json.loads((split_dir / "result.json").read_text())["outputs"]
    rows = sum(len((split_dir / out["path"]).read_text().splitlines()) - 1 for out in outputs.values())
    assert rows == len(dataset.read_text().splitlines()) - 1


# --- manifests ---------------------------------------------------------------------------------


def node_job(**overrides: Any) -> m.NodeJob:
    values: dict[str, Any] = {
        "name": "pw-12-train-2-abc123",
        "node_id": "train",
        "resources": {"cpu": 4, "memory": "16Gi", "gpus": 2},
        "input_url": "https://s3.example/in?sig=1",
        "output_url": "https://s3.example/out?sig=2",
        "run_id": 12,
        "attempt": 2,
        "timeout_seconds": 3599.5,
        "env": {"SEED": "1"},
    }
    values.update(overrides)
    return m.NodeJob(**values)


FULL_OPTIONS = m.KubernetesOptions.model_validate(
    {
        "namespace": "ml",
        "image": "registry.example/pipewright-torch:2",
        "gpu_type": "NVIDIA-A100-SXM4-40GB",
        "node_selector": {"pool": "gpu"},
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "service_account": "pipewright-runner",
        "image_pull_secrets": ["registry-creds"],
        "pvc_mounts": [
            {"claim": "datasets", "mount_path": "/data", "read_only": True},
            {"claim": "scratch", "mount_path": "/scratch", "sub_path": "team-a"},
        ],
        "env_from_secrets": ["wandb"],
        "env_from_config_maps": ["training-defaults"],
        "ttl_seconds": 600,
    }
)

LABELS = {
    "app.kubernetes.io/managed-by": "pipewright",
    "app.kubernetes.io/name": "pipewright-node",
    "pipewright.dev/run": "12",
    "pipewright.dev/node": "train",
    "pipewright.dev/attempt": "2",
}


def test_a_gpu_node_becomes_this_job():
    assert m.node_command("train") == [
        "python", "../bundle/runtime/pod.py", "--node", "train", "--work-dir", ".", "--job", "job.json"
    ]  # fmt: skip
    manifest = m.manifest_for(node_job(), FULL_OPTIONS)
    fetch_resources = {"requests": {"cpu": "4", "memory": "16Gi"}, "limits": {"cpu": "4", "memory": "16Gi"}}
    assert manifest == {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": "pw-12-train-2-abc123",
            "namespace": "ml",
            "labels": LABELS,
            "annotations": {"pipewright.dev/node-id": "train"},
        },
        "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": 3600,
            "ttlSecondsAfterFinished": 600,
            "template": {
                "metadata": {
                    "labels": {**LABELS, "pipewright.dev/job": "pw-12-train-2-abc123"},
                    "annotations": {"pipewright.dev/node-id": "train"},
                },
                "spec": {
                    "restartPolicy": "Never",
                    "serviceAccountName": "pipewright-runner",
                    "imagePullSecrets": [{"name": "registry-creds"}],
                    "nodeSelector": {"pool": "gpu", "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB"},
                    "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
                    "initContainers": [
                        {
                            "name": "fetch",
                            "image": "registry.example/pipewright-torch:2",
                            "command": ["python", "-c", m.FETCH_SCRIPT],
                            "workingDir": "/work",
                            "env": [{"name": "PIPEWRIGHT_INPUT_URL", "value": "https://s3.example/in?sig=1"}],
                            "volumeMounts": [{"name": "work", "mountPath": "/work"}],
                            "resources": fetch_resources,
                        }
                    ],
                    "containers": [
                        {
                            "name": "main",
                            "image": "registry.example/pipewright-torch:2",
                            "command": m.node_command("train"),
                            "workingDir": "/work/node",
                            "env": [
                                {"name": "PYTHONUNBUFFERED", "value": "1"},
                                {"name": "SEED", "value": "1"},
                                {"name": "CUDA_VISIBLE_DEVICES", "value": "0,1"},
                                {"name": "PIPEWRIGHT_OUTPUT_URL", "value": "https://s3.example/out?sig=2"},
                            ],
                            "envFrom": [
                                {"secretRef": {"name": "wandb"}},
                                {"configMapRef": {"name": "training-defaults"}},
                            ],
                            "volumeMounts": [
                                {"name": "work", "mountPath": "/work"},
                                {"name": "pvc-0", "mountPath": "/data", "readOnly": True},
                                {"name": "pvc-1", "mountPath": "/scratch", "subPath": "team-a"},
                            ],
                            "resources": {
                                "requests": {"cpu": "4", "memory": "16Gi"},
                                "limits": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "2"},
                            },
                        }
                    ],
                    "volumes": [
                        {"name": "work", "emptyDir": {}},
                        {
                            "name": "pvc-0",
                            "persistentVolumeClaim": {"claimName": "datasets", "readOnly": True},
                        },
                        {"name": "pvc-1", "persistentVolumeClaim": {"claimName": "scratch"}},
                    ],
                },
            },
        },
    }


def test_a_cpu_node_asks_for_no_gpu_and_ignores_the_gpu_type():
    job = node_job(resources={"cpu": 0.25, "memory": "512Mi"}, timeout_seconds=None)
    options = m.KubernetesOptions(gpu_type="NVIDIA-A100-SXM4-40GB", gpu_resource="amd.com/gpu")
    manifest = m.job_manifest(job, options)
    pod = manifest["spec"]["template"]["spec"]
    main = pod["containers"][0]
    assert main["resources"] == {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "250m", "memory": "512Mi"},
    }
    assert {"name": "CUDA_VISIBLE_DEVICES", "value": ""} in main["env"]
    assert "nodeSelector" not in pod and "tolerations" not in pod and "serviceAccountName" not in pod
    assert "activeDeadlineSeconds" not in manifest["spec"]
    assert manifest["spec"]["ttlSecondsAfterFinished"] == 3600
    assert main["image"] == "python:3.11-slim"


def test_gpus_are_asked_for_as_the_configured_resource():
    main = m.job_manifest(node_job(resources={"gpus": 1}), m.KubernetesOptions(gpu_resource="amd.com/gpu"))
    assert main["spec"]["template"]["spec"]["containers"][0]["resources"] == {"limits": {"amd.com/gpu": "1"}}


def test_a_pytorchjob_has_one_master_and_the_asked_workers():
    job = node_job(
        resources={"cpu": 2, "memory": "8Gi", "gpus": 1, "resource_type": "PyTorchJob", "workers": 3}
    )
    manifest = m.manifest_for(job, FULL_OPTIONS)
    assert (manifest["apiVersion"], manifest["kind"]) == ("kubeflow.org/v1", "PyTorchJob")
    assert manifest["metadata"]["labels"] == LABELS
    assert manifest["spec"]["runPolicy"] == {
        "backoffLimit": 0,
        "cleanPodPolicy": "Running",
        "ttlSecondsAfterFinished": 600,
        "activeDeadlineSeconds": 3600,
    }
    replicas = manifest["spec"]["pytorchReplicaSpecs"]
    assert sorted(replicas) == ["Master", "Worker"]
    assert (replicas["Master"]["replicas"], replicas["Worker"]["replicas"]) == (1, 3)
    for kind, replica in replicas.items():
        assert replica["restartPolicy"] == "Never"
        template = replica["template"]
        assert template["metadata"]["labels"]["pipewright.dev/replica"] == kind.lower()
        assert template["metadata"]["labels"]["pipewright.dev/job"] == "pw-12-train-2-abc123"
        (main,) = template["spec"]["containers"]
        assert main["name"] == "pytorch"  # the operator injects its env into this container
        assert main["resources"]["limits"]["nvidia.com/gpu"] == "1"
        assert template["spec"]["initContainers"][0]["name"] == "fetch"
        uploads = [e for e in main["env"] if e["name"] == "PIPEWRIGHT_OUTPUT_URL"]
        assert bool(uploads) is (kind == "Master")  # only rank 0 sends the outputs back
    assert (
        m.primary_pod_selector("pw-x", "PyTorchJob")
        == "pipewright.dev/job=pw-x,pipewright.dev/replica=master"
    )


def test_a_tfjob_has_a_chief_and_an_mpijob_a_launcher_running_mpirun():
    tf = m.manifest_for(node_job(resources={"resource_type": "TFJob", "workers": 2}), m.KubernetesOptions())
    assert sorted(tf["spec"]["tfReplicaSpecs"]) == ["Chief", "Worker"]
    assert tf["spec"]["tfReplicaSpecs"]["Chief"]["template"]["spec"]["containers"][0]["name"] == "tensorflow"
    job = node_job(resources={"gpus": 4, "resource_type": "MPIJob", "workers": 2})
    mpi = m.manifest_for(job, m.KubernetesOptions())
    assert mpi["spec"]["slotsPerWorker"] == 4
    replicas = mpi["spec"]["mpiReplicaSpecs"]
    (launcher,) = replicas["Launcher"]["template"]["spec"]["containers"]
    assert launcher["command"][:5] == ["mpirun", "--allow-run-as-root", "-np", "8", "-wdir"]
    assert launcher["command"][-8:] == m.node_command("train")
    assert "nvidia.com/gpu" not in launcher["resources"].get("limits", {})
    (worker,) = replicas["Worker"]["template"]["spec"]["containers"]
    assert "command" not in worker  # the image's own sshd
    assert worker["resources"]["limits"]["nvidia.com/gpu"] == "4"
    assert replicas["Worker"]["replicas"] == 2


def test_an_unknown_resource_type_is_refused(backend, bundle, tmp_path):
    with pytest.raises(ValueError, match="unknown resource_type 'RayJob'"):
        m.manifest_for(node_job(resources={"resource_type": "RayJob"}), m.KubernetesOptions())
    spec = launch_spec(bundle, "fail", tmp_path / "work", resources={"resource_type": "RayJob"})
    with pytest.raises(LaunchRefused, match="unknown resource_type 'RayJob'"):
        backend.launch(spec)


def test_names_and_labels_are_valid_for_kubernetes():
    name = m.job_name("Very_Long.Node-Name_" * 5, 123456, 3, "a1b2c3")
    assert len(name) <= 45
    assert name.startswith("pw-123456-very-long-node-name") and name.endswith("-3-a1b2c3")
    assert re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?", name)
    assert m.label_value("_node.") == "node"
    assert m.label_value("x" * 80) == "x" * 63
    assert m.cpu_quantity(1.0) == "1" and m.cpu_quantity(0.5) == "500m" and m.cpu_quantity(1.25) == "1250m"


def test_the_options_schema_and_the_options_model_agree():
    schema = KubernetesCompute.options_schema
    Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]) == set(m.KubernetesOptions.model_fields)
    defaults = m.KubernetesOptions().model_dump()
    for name, prop in schema["properties"].items():
        assert "title" in prop and "description" in prop, name
        assert prop["default"] == defaults[name], name
    assert list(Draft202012Validator(schema).iter_errors(FULL_OPTIONS.model_dump(exclude_none=True))) == []
    assert [n for n, p in schema["properties"].items() if p.get("writeOnly")] == ["token"]


def test_the_registry_builds_the_kubernetes_backend_with_the_runs_storage(storage):
    from compute_backends.registry import BACKENDS, get_compute

    backend = get_compute("kubernetes", {"namespace": "ml", "image": "python:3.12"}, storage=storage)
    assert isinstance(backend, KubernetesCompute) and BACKENDS["kubernetes"] is KubernetesCompute
    assert backend.storage is storage
    assert (backend.options.namespace, backend.options.image) == ("ml", "python:3.12")


# --- reading pod state ------------------------------------------------------------------------


def pod(
    phase: str, conditions: list[Any] | None = None, waiting: dict[str, str] | None = None
) -> dict[str, Any]:
    status: dict[str, Any] = {"phase": phase, "conditions": conditions or []}
    if waiting is not None:
        status["initContainerStatuses"] = [{"name": "fetch", "state": {"waiting": waiting}}]
        status["containerStatuses"] = [{"name": "main", "state": {"waiting": {"reason": "PodInitializing"}}}]
    return {"metadata": {"name": "p"}, "status": status}


def test_the_pending_reason_comes_from_scheduling_or_a_waiting_container():
    unschedulable = {
        "type": "PodScheduled",
        "status": "False",
        "reason": "Unschedulable",
        "message": "no GPU",
    }
    assert pending_reason(pod("Pending", [unschedulable])) == "Unschedulable: no GPU"
    assert pending_reason(pod("Pending", waiting={"reason": "ErrImagePull", "message": "not found"})) == (
        "ErrImagePull: not found"
    )
    assert pending_reason(pod("Pending", waiting={"reason": "ContainerCreating"})) == "ContainerCreating"
    assert pending_reason(pod("Pending", waiting={"reason": "PodInitializing"})) is None
    assert pending_reason(pod("Running", [unschedulable])) is None
    assert pending_reason(None) is None


def test_reading_a_log_again_passes_on_only_new_lines():
    position = LogPosition()
    first = ["2024-05-01T10:00:00Z", "2024-05-01T10:00:00.5Z", "2024-05-01T10:00:00.5Z"]
    assert [position.is_new(s) for s in first] == [True, True, True]
    position.start_reading()  # the connection dropped: the log is read from its start
    again = [*first, "2024-05-01T10:00:00.5Z", "2024-05-01T10:00:01.25Z"]
    assert [position.is_new(s) for s in again] == [False, False, False, True, True]


def test_an_execution_without_on_wait_puts_the_reason_in_its_log():
    class Quiet:
        container = "main"

    execution = KubernetesExecution(Quiet(), Path("."), None, ("a", "b"))  # type: ignore[arg-type]
    execution._report(pod("Pending", waiting={"reason": "ImagePullBackOff"}))
    execution._report(pod("Pending", waiting={"reason": "ImagePullBackOff"}))
    assert execution.lines.get_nowait() == "[pipewright] waiting for Kubernetes: ImagePullBackOff"
    assert execution.lines.empty()


def test_test_connection_says_whether_the_cluster_answers(fake_kubernetes: FakeKubernetes) -> None:
    from compute_backends.base import LaunchRefused

    good = KubernetesCompute(
        {"api_server": fake_kubernetes.url, "token": "fake-token", "namespace": "pipelines"}
    )
    good.check()
    wrong = KubernetesCompute({"api_server": fake_kubernetes.url, "token": "nope", "namespace": "pipelines"})
    with pytest.raises(LaunchRefused, match="refused these credentials"):
        wrong.check()
    nowhere = KubernetesCompute({"api_server": "http://127.0.0.1:9", "token": "t"})
    with pytest.raises(LaunchRefused, match=r"cannot reach http://127\.0\.0\.1:9"):
        nowhere.check()
