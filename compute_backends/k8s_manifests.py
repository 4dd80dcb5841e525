"""Kubernetes manifests for one node run: pure functions from options to dicts.

A node becomes a `batch/v1` Job, or a Kubeflow training job (`kubeflow.org/v1`
PyTorchJob, TFJob or MPIJob) when its resources say `resource_type`. Every pod
has the same two steps, sharing an emptyDir mounted at /work:

1. initContainer `fetch`: a Python standard-library one-liner downloads the
   node's input tarball (bundle + job file + inputs) from a presigned URL and
   unpacks it: /work/bundle is the execution bundle, /work/node the work dir.
2. the main container runs `runtime/pod.py` in /work/node, which runs the node
   exactly as `python main.py --node ID --work-dir . --job job.json` does and
   then PUTs the work dir (less its inputs) as a tar.gz to a presigned URL.

Nothing here talks to a cluster; `compute_backends/kubernetes.py` does.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

WORK_MOUNT = "/work"
NODE_DIR = f"{WORK_MOUNT}/node"
WORK_VOLUME = "work"
INPUT_URL_ENV = "PIPEWRIGHT_INPUT_URL"
OUTPUT_URL_ENV = "PIPEWRIGHT_OUTPUT_URL"
MANAGED_BY = "pipewright"
LABEL_RUN = "pipewright.dev/run"
LABEL_NODE = "pipewright.dev/node"
LABEL_ATTEMPT = "pipewright.dev/attempt"
LABEL_JOB = "pipewright.dev/job"
LABEL_REPLICA = "pipewright.dev/replica"
ANNOTATION_NODE_ID = "pipewright.dev/node-id"
MAIN_CONTAINER = "main"
FETCH_CONTAINER = "fetch"
UPLOAD_CONTAINER = "upload"
BUNDLE_DIR = f"{WORK_MOUNT}/bundle"
WORKSPACE_MOUNT = "/workspace"
WORKSPACE_VOLUME = "workspace"
MAKE_DIRS_ENV = "PIPEWRIGHT_MAKE_DIRS"
UPLOAD_READY_FILE = f"{WORK_MOUNT}/.upload-ready"  # runtime/pod.py READY_FILE, beside /work/node
# A container task's pod: time for the upload sidecar to send the outputs once told to stop.
TASK_GRACE_SECONDS = 120

# Standard library only, so any image with a Python works; streams the tarball
# straight into tarfile and refuses members escaping /work where Python can.
FETCH_SCRIPT = (
    "import os,tarfile,urllib.request as r;"
    f"s=r.urlopen(os.environ['{INPUT_URL_ENV}'],timeout=300);"
    "t=tarfile.open(fileobj=s,mode='r|gz');"
    "t.extractall('.',**({'filter':'data'} if hasattr(tarfile,'data_filter') else {}));"
    "print('[pipewright] fetched the bundle and the inputs',flush=True)"
)
# A container task's image may run as any user: the folders it writes to are made here,
# writable by all (the pod's own emptyDir; RUN_PATH on the workspace claim).
TASK_FETCH_SCRIPT = (
    FETCH_SCRIPT + f";[(os.makedirs(p,exist_ok=True),os.chmod(p,0o777)) for p in "
    f"os.environ['{MAKE_DIRS_ENV}'].split(':') if p]"
)
# The upload sidecar (a native sidecar: an init container with restartPolicy Always, which
# Kubernetes stops once the task's container has ended): packs and PUTs the work dir then.
UPLOAD_COMMAND = [
    "python", f"{BUNDLE_DIR}/runtime/pod.py", "--upload-when-stopped",
    "--work-dir", NODE_DIR, "--job", f"{NODE_DIR}/job.json",
]  # fmt: skip


class PvcMount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    claim: str = Field(min_length=1)
    mount_path: str = Field(pattern=r"^/")
    read_only: bool = False
    sub_path: str = ""


class Toleration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = ""
    operator: Literal["Equal", "Exists"] = "Equal"
    value: str = ""
    effect: Literal["", "NoSchedule", "PreferNoSchedule", "NoExecute"] = ""
    toleration_seconds: int | None = None

    def manifest(self) -> dict[str, Any]:
        out: dict[str, Any] = {"operator": self.operator}
        if self.key:
            out["key"] = self.key
        if self.value:
            out["value"] = self.value
        if self.effect:
            out["effect"] = self.effect
        if self.toleration_seconds is not None:
            out["tolerationSeconds"] = self.toleration_seconds
        return out


class KubernetesOptions(BaseModel):
    """The backend's options, as `KubernetesCompute.options_schema` describes them."""

    model_config = ConfigDict(extra="forbid")

    context: str = ""
    kubeconfig: str = ""
    in_cluster: bool = False
    api_server: str = ""
    token: str = ""
    ca_cert: str = ""
    namespace: str = "default"
    image: str = "python:3.11-slim"
    image_pull_policy: Literal["", "Always", "IfNotPresent", "Never"] = ""
    gpu_resource: str = "nvidia.com/gpu"
    gpu_type: str = ""
    gpu_type_label: str = "nvidia.com/gpu.product"
    node_selector: dict[str, str] = Field(default_factory=dict)
    tolerations: list[Toleration] = Field(default_factory=list)
    service_account: str = ""
    image_pull_secrets: list[str] = Field(default_factory=list)
    pvc_mounts: list[PvcMount] = Field(default_factory=list)
    env_from_secrets: list[str] = Field(default_factory=list)
    env_from_config_maps: list[str] = Field(default_factory=list)
    ttl_seconds: int = Field(default=3600, ge=0)
    # A claim every container task of a run mounts at /workspace: ${RUN_PATH} is
    # /workspace/run-<id> on it, shared by the run's pods; without it, a folder of each pod.
    workspace_claim: str = ""


