"""A node's files: its work dir, its inputs fetched from storage, its outputs stored back."""

from __future__ import annotations

import json
import logging
import mimetypes
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from editor.artifacts import storage_of
from editor.models import Artifact
from runs.backends import RunStorage
from runs.bundle import render_bundle
from runs.inputs import input_storage
from runs.models import NodeRun, Run
from runs.scheduler import input_feeds, version_parents
from runs.secret_inputs import input_value
from storage_backends.base import StorageBackend

logger = logging.getLogger(__name__)

INLINE_VALUE_BYTES = 64 * 1024
VALUE_TYPES = frozenset({"int", "float", "str", "bool", "json"})


def work_dir_for(node_run: NodeRun) -> Path:
    return Path(settings.DATA_DIR) / "work" / str(node_run.run_id) / node_run.node_id / str(node_run.attempt)


_BUNDLES: dict[int, Path] = {}


def bundle_for(run: Run) -> Path:
    """The run's bundle folder; a run's operation versions never change, so it is
    looked up once per worker process."""
    known = _BUNDLES.get(run.pk)
    if known is not None and known.is_dir():
        return known
    if len(_BUNDLES) > 256:
        _BUNDLES.clear()
    _BUNDLES[run.pk] = _render_run_bundle(run)
    return _BUNDLES[run.pk]


@lru_cache(maxsize=16)
def bundle_nodes(bundle: Path) -> dict[str, dict[str, Any]]:
    """Node id -> its entry in the bundle's pipeline.json (bundles never change)."""
    spec = json.loads((bundle / "pipeline.json").read_text())
    return {node["id"]: node for node in spec["nodes"]}


def _render_run_bundle(run: Run) -> Path:
    versions = {
        nr.node_id: nr.operation_version
        for nr in run.node_runs.select_related("operation_version__operation")
    }
    return render_bundle(run.pipeline_version, versions)


def _fetch_artifact(
    artifact: Artifact, target: Path, port_type: str, storage: StorageBackend | None = None
) -> Path:
    """Stream an artifact into the work dir; directories arrive as tar archives."""
    storage = storage or storage_of(artifact)
    if port_type == "directory":
        target.mkdir(parents=True, exist_ok=True)
        with storage.open(artifact.location) as source, tarfile.open(fileobj=source, mode="r|gz") as archive:
            archive.extractall(target, filter="data")
        return target
    suffix = Path(artifact.name).suffix
    path = target.with_name(target.name + suffix)
    with storage.open(artifact.location) as source, path.open("wb") as out:
        shutil.copyfileobj(source, out, 1024 * 1024)
    return path


def prepare_inputs(node_run: NodeRun, work_dir: Path) -> dict[str, Any]:
    """Fetch every input into `work_dir/inputs/`; answer port -> path."""
    run = node_run.run
    ports = {port["name"]: port["type"] for port in node_run.operation_version.inputs}
    inputs_dir = work_dir / "inputs"
    inputs_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Any] = {}
    edges = version_parents(run).get(node_run.node_id, [])
    upstream: dict[str, dict[str, Any]] = dict(
        NodeRun.objects.filter(run_id=run.pk, node_id__in=[p for p, _, _ in edges]).values_list(
            "node_id", "outputs"
        )
    )
    files: dict[str, dict[str, Any]] = {}
    for parent_id, out_port, in_port in edges:
        output = upstream[parent_id][out_port]
        if "value" in output and ports[in_port] in VALUE_TYPES:
            paths[in_port] = {"value": output["value"]}  # small JSON: inline, no file to copy
        else:
            files[in_port] = output
    if files:
        artifacts = Artifact.objects.in_bulk([output["artifact"] for output in files.values()])
        for in_port, output in files.items():
            artifact = artifacts[output["artifact"]]
            paths[in_port] = str(_fetch_artifact(artifact, inputs_dir / in_port, ports[in_port]))
    config_inputs: dict[str, dict[str, Any]] = run.config.get("inputs", {})
    for key, given in config_inputs.items():
        node_id, dot, port = key.partition(".")
        if not dot or node_id != node_run.node_id:
            continue
        if "artifact" in given:
            artifact = Artifact.objects.get(pk=given["artifact"], project_id=run.project_id)
            storage = input_storage(run, artifact)
            paths[port] = str(_fetch_artifact(artifact, inputs_dir / port, ports[port], storage))
        else:
            path = inputs_dir / f"{port}.json"
            path.write_text(json.dumps(input_value(run, key, given)))
            paths[port] = str(path)
    # Pipeline inputs: the artifact or value the run gives each one, into every wired port.
    for name, port in input_feeds(run, node_run.node_id):
        chosen = config_inputs.get(name)
        if chosen is None:
            continue  # not given and no default: the port is optional (submit refused otherwise)
        if "artifact" in chosen:
            artifact = Artifact.objects.select_related("storage_account", "produced_by__run").get(
                pk=chosen["artifact"], project_id=run.project_id
            )
            storage = input_storage(run, artifact)
            paths[port] = str(_fetch_artifact(artifact, inputs_dir / port, ports[port], storage))
        else:  # inline, as small upstream values travel
            paths[port] = {"value": input_value(run, name, chosen)}
    return paths


