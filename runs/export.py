"""Export: a pipeline version as a zip that runs anywhere with `python main.py`.

The zip is the execution bundle (the same files every compute backend runs), a
README, and the *static* inputs' artifacts under `artifacts/`. It is produced as
a stream of chunks: a big static artifact goes from its storage backend into the
response a megabyte at a time and is never held whole in memory. Nothing in it
is a secret: the bundle holds none, and artifacts are fetched by the server.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from asgiref.sync import sync_to_async
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from credentials.resolve import stored_options
from editor.artifacts import storage_of
from editor.choices import Role
from editor.graph import GraphInvalid, Problem
from editor.models import Artifact, Pipeline, PipelineVersion
from editor.pipelines import freeze_version
from editor.schemas import error_messages
from runs.bundle import render_bundle
from runs.config import ExecutionConfig, InputCredentials
from runs.inputs import check_pipeline_inputs, project_artifacts, resolve_input_credentials
from runs.submit import operation_versions_for
from storage_backends.registry import get_storage

CHUNK = 1024 * 1024
# Fixed entry times: the same export gives the same bytes (tests compare, users diff).
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
EXECUTABLE = 0o100755 << 16
REGULAR = 0o100644 << 16
SAFE_SUFFIX = re.compile(r"(\.[A-Za-z0-9]+)*")


@dataclass(frozen=True)
class StaticInput:
    """A pipeline input fixed in the zip: an artifact shipped under `artifacts/`, or a value."""

    name: str
    type: str
    artifact: Artifact | None = None
    value: Any = None
    # Opens the artifact's bytes (with the credentials the exporter gave).
    open: Callable[[], IO[bytes]] | None = None

    @property
    def arcname(self) -> str:
        if self.type == "directory":
            return f"artifacts/{self.name}"
        assert self.artifact is not None
        suffix = "".join(PurePosixPath(self.artifact.name).suffixes)[-20:]
        if not SAFE_SUFFIX.fullmatch(suffix):
            suffix = ""
        return f"artifacts/{self.name}{suffix}"

    def entry(self) -> dict[str, Any]:
        """What pipeline.json's `static_inputs` says of it (runtime/dag.py reads it)."""
        return {"path": self.arcname} if self.artifact is not None else {"value": self.value}


class ExportInvalid(ValueError):
    """Field -> messages, for a 400 (`graph`, `static`, `input_credentials`, `version`)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


class ExportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1, description="a version number; none: the saved draft")
    static: dict[str, dict[str, Any]] = Field(default_factory=dict)
    input_credentials: dict[str, InputCredentials] = Field(default_factory=dict)


@dataclass(frozen=True)
class PreparedExport:
    version: PipelineVersion
    bundle: Path
    static: list[StaticInput]

    @property
    def filename(self) -> str:
        return zip_name(self.version)


class _Chunks(io.RawIOBase):
    """A write-only, non-seekable sink whose bytes are taken out as they come."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._offset = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._offset += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._offset

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _info(arcname: str, executable: bool = False) -> ZipInfo:
    info = ZipInfo(arcname, date_time=ZIP_TIME)
    info.compress_type = ZIP_DEFLATED
    info.external_attr = EXECUTABLE if executable else REGULAR
    return info


def readme(spec: Mapping[str, Any], static: Mapping[str, str]) -> str:
    """The README inside the zip: what it is, how to run it, what can be given."""
    pipeline = spec["pipeline"]
    title = " ".join(str(pipeline["name"]).split())  # a name with line breaks stays one heading
    lines = [
        f"# {title} (version {pipeline['version']})",
        "",
        "Exported from Pipewright. It runs with Python 3.10+ and the packages in",
        "requirements.txt; the runtime itself uses only the standard library.",
        "",
        "```sh",
        "python -m venv .venv && .venv/bin/pip install -r requirements.txt",
        ".venv/bin/python main.py --help",
        ".venv/bin/python main.py --out results/",
        "```",
        "",
    ]
    inputs = spec.get("inputs") or []
    if inputs:
        lines += ["## Inputs", ""]
        for item in inputs:
            name = item["name"]
            if name in static:
                lines.append(f"- `{name}` ({item['type']}): fixed, shipped as `{static[name]}`")
            else:
                default = "" if item.get("default") is None else f", default {json.dumps(item['default'])}"
                lines.append(f"- `{name}` ({item['type']}{default}): `--input {name}=...`")
        lines.append("")
    params = [(node["id"], param) for node in spec["nodes"] for param in node["operation"]["parameters"]]
    if params:
        lines += ["## Parameters", "", "Override any of them with `--param NODE.NAME=VALUE`:", ""]
        for node_id, param in params:
            lines.append(f"- `{node_id}.{param['name']}` ({param['type']})")
        lines.append("")
    tasks = [node for node in spec["nodes"] if node["operation"].get("kind") == "container"]
    if tasks:
        lines += [
            "## Container tasks",
            "",
            "These nodes run their command on this machine (not in their image), so it must be",
            "installed here; a missing one stops its node, saying so. `${TASK_ID}` is the node id,",
            "`${RUN_PATH}` is `<out>/workspace`, `${ROOT_PATH}` is `files/` of this folder.",
            "",
        ]
        for node in tasks:
            operation = node["operation"]
            command = " ".join(operation.get("command") or []) or "(the image's entrypoint: cannot run here)"
            lines.append(f"- `{node['id']}`: `{command}` (image `{operation.get('image', '')}`)")
        lines.append("")
    lines += [
        "## Outputs",
        "",
        "Each node writes its outputs, `result.json` and `metrics.jsonl` under `<out>/<node id>/`;",
        "progress is printed as nodes start and finish.",
        "",
    ]
    return "\n".join(lines)