@dataclass(frozen=True)
class TrainingKind:
    """How one Kubeflow training CRD spells its replicas."""

    kind: str
    plural: str
    replica_specs: str  # the spec key holding the replica specs
    primary: str  # the replica whose pod runs rank 0, uploads and is watched
    container: str  # the container name the operator expects
    group: str = "kubeflow.org"
    version: str = "v1"


KUBEFLOW_GROUP = "kubeflow.org"
KUBEFLOW_VERSION = "v1"
TRAINING_KINDS: dict[str, TrainingKind] = {
    "PyTorchJob": TrainingKind("PyTorchJob", "pytorchjobs", "pytorchReplicaSpecs", "Master", "pytorch"),
    "TFJob": TrainingKind("TFJob", "tfjobs", "tfReplicaSpecs", "Chief", "tensorflow"),
    "MPIJob": TrainingKind("MPIJob", "mpijobs", "mpiReplicaSpecs", "Launcher", "mpi"),
    # DLRover's elastic job (the shape of its documented AllreduceStrategy example, not
    # tried against the operator here): `workers` worker replicas, one template, no primary
    # replica of its own: the newest worker pod is watched, and every worker uploads.
    "ElasticJob": TrainingKind(
        "ElasticJob", "elasticjobs", "replicaSpecs", "worker", "main", "elastic.iml.github.io", "v1alpha1"
    ),
}
# resource_type -> what runs: "Pod" (a single pod, the default of YAML pipelines) is a
# batch/v1 Job of one pod, like "job": the same watch, deadline, TTL and clean-up.
SINGLE_POD_TYPES = frozenset({"job", "Pod"})