@dataclass
class StoredOutput:
    """An output whose file is in storage; its Artifact row is written with the
    node's outcome (`save_outputs`), in the same transaction."""

    port: str
    artifact: Artifact
    reference: dict[str, Any]  # what NodeRun.outputs holds for the port, less the artifact id


def _store_output(
    node_run: NodeRun, work_dir: Path, name: str, entry: dict[str, Any], target: RunStorage
) -> StoredOutput:
    path = work_dir / entry["path"]
    if not path.resolve().is_relative_to(work_dir.resolve()):
        raise ValueError(f"output {name!r} is outside the work dir")
    storage = target.backend
    run = node_run.run
    prefix = f"runs/{run.pk}/{node_run.node_id}/{node_run.attempt}"
    if entry["type"] == "directory":
        with tempfile.TemporaryFile() as packed:
            with tarfile.open(fileobj=packed, mode="w:gz") as archive:
                archive.add(path, arcname=".")
            packed.seek(0)
            stored = storage.save(f"{prefix}/{name}.tar.gz", packed)
        filename = f"{node_run.node_id}.{name}.tar.gz"
    else:
        with path.open("rb") as source:
            stored = storage.save(f"{prefix}/{name}{path.suffix}", source)
        filename = f"{node_run.node_id}.{name}{path.suffix}"
    content_type = mimetypes.guess_type(filename)[0] or ("application/json" if "value" in entry else "")
    artifact = Artifact(
        project_id=run.project_id,
        name=filename,
        content_type=content_type,
        storage_backend=storage.name,
        storage_options=target.options,
        storage_account_id=target.account_id,
        location=stored.key,
        size=stored.size,
        checksum=stored.checksum,
        produced_by=node_run,
        created_by=run.created_by,
    )
    reference: dict[str, Any] = {
        "checksum": stored.checksum,
        "type": entry["type"],
        "size": stored.size,
        "name": filename,
        "content_type": content_type,
    }
    if "value" in entry and len(json.dumps(entry["value"])) <= INLINE_VALUE_BYTES:
        reference["value"] = entry["value"]
    return StoredOutput(name, artifact, reference)


def save_outputs(stored: list[StoredOutput]) -> dict[str, Any]:
    """Write the Artifact rows; answer port -> reference, as NodeRun.outputs holds it."""
    Artifact.objects.bulk_create([output.artifact for output in stored])
    return {output.port: {"artifact": output.artifact.pk, **output.reference} for output in stored}


def discard_outputs(stored: list[StoredOutput]) -> None:
    """Remove stored files whose node's result was not kept (cancelled, taken over)."""
    for output in stored:
        try:
            storage_of(output.artifact).delete(output.artifact.location)
        except Exception:  # a file left behind is only space
            logger.warning("could not remove %s", output.artifact.location, exc_info=True)


def read_metrics(work_dir: Path) -> dict[str, Any]:
    """metrics.jsonl -> {name: {"last": v, "series": [[step, v], ...]}} (series capped)."""
    metrics: dict[str, Any] = {}
    path = work_dir / "metrics.jsonl"
    if not path.exists():
        return metrics
    for line in path.read_text().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        entry = metrics.setdefault(record["name"], {"last": None, "series": []})
        entry["last"] = record["value"]
        if len(entry["series"]) < 2000:
            entry["series"].append([record.get("step"), record["value"]])
    return metrics


class OutputNotStored(Exception):
    """The run's storage refused or lost an output: the node fails with this message."""


def store_outputs(node_run: NodeRun, work_dir: Path, target: RunStorage) -> list[StoredOutput]:
    """Every output listed in result.json, put in the run's storage (see `save_outputs`).

    When the storage fails on one, the outputs already stored are removed and
    `OutputNotStored` names the output: no Artifact row is written for any of them.
    """
    result = json.loads((work_dir / "result.json").read_text())
    stored: list[StoredOutput] = []
    for name, entry in result["outputs"].items():
        try:
            stored.append(_store_output(node_run, work_dir, name, entry, target))
        except Exception as exc:
            discard_outputs(stored)
            raise OutputNotStored(
                f"could not store output {name!r} ({target.backend.label} storage): {exc}"
            ) from exc
    return stored
