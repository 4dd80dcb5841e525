"""Reading and writing port values by type, as files in a work dir.

Every output ends up as one file (or folder) under `outputs/`:

| type | file |
|---|---|
| file | what the operation wrote at `ctx.output_path(name)` (any suffix) |
| directory | a folder at `ctx.output_path(name)` |
| int, float, str, bool, json | `<name>.json` |
| object | `<name>.pkl` (pickle, for Python-to-Python edges) |
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path
from typing import Any

VALUE_TYPES = frozenset({"int", "float", "str", "bool", "json"})
PATH_TYPES = frozenset({"file", "directory"})


class PortError(Exception):
    """An output is missing, of the wrong kind, or outside the work dir."""


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def _coerce(type_: str, value: Any, name: str) -> Any:
    if type_ == "int" and isinstance(value, bool) is False and isinstance(value, int):
        return value
    if type_ == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if type_ == "str" and isinstance(value, str):
        return value
    if type_ == "bool" and isinstance(value, bool):
        return value
    if type_ == "json":
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise PortError(f"output {name!r} is not JSON-serialisable: {exc}") from exc
        return value
    raise PortError(f"output {name!r} must be of type {type_}, got {type(value).__name__}")


def write_output(work_dir: Path, port: dict[str, Any], value: Any) -> dict[str, Any]:
    """Store one returned output; answer its manifest entry (path relative to work_dir)."""
    name, type_ = port["name"], port["type"]
    outputs = work_dir / "outputs"
    outputs.mkdir(parents=True, exist_ok=True)
    if type_ in PATH_TYPES:
        if value is None:
            candidates = sorted(p for p in outputs.iterdir() if p.name == name or p.stem == name)
            if not candidates:
                raise PortError(f"output {name!r} was not written (use ctx.output_path({name!r}))")
            path = candidates[0]
        else:
            path = Path(os.fspath(value))
            if not path.is_absolute():
                path = work_dir / path
        if not _inside(path, work_dir):
            raise PortError(f"output {name!r} points outside the work dir: {path}")
        if type_ == "file" and not path.is_file():
            raise PortError(f"output {name!r} is not a file: {path}")
        if type_ == "directory" and not path.is_dir():
            raise PortError(f"output {name!r} is not a directory: {path}")
        if not _inside(path, outputs):
            target = outputs / f"{name}{path.suffix}"
            (shutil.copytree if path.is_dir() else shutil.copyfile)(path, target)
            path = target
        return {"type": type_, "path": str(path.relative_to(work_dir))}
    if type_ == "object":
        path = outputs / f"{name}.pkl"
        with path.open("wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        return {"type": type_, "path": str(path.relative_to(work_dir))}
    value = _coerce(type_, value, name)
    path = outputs / f"{name}.json"
    path.write_text(json.dumps(value, sort_keys=True))
    return {"type": type_, "path": str(path.relative_to(work_dir)), "value": value}


def read_input(type_: str, path: str) -> Any:
    """The value an operation receives for an input stored at `path`."""
    if type_ in PATH_TYPES:
        return path
    # By how it was stored, not by the declared type: a JSON output may feed an object input.
    if path.endswith(".pkl"):
        with open(path, "rb") as source:
            return pickle.load(source)
    with open(path) as source:
        return json.load(source)
