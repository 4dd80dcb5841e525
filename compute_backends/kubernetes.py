"""Kubernetes compute: each node runs as a Job (or a Kubeflow training job) in a cluster.

The launch packs the bundle, the node's inputs and its job file into one
tar.gz, puts it in the run's storage (which must presign URLs: S3/MinIO), and
creates the Job (`k8s_manifests.py` builds it): the pod fetches the tarball,
runs `python main.py --node ID`, and PUTs its work dir back as a tar.gz. The
execution follows the pod's log as it grows, tells the engine why a pod is
still Pending, and when the node has ended unpacks what it uploaded into the
local work dir before answering the exit code, so the engine stores outputs
exactly as for a local node. The official `kubernetes` client is imported
only when a cluster is used.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
import queue
import secrets
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from runtime.container import (
    FILES_DIR,
    TaskError,
    collect_outputs,
    input_paths,
    invocation,
    pipeline_slug,
    substitute_variables,
)

from .base import ComputeBackend, Execution, LaunchFailed, LaunchRefused, LaunchSpec
from .k8s_manifests import (
    BUNDLE_DIR,
    FETCH_CONTAINER,
    NODE_DIR,
    SINGLE_POD_TYPES,
    TRAINING_KINDS,
    UPLOAD_CONTAINER,
    WORK_MOUNT,
    WORKSPACE_MOUNT,
    ContainerTask,
    KubernetesOptions,
    NodeJob,
    job_name,
    manifest_for,
    primary_container,
    primary_pod_selector,
    task_job_name,
)

if TYPE_CHECKING:
    from kubernetes.client import ApiClient, Configuration

logger = logging.getLogger(__name__)

TEMP_PREFIX = "tmp/kubernetes"
MAX_URL_SECONDS = 7 * 24 * 3600  # the longest an S3 (SigV4) presigned URL lives
LOG_DRAIN_SECONDS = 15.0
# How long a container task's upload sidecar may take once the task has ended.
UPLOAD_WAIT_SECONDS = 300.0
# API answers worth trying again; anything else 4xx is a refusal.
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
JOB_DONE = frozenset({"Complete", "SuccessCriteriaMet", "Succeeded"})
JOB_FAILED = frozenset({"Failed", "FailureTarget"})
NORMAL_ENDINGS = frozenset({"", "Completed", "Error"})


class KubernetesUnavailable(LaunchFailed):
    """The API could not be reached or answered with a server error: worth a retry."""


# --- talking to the cluster ------------------------------------------------------------------


def api_error_text(exc: Exception) -> str:
    """A short description of a failed API call, with the server's own message."""
    status = getattr(exc, "status", None)
    if status is None:
        reason = getattr(exc, "reason", None) or exc
        return f"{type(reason).__name__}: {reason}"
    message = ""
    body = getattr(exc, "body", None)
    if body:
        try:
            message = json.loads(body).get("message", "")
        except (ValueError, AttributeError):
            message = str(body)[:300]
    return f"HTTP {status} {getattr(exc, 'reason', '') or ''}".rstrip() + (f": {message}" if message else "")


class Workload:
    """The Job or training job of one node, as the API sees it. Reads answer the
    raw JSON (dicts): the fields used here are few and stable across versions."""

    def __init__(self, api: ApiClient, namespace: str, name: str, resource_type: str) -> None:
        from kubernetes import client

        self.api = api
        self.namespace = namespace
        self.name = name
        self.resource_type = resource_type
        self.training = TRAINING_KINDS.get(resource_type)
        self.kind = self.training.kind if self.training else "Job"
        self.container = primary_container(resource_type)
        self.selector = primary_pod_selector(name, resource_type)
        self.batch = client.BatchV1Api(api)
        self.core = client.CoreV1Api(api)
        self.custom = client.CustomObjectsApi(api)

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}"

    def create(self, manifest: dict[str, Any]) -> None:
        from kubernetes import client

        if self.training is None:
            body = client.V1Job.from_dict(manifest)
            if body is None:
                raise ValueError("empty Job manifest")
            _json(self.batch.create_namespaced_job(self.namespace, body, _preload_content=False))
        else:
            self.custom.create_namespaced_custom_object(
                self.training.group, self.training.version, self.namespace, self.training.plural, manifest
            )

    def read(self) -> dict[str, Any] | None:
        """The object with its status; None once it is gone."""
        from kubernetes.client.exceptions import ApiException

        try:
            if self.training is None:
                response = self.batch.read_namespaced_job_status(
                    self.name, self.namespace, _preload_content=False
                )
                return _json(response)
            found = self.custom.get_namespaced_custom_object(
                self.training.group, self.training.version, self.namespace, self.training.plural, self.name
            )
            return cast(dict[str, Any], found)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise

    def delete(self) -> bool:
        """Delete it and, in the background, its pods; False if it was gone already."""
        from kubernetes.client.exceptions import ApiException

        try:
            if self.training is None:
                _json(
                    self.batch.delete_namespaced_job(
                        self.name, self.namespace, propagation_policy="Background", _preload_content=False
                    )
                )
            else:
                self.custom.delete_namespaced_custom_object(
                    self.training.group,
                    self.training.version,
                    self.namespace,
                    self.training.plural,
                    self.name,
                    propagation_policy="Background",
                )
        except ApiException as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def pods(self) -> list[dict[str, Any]]:
        response = self.core.list_namespaced_pod(
            self.namespace, label_selector=self.selector, _preload_content=False
        )
        items: list[dict[str, Any]] = _json(response).get("items") or []
        return items

    def pod(self, name: str) -> dict[str, Any] | None:
        from kubernetes.client.exceptions import ApiException

        try:
            return _json(self.core.read_namespaced_pod(name, self.namespace, _preload_content=False))
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise

    def follow_log(self, pod: str, container: str) -> Any:
        """The container's log from its start, timestamped, open until it ends."""
        return self.core.read_namespaced_pod_log(
            pod, self.namespace, container=container, follow=True, timestamps=True, _preload_content=False
        )


