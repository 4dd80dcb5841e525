"""Run a whole bundle on this machine, node after node, each in its own process.

This is what `python main.py` does with no `--node`: the same per-node code
path that compute backends use, so an exported pipeline behaves as in the app.
Each node gets what its entry in `pipeline.json` says (its operation's resources
with the node's overrides): the GPUs it asks for through `CUDA_VISIBLE_DEVICES`
(none for a CPU node), the CPU when the machine has too few and CPU fallback is
allowed, else it fails saying why; and the node's own timeout and retries.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

from .devices import nvidia_smi_devices
from .node import load_pipeline


def input_names(pipeline: dict[str, Any]) -> set[str]:
    """Names of the pipeline's inputs: an edge whose source is one starts at that input."""
    return {item["name"] for item in pipeline.get("inputs", [])}


def node_edges(pipeline: dict[str, Any]) -> list[dict[str, Any]]:
    """Edges between two nodes (not those from pipeline inputs)."""
    names = input_names(pipeline)
    return [edge for edge in pipeline["edges"] if edge["source"] not in names]


def topological_order(pipeline: dict[str, Any]) -> list[str]:
    children: dict[str, list[str]] = {node["id"]: [] for node in pipeline["nodes"]}
    indegree = dict.fromkeys(children, 0)
    for edge in node_edges(pipeline):
        children[edge["source"]].append(edge["target"])
        indegree[edge["target"]] += 1
    ready = deque(node_id for node_id, degree in indegree.items() if degree == 0)
    order = []
    while ready:
        node_id = ready.popleft()
        order.append(node_id)
        for child in children[node_id]:
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    if len(order) != len(children):
        raise SystemExit("the pipeline has a cycle")
    return order


def job_for(
    pipeline: dict[str, Any],
    node_id: str,
    out_dir: Path,
    params: dict[str, Any],
    given: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The node's job: its upstream outputs' paths, and what each wired pipeline input gives
    (`given`: name -> a path, or {"value": v})."""
    inputs: dict[str, Any] = {}
    names = input_names(pipeline)
    for edge in pipeline["edges"]:
        if edge["target"] != node_id:
            continue
        if edge["source"] in names:
            if given and edge["source"] in given:
                inputs[edge["target_port"]] = given[edge["source"]]
            continue
        upstream = out_dir / edge["source"]
        result = json.loads((upstream / "result.json").read_text())
        inputs[edge["target_port"]] = str(upstream / result["outputs"][edge["source_port"]]["path"])
    return {"inputs": inputs, "params": params}


PATH_TYPES = frozenset({"file", "directory", "object"})
_VALUE_CHECKS: dict[str, Any] = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
}


def static_inputs(pipeline: dict[str, Any], bundle_dir: Path) -> dict[str, str]:
    """Inputs an export fixed: a file shipped in the bundle (`{"path": "artifacts/x.csv"}`)
    or a value (`{"value": v}`), as `--input` would give them; `--input` still wins."""
    fixed: dict[str, str] = {}
    for name, given in (pipeline.get("static_inputs") or {}).items():
        if "path" in given:
            fixed[name] = str(bundle_dir / given["path"])
        else:
            fixed[name] = json.dumps(given.get("value"))
    return fixed


def resolve_inputs(pipeline: dict[str, Any], raw: dict[str, str], wanted: set[str]) -> dict[str, Any]:
    """What each pipeline input gives, from `--input NAME=VALUE` (a path for file, directory
    and object inputs; JSON, else text, for the others) or its default. A required input
    wired to a node in `wanted` that is not given stops the run, saying how to give it."""
    declared = {item["name"]: item for item in pipeline.get("inputs", [])}
    unknown = sorted(set(raw) - set(declared))
    if unknown:
        known = ", ".join(sorted(declared)) or "none"
        raise SystemExit(f"unknown input(s): {', '.join(unknown)}; this pipeline's inputs: {known}")
    wired = {edge["source"] for edge in pipeline["edges"] if edge["target"] in wanted} & set(declared)
    resolved: dict[str, Any] = {}
    for name, item in declared.items():
        type_ = item["type"]
        if name in raw:
            if type_ in PATH_TYPES:
                path = Path(raw[name]).expanduser().resolve()
                exists = path.is_dir() if type_ == "directory" else path.is_file()
                if not exists:
                    what = "a directory" if type_ == "directory" else "a file"
                    raise SystemExit(f"--input {name}: {path} is not {what}")
                resolved[name] = str(path)
                continue
            try:
                value = json.loads(raw[name])
            except ValueError:
                value = raw[name]
            if type_ == "str" and not isinstance(value, str):
                value = raw[name]  # `--input name=42` for a str input means the text "42"
            check = _VALUE_CHECKS.get(type_)
            if check is not None and not check(value):
                raise SystemExit(f"--input {name}: must be of type {type_}, got {raw[name]!r}")
            resolved[name] = {"value": value}
        elif item.get("default") is not None:
            resolved[name] = {"value": item["default"]}
        elif name in wired:
            example = "PATH" if type_ in PATH_TYPES else "VALUE"
            raise SystemExit(f"input {name!r} ({type_}) is required: give it with --input {name}={example}")
    return resolved


# The app's default wait before a first retry (runs/config.py RetryPolicy); doubles.
RETRY_BACKOFF_SECONDS = 2.0


def machine_gpus() -> list[str]:
    """GPU ids this machine offers: `CUDA_VISIBLE_DEVICES` when set, else `nvidia-smi`'s."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return [device.strip() for device in visible.split(",") if device.strip()]
    return nvidia_smi_devices()


def node_resources(node: dict[str, Any]) -> dict[str, Any]:
    """The node's resources (bundles made before nodes carried them: the operation's)."""
    resources: dict[str, Any] = node.get("resources") or node["operation"].get("resources") or {}
    return resources


def gpu_environment(node: dict[str, Any], devices: list[str]) -> tuple[dict[str, str] | None, str]:
    """(`CUDA_VISIBLE_DEVICES` for the node, a note for the log), or (None, why it cannot run)."""
    resources = node_resources(node)
    wanted = int(resources.get("gpus") or 0)
    if wanted == 0:
        return {"CUDA_VISIBLE_DEVICES": ""}, ""
    if len(devices) >= wanted:
        return {"CUDA_VISIBLE_DEVICES": ",".join(devices[:wanted])}, f"GPU(s) {','.join(devices[:wanted])}"
    if resources.get("cpu_fallback"):
        return (
            {"CUDA_VISIBLE_DEVICES": ""},
            f"asks for {wanted} GPU(s) but this machine has {len(devices)}: "
            "running on the CPU (its resources allow CPU fallback)",
        )
    return None, (
        f"needs {wanted} GPU(s) and this machine has {len(devices)}; run it on a machine with GPUs "
        "(or set CUDA_VISIBLE_DEVICES), or allow CPU fallback in its resources"
    )


def run_process(command: list[str], cwd: Path, env: dict[str, str], timeout: float | None) -> int | None:
    """The exit code, or None when the timeout stopped the process and all it started."""
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=timeout is not None)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return None
    except BaseException:  # Ctrl+C: the node goes too
        if timeout is not None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise


def run_all(
    bundle_dir: Path,
    out_dir: Path,
    params: dict[str, dict[str, Any]],
    only: list[str] | None = None,
    inputs: dict[str, str] | None = None,
) -> int:
    pipeline = load_pipeline(bundle_dir)
    order = topological_order(pipeline)
    if only:
        unknown = set(only) - set(order)
        if unknown:
            raise SystemExit(f"unknown node(s): {', '.join(sorted(unknown))}")
    given = resolve_inputs(
        pipeline, {**static_inputs(pipeline, bundle_dir), **(inputs or {})}, set(only or order)
    )
    failed: set[str] = set()
    parents: dict[str, set[str]] = {node_id: set() for node_id in order}
    for edge in node_edges(pipeline):
        parents[edge["target"]].add(edge["source"])
    nodes = {node["id"]: node for node in pipeline["nodes"]}
    devices = machine_gpus()
    print(f"Running {pipeline['pipeline']['name']!r} ({len(order)} nodes) into {out_dir}", flush=True)
    for node_id in order:
        if only and node_id not in only:
            continue
        if parents[node_id] & failed:
            print(f"[{node_id}] skipped: an upstream node failed", flush=True)
            failed.add(node_id)
            continue
        node = nodes[node_id]
        gpu_env, note = gpu_environment(node, devices)
        if gpu_env is None:
            print(f"[{node_id}] FAILED: {note}", flush=True)
            failed.add(node_id)
            continue
        if note:
            print(f"[{node_id}] {note}", flush=True)
        work_dir = out_dir / node_id
        work_dir.mkdir(parents=True, exist_ok=True)
        job_file = work_dir / "job.json"
        job_file.write_text(json.dumps(job_for(pipeline, node_id, out_dir, params.get(node_id, {}), given)))
        command = [
            sys.executable,
            str(bundle_dir / "main.py"),
            "--node",
            node_id,
            "--work-dir",
            str(work_dir),
            "--job",
            str(job_file),
        ]
        timeout = node.get("timeout_seconds")
        retries = int(node.get("retries") or 0)
        backoff = float(node.get("retry_backoff_seconds", RETRY_BACKOFF_SECONDS))
        env = {**os.environ, **gpu_env}
        for attempt in range(1, retries + 2):
            started = time.monotonic()
            code = run_process(command, work_dir, env, timeout)
            seconds = time.monotonic() - started
            if code == 0:
                print(f"[{node_id}] succeeded in {seconds:.2f}s", flush=True)
                break
            why = f"timed out after {timeout:g} s" if code is None else f"exit code {code}"
            if attempt <= retries:
                wait = backoff * 2 ** (attempt - 1)
                print(f"[{node_id}] attempt {attempt} failed ({why}); retrying in {wait:g}s", flush=True)
                time.sleep(wait)
                continue
            print(f"[{node_id}] FAILED ({why}) after {seconds:.2f}s", flush=True)
            failed.add(node_id)
    if failed:
        print(f"{len(failed)} node(s) failed or were skipped: {', '.join(sorted(failed))}", flush=True)
        return 1
    print(f"All nodes succeeded. Outputs are in {out_dir}/<node>/outputs/", flush=True)
    return 0
