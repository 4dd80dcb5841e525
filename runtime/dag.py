"""Run a whole bundle on this machine, node after node, each in its own process.

This is what `python main.py` does with no `--node`: the same per-node code
path that compute backends use, so an exported pipeline behaves as in the app.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

from .node import load_pipeline


def topological_order(pipeline: dict[str, Any]) -> list[str]:
    children: dict[str, list[str]] = {node["id"]: [] for node in pipeline["nodes"]}
    indegree = dict.fromkeys(children, 0)
    for edge in pipeline["edges"]:
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


def job_for(pipeline: dict[str, Any], node_id: str, out_dir: Path, params: dict[str, Any]) -> dict[str, Any]:
    inputs = {}
    for edge in pipeline["edges"]:
        if edge["target"] == node_id:
            upstream = out_dir / edge["source"]
            result = json.loads((upstream / "result.json").read_text())
            inputs[edge["target_port"]] = str(upstream / result["outputs"][edge["source_port"]]["path"])
    return {"inputs": inputs, "params": params}


def run_all(
    bundle_dir: Path, out_dir: Path, params: dict[str, dict[str, Any]], only: list[str] | None = None
) -> int:
    pipeline = load_pipeline(bundle_dir)
    order = topological_order(pipeline)
    if only:
        unknown = set(only) - set(order)
        if unknown:
            raise SystemExit(f"unknown node(s): {', '.join(sorted(unknown))}")
    failed: set[str] = set()
    parents: dict[str, set[str]] = {node_id: set() for node_id in order}
    for edge in pipeline["edges"]:
        parents[edge["target"]].add(edge["source"])
    print(f"Running {pipeline['pipeline']['name']!r} ({len(order)} nodes) into {out_dir}", flush=True)
    for node_id in order:
        if only and node_id not in only:
            continue
        if parents[node_id] & failed:
            print(f"[{node_id}] skipped: an upstream node failed", flush=True)
            failed.add(node_id)
            continue
        work_dir = out_dir / node_id
        work_dir.mkdir(parents=True, exist_ok=True)
        job_file = work_dir / "job.json"
        job_file.write_text(json.dumps(job_for(pipeline, node_id, out_dir, params.get(node_id, {}))))
        started = time.monotonic()
        code = subprocess.call(
            [
                sys.executable,
                str(bundle_dir / "main.py"),
                "--node",
                node_id,
                "--work-dir",
                str(work_dir),
                "--job",
                str(job_file),
            ],
            cwd=work_dir,
        )
        seconds = time.monotonic() - started
        if code == 0:
            print(f"[{node_id}] succeeded in {seconds:.2f}s", flush=True)
        else:
            print(f"[{node_id}] FAILED (exit code {code}) after {seconds:.2f}s", flush=True)
            failed.add(node_id)
    if failed:
        print(f"{len(failed)} node(s) failed or were skipped: {', '.join(sorted(failed))}", flush=True)
        return 1
    print(f"All nodes succeeded. Outputs are in {out_dir}/<node>/outputs/", flush=True)
    return 0