def _json(response: Any) -> dict[str, Any]:
    """The body of a response read without the client's models; reading it whole
    leaves the connection clean for the next request."""
    try:
        data: dict[str, Any] = json.loads(response.data or b"{}")
        return data
    finally:
        response.release_conn()


# --- reading pod state -------------------------------------------------------------------------


def newest_pod(pods: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not pods:
        return None
    return max(
        pods, key=lambda pod: (pod["metadata"].get("creationTimestamp") or "", pod["metadata"]["name"])
    )


def container_status(pod: dict[str, Any] | None, name: str) -> dict[str, Any] | None:
    if pod is None:
        return None
    status = pod.get("status") or {}
    for entry in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        if entry.get("name") == name:
            found: dict[str, Any] = entry
            return found
    return None


def container_state(pod: dict[str, Any] | None, name: str) -> tuple[str, dict[str, Any]] | None:
    """("waiting" | "running" | "terminated", details), or None when not reported."""
    entry = container_status(pod, name)
    if entry is None:
        return None
    for state in ("terminated", "running", "waiting"):
        details = (entry.get("state") or {}).get(state)
        if details is not None:
            return state, details
    return None


def pod_phase(pod: dict[str, Any] | None) -> str:
    return str(((pod or {}).get("status") or {}).get("phase") or "")


def pending_reason(pod: dict[str, Any] | None) -> str | None:
    """Why a Pending pod does not run yet (Unschedulable, ImagePullBackOff, ...), or None."""
    if pod is None or pod_phase(pod) != "Pending":
        return None
    status = pod.get("status") or {}
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            reason = condition.get("reason") or "Unschedulable"
            message = condition.get("message")
            return f"{reason}: {message}" if message else reason
    for entry in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        waiting = (entry.get("state") or {}).get("waiting") or {}
        reason = waiting.get("reason")
        if reason and reason != "PodInitializing":
            message = waiting.get("message")
            return f"{reason}: {message}" if message else reason
    return None


def condition(workload: dict[str, Any] | None, types: frozenset[str]) -> dict[str, Any] | None:
    """The first true condition of one of these types in the object's status."""
    for entry in ((workload or {}).get("status") or {}).get("conditions") or []:
        if entry.get("type") in types and str(entry.get("status")) == "True":
            found: dict[str, Any] = entry
            return found
    return None


def _timestamp_key(stamp: str) -> str:
    """RFC 3339 timestamps (as the kubelet writes them, UTC, trailing zeros cut) made comparable."""
    whole, _, fraction = stamp.rstrip("Z").partition(".")
    return f"{whole}.{fraction.ljust(9, '0')}"


class LogPosition:
    """How far a timestamped log has been passed on, so that reading it again after
    a dropped connection gives only lines not seen before."""

    def __init__(self) -> None:
        self.last = ""
        self.at_last = 0  # lines passed on that carry the `last` timestamp
        self.seen_now = 0  # lines with the `last` timestamp in the current reading

    def start_reading(self) -> None:
        self.seen_now = 0

    def is_new(self, stamp: str) -> bool:
        key = _timestamp_key(stamp)
        if key < self.last:
            return False
        if key == self.last:
            self.seen_now += 1
            if self.seen_now <= self.at_last:
                return False
            self.at_last += 1
            return True
        self.last, self.at_last, self.seen_now = key, 1, 1
        return True


class LogFollower(threading.Thread):
    """Follows the log of the pod's containers, one after the other, into `out`."""

    def __init__(
        self,
        workload: Workload,
        pod: str,
        containers: list[str],
        out: queue.SimpleQueue[str],
        poll_seconds: float,
    ) -> None:
        super().__init__(daemon=True, name=f"k8s-log-{pod}")
        self.workload = workload
        self.pod = pod
        self.containers = containers
        self.out = out
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()
        self.response: Any = None

    def stop(self) -> None:
        self.stopping.set()
        response = self.response
        if response is not None:
            with contextlib.suppress(Exception):
                response.shutdown()

    def run(self) -> None:
        try:
            for container in self.containers:
                self._follow(container)
        except Exception as exc:  # the node goes on; only its log is cut short
            if not self.stopping.is_set():
                self.out.put(
                    f"[pipewright] stopped following the log of pod {self.pod}: {api_error_text(exc)}"
                )

    def _follow(self, container: str) -> None:
        import urllib3
        from kubernetes.client.exceptions import ApiException

        position = LogPosition()
        while not self.stopping.is_set():
            pod = self.workload.pod(self.pod)
            if pod is None:
                return
            state = container_state(pod, container)
            if state is None or state[0] == "waiting":
                if pod_phase(pod) in ("Succeeded", "Failed"):
                    return  # it never ran
                self.stopping.wait(self.poll_seconds)
                continue
            try:
                self._read(container, position)
            except ApiException as exc:
                if exc.status == 404:
                    return
                if exc.status not in (400, *TRANSIENT_STATUSES):  # 400: not started yet
                    raise
                self.stopping.wait(self.poll_seconds)
                continue
            except (urllib3.exceptions.HTTPError, OSError):
                self.stopping.wait(self.poll_seconds)
                continue
            if state[0] == "terminated":
                return
            # The stream ended: the container finished, or the connection dropped.
            after = container_state(self.workload.pod(self.pod), container)
            if after is None or after[0] == "terminated":
                return

    def _read(self, container: str, position: LogPosition) -> None:
        position.start_reading()
        self.response = response = self.workload.follow_log(self.pod, container)
        try:
            pending = b""
            for chunk in response.stream(64 * 1024):
                if self.stopping.is_set():
                    return
                pending += chunk
                *complete, pending = pending.split(b"\n")
                for raw in complete:
                    self._emit(raw, position)
            if pending:
                self._emit(pending, position)
        finally:
            self.response = None
            response.release_conn()

    def _emit(self, raw: bytes, position: LogPosition) -> None:
        line = raw.decode("utf-8", errors="replace").rstrip("\r")
        stamp, space, text = line.partition(" ")
        if space and stamp[:1].isdigit() and stamp.endswith("Z"):
            if position.is_new(stamp):
                self.out.put(text)
        else:
            self.out.put(line)


# --- the bundle and the outputs in transit ---------------------------------------------------


def _skip_caches(member: tarfile.TarInfo) -> tarfile.TarInfo | None:
    return None if "__pycache__" in member.name.split("/") else member


def pack_inputs(spec: LaunchSpec, target: IO[bytes]) -> dict[str, Any]:
    """The pod's /work as a tar.gz: `bundle/`, and `node/` holding the work dir's inputs
    and the job file, whose input paths become relative to the work dir (runtime/pod.py
    makes them absolute again inside the pod). Answers the job as packed."""
    job = json.loads(spec.job_file.read_text())
    work_dir = spec.work_dir.resolve()
    with tarfile.open(fileobj=target, mode="w:gz") as archive:
        archive.add(spec.bundle_dir, arcname="bundle", filter=_skip_caches)
        for child in sorted(work_dir.iterdir()):
            if child.name == "job.json" or child == spec.job_file.resolve():
                continue
            archive.add(child, arcname=f"node/{child.name}", filter=_skip_caches)
        inputs = job.get("inputs") or {}
        for port, given in inputs.items():
            if not isinstance(given, str):
                continue  # a small value, inline
            path = Path(given).resolve()
            if path.is_relative_to(work_dir):
                inputs[port] = path.relative_to(work_dir).as_posix()
            else:
                relative = f"inputs/_external/{port}/{path.name}"
                archive.add(path, arcname=f"node/{relative}", filter=_skip_caches)
                inputs[port] = relative
        data = json.dumps(job).encode()
        info = tarfile.TarInfo("node/job.json")
        info.size = len(data)
        info.mtime = int(time.time())
        info.mode = 0o644
        archive.addfile(info, io.BytesIO(data))
    return job


def _output_member(member: tarfile.TarInfo, destination: str) -> tarfile.TarInfo | None:
    """tarfile's "data" filter, and absolute names refused rather than made relative:
    runtime/pod.py never writes one."""
    if member.name.startswith("/"):
        raise tarfile.AbsolutePathError(member)
    return tarfile.data_filter(member, destination)


def unpack_outputs(source: IO[bytes], work_dir: Path) -> None:
    """Unpack the archive the pod uploaded into the work dir; a member that is absolute,
    climbs out of it, links out of it or is a device raises tarfile.FilterError."""
    with tarfile.open(fileobj=source, mode="r|gz") as archive:
        archive.extractall(work_dir, filter=_output_member)


# --- container tasks --------------------------------------------------------------------------


def prepare_task(spec: LaunchSpec) -> dict[str, Any] | None:
    """A container task's job (None for a Python node), its inline input values written to
    files in the work dir first (a container reads every input from a file)."""
    job: dict[str, Any] = json.loads(spec.job_file.read_text())
    operation = (job.get("node") or {}).get("operation") or {}
    if operation.get("kind") != "container":
        return None
    try:
        job["inputs"] = input_paths(operation, job.get("inputs") or {}, spec.work_dir)
    except TaskError as exc:
        raise LaunchRefused(str(exc)) from None
    spec.job_file.write_text(json.dumps(job))
    return job


def pipeline_name_of(bundle_dir: Path) -> str:
    return str(json.loads((bundle_dir / "pipeline.json").read_text())["pipeline"]["name"])


def task_variables(
    spec: LaunchSpec, job: dict[str, Any], slug: str, options: KubernetesOptions
) -> dict[str, str]:
    """The processing variables inside the pod: ROOT_PATH is the bundle's `files/`, RUN_PATH
    a folder of the workspace claim (or, without one, of the pod itself)."""
    task_id = (job.get("task") or {}).get("id")
    if not task_id:
        task_id = f"{spec.run_id}-{spec.node_id}" if spec.run_id is not None else spec.node_id
    if options.workspace_claim:
        run_path = f"{WORKSPACE_MOUNT}/run-{spec.run_id if spec.run_id is not None else 'local'}"
    else:
        run_path = f"{WORK_MOUNT}/workspace"
    root = f"{BUNDLE_DIR}/{FILES_DIR}"
    return {"TASK_ID": str(task_id), "RUN_PATH": run_path, "ROOT_PATH": root, "WORK_PATH": f"{root}/{slug}"}


def container_task(
    spec: LaunchSpec,
    job: dict[str, Any],
    packed: dict[str, Any],
    pipeline_name: str,
    options: KubernetesOptions,
) -> ContainerTask:
    """The task's container, filled in for the pod's paths (`packed` is the job as the pod
    gets it, input paths relative to /work/node)."""
    node = job["node"]
    operation = node["operation"]
    slug = (job.get("task") or {}).get("pipeline_slug") or pipeline_slug(pipeline_name)
    variables = task_variables(spec, job, slug, options)
    inputs = {
        port: f"{NODE_DIR}/{given}"
        for port, given in (packed.get("inputs") or {}).items()
        if isinstance(given, str)
    }
    params = {**(node.get("params") or {}), **(job.get("params") or {})}
    command, args, env = invocation(operation, params, inputs, f"{NODE_DIR}/outputs", variables)
    extras = operation.get("kubernetes") or {}
    mounts = [
        {
            "name": str(m["name"]),
            "path": substitute_variables(str(m["path"]), variables),
            "claim": str(m["claim"]),
        }
        for m in extras.get("mounts") or []
    ]
    return ContainerTask(
        image=str(operation.get("image") or options.image),
        command=command,
        args=args,
        env=env,
        make_dirs=[NODE_DIR, f"{NODE_DIR}/outputs", variables["RUN_PATH"], variables["WORK_PATH"]],
        mounts=mounts,
        secrets=[str(name) for name in extras.get("secrets") or []],
        config_maps=[str(name) for name in extras.get("config_maps") or []],
        pull_policy=str(extras.get("pull_policy") or ""),
        node_selector={str(k): str(v) for k, v in (extras.get("node_selector") or {}).items()},
    )


# --- the execution ---------------------------------------------------------------------------


class KubernetesExecution(Execution):
    """A node running in the cluster, watched from the caller's thread: each
    `read_lines`/`exit_code` looks at the cluster at most every `poll_seconds`;
    a thread follows the pod's log."""

    def __init__(
        self,
        workload: Workload,
        work_dir: Path,
        storage: Any,
        keys: tuple[str, str],
        on_wait: Callable[[str], None] | None = None,
        poll_seconds: float = 1.0,
    ) -> None:
        self.workload = workload
        self.work_dir = work_dir
        self.storage = storage
        self.input_key, self.output_key = keys
        self.on_wait = on_wait
        self.poll_seconds = poll_seconds
        self.gpus = []
        self.lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.code: int | None = None
        self.follower: LogFollower | None = None
        self.stopped = threading.Event()
        self.deleted = False
        self.last_poll = -math.inf
        self.waiting: str | None = None
        self.announced: set[str] = set()
        self.failed_reads = 0
        # A container task's node entry: its pod has the upload sidecar, and its outputs
        # are read into result.json here, once unpacked.
        self.task_node: dict[str, Any] | None = None
        self.main_ended_at: float | None = None

    # the contract

    def read_lines(self) -> list[str]:
        self._poll()
        lines = []
        while True:
            try:
                lines.append(self.lines.get_nowait())
            except queue.Empty:
                return lines

    def exit_code(self) -> int | None:
        self._poll()
        return self.code

    def wait(self, seconds: float) -> None:
        self.stopped.wait(seconds)

    def kill(self) -> None:
        self.stopped.set()
        if self.follower is not None:
            self.follower.stop()
        self._delete()
        if self.code is None:
            self.code = 137

    def release(self) -> None:
        self.stopped.set()
        if self.follower is not None:
            self.follower.stop()
            self.follower.join(timeout=5)
        self._delete()
        for key in (self.input_key, self.output_key):
            try:
                self.storage.delete(key)
            except Exception:  # a temp object left behind is only space
                logger.warning("could not remove %s from storage", key, exc_info=True)

    # watching

    def _say(self, line: str) -> None:
        self.lines.put(line)

    def _poll(self) -> None:
        from kubernetes.client.exceptions import ApiException

        if self.code is not None or self.stopped.is_set():
            return
        now = time.monotonic()
        if now - self.last_poll < self.poll_seconds:
            return
        self.last_poll = now
        try:
            workload = self.workload.read()
            pod = newest_pod(self.workload.pods()) if workload is not None else None
        except Exception as exc:
            refused = isinstance(exc, ApiException) and exc.status not in TRANSIENT_STATUSES
            self.failed_reads += 1
            if refused:
                self._say(f"[pipewright] Kubernetes refused to show {self.workload}: {api_error_text(exc)}")
                self._finish(1)
            elif self.failed_reads in (1, 10) or self.failed_reads % 60 == 0:
                self._say(f"[pipewright] cannot read {self.workload} ({api_error_text(exc)}); trying again")
            return
        self.failed_reads = 0
        if pod is not None:
            self._follow(pod)
        self._report(pod)
        code = self._outcome(workload, pod)
        if code is not None:
            self._finish(code)

    def _follow(self, pod: dict[str, Any]) -> None:
        name = pod["metadata"]["name"]
        if self.follower is not None and self.follower.pod == name:
            return
        if self.follower is not None:
            self.follower.stop()
        containers = [FETCH_CONTAINER, self.workload.container]
        if self.task_node is not None:
            containers.append(UPLOAD_CONTAINER)
        self.follower = LogFollower(self.workload, name, containers, self.lines, self.poll_seconds)
        self.follower.start()

    def _report(self, pod: dict[str, Any] | None) -> None:
        """Why the pod waits (once per change, through on_wait) and where it runs."""
        reason = pending_reason(pod)
        if reason is not None and reason != self.waiting:
            message = f"[pipewright] waiting for Kubernetes: {reason}"
            if self.on_wait is not None:
                self.on_wait(message)
            else:
                self._say(message)
        self.waiting = reason
        if pod is not None:
            name = pod["metadata"]["name"]
            node = (pod.get("spec") or {}).get("nodeName")
            if node and name not in self.announced:
                self.announced.add(name)
                self._say(f"[pipewright] pod {name} is on node {node}")

    def _outcome(self, workload: dict[str, Any] | None, pod: dict[str, Any] | None) -> int | None:
        """The node's exit code once it has ended, else None."""
        main = container_state(pod, self.workload.container)
        if main is not None and main[0] == "terminated":
            if not self._uploaded(pod):
                return None
            ended = main[1]
            reason = ended.get("reason") or ""
            if reason not in NORMAL_ENDINGS:
                detail = f": {ended['message']}" if ended.get("message") else ""
                self._say(f"[pipewright] the container ended with {reason}{detail}")
            return int(ended.get("exitCode", 1))
        if workload is None:
            self._say(f"[pipewright] {self.workload} was deleted before the node ended")
            return 137
        failed = condition(workload, JOB_FAILED)
        if failed is None and pod_phase(pod) not in ("Succeeded", "Failed"):
            if pod is None and condition(workload, JOB_DONE) is not None:
                return 0  # done, and its pods already cleaned up: the outputs tell
            return None
        fetch = container_state(pod, FETCH_CONTAINER)
        if fetch is not None and fetch[0] == "terminated" and fetch[1].get("exitCode"):
            code = int(fetch[1]["exitCode"])
            self._say(f"[pipewright] fetching the bundle and inputs failed (exit code {code})")
            return code
        source = failed or ((pod or {}).get("status") or {})
        reason = source.get("reason") or "Failed"
        detail = f": {source['message']}" if source.get("message") else ""
        self._say(f"[pipewright] Kubernetes stopped the node: {reason}{detail}")
        return 124 if reason == "DeadlineExceeded" else 1

    def _uploaded(self, pod: dict[str, Any] | None) -> bool:
        """A container task's upload sidecar has sent the outputs (it does once the task's
        container has ended and Kubernetes stops it); always True for a Python node."""
        if self.task_node is None:
            return True
        state = container_state(pod, UPLOAD_CONTAINER)
        if state is None or state[0] == "terminated" or pod_phase(pod) in ("Succeeded", "Failed"):
            return True
        now = time.monotonic()
        if self.main_ended_at is None:
            self.main_ended_at = now
        if now - self.main_ended_at > UPLOAD_WAIT_SECONDS:
            self._say("[pipewright] the upload sidecar did not end in time: the outputs may be missing")
            return True
        return False

    def _finish(self, code: int) -> None:
        if self.follower is not None:
            self.follower.join(timeout=LOG_DRAIN_SECONDS)
            if self.follower.is_alive():
                self.follower.stop()
                self._say("[pipewright] the pod's log did not end in time: its last lines may be missing")
        self.code = self._collect(code)

    def _collect(self, code: int) -> int:
        """Unpack what the pod uploaded into the work dir; answers the exit code to report."""
        try:
            with self.storage.open(self.output_key) as source:
                unpack_outputs(source, self.work_dir)
        except FileNotFoundError:
            if code == 0:
                self._say("[pipewright] the pod uploaded no outputs")
            return code
        except (tarfile.TarError, OSError, EOFError) as exc:
            self._say(f"[pipewright] refused the outputs the pod uploaded: {exc}")
            return code or 1
        if self.task_node is not None and code == 0:
            try:  # what the task wrote to $PW_OUTPUT_DIR/<name>, into result.json
                collect_outputs(self.task_node["operation"], self.work_dir, str(self.task_node["id"]))
            except (TaskError, OSError) as exc:
                self._say(f"[pipewright] {exc}")
                return 1
        return code

    def _delete(self) -> None:
        if self.deleted:
            return
        try:
            self.workload.delete()
            self.deleted = True
        except Exception as exc:  # the TTL removes it in the end
            self._say(f"[pipewright] could not delete {self.workload}: {api_error_text(exc)}")
            logger.warning("could not delete %s", self.workload, exc_info=True)


# --- the backend -----------------------------------------------------------------------------


def _string_list(title: str, description: str) -> dict[str, Any]:
    return {
        "type": "array",
        "title": title,
        "description": description,
        "items": {"type": "string", "minLength": 1},
        "default": [],
    }


class KubernetesCompute(ComputeBackend):
    """Runs each node as a Kubernetes Job, or as a Kubeflow PyTorchJob, TFJob or MPIJob
    when its resources say so; needs S3 storage, from which pods fetch the bundle and
    inputs and to which they send their outputs.

    Cluster access comes from `configuration` when given (tests), else from the
    options: an API server URL and token, the in-cluster service account, or a
    kubeconfig file and context.
    """

    name = "kubernetes"
    label = "Kubernetes"
    options_schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "namespace": {
                "type": "string",
                "title": "Namespace",
                "description": "Namespace the node Jobs are created in.",
                "default": "default",
                "minLength": 1,
            },
            "context": {
                "type": "string",
                "title": "Kubeconfig context",
                "description": "Context of the kubeconfig file to use; empty for its current context.",
                "default": "",
            },
            "kubeconfig": {
                "type": "string",
                "title": "Kubeconfig file",
                "description": "Path of the kubeconfig file on the workers; empty for $KUBECONFIG "
                "or ~/.kube/config.",
                "default": "",
            },
            "in_cluster": {
                "type": "boolean",
                "title": "In-cluster service account",
                "description": "The workers run in the cluster: use their pod's service account "
                "instead of a kubeconfig file.",
                "default": False,
            },
            "api_server": {
                "type": "string",
                "title": "API server URL",
                "description": "e.g. https://k8s.example.com:6443; with a token, used instead of a "
                "kubeconfig file.",
                "default": "",
            },
            "token": {
                "type": "string",
                "title": "Bearer token",
                "description": "Token of a service account allowed to manage Jobs and read pods "
                "and their logs in the namespace.",
                "writeOnly": True,
                "default": "",
            },
            "ca_cert": {
                "type": "string",
                "title": "CA certificate",
                "description": "PEM certificate of the API server's CA; empty for the system's.",
                "default": "",
            },
            "image": {
                "type": "string",
                "title": "Image",
                "description": "Container image nodes run in; it needs Python 3 and the packages "
                "the operations import.",
                "default": "python:3.11-slim",
                "minLength": 1,
            },
            "image_pull_policy": {
                "type": "string",
                "title": "Image pull policy",
                "description": "Always, IfNotPresent or Never; empty for the cluster's default.",
                "enum": ["", "Always", "IfNotPresent", "Never"],
                "default": "",
            },
            "gpu_resource": {
                "type": "string",
                "title": "GPU resource name",
                "description": "Extended resource a node's GPUs are asked for as.",
                "default": "nvidia.com/gpu",
                "minLength": 1,
            },
            "gpu_type": {
                "type": "string",
                "title": "GPU type",
                "description": "GPU model GPU nodes must run on, e.g. NVIDIA-A100-SXM4-40GB; "
                "becomes a node selector on the GPU type label.",
                "default": "",
            },
            "gpu_type_label": {
                "type": "string",
                "title": "GPU type label",
                "description": "Node label that names the GPU model.",
                "default": "nvidia.com/gpu.product",
                "minLength": 1,
            },
            "node_selector": {
                "type": "object",
                "title": "Node selector",
                "description": 'Labels a node must have to run the pods, e.g. {"pool": "batch"}.',
                "additionalProperties": {"type": "string"},
                "default": {},
            },
            "tolerations": {
                "type": "array",
                "title": "Tolerations",
                "description": "Taints the pods tolerate.",
                "default": [],
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "key": {"type": "string", "title": "Key"},
                        "operator": {"type": "string", "enum": ["Equal", "Exists"], "title": "Operator"},
                        "value": {"type": "string", "title": "Value"},
                        "effect": {
                            "type": "string",
                            "enum": ["", "NoSchedule", "PreferNoSchedule", "NoExecute"],
                            "title": "Effect",
                        },
                        "toleration_seconds": {"type": "integer", "title": "Toleration seconds"},
                    },
                },
            },
            "service_account": {
                "type": "string",
                "title": "Service account",
                "description": "Service account the pods run as; empty for the namespace's default.",
                "default": "",
            },
            "image_pull_secrets": _string_list(
                "Image pull secrets", "Secrets holding the registry credentials for the image."
            ),
            "pvc_mounts": {
                "type": "array",
                "title": "Volume mounts",
                "description": "Persistent volume claims mounted into every node's container.",
                "default": [],
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["claim", "mount_path"],
                    "properties": {
                        "claim": {"type": "string", "title": "Claim name", "minLength": 1},
                        "mount_path": {"type": "string", "title": "Mount path", "pattern": "^/"},
                        "read_only": {"type": "boolean", "title": "Read only", "default": False},
                        "sub_path": {"type": "string", "title": "Sub path", "default": ""},
                    },
                },
            },
            "env_from_secrets": _string_list(
                "Environment from secrets", "Secrets whose keys become environment variables of the nodes."
            ),
            "env_from_config_maps": _string_list(
                "Environment from config maps",
                "Config maps whose keys become environment variables of the nodes.",
            ),
            "workspace_claim": {
                "type": "string",
                "title": "Run workspace claim",
                "description": "Persistent volume claim (ReadWriteMany) that container tasks mount at "
                "/workspace: ${RUN_PATH} is /workspace/run-<id> on it, shared by a run's tasks. "
                "Empty: each task's pod has a ${RUN_PATH} of its own.",
                "default": "",
            },
            "ttl_seconds": {
                "type": "integer",
                "title": "Keep finished Jobs (seconds)",
                "description": "Kubernetes deletes a finished Job after this long, should Pipewright "
                "not have done so itself.",
                "default": 3600,
                "minimum": 0,
            },
        },
    }

    def __init__(
        self,
        options: dict[str, Any] | None = None,
        storage: Any = None,
        configuration: Configuration | None = None,
        poll_seconds: float = 1.0,
    ) -> None:
        self.options = KubernetesOptions.model_validate(options or {})
        self.storage = storage
        self.configuration = configuration
        self.poll_seconds = poll_seconds
        self._api: ApiClient | None = None

    def _load_configuration(self) -> Configuration:
        from kubernetes import client, config

        if self.configuration is not None:
            return self.configuration
        options = self.options
        configuration = client.Configuration()
        try:
            if options.api_server:
                configuration.host = options.api_server.rstrip("/")
                if options.token:
                    configuration.api_key = {"authorization": options.token}
                    configuration.api_key_prefix = {"authorization": "Bearer"}
                if options.ca_cert:
                    configuration.ca_cert_data = options.ca_cert
            elif options.in_cluster:
                config.load_incluster_config(client_configuration=configuration)
            else:
                config.load_kube_config(
                    config_file=options.kubeconfig or None,
                    context=options.context or None,
                    client_configuration=configuration,
                    persist_config=False,
                )
        except (config.ConfigException, OSError, ValueError) as exc:
            raise LaunchRefused(
                f"cannot load the Kubernetes configuration: {exc}; set a kubeconfig file and context, "
                "in_cluster, or an API server URL and token in the compute options"
            ) from None
        return configuration

    def api(self) -> ApiClient:
        if self._api is None:
            from kubernetes import client

            self._api = client.ApiClient(self._load_configuration())
        return self._api

    def check(self) -> None:
        """Reach the API server and list Jobs in the namespace: what every run needs to do."""
        from kubernetes import client
        from kubernetes.client.exceptions import ApiException

        namespace = self.options.namespace
        try:
            client.BatchV1Api(self.api()).list_namespaced_job(namespace, limit=1, _request_timeout=5)
        except ApiException as exc:
            if exc.status in (401, 403):
                raise LaunchRefused(
                    f"the cluster refused these credentials for Jobs in namespace {namespace!r}: "
                    f"{api_error_text(exc)}"
                ) from None
            raise LaunchRefused(f"the cluster answered {api_error_text(exc)}") from None
        except Exception as exc:
            host = getattr(getattr(self.api(), "configuration", None), "host", "") or "the API server"
            raise LaunchRefused(f"cannot reach {host}: {api_error_text(exc)}") from None

    def _presigning_storage(self) -> Any:
        storage = self.storage
        if not all(
            callable(getattr(storage, method, None))
            for method in ("save", "open", "delete", "presigned_get_url", "presigned_put_url")
        ):
            kind = getattr(storage, "name", None) or type(storage).__name__
            raise LaunchRefused(
                f"Kubernetes compute needs S3 storage (MinIO, AWS S3 or any S3-compatible service), "
                f"which pods can fetch inputs from and send outputs to; this run's storage is {kind!r}"
            )
        return storage

    def launch(self, spec: LaunchSpec, on_wait: Any = None) -> Execution:
        from kubernetes.client.exceptions import ApiException

        storage = self._presigning_storage()
        resource_type = str(spec.resources.get("resource_type") or "job")
        if resource_type not in SINGLE_POD_TYPES and resource_type not in TRAINING_KINDS:
            raise LaunchRefused(
                f"unknown resource_type {resource_type!r}; use Pod, job, {', '.join(TRAINING_KINDS)}"
            )
        task_job = prepare_task(spec)
        if task_job is not None:
            pipeline_name = pipeline_name_of(spec.bundle_dir)
            name = task_job_name(pipeline_name, spec.node_id, secrets.token_hex(3))
        else:
            name = job_name(spec.node_id, spec.run_id, spec.attempt, secrets.token_hex(3))
        workload = Workload(self.api(), self.options.namespace, name, resource_type)
        keys = (f"{TEMP_PREFIX}/{name}/inputs.tar.gz", f"{TEMP_PREFIX}/{name}/outputs.tar.gz")
        seconds = MAX_URL_SECONDS
        if spec.timeout_seconds:
            seconds = min(MAX_URL_SECONDS, math.ceil(spec.timeout_seconds) + 3600)
        with tempfile.TemporaryFile() as packed:
            packed_job = pack_inputs(spec, packed)
            packed.seek(0)
            storage.save(keys[0], packed)
        task = None
        if task_job is not None:
            task = container_task(spec, task_job, packed_job, pipeline_name, self.options)
        try:
            job = NodeJob(
                name=name,
                node_id=spec.node_id,
                resources=dict(spec.resources),
                input_url=storage.presigned_get_url(keys[0], seconds),
                output_url=storage.presigned_put_url(keys[1], seconds),
                run_id=spec.run_id,
                attempt=spec.attempt,
                timeout_seconds=spec.timeout_seconds,
                env=dict(spec.env),
                task=task,
            )
            workload.create(manifest_for(job, self.options))
        except ApiException as exc:
            storage.delete(keys[0])
            text = api_error_text(exc)
            if exc.status in TRANSIENT_STATUSES:
                raise KubernetesUnavailable(f"Kubernetes could not create {workload}: {text}") from None
            hint = ""
            if exc.status == 404 and resource_type == "ElasticJob":
                hint = " (is DLRover's ElasticJob operator installed?)"
            elif exc.status == 404 and resource_type in TRAINING_KINDS:
                hint = " (is the Kubeflow training operator installed?)"
            raise LaunchRefused(f"Kubernetes refused {workload}: {text}{hint}") from None
        except Exception as exc:
            storage.delete(keys[0])
            import urllib3

            if isinstance(exc, urllib3.exceptions.HTTPError):
                host = workload.api.configuration.host
                raise KubernetesUnavailable(
                    f"cannot reach the Kubernetes API at {host}: {api_error_text(exc)}"
                ) from None
            raise
        execution = KubernetesExecution(workload, spec.work_dir, storage, keys, on_wait, self.poll_seconds)
        if task_job is not None:
            execution.task_node = task_job["node"]
        execution.lines.put(f"[pipewright] created {workload}")
        return execution
