"""Render execution bundles: the one contract every backend and the export run.

A bundle is a folder with `main.py`, `pipeline.json`, `operations/`,
`runtime/` and `requirements.txt`. Its content is decided by the frozen graph
and the operation version of each node, so it is cached by content hash.
"""

from __future__ import annotations

import base64
import json
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings

from editor.hashing import content_hash
from editor.models import OperationVersion, PipelineVersion
from runs.policy import effective_resources
from runtime.container import FILES_DIR, pipeline_slug

RUNTIME_DIR = Path(__file__).resolve().parent.parent / "runtime"

MAIN_PY = '''#!/usr/bin/env python3
"""Pipewright pipeline {name}, version {number}.

    python main.py                  # run every node in dependency order into ./output
    python main.py --input NAME=VALUE   # give a pipeline input (a path for files)
    python main.py --node ID        # run one node (as a compute backend does)
    python main.py --help
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from runtime.cli import main  # noqa: E402

sys.exit(main())
'''


def docstring_text(text: str) -> str:
    """`text` escaped to sit inside a triple-quoted docstring: a name holding three double
    quotes, a backslash or a line break must not end it or change what it says."""
    return repr(text)[1:-1].replace('"', '\\"')


def module_name(version: OperationVersion) -> str:
    return f"{version.operation.slug}_v{version.number}"


def operation_entry(version: OperationVersion) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": version.operation.name,
        "slug": version.operation.slug,
        "version": version.number,
        "content_hash": version.content_hash,
        "kind": version.kind,
        "module": module_name(version),
        "file": f"operations/{module_name(version)}.py",
        "entrypoint": version.entrypoint,
        "inputs": version.inputs,
        "outputs": version.outputs,
        "parameters": version.parameters,
        "resources": version.resources,
        "requirements": version.requirements,
    }
    if version.kind == "container":  # what runtime/container.py and the kubernetes backend run
        entry.update(
            image=version.image,
            command=list(version.command),
            args=list(version.args),
            kubernetes=dict(getattr(version, "kubernetes", None) or {}),
        )
    return entry


def bundle_spec(
    version: PipelineVersion, operation_versions: Mapping[str, OperationVersion]
) -> dict[str, Any]:
    """The content of `pipeline.json`: node id -> the operation version it runs, and
    the resources it gets (the operation's with the node's overrides, as in the app),
    with the node's own retries and timeout when it sets them."""
    graph = version.graph
    nodes = []
    for node in graph["nodes"]:
        operation_version = operation_versions[node["id"]]
        entry = {
            "id": node["id"],
            "label": node.get("label") or operation_version.operation.name,
            "operation": operation_entry(operation_version),
            "params": node.get("params", {}),
            "resources": effective_resources(operation_version.resources, node),
        }
        for key in ("retries", "retry_backoff_seconds", "timeout_seconds"):
            if node.get(key) is not None:
                entry[key] = node[key]
        nodes.append(entry)
    return {
        "format": 1,
        "pipeline": {
            "id": version.pipeline_id,
            "name": version.pipeline.name,
            "version": version.number,
            "content_hash": version.content_hash,
        },
        "nodes": nodes,
        "edges": graph["edges"],
        "inputs": graph.get("inputs", []),
    }


def _runtime_files() -> list[Path]:
    return sorted(p for p in RUNTIME_DIR.rglob("*.py") if "__pycache__" not in p.parts)


def bundle_hash(
    spec: dict[str, Any], sources: Mapping[str, str], files: Mapping[str, bytes] | None = None
) -> str:
    runtime = {str(p.relative_to(RUNTIME_DIR)): p.read_text() for p in _runtime_files()}
    content: dict[str, Any] = {"spec": spec, "sources": dict(sources), "runtime": runtime}
    if files:  # left out when none, so bundles without files keep their hashes
        content["files"] = {path: base64.b64encode(data).decode() for path, data in sorted(files.items())}
    return content_hash(content)


def pipeline_files(version: PipelineVersion) -> dict[str, bytes]:
    """The pipeline's own files (`graph["files"]`: path + base64 content), by their place in
    the bundle: `files/<pipeline slug>/<path>`, which is WORK_PATH in a pod (runtime/container.py)."""
    files: dict[str, bytes] = {}
    slug = pipeline_slug(version.pipeline.name)
    for item in version.graph.get("files") or []:
        path = PurePosixPath(str(item["path"]))
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise ValueError(f"pipeline file {item['path']!r}: a path inside the pipeline's folder")
        files[f"{FILES_DIR}/{slug}/{path}"] = base64.b64decode(item.get("content") or "")
    return files


def write_bundle(
    target: Path,
    spec: dict[str, Any],
    sources: Mapping[str, str],
    files: Mapping[str, bytes] | None = None,
) -> None:
    """Write every file of the bundle into `target` (an empty folder)."""
    (target / "operations").mkdir(parents=True)
    (target / "pipeline.json").write_text(json.dumps(spec, indent=1, sort_keys=True))
    for relative, source in sources.items():
        (target / relative).write_text(source)
    for relative, content in (files or {}).items():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_bytes(content)
    for path in _runtime_files():
        destination = target / "runtime" / path.relative_to(RUNTIME_DIR)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    requirements = sorted({req for node in spec["nodes"] for req in node["operation"]["requirements"]})
    (target / "requirements.txt").write_text("".join(f"{req}\n" for req in requirements))
    (target / "main.py").write_text(
        MAIN_PY.format(
            name=docstring_text(repr(spec["pipeline"]["name"])), number=spec["pipeline"]["version"]
        )
    )


def render_bundle(version: PipelineVersion, operation_versions: Mapping[str, OperationVersion]) -> Path:
    """The bundle folder for this graph and these operation versions (cached by content)."""
    spec = bundle_spec(version, operation_versions)
    sources = {node["operation"]["file"]: operation_versions[node["id"]].source for node in spec["nodes"]}
    files = pipeline_files(version)
    digest = bundle_hash(spec, sources, files)
    root = Path(settings.DATA_DIR) / "bundles"
    final = root / digest
    if final.is_dir():
        return final
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=root, prefix=".staging-"))
    try:
        write_bundle(staging / "b", spec, sources, files)
        try:
            (staging / "b").rename(final)
        except OSError:
            if not final.is_dir():  # lost a race to an identical bundle: fine
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final