@dataclass(frozen=True)
class ContainerTask:
    """A container task's main container, everything filled in (runtime/container.py) for
    the pod's paths, and its own Kubernetes extras (OperationVersion.kubernetes)."""

    image: str
    command: list[str]
    args: list[str]
    env: dict[str, str]
    make_dirs: list[str]  # made (world-writable) by the fetch step: outputs, RUN_PATH, WORK_PATH
    mounts: list[dict[str, str]] = field(default_factory=list)  # name, path, claim
    secrets: list[str] = field(default_factory=list)
    config_maps: list[str] = field(default_factory=list)
    pull_policy: str = ""
    node_selector: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NodeJob:
    """What one launch needs in its manifest, beside the backend's options."""

    name: str
    node_id: str
    resources: dict[str, Any]
    input_url: str
    output_url: str
    run_id: int | str | None = None
    attempt: int | None = None
    timeout_seconds: float | None = None
    env: dict[str, str] = field(default_factory=dict)
    task: ContainerTask | None = None  # a container task: its own image and command

    @property
    def resource_type(self) -> str:
        return str(self.resources.get("resource_type") or "job")

    @property
    def gpus(self) -> int:
        return int(self.resources.get("gpus", 0) or 0)


# --- names and labels ------------------------------------------------------------


def dns_label(text: str, limit: int = 63) -> str:
    """`text` as a DNS-1123 label part: lower case alphanumerics and '-'."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return cleaned[:limit].strip("-") or "x"


def label_value(text: str) -> str:
    """`text` as a label value: at most 63 of [A-Za-z0-9._-], alphanumeric at both ends."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text)[:63]
    return re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", cleaned)


def job_name(node_id: str, run_id: int | str | None, attempt: int | None, suffix: str) -> str:
    """pw-<run>-<node>-<attempt>-<suffix>, at most 45 characters so the names a
    training operator derives (`<name>-worker-12`, services) stay valid."""
    head = "pw" + (f"-{dns_label(str(run_id), 12)}" if run_id is not None else "")
    tail = (f"-{attempt}" if attempt is not None else "") + f"-{dns_label(suffix, 8)}"
    room = 45 - len(head) - len(tail) - 1
    return f"{head}-{dns_label(node_id, max(room, 1))}{tail}"


def task_job_name(pipeline_name: str, node_id: str, suffix: str) -> str:
    """A container task's Job: `<pipeline>-<task>-<suffix>`, at most 45 characters (as
    `job_name`); its pod is that name and 5 more characters."""
    tail = f"-{dns_label(suffix, 8)}"
    room = 45 - len(tail)
    task = re.sub(r"-+", "-", dns_label(node_id, room))
    pipeline = re.sub(r"-+", "-", dns_label(pipeline_name))[: max(room - len(task) - 1, 0)].strip("-")
    return (f"{pipeline}-{task}" if pipeline else task) + tail


def labels_for(job: NodeJob) -> dict[str, str]:
    labels = {"app.kubernetes.io/managed-by": MANAGED_BY, "app.kubernetes.io/name": "pipewright-node"}
    if job.run_id is not None:
        labels[LABEL_RUN] = label_value(str(job.run_id))
    labels[LABEL_NODE] = label_value(job.node_id)
    if job.attempt is not None:
        labels[LABEL_ATTEMPT] = str(job.attempt)
    return labels


def metadata_for(job: NodeJob, options: KubernetesOptions) -> dict[str, Any]:
    return {
        "name": job.name,
        "namespace": options.namespace,
        "labels": labels_for(job),
        "annotations": {ANNOTATION_NODE_ID: job.node_id},
    }


# --- containers -------------------------------------------------------------------


def cpu_quantity(cpu: float) -> str:
    """1 -> "1", 0.5 -> "500m", 1.25 -> "1250m"."""
    if float(cpu).is_integer():
        return str(int(cpu))
    return f"{math.ceil(float(cpu) * 1000)}m"


