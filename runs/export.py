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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from editor.models import Artifact, PipelineVersion
from runs.bundle import render_bundle
from runs.submit import operation_versions_for

CHUNK = 1024 * 1024
# Fixed entry times: the same export gives the same bytes (tests compare, users diff).
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
EXECUTABLE = 0o100755 << 16
REGULAR = 0o100644 << 16
SAFE_SUFFIX = re.compile(r"(\.[A-Za-z0-9]+)*")


@dataclass(frozen=True)
class StaticInput:
    """A pipeline input fixed to an artifact, shipped in the zip."""

    name: str
    artifact: Artifact
    # Opens the artifact's bytes (with whatever credentials the exporter gave).
    open: Callable[[], IO[bytes]]

    @property
    def arcname(self) -> str:
        suffix = "".join(PurePosixPath(self.artifact.name).suffixes)[-20:]
        if not SAFE_SUFFIX.fullmatch(suffix):
            suffix = ""
        return f"artifacts/{self.name}{suffix}"


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
    lines = [
        f"# {pipeline['name']} (version {pipeline['version']})",
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
    params = [
        (node["id"], param)
        for node in spec["nodes"]
        for param in node["operation"]["parameters"]
    ]
    if params:
        lines += ["## Parameters", "", "Override any of them with `--param NODE.NAME=VALUE`:", ""]
        for node_id, param in params:
            lines.append(f"- `{node_id}.{param['name']}` ({param['type']})")
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


def export_chunks(version: PipelineVersion, static: list[StaticInput] = ()) -> Iterator[bytes]:  # type: ignore[assignment]
    """The zip's bytes, chunk by chunk."""
    bundle = render_bundle(version, operation_versions_for(version, latest=False))
    spec = json.loads((bundle / "pipeline.json").read_text())
    arcnames = {item.name: item.arcname for item in static}
    spec["static_inputs"] = arcnames
    sink = _Chunks()
    with ZipFile(sink, "w", allowZip64=True) as archive:
        for path in bundle_files(bundle):
            relative = path.relative_to(bundle).as_posix()
            data = path.read_bytes()
            if relative == "pipeline.json":
                data = json.dumps(spec, indent=1, sort_keys=True).encode()
            archive.writestr(_info(relative, executable=relative == "main.py"), data)
            yield sink.take()
        archive.writestr(_info("README.md"), readme(spec, arcnames))
        yield sink.take()
        for item in static:
            with item.open() as source, archive.open(_info(item.arcname), "w", force_zip64=True) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()


def zip_name(version: PipelineVersion) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", version.pipeline.name).strip("-").lower() or "pipeline"
    return f"{slug}-v{version.number}.zip"
