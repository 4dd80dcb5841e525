"""Container tasks: their command line, their environment, and their outputs.

A container operation runs `command` + `args` in its image, without a shell
(editor/containers.py states the contract). This module is what every place
that runs one shares, standard library only:

- `invocation` fills `{{name}}` placeholders (parameters, inputs, outputs) and the
  processing variables `${RUN_PATH}`, `${TASK_ID}`, `${ROOT_PATH}`, `${WORK_PATH}` into
  the command and args, and gives the `PW_*` environment. The Kubernetes backend
  calls it with the pod's paths when it writes the manifest;
- `run_container_node` runs the task on this machine, as a subprocess (the local
  backend and an exported bundle's `main.py` call it through `runtime/node.py`):
  only when the command exists here, else it says so;
- `collect_outputs` reads what the command wrote to `$PW_OUTPUT_DIR/<name>` into
  `result.json`, as a Python node's run writes it (also run inside a pod, by the
  upload sidecar, see runtime/pod.py).

The processing variables (docs/engine.md, "Container tasks"): TASK_ID is
`<run id>-<node id>`; RUN_PATH a folder every task of the run shares; ROOT_PATH the
folder holding pipelines' files; WORK_PATH `ROOT_PATH/<pipeline slug>`, where the
pipeline's own files (shipped in the bundle under `files/<slug>/`) are. The job
file's `task` entry gives them; what it leaves out has a default for a bundle run
by hand (`python main.py`): the node id, `<out>/workspace`, the bundle's `files/`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

VALUE_TYPES = frozenset({"int", "float", "str", "bool", "json"})
VARIABLES = ("RUN_PATH", "TASK_ID", "ROOT_PATH", "WORK_PATH")
# One pass over an item: a processing variable or a placeholder; what is filled in is
# never read again, so a parameter value holding `${RUN_PATH}` stays as typed.
TOKEN = re.compile(r"\$\{(RUN_PATH|TASK_ID|ROOT_PATH|WORK_PATH)\}|\{\{\s*(.*?)\s*\}\}")
FILES_DIR = "files"


class TaskError(Exception):
    """The task cannot run here, or its outputs are not where they should be."""


def pipeline_slug(name: str) -> str:
    """The folder name of a pipeline's files under ROOT_PATH: `Resize images` -> `resize-images`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63].strip("-") or "pipeline"