def resources_for(resources: dict[str, Any], options: KubernetesOptions, gpus: bool = True) -> dict[str, Any]:
    """Requests equal limits for cpu and memory (a node gets what it asked for and
    no more); GPUs as a limit of the extended resource, which implies the request."""
    amounts: dict[str, str] = {}
    if resources.get("cpu") is not None:
        amounts["cpu"] = cpu_quantity(float(resources["cpu"]))
    if resources.get("memory"):
        amounts["memory"] = str(resources["memory"])
    limits = dict(amounts)
    count = int(resources.get("gpus", 0) or 0)
    if gpus and count > 0:
        limits[options.gpu_resource] = str(count)
    out: dict[str, Any] = {}
    if amounts:
        out["requests"] = amounts
    if limits:
        out["limits"] = limits
    return out


def node_command(node_id: str) -> list[str]:
    """The main container's command, run in /work/node: runtime/pod.py runs the node as
    `python main.py --node ID --work-dir . --job job.json`, then uploads the outputs."""
    return ["python", "../bundle/runtime/pod.py", "--node", node_id, "--work-dir", ".", "--job", "job.json"]


def fetch_container(job: NodeJob, options: KubernetesOptions) -> dict[str, Any]:
    env = [{"name": INPUT_URL_ENV, "value": job.input_url}]
    mounts = [{"name": WORK_VOLUME, "mountPath": WORK_MOUNT}]
    script = FETCH_SCRIPT
    if job.task is not None:
        script = TASK_FETCH_SCRIPT
        env.append({"name": MAKE_DIRS_ENV, "value": ":".join(job.task.make_dirs)})
        if options.workspace_claim:
            mounts.append({"name": WORKSPACE_VOLUME, "mountPath": WORKSPACE_MOUNT})
    container: dict[str, Any] = {
        "name": FETCH_CONTAINER,
        "image": options.image,
        "command": ["python", "-c", script],
        "workingDir": WORK_MOUNT,
        "env": env,
        "volumeMounts": mounts,
        "resources": resources_for(job.resources, options, gpus=False),
    }
    if options.image_pull_policy:
        container["imagePullPolicy"] = options.image_pull_policy
    return container


def _env(job: NodeJob, upload: bool) -> list[dict[str, Any]]:
    values = {"PYTHONUNBUFFERED": "1", **job.env}
    # Inside a pod the device plugin shows exactly the granted GPUs, numbered from 0.
    values["CUDA_VISIBLE_DEVICES"] = ",".join(str(i) for i in range(job.gpus))
    if upload:
        values[OUTPUT_URL_ENV] = job.output_url
    return [{"name": name, "value": value} for name, value in values.items()]


def _env_from(options: KubernetesOptions) -> list[dict[str, Any]]:
    return [{"secretRef": {"name": name}} for name in options.env_from_secrets] + [
        {"configMapRef": {"name": name}} for name in options.env_from_config_maps
    ]


def _volume_mounts(options: KubernetesOptions) -> list[dict[str, Any]]:
    mounts: list[dict[str, Any]] = [{"name": WORK_VOLUME, "mountPath": WORK_MOUNT}]
    for index, pvc in enumerate(options.pvc_mounts):
        mount: dict[str, Any] = {"name": f"pvc-{index}", "mountPath": pvc.mount_path}
        if pvc.read_only:
            mount["readOnly"] = True
        if pvc.sub_path:
            mount["subPath"] = pvc.sub_path
        mounts.append(mount)
    return mounts


def main_container(
    job: NodeJob,
    options: KubernetesOptions,
    name: str = MAIN_CONTAINER,
    upload: bool = True,
    command: list[str] | None = None,
) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": options.image}
    if command is None:
        command = node_command(job.node_id)
    if command:
        container["command"] = command
    container["workingDir"] = NODE_DIR
    container["env"] = _env(job, upload)
    env_from = _env_from(options)
    if env_from:
        container["envFrom"] = env_from
    container["volumeMounts"] = _volume_mounts(options)
    container["resources"] = resources_for(job.resources, options)
    if options.image_pull_policy:
        container["imagePullPolicy"] = options.image_pull_policy
    return container


