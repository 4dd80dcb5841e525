"""Container tasks on the Kubernetes backend: each runs its own image and command in a pod
whose `fetch` step brings the bundle and inputs, and whose upload sidecar sends the outputs
back once the task has ended (docs/kubernetes.md, "Container tasks"). The manifests are
checked field by field; a run goes end to end through the fake API server and kubelet
(tests/fixtures/fake_kubernetes.py) with a real S3 server."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from compute_backends import k8s_manifests as m
from compute_backends.base import LaunchSpec
from compute_backends.kubernetes import container_task, pack_inputs, prepare_task
from runs.bundle import write_bundle

# --- manifests -------------------------------------------------------------------------------

OPTIONS = m.KubernetesOptions(
    namespace="ml",
    image="registry.example/pipewright-tools:1",
    image_pull_policy="IfNotPresent",
    node_selector={"pool": "batch"},
    env_from_secrets=["team-creds"],
    pvc_mounts=[m.PvcMount(claim="datasets", mount_path="/data", read_only=True)],
    workspace_claim="runs-rwx",
    ttl_seconds=600,
    gpu_type="NVIDIA-A100-SXM4-40GB",
)

TASK = m.ContainerTask(
    image="ghcr.io/acme/resize:2.1",
    command=["resize"],
    args=["--in", "/work/node/inputs/images", "--out", "/work/node/outputs/thumbs", "--size", "64"],
    env={"PW_PARAM_SIZE": "64", "PW_OUTPUT_DIR": "/work/node/outputs", "PW_TASK_ID": "12-resize"},
    make_dirs=["/work/node", "/work/node/outputs", "/workspace/run-12", "/work/bundle/files/thumbs"],
    mounts=[{"name": "models", "path": "/workspace/run-12/models", "claim": "model-store"}],
    secrets=["hf-token"],
    config_maps=["resize-defaults"],
    pull_policy="Always",
    node_selector={"disk": "ssd"},
)

LABELS = {
    "app.kubernetes.io/managed-by": "pipewright",
    "app.kubernetes.io/name": "pipewright-node",
    "pipewright.dev/run": "12",
    "pipewright.dev/node": "resize",
    "pipewright.dev/attempt": "1",
}


def task_job(resources: dict[str, Any] | None = None, task: m.ContainerTask = TASK) -> m.NodeJob:
    return m.NodeJob(
        name="thumbs-resize-abc123",
        node_id="resize",
        resources={"cpu": 2, "memory": "4Gi", "gpus": 1} if resources is None else resources,
        input_url="https://s3.example/in?sig=1",
        output_url="https://s3.example/out?sig=2",
        run_id=12,
        attempt=1,
        timeout_seconds=900,
        task=task,
    )


FETCH = {
    "name": "fetch",
    "image": "registry.example/pipewright-tools:1",
    "command": ["python", "-c", m.TASK_FETCH_SCRIPT],
    "workingDir": "/work",
    "env": [
        {"name": "PIPEWRIGHT_INPUT_URL", "value": "https://s3.example/in?sig=1"},
        {
            "name": "PIPEWRIGHT_MAKE_DIRS",
            "value": "/work/node:/work/node/outputs:/workspace/run-12:/work/bundle/files/thumbs",
        },
    ],
    "volumeMounts": [
        {"name": "work", "mountPath": "/work"},
        {"name": "workspace", "mountPath": "/workspace"},
    ],
    "resources": {"requests": {"cpu": "2", "memory": "4Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}},
    "imagePullPolicy": "IfNotPresent",
}

UPLOAD = {
    "name": "upload",
    "image": "registry.example/pipewright-tools:1",
    "restartPolicy": "Always",
    "command": [
        "python", "/work/bundle/runtime/pod.py", "--upload-when-stopped",
        "--work-dir", "/work/node", "--job", "/work/node/job.json",
    ],
    "workingDir": "/work/node",
    "env": [
        {"name": "PYTHONUNBUFFERED", "value": "1"},
        {"name": "PIPEWRIGHT_OUTPUT_URL", "value": "https://s3.example/out?sig=2"},
    ],
    "volumeMounts": [{"name": "work", "mountPath": "/work"}],
    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
    "startupProbe": {
        "exec": {"command": ["test", "-e", "/work/.upload-ready"]},
        "periodSeconds": 1,
        "failureThreshold": 120,
    },
    "imagePullPolicy": "IfNotPresent",
}  # fmt: skip


def main_container(name: str = "main") -> dict[str, Any]:
    return {
        "name": name,
        "image": "ghcr.io/acme/resize:2.1",
        "command": ["resize"],
        "args": ["--in", "/work/node/inputs/images", "--out", "/work/node/outputs/thumbs", "--size", "64"],
        "workingDir": "/work/node",
        "env": [
            {"name": "PYTHONUNBUFFERED", "value": "1"},
            {"name": "CUDA_VISIBLE_DEVICES", "value": "0"},
            {"name": "PW_PARAM_SIZE", "value": "64"},
            {"name": "PW_OUTPUT_DIR", "value": "/work/node/outputs"},
            {"name": "PW_TASK_ID", "value": "12-resize"},
        ],
        "envFrom": [
            {"secretRef": {"name": "team-creds"}},
            {"secretRef": {"name": "hf-token"}},
            {"configMapRef": {"name": "resize-defaults"}},
        ],
        "volumeMounts": [
            {"name": "work", "mountPath": "/work"},
            {"name": "pvc-0", "mountPath": "/data", "readOnly": True},
            {"name": "workspace", "mountPath": "/workspace"},
            {"name": "mount-models", "mountPath": "/workspace/run-12/models"},
        ],
        "resources": {
            "requests": {"cpu": "2", "memory": "4Gi"},
            "limits": {"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": "1"},
        },
        "imagePullPolicy": "Always",
    }


VOLUMES = [
    {"name": "work", "emptyDir": {}},
    {"name": "pvc-0", "persistentVolumeClaim": {"claimName": "datasets", "readOnly": True}},
    {"name": "workspace", "persistentVolumeClaim": {"claimName": "runs-rwx"}},
    {"name": "mount-models", "persistentVolumeClaim": {"claimName": "model-store"}},
]


def pod_spec(main: dict[str, Any], upload: bool = True) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "restartPolicy": "Never",
        "nodeSelector": {"pool": "batch", "disk": "ssd", "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB"},
        "initContainers": [FETCH, UPLOAD] if upload else [FETCH],
    }
    if upload:
        spec["terminationGracePeriodSeconds"] = 120
    spec["containers"] = [main]
    spec["volumes"] = VOLUMES
    return spec


@pytest.mark.parametrize("resource_type", ["Pod", "job"])
def test_a_container_task_becomes_a_job_of_one_pod_running_its_image(resource_type):
    # given a container task asking for a GPU, with every option and extra set
    job = task_job({"cpu": 2, "memory": "4Gi", "gpus": 1, "resource_type": resource_type})

    # when its manifest is made
    manifest = m.manifest_for(job, OPTIONS)

    # then it is a Job of one pod: fetch, the upload sidecar, and the task's own container
    assert manifest == {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": "thumbs-resize-abc123",
            "namespace": "ml",
            "labels": LABELS,
            "annotations": {"pipewright.dev/node-id": "resize"},
        },
        "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": 900,
            "ttlSecondsAfterFinished": 600,
            "template": {
                "metadata": {
                    "labels": {**LABELS, "pipewright.dev/job": "thumbs-resize-abc123"},
                    "annotations": {"pipewright.dev/node-id": "resize"},
                },
                "spec": pod_spec(main_container()),
            },
        },
    }


def test_a_task_without_options_or_extras_keeps_to_the_defaults():
    # given a bare task on default options: no claim, no selector, no pull policy
    task = m.ContainerTask(
        image="busybox:1.36",
        command=[],
        args=["echo", "hi"],
        env={"PW_OUTPUT_DIR": "/work/node/outputs"},
        make_dirs=["/work/node", "/work/node/outputs", "/work/workspace", "/work/bundle/files/p"],
    )
    job = task_job({}, task)

    # when its manifest is made
    pod = m.manifest_for(job, m.KubernetesOptions())["spec"]["template"]["spec"]

    # then the image keeps its entrypoint (no command), and nothing else is asked for
    (main,) = pod["containers"]
    assert main == {
        "name": "main",
        "image": "busybox:1.36",
        "args": ["echo", "hi"],
        "workingDir": "/work/node",
        "env": [
            {"name": "PYTHONUNBUFFERED", "value": "1"},
            {"name": "CUDA_VISIBLE_DEVICES", "value": ""},
            {"name": "PW_OUTPUT_DIR", "value": "/work/node/outputs"},
        ],
        "volumeMounts": [{"name": "work", "mountPath": "/work"}],
        "resources": {},
    }
    assert "nodeSelector" not in pod
    assert [c["name"] for c in pod["initContainers"]] == ["fetch", "upload"]
    assert pod["initContainers"][0]["volumeMounts"] == [{"name": "work", "mountPath": "/work"}]
    assert pod["volumes"] == [{"name": "work", "emptyDir": {}}]


def test_a_pytorchjob_task_runs_its_command_in_the_master_and_every_worker():
    # given a task asking for a PyTorchJob with 3 workers
    job = task_job({"cpu": 2, "memory": "4Gi", "gpus": 1, "resource_type": "PyTorchJob", "workers": 3})

    # when its manifest is made
    manifest = m.manifest_for(job, OPTIONS)

    # then the master has the upload sidecar; the workers run the same container without it
    assert manifest["apiVersion"] == "kubeflow.org/v1"
    assert manifest["kind"] == "PyTorchJob"
    assert manifest["spec"]["runPolicy"] == {
        "backoffLimit": 0,
        "cleanPodPolicy": "Running",
        "ttlSecondsAfterFinished": 600,
        "activeDeadlineSeconds": 900,
    }
    replicas = manifest["spec"]["pytorchReplicaSpecs"]
    assert set(replicas) == {"Master", "Worker"}
    for replica, count, upload in (("Master", 1, True), ("Worker", 3, False)):
        assert replicas[replica]["replicas"] == count
        assert replicas[replica]["restartPolicy"] == "Never"
        template = replicas[replica]["template"]
        assert template["metadata"]["labels"]["pipewright.dev/replica"] == replica.lower()
        assert template["spec"] == pod_spec(main_container("pytorch"), upload=upload)


def test_a_tfjob_task_has_a_chief_that_uploads():
    job = task_job({"gpus": 1, "resource_type": "TFJob", "workers": 2})
    replicas = m.manifest_for(job, OPTIONS)["spec"]["tfReplicaSpecs"]
    chief, worker = replicas["Chief"]["template"]["spec"], replicas["Worker"]["template"]["spec"]
    assert [c["name"] for c in chief["initContainers"]] == ["fetch", "upload"]
    assert [c["name"] for c in worker["initContainers"]] == ["fetch"]
    assert chief["containers"][0]["name"] == worker["containers"][0]["name"] == "tensorflow"
    assert chief["containers"][0]["command"] == ["resize"]
    assert replicas["Worker"]["replicas"] == 2


def test_an_mpijob_task_runs_its_command_in_the_launcher_and_its_image_in_the_workers():
    job = task_job({"gpus": 2, "resource_type": "MPIJob", "workers": 2})
    manifest = m.manifest_for(job, OPTIONS)
    assert manifest["spec"]["slotsPerWorker"] == 2
    replicas = manifest["spec"]["mpiReplicaSpecs"]
    launcher = replicas["Launcher"]["template"]["spec"]
    worker = replicas["Worker"]["template"]["spec"]
    # the launcher runs the task's own command (its mpirun), on 1 CPU, and uploads
    (main,) = launcher["containers"]
    assert (main["name"], main["command"], main["args"]) == ("mpi", ["resize"], TASK.args)
    assert main["resources"] == {
        "requests": {"cpu": "1", "memory": "1Gi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    }
    assert [c["name"] for c in launcher["initContainers"]] == ["fetch", "upload"]
    # the workers run the image's entrypoint (an sshd), with the GPUs
    (sshd,) = worker["containers"]
    assert "command" not in sshd and "args" not in sshd
    assert sshd["resources"]["limits"]["nvidia.com/gpu"] == "2"
    assert [c["name"] for c in worker["initContainers"]] == ["fetch"]
    assert replicas["Worker"]["replicas"] == 2


def test_an_elasticjob_task_follows_dlrovers_shape():
    # given a task asking for an ElasticJob of 4 workers
    job = task_job({"cpu": 2, "memory": "4Gi", "gpus": 1, "resource_type": "ElasticJob", "workers": 4})

    # when its manifest is made
    manifest = m.manifest_for(job, OPTIONS)

    # then it is DLRover's elastic job: one worker template, every worker fetching and uploading
    assert manifest == {
        "apiVersion": "elastic.iml.github.io/v1alpha1",
        "kind": "ElasticJob",
        "metadata": {
            "name": "thumbs-resize-abc123",
            "namespace": "ml",
            "labels": LABELS,
            "annotations": {"pipewright.dev/node-id": "resize"},
        },
        "spec": {
            "distributionStrategy": "AllreduceStrategy",
            "optimizeMode": "single-job",
            "replicaSpecs": {
                "worker": {
                    "replicas": 4,
                    "template": {
                        "metadata": {
                            "labels": {
                                **LABELS,
                                "pipewright.dev/job": "thumbs-resize-abc123",
                                "pipewright.dev/replica": "worker",
                            },
                            "annotations": {"pipewright.dev/node-id": "resize"},
                        },
                        "spec": pod_spec(main_container()),
                    },
                }
            },
        },
    }
    assert m.primary_pod_selector("thumbs-resize-abc123", "ElasticJob") == (
        "pipewright.dev/job=thumbs-resize-abc123,pipewright.dev/replica=worker"
    )


def test_a_task_job_is_named_after_its_pipeline_and_task():
    name = m.task_job_name("Resize Images (nightly)", "make_thumbnails", "abc123")
    assert name == "resize-images-nightly-make-thumbnails-abc123"
    long = m.task_job_name("A" * 80, "task", "abc123")
    assert len(long) <= 45 and long.endswith("-task-abc123") and long.startswith("aaaa")
    assert all(len(n) <= 63 for n in (name, long))
    import re

    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", long)


def test_the_fetch_step_of_a_task_makes_its_folders_writable(tmp_path, monkeypatch):
    # given the task fetch script's last step, with the folders it is told to make
    wanted = [tmp_path / "node" / "outputs", tmp_path / "run-1"]
    monkeypatch.setenv(m.MAKE_DIRS_ENV, ":".join(str(p) for p in wanted))
    step = m.TASK_FETCH_SCRIPT.split(";")[-1]
    # when it runs
    exec("import os;" + step, {})
    # then they exist, writable by any user
    assert all(p.is_dir() and (p.stat().st_mode & 0o777) == 0o777 for p in wanted)


# --- from a launch spec to the task's container ------------------------------------------------

RESIZE = {
    "name": "Resize",
    "slug": "resize",
    "version": 1,
    "content_hash": "x",
    "kind": "container",
    "module": "resize_v1",
    "file": "operations/resize_v1.py",
    "entrypoint": "",
    "inputs": [{"name": "images", "type": "directory"}, {"name": "scale", "type": "float"}],
    "outputs": [{"name": "thumbs", "type": "directory"}],
    "parameters": [{"name": "size", "type": "int", "default": 32}, {"name": "mode", "type": "str"}],
    "resources": {},
    "requirements": [],
    "image": "ghcr.io/acme/resize:2.1",
    "command": ["resize", "--config", "${WORK_PATH}/configs/resize.yaml"],
    "args": ["{{images}}", "{{thumbs}}", "--size={{size}}", "--scale", "{{scale}}", "--id", "${TASK_ID}"],
    "kubernetes": {
        "mounts": [{"name": "cache", "path": "${RUN_PATH}/cache", "claim": "cache-rwx"}],
        "secrets": ["hf-token"],
        "config_maps": ["resize-defaults"],
        "pull_policy": "Never",
        "node_selector": {"disk": "ssd"},
    },
}


def test_the_tasks_container_is_filled_in_for_the_pods_paths(tmp_path):
    # given a bundle with a container task and a launch spec laid out as the executor does
    bundle = tmp_path / "bundle"
    node = {"id": "resize", "label": "resize", "operation": RESIZE, "params": {"size": 64}}
    spec_json = {
        "format": 1,
        "pipeline": {"id": 1, "name": "Thumbs", "version": 1, "content_hash": "x"},
        "nodes": [node],
        "edges": [],
        "inputs": [],
    }
    write_bundle(
        bundle, spec_json, {str(RESIZE["file"]): ""}, {"files/thumbs/configs/resize.yaml": b"a: 1\n"}
    )
    work_dir = tmp_path / "work"
    (work_dir / "inputs" / "images").mkdir(parents=True)
    (work_dir / "inputs" / "images" / "a.png").write_bytes(b"png")
    job_file = work_dir / "job.json"
    job = {
        "inputs": {"images": str(work_dir / "inputs" / "images"), "scale": {"value": 0.5}},
        "params": {"mode": "a b; $(rm -rf /)"},
        "node": node,
        "task": {"id": "12-resize", "pipeline_slug": "thumbs"},
    }
    job_file.write_text(json.dumps(job))
    spec = LaunchSpec(bundle, "resize", work_dir, job_file, {"cpu": 1}, run_id=12, attempt=1)
    options = m.KubernetesOptions(workspace_claim="runs-rwx")

    # when the backend prepares it
    prepared = prepare_task(spec)
    assert prepared is not None
    import io

    packed = pack_inputs(spec, io.BytesIO())
    task = container_task(spec, prepared, packed, "Thumbs", options)

    # then an inline value became a file, and everything points where the pod has it
    assert json.loads((work_dir / "inputs" / "scale.json").read_text()) == 0.5
    assert packed["inputs"] == {"images": "inputs/images", "scale": "inputs/scale.json"}
    assert task.image == "ghcr.io/acme/resize:2.1"
    assert task.command == ["resize", "--config", "/work/bundle/files/thumbs/configs/resize.yaml"]
    assert task.args == [
        "/work/node/inputs/images",
        "/work/node/outputs/thumbs",
        "--size=64",
        "--scale",
        "/work/node/inputs/scale.json",
        "--id",
        "12-resize",
    ]
    assert task.env == {
        "PW_PARAM_SIZE": "64",
        "PW_PARAM_MODE": "a b; $(rm -rf /)",
        "PW_INPUT_IMAGES": "/work/node/inputs/images",
        "PW_INPUT_SCALE": "/work/node/inputs/scale.json",
        "PW_OUTPUT_THUMBS": "/work/node/outputs/thumbs",
        "PW_OUTPUT_DIR": "/work/node/outputs",
        "PW_RUN_PATH": "/workspace/run-12",
        "PW_TASK_ID": "12-resize",
        "PW_ROOT_PATH": "/work/bundle/files",
        "PW_WORK_PATH": "/work/bundle/files/thumbs",
    }
    assert task.make_dirs == [
        "/work/node",
        "/work/node/outputs",
        "/workspace/run-12",
        "/work/bundle/files/thumbs",
    ]
    assert task.mounts == [{"name": "cache", "path": "/workspace/run-12/cache", "claim": "cache-rwx"}]
    assert (task.secrets, task.config_maps) == (["hf-token"], ["resize-defaults"])
    assert (task.pull_policy, task.node_selector) == ("Never", {"disk": "ssd"})
    # the pipeline's files travel in the bundle, at WORK_PATH
    assert (bundle / "files" / "thumbs" / "configs" / "resize.yaml").read_text() == "a: 1\n"


def test_without_a_workspace_claim_the_run_path_is_the_pods_own(tmp_path):
    spec = LaunchSpec(tmp_path, "resize", tmp_path, tmp_path / "job.json", {}, run_id=3, attempt=1)
    from compute_backends.kubernetes import task_variables

    assert task_variables(spec, {}, "thumbs", m.KubernetesOptions()) == {
        "TASK_ID": "3-resize",
        "RUN_PATH": "/work/workspace",
        "ROOT_PATH": "/work/bundle/files",
        "WORK_PATH": "/work/bundle/files/thumbs",
    }


# --- a run end to end through the fake cluster -------------------------------------------------

WRITE = (
    'printf "%s" "$PW_PARAM_WORD" > "{{greeting}}"; echo 3 > "{{count}}"; '
    'echo "${TASK_ID}" > "${RUN_PATH}/first.txt"; echo "first task ${TASK_ID} ran in $(pwd)"'
)
READ = (
    'cat "{{greeting}}" "${RUN_PATH}/first.txt" "${WORK_PATH}/configs/x.yaml" > "{{report}}"; '
    'echo "count=$(cat "$PW_INPUT_COUNT")" >> "{{report}}"; echo "second task ${TASK_ID} done"'
)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_pipeline_of_container_tasks_runs_as_pods_sharing_the_run_workspace(
    celery_worker, s3_server, fake_kubernetes, project, owner, make_graph_pipeline
):
    from editor.models import Operation
    from editor.operations import create_operation_version
    from runs.choices import RunState
    from runs.submit import submit_run
    from tests.fixtures.engine import wait_for_run

    # given two container tasks, the second reading what the first wrote (an output, the
    # run's workspace) and a file of the pipeline
    def container_op(slug: str, content: dict[str, Any]) -> Operation:
        operation = Operation.objects.create(project=project, name=slug.title(), slug=slug)
        create_operation_version(operation, {"kind": "container", "image": "busybox:1.36", **content})
        return operation

    write = container_op(
        "write",
        {
            "command": ["sh", "-c", WRITE],
            "outputs": [{"name": "greeting", "type": "file"}, {"name": "count", "type": "int"}],
            "parameters": [{"name": "word", "type": "str", "default": "hello"}],
            "kubernetes": {"node_selector": {"disk": "ssd"}},
        },
    )
    read = container_op(
        "read",
        {
            "command": ["sh", "-c", READ],
            "inputs": [{"name": "greeting", "type": "file"}, {"name": "count", "type": "int"}],
            "outputs": [{"name": "report", "type": "file"}],
        },
    )
    pipeline = make_graph_pipeline(
        project,
        {"first": write, "second": read},
        ["first.greeting -> second.greeting", "first.count -> second.count"],
        name="Pod Tasks",
        params={"first": {"word": "bonjour"}},
    )
    pipeline.graph["files"] = [{"path": "configs/x.yaml", "content": base64.b64encode(b"k: v\n").decode()}]
    pipeline.save()
    bucket = s3_server.make_bucket()
    config = {
        "name": "pods",
        "compute": {
            "backend": "kubernetes",
            "options": {
                "api_server": fake_kubernetes.url,
                "token": "fake-token",
                "namespace": "pipelines",
                "workspace_claim": "runs-rwx",
            },
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

    # when it runs on the kubernetes backend
    run = wait_for_run(submit_run(pipeline, config, owner), timeout=120)

    # then both tasks ran in pods of their own images, and the second saw what it should
    nodes = {node.node_id: node for node in run.node_runs.all()}
    assert run.state == RunState.SUCCEEDED, {k: (n.error, n.log[-3000:]) for k, n in nodes.items()}
    created = fake_kubernetes.requests_to("POST", "/apis/batch/v1/namespaces/pipelines/jobs")
    jobs = {r.body["metadata"]["labels"]["pipewright.dev/node"]: r.body for r in created}
    assert set(jobs) == {"first", "second"}
    assert jobs["first"]["metadata"]["name"].startswith("pod-tasks-first-")
    first_pod = jobs["first"]["spec"]["template"]["spec"]
    assert first_pod["containers"][0]["image"] == "busybox:1.36"
    assert first_pod["containers"][0]["command"][:2] == ["sh", "-c"]
    assert first_pod["nodeSelector"] == {"disk": "ssd"}
    assert (
        f'echo "{run.pk}-first" > "/workspace/run-{run.pk}/first.txt"'
        in first_pod["containers"][0]["command"][2]
    )
    # the report: the greeting, the first task's id from the run's workspace, the file, the count
    from editor.artifacts import storage_of
    from editor.models import Artifact

    artifact = Artifact.objects.get(pk=nodes["second"].outputs["report"]["artifact"])
    with storage_of(artifact).open(artifact.location) as source:
        report = source.read().decode()
    assert report == f"bonjour{run.pk}-first\nk: v\ncount=3\n"
    assert nodes["first"].outputs["count"]["value"] == 3
    # the tasks' own lines and the sidecar's are in the nodes' logs
    assert f"first task {run.pk}-first ran in " in nodes["first"].log
    assert f"second task {run.pk}-second done" in nodes["second"].log
    assert "[pipewright] uploaded the task's outputs" in nodes["second"].log
    # temporary objects are gone
    objects = {obj.object_name for obj in s3_server.client().list_objects(bucket, recursive=True)}
    assert not [name for name in objects if name.startswith("tmp/")]