def substitute(item: str, values: dict[str, str], variables: dict[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return variables.get(match.group(1), match.group(0))
        return values.get(match.group(2), "")

    return TOKEN.sub(fill, item)


def substitute_variables(item: str, variables: dict[str, str]) -> str:
    """Only the processing variables (mount paths have no placeholders)."""
    return substitute(item, {}, variables) if "${" in item else item


def parameter_text(type_: str, value: Any) -> str:
    """A parameter as the command sees it: text as is, anything else as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str) and type_ not in ("json",):
        return value
    return json.dumps(value, separators=(",", ":"))


def env_name(prefix: str, name: str) -> str:
    return prefix + name.upper()


def invocation(
    operation: dict[str, Any],
    params: dict[str, Any],
    inputs: dict[str, str],
    output_dir: str,
    variables: dict[str, str],
) -> tuple[list[str], list[str], dict[str, str]]:
    """(command, args, environment) with everything filled in. `inputs` are the input
    files' paths where the command runs (an input nothing feeds is left out), `output_dir`
    the folder outputs go to there."""
    values: dict[str, str] = {}
    env: dict[str, str] = {}
    for param in operation.get("parameters") or []:
        name = param["name"]
        text = parameter_text(param.get("type", "str"), params.get(name, param.get("default")))
        values[name] = text
        env[env_name("PW_PARAM_", name)] = text
    for port in operation.get("inputs") or []:
        name = port["name"]
        values[name] = inputs.get(name) or ""
        env[env_name("PW_INPUT_", name)] = values[name]
    for port in operation.get("outputs") or []:
        name = port["name"]
        values[name] = f"{output_dir}/{name}"
        env[env_name("PW_OUTPUT_", name)] = values[name]
    env["PW_OUTPUT_DIR"] = output_dir
    for variable in VARIABLES:
        if variable in variables:
            env[f"PW_{variable}"] = variables[variable]
    command = [substitute(str(item), values, variables) for item in operation.get("command") or []]
    args = [substitute(str(item), values, variables) for item in operation.get("args") or []]
    return command, args, env


def input_paths(operation: dict[str, Any], given: dict[str, Any], work_dir: Path) -> dict[str, str]:
    """Input name -> its file. A value that came inline (`{"value": v}`) is written to
    `inputs/<name>.json` first: a container reads every input from a file."""
    paths: dict[str, str] = {}
    declared = {port["name"] for port in operation.get("inputs") or []}
    for name, value in (given or {}).items():
        if name not in declared:
            raise TaskError(f"this task has no input {name!r}")
        if isinstance(value, dict):
            path = work_dir / "inputs" / f"{name}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value.get("value")))
            paths[name] = str(path)
        elif value is not None:
            paths[name] = str(value)
    for port in operation.get("inputs") or []:
        if port["name"] not in paths and not port.get("optional"):
            raise TaskError(f"required input {port['name']!r} has no value")
    return paths


def _read_value(port: dict[str, Any], path: Path) -> Any:
    text = path.read_text()
    try:
        value = json.loads(text)
    except ValueError:
        if port["type"] != "str":
            raise TaskError(
                f"output {port['name']!r} ({port['type']}) must hold JSON, e.g. 3 or [1, 2]; "
                f"it holds {text[:80]!r}"
            ) from None
        value = text[:-1] if text.endswith("\n") else text  # plain text for a str
    return value


# The ordering output of a task that others depend on without sharing a port.
DONE = "_done"


def collect_outputs(
    operation: dict[str, Any], work_dir: Path, node_id: str, seconds: float = 0.0
) -> dict[str, Any]:
    """Read every output from `outputs/<name>` and write `result.json` as a Python node does."""
    from .values import PortError, write_output

    out_dir = work_dir / "outputs"
    outputs: dict[str, Any] = {}
    for port in operation.get("outputs") or []:
        name, type_ = port["name"], port["type"]
        path = out_dir / name
        if name == DONE and not path.exists():
            # A YAML `depends` with no shared port: the task's ordering output, written for it
            # (editor/yaml_pipelines.py, docs/decisions.md).
            out_dir.mkdir(parents=True, exist_ok=True)
            path.write_text("true")
        if not path.exists():
            if port.get("optional"):
                continue
            raise TaskError(
                f"output {name!r} was not written: the command must write it to $PW_OUTPUT_DIR/{name}"
            )
        if type_ in VALUE_TYPES:
            try:
                outputs[name] = write_output(work_dir, port, _read_value(port, path))
            except PortError as exc:
                raise TaskError(str(exc)) from None
        elif type_ == "directory":
            if not path.is_dir():
                raise TaskError(f"output {name!r} must be a directory: {path}")
            outputs[name] = {"type": type_, "path": f"outputs/{name}"}
        else:
            if not path.is_file():
                raise TaskError(f"output {name!r} must be a file: {path}")
            outputs[name] = {"type": type_, "path": f"outputs/{name}"}
    result = {"node": node_id, "outputs": outputs, "seconds": round(seconds, 3)}
    (work_dir / "result.json").write_text(json.dumps(result, indent=1, sort_keys=True))
    return result


def missing_command_message(command: list[str]) -> str | None:
    """Why this machine cannot run the command itself, or None when it can."""
    if not command:
        return (
            "this container task has no command (it runs its image's entrypoint), which only the "
            "kubernetes backend can run; run it there, or give the operation a command"
        )
    if shutil.which(command[0]) is None:
        return (
            f"the local backend runs a container task's command on the worker itself: `{command[0]}` "
            f"is not installed there; run it on the kubernetes backend or install {command[0]}"
        )
    return None


def task_variables(bundle_dir: Path, node_id: str, work_dir: Path, job: dict[str, Any]) -> dict[str, str]:
    """The processing variables, from the job's `task` entry or their defaults."""
    task = job.get("task") or {}
    root = task.get("root_path") or str(bundle_dir / FILES_DIR)
    slug = task.get("pipeline_slug")
    if not slug:
        pipeline = json.loads((bundle_dir / "pipeline.json").read_text())
        slug = pipeline_slug(pipeline["pipeline"]["name"])
    return {
        "TASK_ID": str(task.get("id") or node_id),
        "RUN_PATH": str(task.get("run_path") or work_dir.parent / "workspace"),
        "ROOT_PATH": str(root),
        "WORK_PATH": str(Path(root) / slug),
    }


def place_files(bundle_dir: Path, work_path: Path, slug: str) -> None:
    """Copy the pipeline's files from the bundle into WORK_PATH (unless it is the bundle's)."""
    source = bundle_dir / FILES_DIR / slug
    work_path.mkdir(parents=True, exist_ok=True)
    if not source.is_dir() or source.resolve() == work_path.resolve():
        return
    for path in sorted(source.rglob("*")):
        target = work_path / path.relative_to(source)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(path, staging)
        os.replace(staging, target)  # a task reading it sees the old file or the new one


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def run_container_node(bundle_dir: Path, node_id: str, work_dir: Path, job: dict[str, Any]) -> int:
    """Run the task's command here as a subprocess (no shell); its exit code, or 127 when
    it cannot run here. On success the outputs are collected into result.json."""
    import time

    node = job["node"]
    operation = node["operation"]
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        variables = task_variables(bundle_dir, node_id, work_dir, job)
        slug = Path(variables["WORK_PATH"]).name
        Path(variables["RUN_PATH"]).mkdir(parents=True, exist_ok=True)
        place_files(bundle_dir, Path(variables["WORK_PATH"]), slug)
        inputs = input_paths(operation, job.get("inputs") or {}, work_dir)
        output_dir = work_dir / "outputs"
        output_dir.mkdir(parents=True, exist_ok=True)
        params = {**(node.get("params") or {}), **(job.get("params") or {})}
        command, args, env = invocation(operation, params, inputs, str(output_dir), variables)
        # What `ctx.progress()` and `ctx.log_metric()` write, for a task to write too (the
        # `::pipewright progress 0.4` log lines of runs/log_markers.py work on every backend).
        env["PW_PROGRESS_FILE"] = str(work_dir / "progress")
        env["PW_METRICS_FILE"] = str(work_dir / "metrics.jsonl")
    except (TaskError, OSError) as exc:
        print(f"[pipewright] {exc}", file=sys.stderr, flush=True)
        return 1
    argv = command + args
    problem = missing_command_message(command)
    if problem:
        print(f"[pipewright] {problem}", file=sys.stderr, flush=True)
        return 127
    print(f"[pipewright] running {shlex.join(argv)}", flush=True)
    sys.stdout.flush()
    started = time.time()
    try:
        code = subprocess.call(
            argv,
            cwd=work_dir,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
    except OSError as exc:
        print(f"[pipewright] cannot start {argv[0]}: {exc}", file=sys.stderr, flush=True)
        return 127
    if code != 0:
        print(f"[pipewright] the command exited with code {code}", file=sys.stderr, flush=True)
        return code if code > 0 else 128 - code
    try:
        collect_outputs(operation, work_dir, node_id, time.time() - started)
    except (TaskError, OSError) as exc:
        print(f"[pipewright] {exc}", file=sys.stderr, flush=True)
        return 1
    return 0