def task_volume_name(mount_name: str) -> str:
    return f"mount-{mount_name}"[:63].rstrip("-")


def task_container(
    job: NodeJob, options: KubernetesOptions, name: str = MAIN_CONTAINER, keep_entrypoint: bool = False
) -> dict[str, Any]:
    """A container task's own container: its image, command and args (`keep_entrypoint`:
    neither, as MPI workers run their image's sshd), in /work/node, with its PW_* variables."""
    task = job.task
    assert task is not None
    container: dict[str, Any] = {"name": name, "image": task.image}
    if task.command and not keep_entrypoint:
        container["command"] = list(task.command)
    if task.args and not keep_entrypoint:
        container["args"] = list(task.args)
    container["workingDir"] = NODE_DIR
    container["env"] = _env(job, upload=False) + [
        {"name": key, "value": value} for key, value in task.env.items()
    ]
    env_from = (
        _env_from(options)
        + [{"secretRef": {"name": secret}} for secret in task.secrets]
        + [{"configMapRef": {"name": config_map}} for config_map in task.config_maps]
    )
    if env_from:
        container["envFrom"] = env_from
    mounts = _volume_mounts(options)
    if options.workspace_claim:
        mounts.append({"name": WORKSPACE_VOLUME, "mountPath": WORKSPACE_MOUNT})
    for mount in task.mounts:
        mounts.append({"name": task_volume_name(mount["name"]), "mountPath": mount["path"]})
    container["volumeMounts"] = mounts
    container["resources"] = resources_for(job.resources, options)
    pull_policy = task.pull_policy or options.image_pull_policy
    if pull_policy:
        container["imagePullPolicy"] = pull_policy
    return container


def upload_sidecar(job: NodeJob, options: KubernetesOptions) -> dict[str, Any]:
    """Sends a container task's work dir to the output URL once the task has ended: the
    task's image needs neither Python nor a shell."""
    container: dict[str, Any] = {
        "name": UPLOAD_CONTAINER,
        "image": options.image,
        "restartPolicy": "Always",
        "command": list(UPLOAD_COMMAND),
        "workingDir": NODE_DIR,
        "env": [
            {"name": "PYTHONUNBUFFERED", "value": "1"},
            {"name": OUTPUT_URL_ENV, "value": job.output_url},
        ],
        "volumeMounts": [{"name": WORK_VOLUME, "mountPath": WORK_MOUNT}],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
        # Kubernetes starts the task once this passes: once the sidecar listens for its stop
        # (a task quicker than Python's start-up would otherwise stop it before it listens).
        "startupProbe": {
            "exec": {"command": ["test", "-e", UPLOAD_READY_FILE]},
            "periodSeconds": 1,
            "failureThreshold": 120,
        },
    }
    if options.image_pull_policy:
        container["imagePullPolicy"] = options.image_pull_policy
    return container


def node_container(
    job: NodeJob, options: KubernetesOptions, name: str = MAIN_CONTAINER, upload: bool = True
) -> dict[str, Any]:
    """The node's main container: a container task's own, or the bundle's runtime."""
    if job.task is not None:
        return task_container(job, options, name)
    return main_container(job, options, name, upload=upload)


# --- pods and workloads -------------------------------------------------------------------


