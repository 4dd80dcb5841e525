"""Run one node of a bundle: load inputs, call the operation, store outputs.

The job file (`job.json` in the work dir) says where each input's value is:
`{"inputs": {"port": "/path/to/stored/value" or {"value": v}}, "params": {"name": value}}`,
small JSON values coming inline. Parameters not named there take the values
frozen in `pipeline.json`. An orchestrator may copy the node's own entry of
`pipeline.json` into the job as `"node"`, which spares reading the whole file.
The result (`result.json`) lists every output with its path relative to the
work dir (and its value, for small JSON-typed outputs).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from .context import NodeContext
from .invoke import OperationError, call_operation, load_entrypoint
from .values import PortError, read_input, write_output


def load_pipeline(bundle_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((bundle_dir / "pipeline.json").read_text())
    return data


def find_node(pipeline: dict[str, Any], node_id: str) -> dict[str, Any]:
    for node in pipeline["nodes"]:
        if node["id"] == node_id:
            return node
    raise SystemExit(
        f"no node {node_id!r} in this pipeline; nodes: {', '.join(n['id'] for n in pipeline['nodes'])}"
    )


def run_node(bundle_dir: Path, node_id: str, work_dir: Path, job: dict[str, Any]) -> dict[str, Any]:
    """Run the node and write `result.json`; exceptions propagate to the caller."""
    node = job.get("node") or find_node(load_pipeline(bundle_dir), node_id)
    operation = node["operation"]
    work_dir.mkdir(parents=True, exist_ok=True)

    arguments: dict[str, Any] = {**node.get("params", {}), **job.get("params", {})}
    ports = {port["name"]: port for port in operation["inputs"]}
    for name, given in job.get("inputs", {}).items():
        if name not in ports:
            raise PortError(f"node {node_id!r} has no input {name!r}")
        inline = isinstance(given, dict)
        arguments[name] = given["value"] if inline else read_input(ports[name]["type"], given)
    for name, port in ports.items():
        if name not in arguments:
            if not port.get("optional"):
                raise PortError(f"required input {name!r} of node {node_id!r} has no value")
            arguments[name] = None

    ctx = NodeContext(work_dir, node_id=node_id)
    function = load_entrypoint(
        bundle_dir / operation["file"], operation["module"], operation.get("entrypoint", "run")
    )
    started = time.time()
    returned = call_operation(function, arguments, ctx)
    unknown = set(returned) - {port["name"] for port in operation["outputs"]}
    if unknown:
        raise OperationError(f"the operation returned unknown outputs: {', '.join(sorted(unknown))}")
    outputs = {
        port["name"]: write_output(work_dir, port, returned.get(port["name"]))
        for port in operation["outputs"]
    }
    result = {"node": node_id, "outputs": outputs, "seconds": round(time.time() - started, 3)}
    (work_dir / "result.json").write_text(json.dumps(result, indent=1, sort_keys=True))
    ctx.progress(1.0)
    return result


def main_node(bundle_dir: Path, node_id: str, work_dir: Path, job_file: Path | None) -> int:
    job = json.loads(job_file.read_text()) if job_file else {}
    try:
        node = job.get("node")
        if node is None:
            node = job["node"] = find_node(load_pipeline(bundle_dir), node_id)
        if node["operation"].get("kind") == "container":
            from .container import run_container_node  # its command, as a subprocess

            return run_container_node(bundle_dir, node_id, work_dir, job)
        run_node(bundle_dir, node_id, work_dir, job)
    except BaseException:
        import traceback

        traceback.print_exc()
        sys.stderr.flush()
        return 1
    return 0