def bundle_files(bundle: Path) -> list[Path]:
    return sorted(p for p in bundle.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def export_chunks(prepared: PreparedExport) -> Iterator[bytes]:
    """The zip's bytes, chunk by chunk (no database access: safe to run in any thread)."""
    bundle = prepared.bundle
    spec = json.loads((bundle / "pipeline.json").read_text())
    spec["static_inputs"] = {item.name: item.entry() for item in prepared.static}
    shipped = {item.name: item.arcname for item in prepared.static if item.artifact is not None}
    sink = _Chunks()
    with ZipFile(sink, "w", allowZip64=True) as archive:
        for path in bundle_files(bundle):
            relative = path.relative_to(bundle).as_posix()
            data = path.read_bytes()
            if relative == "pipeline.json":
                data = json.dumps(spec, indent=1, sort_keys=True).encode()
            archive.writestr(_info(relative, executable=relative == "main.py"), data)
            yield sink.take()
        archive.writestr(_info("README.md"), readme(spec, shipped))
        yield sink.take()
        for item in prepared.static:
            if item.open is None:
                continue
            with item.open() as source:
                if item.type == "directory":
                    yield from _directory_entries(archive, sink, item.arcname, source)
                    continue
                with archive.open(_info(item.arcname), "w", force_zip64=True) as target:
                    while chunk := source.read(CHUNK):
                        target.write(chunk)
                        yield sink.take()
            yield sink.take()
    yield sink.take()


def _directory_entries(archive: ZipFile, sink: _Chunks, root: str, source: IO[bytes]) -> Iterator[bytes]:
    """A directory artifact (a .tar.gz) unpacked into the zip under `root`: regular files
    only, each path checked, streamed member by member."""
    with tarfile.open(fileobj=source, mode="r|gz") as tar:
        for member in tar:
            name = PurePosixPath(member.name)
            if not member.isfile() or name.is_absolute() or ".." in name.parts:
                continue
            relative = "/".join(part for part in name.parts if part not in ("", "."))
            if not relative:
                continue
            extracted = tar.extractfile(member)
            if extracted is None:
                continue
            with archive.open(_info(f"{root}/{relative}"), "w", force_zip64=True) as target:
                while chunk := extracted.read(CHUNK):
                    target.write(chunk)
                    yield sink.take()


def prepare_export(pipeline: Pipeline, user: Any, data: Any) -> PreparedExport:
    """Check an export request and get everything it needs from the database; raises
    ExportInvalid listing every problem. Nothing is streamed before this succeeds."""
    try:
        request = ExportRequest.model_validate(data or {})
    except ValidationError as exc:
        raise ExportInvalid({"non_field_errors": error_messages(exc)}) from exc
    version = _version(pipeline, user, request.version)
    graph = version.graph
    operation_versions = operation_versions_for(version, latest=False)
    wired = {(edge["target"], edge["target_port"]) for edge in graph["edges"]}
    problems = [
        _problem_text(Problem("required input is not connected", node=node_id, port=port["name"]))
        for node_id, operation_version in operation_versions.items()
        for port in operation_version.inputs
        if not port.get("optional") and (node_id, port["name"]) not in wired
    ]
    if problems:
        raise ExportInvalid({"graph": sorted(problems)})
    chosen, unset = current_values(pipeline, graph, request.static)
    if unset:
        raise ExportInvalid({"static": unset})
    request.static = chosen
    config = ExecutionConfig(inputs=request.static, input_credentials=request.input_credentials)
    ids = [int(value["artifact"]) for value in request.static.values() if "artifact" in value]
    artifacts = project_artifacts(pipeline.project_id, ids)
    input_problems, _defaults = check_pipeline_inputs(graph, config, set(), artifacts)
    errors: dict[str, list[str]] = {}
    for problem in input_problems:
        errors.setdefault("static", []).append("static." + problem.message.removeprefix("inputs."))
    credential_problems, secrets = resolve_input_credentials(config, artifacts, user)
    for problem in credential_problems:
        errors.setdefault("input_credentials", []).append(problem.message)
    if errors:
        raise ExportInvalid(errors)
    declared = {item["name"]: item for item in graph.get("inputs", [])}
    static: list[StaticInput] = []
    for name, given in sorted(request.static.items()):
        type_ = declared[name]["type"]
        if "artifact" not in given:
            static.append(StaticInput(name, type_, value=given["value"]))
            continue
        artifact = artifacts[int(given["artifact"])]
        storage = _storage_for(artifact, config.input_credentials.get(str(artifact.pk)), secrets)
        try:
            found = storage.exists(artifact.location)
        except Exception as exc:
            found, reason = False, str(exc) or type(exc).__name__
        else:
            reason = "it is no longer in its storage"
        if not found:
            errors.setdefault("static", []).append(
                f"static.{name}: artifact {artifact.name!r} cannot be fetched: {reason}"
            )
            continue
        static.append(StaticInput(name, type_, artifact=artifact, open=_opener(storage, artifact.location)))
    if errors:
        raise ExportInvalid(errors)
    bundle = render_bundle(version, operation_versions)
    return PreparedExport(version=version, bundle=bundle, static=static)


def current_values(
    pipeline: Pipeline, graph: dict[str, Any], static: dict[str, dict[str, Any]]
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Static inputs given as `{}` take their current value: what the latest run gave them,
    else their default. Answers the filled-in mapping and the problems of those with none."""
    declared = {item["name"]: item for item in graph.get("inputs", [])}
    last_run = pipeline.runs.order_by("-created_at").only("config").first()
    last = (last_run.config.get("inputs") or {}) if last_run else {}
    filled: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for name, given in static.items():
        if given or name not in declared:
            filled[name] = given
        elif name in last and "secret" not in last[name]:  # a secret value never goes into a zip
            filled[name] = dict(last[name])
        elif declared[name].get("default") is not None:
            filled[name] = {"value": declared[name]["default"]}
        else:
            problems.append(
                f"static.{name}: no current value (no run gave it one): choose an artifact or a value"
            )
    return filled, problems


def _opener(storage: Any, location: str) -> Callable[[], IO[bytes]]:
    return lambda: storage.open(location)


def _storage_for(
    artifact: Artifact, given: InputCredentials | None, secrets: dict[str, dict[str, Any]]
) -> Any:
    if given is None:
        return storage_of(artifact)
    options = {
        **stored_options(given.model_dump(), {}),
        **(artifact.storage_options or {}),
        **secrets.get(str(artifact.pk), {}),
    }
    return get_storage(artifact.storage_backend, options)


def _version(pipeline: Pipeline, user: Any, number: int | None) -> PipelineVersion:
    """The asked version; none asked: the saved draft, frozen (editors), else the latest."""
    if number is not None:
        version = pipeline.versions.filter(number=number).first()
        if version is None:
            raise ExportInvalid({"version": [f"version {number} of this pipeline does not exist"]})
        return version
    if pipeline.project.allows(user, Role.EDITOR):
        try:
            version, _ = freeze_version(pipeline, user)
        except GraphInvalid as exc:
            raise ExportInvalid({"graph": [_problem_text(p) for p in exc.problems]}) from exc
        return version
    latest = pipeline.versions.order_by("-number").first()
    if latest is None:
        raise ExportInvalid({"version": ["this pipeline has no version yet: an editor must save it first"]})
    return latest


def _problem_text(problem: Problem) -> str:
    from editor.api.serializers import problem_text

    return problem_text(problem)


def zip_name(version: PipelineVersion) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", version.pipeline.name).strip("-").lower() or "pipeline"
    return f"{slug}-v{version.number}.zip"


async def stream_export(prepared: PreparedExport) -> AsyncIterator[bytes]:
    """`export_chunks` for an ASGI response: each chunk made in a worker thread. (Django
    would read a plain iterator whole into memory before sending it.)"""
    chunks = export_chunks(prepared)

    def step() -> bytes | None:
        return next(chunks, None)

    while (chunk := await sync_to_async(step, thread_sensitive=False)()) is not None:
        if chunk:
            yield chunk