def pod_spec(
    job: NodeJob, options: KubernetesOptions, main: dict[str, Any], upload: bool = True
) -> dict[str, Any]:
    """A pod of the node; a container task's pod that sends the outputs (`upload`) has the
    upload sidecar after the fetch step."""
    spec: dict[str, Any] = {"restartPolicy": "Never"}
    if options.service_account:
        spec["serviceAccountName"] = options.service_account
    if options.image_pull_secrets:
        spec["imagePullSecrets"] = [{"name": name} for name in options.image_pull_secrets]
    selector = dict(options.node_selector)
    if job.task is not None:
        selector.update(job.task.node_selector)
    if job.gpus > 0 and options.gpu_type:
        selector[options.gpu_type_label] = options.gpu_type
    if selector:
        spec["nodeSelector"] = selector
    if options.tolerations:
        spec["tolerations"] = [toleration.manifest() for toleration in options.tolerations]
    spec["initContainers"] = [fetch_container(job, options)]
    if job.task is not None and upload:
        spec["initContainers"].append(upload_sidecar(job, options))
        spec["terminationGracePeriodSeconds"] = TASK_GRACE_SECONDS
    spec["containers"] = [main]
    volumes: list[dict[str, Any]] = [{"name": WORK_VOLUME, "emptyDir": {}}]
    for index, pvc in enumerate(options.pvc_mounts):
        claim: dict[str, Any] = {"claimName": pvc.claim}
        if pvc.read_only:
            claim["readOnly"] = True
        volumes.append({"name": f"pvc-{index}", "persistentVolumeClaim": claim})
    if job.task is not None:
        if options.workspace_claim:
            volumes.append(
                {"name": WORKSPACE_VOLUME, "persistentVolumeClaim": {"claimName": options.workspace_claim}}
            )
        for mount in job.task.mounts:
            volumes.append(
                {
                    "name": task_volume_name(mount["name"]),
                    "persistentVolumeClaim": {"claimName": mount["claim"]},
                }
            )
    spec["volumes"] = volumes
    return spec


def _deadline(job: NodeJob) -> int | None:
    return math.ceil(job.timeout_seconds) if job.timeout_seconds else None


def job_manifest(job: NodeJob, options: KubernetesOptions) -> dict[str, Any]:
    """A batch/v1 Job running the node once: Pipewright retries by itself, so no backoff."""
    template_labels = {**labels_for(job), LABEL_JOB: job.name}
    spec: dict[str, Any] = {"backoffLimit": 0}
    deadline = _deadline(job)
    if deadline is not None:
        spec["activeDeadlineSeconds"] = deadline
    spec["ttlSecondsAfterFinished"] = options.ttl_seconds
    spec["template"] = {
        "metadata": {"labels": template_labels, "annotations": {ANNOTATION_NODE_ID: job.node_id}},
        "spec": pod_spec(job, options, node_container(job, options)),
    }
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": metadata_for(job, options), "spec": spec}


def _replica(
    job: NodeJob,
    options: KubernetesOptions,
    replica: str,
    count: int,
    main: dict[str, Any],
    upload: bool = True,
    restart_policy: bool = True,
) -> dict[str, Any]:
    labels = {**labels_for(job), LABEL_JOB: job.name, LABEL_REPLICA: replica.lower()}
    out: dict[str, Any] = {"replicas": count}
    if restart_policy:  # Kubeflow's replica field; DLRover's replicas have none
        out["restartPolicy"] = "Never"
    out["template"] = {
        "metadata": {"labels": labels, "annotations": {ANNOTATION_NODE_ID: job.node_id}},
        "spec": pod_spec(job, options, main, upload=upload),
    }
    return out


def training_job_manifest(job: NodeJob, options: KubernetesOptions) -> dict[str, Any]:
    """A Kubeflow training job: one primary replica (Master, Chief or Launcher) and
    `workers` Worker replicas. Every replica fetches the bundle; only rank 0 (the
    primary, or under MPI the process with rank 0) uploads the outputs."""
    kind = TRAINING_KINDS[job.resource_type]
    workers = int(job.resources.get("workers", 1) or 1)
    if kind.kind == "ElasticJob":
        return elastic_job_manifest(job, options, kind, workers)
    run_policy: dict[str, Any] = {
        "backoffLimit": 0,
        "cleanPodPolicy": "Running",  # finished pods stay for their logs until the TTL
        "ttlSecondsAfterFinished": options.ttl_seconds,
    }
    deadline = _deadline(job)
    if deadline is not None:
        run_policy["activeDeadlineSeconds"] = deadline
    spec: dict[str, Any] = {"runPolicy": run_policy}
    if kind.kind == "MPIJob":
        slots = max(job.gpus, 1)
        launcher_job = NodeJob(
            name=job.name,
            node_id=job.node_id,
            resources={"cpu": 1, "memory": "1Gi"},
            input_url=job.input_url,
            output_url=job.output_url,
            run_id=job.run_id,
            attempt=job.attempt,
            timeout_seconds=job.timeout_seconds,
            env=job.env,
            task=job.task,
        )
        mpirun = [
            "mpirun", "--allow-run-as-root", "-np", str(workers * slots), "-wdir", NODE_DIR,
            "-x", OUTPUT_URL_ENV, "-x", "PYTHONUNBUFFERED",
            *node_command(job.node_id),
        ]  # fmt: skip
        # Workers run the image's own command (an sshd, as Kubeflow MPI images do); a
        # container task's launcher runs the task's own command (its mpirun).
        if job.task is not None:
            launcher = task_container(launcher_job, options, kind.container)
            worker = task_container(job, options, kind.container, keep_entrypoint=True)
        else:
            launcher = main_container(launcher_job, options, kind.container, upload=True, command=mpirun)
            worker = main_container(job, options, kind.container, upload=False, command=[])
        spec["slotsPerWorker"] = slots
        spec[kind.replica_specs] = {
            "Launcher": _replica(launcher_job, options, "Launcher", 1, launcher),
            "Worker": _replica(job, options, "Worker", workers, worker, upload=False),
        }
    else:
        primary = node_container(job, options, kind.container, upload=True)
        worker = node_container(job, options, kind.container, upload=False)
        spec[kind.replica_specs] = {
            kind.primary: _replica(job, options, kind.primary, 1, primary),
            "Worker": _replica(job, options, "Worker", workers, worker, upload=False),
        }
    return {
        "apiVersion": f"{kind.group}/{kind.version}",
        "kind": kind.kind,
        "metadata": metadata_for(job, options),
        "spec": spec,
    }


def elastic_job_manifest(
    job: NodeJob, options: KubernetesOptions, kind: TrainingKind, workers: int
) -> dict[str, Any]:
    """DLRover's ElasticJob (experimental, see TRAINING_KINDS): `workers` workers of one
    template, each fetching the bundle and sending its outputs."""
    main = node_container(job, options, kind.container, upload=True)
    return {
        "apiVersion": f"{kind.group}/{kind.version}",
        "kind": kind.kind,
        "metadata": metadata_for(job, options),
        "spec": {
            "distributionStrategy": "AllreduceStrategy",
            "optimizeMode": "single-job",
            kind.replica_specs: {
                kind.primary: _replica(job, options, kind.primary, workers, main, restart_policy=False)
            },
        },
    }


def manifest_for(job: NodeJob, options: KubernetesOptions) -> dict[str, Any]:
    """The Job, or the training CRD the node's `resource_type` asks for."""
    if job.resource_type in SINGLE_POD_TYPES:
        return job_manifest(job, options)
    if job.resource_type in TRAINING_KINDS:
        return training_job_manifest(job, options)
    raise ValueError(
        f"unknown resource_type {job.resource_type!r}; expected Pod, job, {', '.join(TRAINING_KINDS)}"
    )


def primary_pod_selector(job_name_: str, resource_type: str) -> str:
    """The label selector of the pod whose log and exit code are the node's."""
    if resource_type in TRAINING_KINDS:
        return f"{LABEL_JOB}={job_name_},{LABEL_REPLICA}={TRAINING_KINDS[resource_type].primary.lower()}"
    return f"job-name={job_name_}"


def primary_container(resource_type: str) -> str:
    kind = TRAINING_KINDS.get(resource_type)
    return kind.container if kind else MAIN_CONTAINER
