"""Pipelines described in YAML: a directory with `main.yml` and the files beside it.

`main.yml` names the pipeline and lists its tasks, each a container image with its command,
its Kubernetes needs (mounts, secrets, config maps, GPUs, node selector, resource type) and
the tasks it depends on:

    name: train-classifier
    tasks:
      - name: prepare
        image: ghcr.io/acme/prep:1.2
        command: [python, prep.py, --config, "${WORK_PATH}/configs/prep.yaml"]
        outputs: [dataset]
      - name: train
        image: ghcr.io/acme/train:3.1
        depends: [prepare]
        inputs: [dataset]
        num_gpus: 2

`parse` reads the text (anchors, aliases and `<<:` merge keys included) keeping the line of
every key; `validate` lists every problem with its file and line; `import_files` and
`import_directory` turn a valid description into a pipeline of container operations (one per
task, edges from `depends`) and freeze a version; `export_yaml` writes one back.
docs/editor.md ("Pipelines as YAML") describes the format for authors.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import stat
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import yaml
from django.db import transaction
from django.utils.text import slugify
from pydantic import ValidationError

from editor.choices import OperationKind
from editor.containers import container_problems, image_problem
from editor.graph import GraphInvalid, types_compatible
from editor.models import Operation, OperationVersion, Pipeline, PipelineVersion, Project
from editor.operations import create_operation_version
from editor.schemas import (
    FILES_MAX_BYTES,
    IDENTIFIER,
    NODE_ID,
    KubernetesSpec,
    OperationInterface,
    Resources,
    file_path_problem,
)

MAIN_FILE = "main.yml"
MAIN_FILES = ("main.yml", "main.yaml")
MAIN_MAX_BYTES = 1024 * 1024
MAX_FILES = 1000

PIPELINE_KEYS = ("name", "description", "tasks")
TASK_KEYS = (
    "name",
    "description",
    "image",
    "command",
    "args",
    "depends",
    "mounts",
    "secrets",
    "config_maps",
    "num_gpus",
    "cpu",
    "memory",
    "pull_policy",
    "node_selector",
    "resource_type",
    "num_workers",
    "inputs",
    "outputs",
)
PORT_KEYS = ("name", "type", "optional", "description")
MOUNT_KEYS = ("name", "path", "claim")
# Top-level keys starting with this are ignored: a place to define anchors (`x-defaults: &d`).
EXTENSION_PREFIX = "x-"

# YAML resource types and how operations store them (`editor.schemas.ResourceType`).
RESOURCE_TYPES = {
    "Pod": "Pod",
    "Job": "job",
    "TFJob": "TFJob",
    "PyTorchJob": "PyTorchJob",
    "MPIJob": "MPIJob",
    "ElasticJob": "ElasticJob",
}
YAML_RESOURCE_TYPES = {stored: name for name, stored in RESOURCE_TYPES.items()}
MULTI_WORKER_TYPES = frozenset({"TFJob", "PyTorchJob", "MPIJob", "ElasticJob"})
DEFAULT_RESOURCE_TYPE = "Pod"
PORT_TYPES = ("file", "directory", "int", "float", "str", "bool", "json", "object")

# A dependency that shares no port name with its dependant is an ordering edge: from the
# output ORDER_OUTPUT of the task depended on (json, written `true` by the runtime when the
# task succeeds) into an optional json input ORDER_INPUT_PREFIX + <its name> of the dependant.
# Port names starting with "_" are reserved for these (docs/decisions.md).
ORDER_OUTPUT = "_done"
ORDER_INPUT_PREFIX = "_after_"
RESERVED_PORT_PREFIX = "_"

POD_NAME_MAX = 63


class Problem(TypedDict):
    file: str
    line: int | None
    message: str


class ImportInvalid(ValueError):
    """A YAML pipeline that cannot be imported: every problem, with its file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem_text(p) for p in problems))
        self.problems = problems


class ExportInvalid(ValueError):
    """A pipeline that YAML cannot describe (Python operations, renamed wiring...)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def problem_text(problem: Problem) -> str:
    """`main.yml:12: message`, as compilers write it."""
    where = problem["file"] + (f":{problem['line']}" if problem["line"] else "")
    return f"{where}: {problem['message']}"


def pod_name(pipeline_name: str, task_name: str) -> str:
    """The pod (or job) name of a task: `<pipeline>-<task>`, lowercased to a DNS-1123 label;
    a name too long keeps its start and ends with a hash of the whole, so it stays unique."""
    text = f"{pipeline_name}-{task_name}".lower()
    name = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]+", "-", text)).strip("-") or "task"
    if len(name) > POD_NAME_MAX:
        digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        name = f"{name[: POD_NAME_MAX - 9].rstrip('-')}-{digest}"
    return name


# --- Parsing: the document and the line of every key ----------------------------------------

DocPath = tuple[str | int, ...]


@dataclass
class Document:
    """A parsed `main.yml`: its data (aliases and merges resolved) and where each part is."""

    data: Any
    filename: str = MAIN_FILE
    lines: dict[DocPath, int] = field(default_factory=dict)

    def line(self, path: Iterable[str | int]) -> int | None:
        """The line of `path` (a key's line), or of the nearest part that holds it."""
        parts = tuple(path)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return self.lines.get((), 1)


class _Loader(yaml.SafeLoader):
    pass


def _convert(
    loader: _Loader, node: yaml.Node, path: DocPath, doc: Document, problems: list[Problem], active: set[int]
) -> Any:
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if id(node) in active:
        problems.append(_problem(doc, path, "an alias refers to itself (recursive data)"))
        return None
    if isinstance(node, yaml.MappingNode):
        active.add(id(node))
        try:
            loader.flatten_mapping(node)  # resolves `<<: *anchor` merge keys
        except yaml.MarkedYAMLError as exc:
            problems.append(_mark_problem(doc.filename, exc))
            active.discard(id(node))
            return {}
        result: dict[Any, Any] = {}
        explicit: set[Any] = set()
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                problems.append(_problem(doc, path, "keys must be text", key_node.start_mark.line + 1))
                continue
            merged = key_node.tag == "tag:yaml.org,2002:merge"  # flatten_mapping leaves none
            if key in explicit and not merged:
                problems.append(
                    _problem(doc, path, f"key {key!r} is given twice", key_node.start_mark.line + 1)
                )
            explicit.add(key)
            child = (*path, key if isinstance(key, str) else str(key))
            doc.lines[child] = key_node.start_mark.line + 1
            result[key] = _convert(loader, value_node, child, doc, problems, active)
        active.discard(id(node))
        return result
    if isinstance(node, yaml.SequenceNode):
        active.add(id(node))
        items = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            doc.lines[child] = item.start_mark.line + 1
            items.append(_convert(loader, item, child, doc, problems, active))
        active.discard(id(node))
        return items
    try:
        return loader.construct_object(node, deep=True)
    except yaml.MarkedYAMLError as exc:
        problems.append(_mark_problem(doc.filename, exc))
        return None


def _mark_problem(filename: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    message = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
    return {"file": filename, "line": mark.line + 1 if mark else None, "message": f"invalid YAML: {message}"}


def _problem(doc: Document, path: Iterable[str | int], message: str, line: int | None = None) -> Problem:
    return {"file": doc.filename, "line": line if line is not None else doc.line(path), "message": message}


def parse(text: str | bytes, filename: str = MAIN_FILE) -> tuple[Document | None, list[Problem]]:
    """The document in `text` and the problems of its YAML (none when it parses). Duplicate
    keys are problems here (PyYAML would keep the last one silently)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return None, [{"file": filename, "line": None, "message": "not UTF-8 text"}]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return None, [_mark_problem(filename, exc)]
    except yaml.YAMLError as exc:
        return None, [{"file": filename, "line": None, "message": f"invalid YAML: {exc}"}]
    try:
        doc = Document(data=None, filename=filename)
        problems: list[Problem] = []
        if node is None:
            return None, [{"file": filename, "line": 1, "message": "the file is empty"}]
        doc.data = _convert(loader, node, (), doc, problems, set())
        return doc, problems
    finally:
        loader.dispose()


# --- Validation --------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


class _Checker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def add(self, path: DocPath, message: str) -> None:
        self.problems.append(_problem(self.doc, path, message))

    def keys(
        self,
        mapping: dict[Any, Any],
        path: DocPath,
        allowed: tuple[str, ...],
        what: str,
        extensions: bool = False,
    ) -> None:
        for key in mapping:
            if key in allowed or (extensions and isinstance(key, str) and key.startswith(EXTENSION_PREFIX)):
                continue
            self.add((*path, str(key)), f"unknown key {key!r} in {what}; allowed: {', '.join(allowed)}")

    def text(self, value: Any, path: DocPath, what: str) -> str | None:
        if isinstance(value, str):
            return value
        self.add(path, f"{what} must be text, not {_kind(value)}")
        return None

    def text_list(self, value: Any, path: DocPath, what: str, numbers: bool = False) -> list[str]:
        """A list of strings (numbers written as they read when `numbers`)."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, f"{what} must be a list, not {_kind(value)}")
            return []
        items = []
        for index, item in enumerate(value):
            if isinstance(item, str):
                items.append(item)
            elif numbers and isinstance(item, int | float) and not isinstance(item, bool):
                items.append(str(item))
            else:
                self.add((*path, index), f"{what} item {index + 1} must be text, not {_kind(item)}")
        return items

    def integer(self, value: Any, path: DocPath, what: str, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, f"{what} must be a whole number, not {_kind(value)}")
            return None
        if not low <= value <= high:
            self.add(path, f"{what} must be between {low} and {high}, not {value}")
            return None
        return value


def _ports(checker: _Checker, value: Any, path: DocPath, what: str) -> list[dict[str, Any]]:
    """A task's inputs or outputs: names, or mappings with name, type, optional, description."""
    if value is None:
        return []
    if not isinstance(value, list):
        checker.add(path, f"{what} must be a list, not {_kind(value)}")
        return []
    ports: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        where = (*path, index)
        port: dict[str, Any] = {"name": None, "type": "file", "optional": False, "description": ""}
        if isinstance(item, str):
            port["name"] = item
        elif isinstance(item, dict):
            checker.keys(item, where, PORT_KEYS, f"{what} item {index + 1}")
            port["name"] = checker.text(item.get("name"), (*where, "name"), f"{what} item {index + 1}'s name")
            if "type" in item:
                if item["type"] in PORT_TYPES:
                    port["type"] = item["type"]
                else:
                    checker.add(
                        (*where, "type"), f"type {item['type']!r} is not one of {', '.join(PORT_TYPES)}"
                    )
            if "optional" in item:
                if isinstance(item["optional"], bool):
                    port["optional"] = item["optional"]
                else:
                    checker.add((*where, "optional"), "optional must be true or false")
            if "description" in item:
                port["description"] = (
                    checker.text(item["description"], (*where, "description"), "description") or ""
                )
        else:
            checker.add(where, f"{what} item {index + 1} must be a name or a mapping, not {_kind(item)}")
            continue
        name = port["name"]
        if name is None:
            continue
        if not re.fullmatch(IDENTIFIER, name):
            checker.add(
                where, f"{name!r} is not a port name (letters, digits and _, not starting with a digit)"
            )
        elif name.startswith(RESERVED_PORT_PREFIX):
            checker.add(where, f"{name!r}: names starting with '_' are reserved for ordering edges")
        elif any(p["name"] == name for p in ports):
            checker.add(where, f"{what} {name!r} is declared twice")
        else:
            ports.append(port)
    return ports


def _task(checker: _Checker, raw: Any, index: int) -> dict[str, Any] | None:
    """One task, normalised (every key, defaults written out), or None when it is no mapping."""
    path: DocPath = ("tasks", index)
    if not isinstance(raw, dict):
        checker.add(path, f"task {index + 1} must be a mapping, not {_kind(raw)}")
        return None
    checker.keys(raw, path, TASK_KEYS, f"task {raw.get('name', index + 1)!s}")
    task: dict[str, Any] = {}
    name = raw.get("name")
    if name is None:
        checker.add(path, f"task {index + 1} has no name")
    elif isinstance(name, str) and not re.fullmatch(NODE_ID, name):
        checker.add(
            (*path, "name"),
            f"task name {name!r}: at most 64 letters, digits, '_', '-' and '.', not starting with '-' or '.'",
        )
    else:
        name = checker.text(name, (*path, "name"), "a task's name")
    task["name"] = name if isinstance(name, str) else None
    task["description"] = (
        checker.text(raw.get("description", ""), (*path, "description"), "description") or ""
    )
    image = raw.get("image")
    if image is None:
        checker.add(path, f"task {task['name'] or index + 1} has no image")
        task["image"] = ""
    else:
        task["image"] = (checker.text(image, (*path, "image"), "image") or "").strip()
        if task["image"] and (message := image_problem(task["image"])):
            checker.add((*path, "image"), message)
    task["command"] = checker.text_list(raw.get("command"), (*path, "command"), "command", numbers=True)
    task["args"] = checker.text_list(raw.get("args"), (*path, "args"), "args", numbers=True)
    task["depends"] = checker.text_list(raw.get("depends"), (*path, "depends"), "depends")

    mounts = []
    raw_mounts = raw.get("mounts")
    if raw_mounts is not None and not isinstance(raw_mounts, list):
        checker.add((*path, "mounts"), f"mounts must be a list, not {_kind(raw_mounts)}")
    for m, mount in enumerate(raw_mounts if isinstance(raw_mounts, list) else []):
        where = (*path, "mounts", m)
        if not isinstance(mount, dict):
            checker.add(where, f"mount {m + 1} must be a mapping with {', '.join(MOUNT_KEYS)}")
            continue
        checker.keys(mount, where, MOUNT_KEYS, f"mount {m + 1}")
        for key in MOUNT_KEYS:
            if key not in mount:
                checker.add(where, f"mount {m + 1} has no {key}")
        mounts.append({key: mount.get(key) for key in MOUNT_KEYS})
    task["mounts"] = mounts
    task["secrets"] = checker.text_list(raw.get("secrets"), (*path, "secrets"), "secrets")
    task["config_maps"] = checker.text_list(raw.get("config_maps"), (*path, "config_maps"), "config_maps")
    task["pull_policy"] = raw.get("pull_policy")
    selector = raw.get("node_selector", {})
    if not isinstance(selector, dict):
        checker.add((*path, "node_selector"), f"node_selector must be a mapping, not {_kind(selector)}")
        selector = {}
    for key, value in selector.items():
        if not isinstance(value, str):
            checker.add(
                (*path, "node_selector", key),
                f'node_selector {key}: the value must be text (quote it: "{value}"), not {_kind(value)}',
            )
    task["node_selector"] = {str(key): value for key, value in selector.items() if isinstance(value, str)}
    spec = {key: task[key] for key in ("mounts", "secrets", "config_maps", "pull_policy", "node_selector")}
    try:
        KubernetesSpec.model_validate(spec)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            if (
                loc[:1] == ("mounts",)
                and len(loc) >= 3
                and loc[2] in MOUNT_KEYS
                and spec["mounts"][int(loc[1])].get(loc[2]) is None
            ):
                continue  # a missing key, reported above
            checker.add(
                (*path, *loc),
                f"{'.'.join(str(p) for p in loc)}: {error['msg'].removeprefix('Value error, ')}",
            )

    task["num_gpus"] = 0
    if "num_gpus" in raw:
        task["num_gpus"] = checker.integer(raw["num_gpus"], (*path, "num_gpus"), "num_gpus", 0, 64) or 0
    task["cpu"] = float(Resources().cpu)
    if "cpu" in raw:
        cpu = raw["cpu"]
        if isinstance(cpu, bool) or not isinstance(cpu, int | float) or not 0 < cpu <= 512:
            checker.add((*path, "cpu"), f"cpu must be a number of cores above 0 and at most 512, not {cpu!r}")
        else:
            task["cpu"] = float(cpu)
    task["memory"] = Resources().memory
    if "memory" in raw:
        try:
            task["memory"] = Resources(memory=raw["memory"]).memory
        except ValidationError:
            checker.add(
                (*path, "memory"), f"memory must be a quantity like 512Mi or 2Gi, not {raw['memory']!r}"
            )
    resource_type = raw.get("resource_type", DEFAULT_RESOURCE_TYPE)
    if resource_type not in RESOURCE_TYPES:
        checker.add(
            (*path, "resource_type"),
            f"resource_type {resource_type!r} is not one of {', '.join(RESOURCE_TYPES)}",
        )
        resource_type = DEFAULT_RESOURCE_TYPE
    task["resource_type"] = resource_type
    task["num_workers"] = 1
    if "num_workers" in raw:
        workers = checker.integer(raw["num_workers"], (*path, "num_workers"), "num_workers", 1, 1024)
        if workers is not None:
            if resource_type not in MULTI_WORKER_TYPES and workers != 1:
                checker.add(
                    (*path, "num_workers"),
                    f"num_workers is for multi-worker jobs "
                    f"({', '.join(sorted(MULTI_WORKER_TYPES))}), not {resource_type}",
                )
            task["num_workers"] = workers
    task["inputs"] = _ports(checker, raw.get("inputs"), (*path, "inputs"), "input")
    task["outputs"] = _ports(checker, raw.get("outputs"), (*path, "outputs"), "output")
    return task


def _interface(task: dict[str, Any]) -> OperationInterface:
    return OperationInterface.model_validate(
        {"inputs": task["inputs"], "outputs": task["outputs"], "resources": _resources(task)}
    )


def _resources(task: dict[str, Any]) -> dict[str, Any]:
    return Resources.model_validate(
        {
            "cpu": task["cpu"],
            "memory": task["memory"],
            "gpus": task["num_gpus"],
            "resource_type": RESOURCE_TYPES[task["resource_type"]],
            "workers": task["num_workers"],
        }
    ).model_dump(mode="json")


def _kubernetes(task: dict[str, Any]) -> dict[str, Any]:
    spec = {key: task[key] for key in ("mounts", "secrets", "config_maps", "pull_policy", "node_selector")}
    return KubernetesSpec.model_validate(spec).model_dump(mode="json")


def _find_cycle(depends: Mapping[str, list[str]]) -> list[str]:
    state: dict[str, int] = {}
    for root in depends:
        if state.get(root):
            continue
        path, stack = [root], [iter(depends[root])]
        state[root] = 1
        while stack:
            child = next(stack[-1], None)
            if child is None:
                state[path.pop()] = 2
                stack.pop()
            elif child not in depends:
                continue
            elif state.get(child) == 1:
                return [*path[path.index(child) :], child]
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append(iter(depends[child]))
    return []


@dataclass
class Wiring:
    """The edges `depends` makes: (source task, source port, target task, target port)."""

    edges: list[tuple[str, str, str, str]]
    # Tasks another depends on by order only: they get the ORDER_OUTPUT port.
    ordered: set[str]


def order_input(dependency: str, taken: Iterable[str]) -> str:
    """The name of the ordering input of a task for `dependency`: `_after_<name>` (letters,
    digits and _ only), numbered when two dependencies would give the same name."""
    base = ORDER_INPUT_PREFIX + re.sub(r"[^A-Za-z0-9_]", "_", dependency)[:50]
    name, n, used = base, 2, set(taken)
    while name in used:
        name, n = f"{base}_{n}", n + 1
    return name


def _wiring(checker: _Checker, tasks: list[dict[str, Any]]) -> Wiring:
    by_name = {task["name"]: task for task in tasks}
    edges: list[tuple[str, str, str, str]] = []
    ordered: set[str] = set()
    for index, task in enumerate(tasks):
        fed: dict[str, str] = {}
        order_inputs: list[str] = []
        for dependency in task["depends"]:
            source = by_name[dependency]
            outputs = {port["name"]: port for port in source["outputs"]}
            shared = [port for port in task["inputs"] if port["name"] in outputs]
            for port in shared:
                where: DocPath = ("tasks", index, "depends")
                if port["name"] in fed:
                    checker.add(
                        where,
                        f"input {port['name']!r} of task {task['name']!r} would be fed by both "
                        f"{fed[port['name']]!r} and {dependency!r}; rename one of their outputs",
                    )
                    continue
                out_type = outputs[port["name"]]["type"]
                if not types_compatible(out_type, port["type"]):
                    checker.add(
                        where,
                        f"output {port['name']!r} of {dependency!r} is a {out_type}, "
                        f"which cannot feed {task['name']!r}'s {port['type']} input",
                    )
                fed[port["name"]] = dependency
                edges.append((dependency, port["name"], task["name"], port["name"]))
            if not shared:
                ordered.add(dependency)
                name = order_input(dependency, order_inputs)
                order_inputs.append(name)
                edges.append((dependency, ORDER_OUTPUT, task["name"], name))
        for p, port in enumerate(task["inputs"]):
            if port["name"] not in fed and not port["optional"]:
                checker.add(
                    ("tasks", index, "inputs", p),
                    f"input {port['name']!r} of task {task['name']!r} is "
                    "not an output of a task it depends on (add that task to depends, or mark the "
                    "input optional: true)",
                )
    return Wiring(edges, ordered)


def check(doc: Document) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The document normalised (every key of every task, defaults written out, names resolved)
    and every problem found; the normalised form is None when there are problems."""
    checker = _Checker(doc)
    data = doc.data
    if not isinstance(data, dict):
        checker.add(
            (), f"{doc.filename} must be a mapping with {', '.join(PIPELINE_KEYS)}, not {_kind(data)}"
        )
        return None, checker.problems
    checker.keys(data, (), PIPELINE_KEYS, "the pipeline", extensions=True)
    name = data.get("name")
    if name is None:
        checker.add((), "the pipeline has no name")
    elif checker.text(name, ("name",), "the pipeline's name") is not None and not (
        0 < len(name.strip()) <= 120
    ):
        checker.add(("name",), "the pipeline's name must have 1 to 120 characters")
    description = checker.text(data.get("description", ""), ("description",), "description") or ""
    raw_tasks = data.get("tasks")
    tasks: list[dict[str, Any]] = []
    if raw_tasks is None:
        checker.add((), "the pipeline has no tasks")
    elif not isinstance(raw_tasks, list) or not raw_tasks:
        checker.add(("tasks",), "tasks must be a list of at least one task")
    else:
        for index, raw in enumerate(raw_tasks):
            task = _task(checker, raw, index)
            if task is not None:
                tasks.append(task | {"_index": index})
    names: dict[str, int] = {}
    for task in tasks:
        if task["name"] is None:
            continue
        if task["name"] in names:
            checker.add(
                ("tasks", task["_index"], "name"),
                f"task name {task['name']!r} is used twice (also task {names[task['name']] + 1})",
            )
        else:
            names[task["name"]] = task["_index"]
    for task in tasks:
        where: DocPath = ("tasks", task["_index"], "depends")
        seen: set[str] = set()
        for d, dependency in enumerate(task["depends"]):
            if dependency == task["name"]:
                checker.add((*where, d), f"task {task['name']!r} depends on itself")
            elif dependency not in names:
                known = ", ".join(sorted(names)) or "none"
                checker.add(
                    (*where, d),
                    f"task {task['name']!r} depends on unknown task {dependency!r}; tasks: {known}",
                )
            elif dependency in seen:
                checker.add((*where, d), f"task {task['name']!r} names {dependency!r} twice in depends")
            seen.add(dependency)
        # Placeholders, variables and the rest of a container's content, as the API checks it.
        try:
            interface = _interface(task)
        except ValidationError:
            continue  # the parts are reported above
        for field_name, messages in container_problems(
            task["image"], task["command"], task["args"], interface, _kubernetes_or_none(task)
        ).items():
            if field_name in ("image",) or field_name.startswith("kubernetes."):
                if field_name.startswith("kubernetes.mounts.") and field_name.endswith(".path"):
                    mount = int(field_name.split(".")[2])
                    for message in messages:
                        checker.add(
                            ("tasks", task["_index"], "mounts", mount, "path"), f"mount path: {message}"
                        )
                continue  # image and the rest of kubernetes are reported above
            for message in messages:
                item = re.match(r"Item (\d+): ", message)
                path: DocPath = ("tasks", task["_index"], field_name)
                if item and field_name in ("command", "args"):
                    path = (*path, int(item.group(1)) - 1)
                checker.add(path, f"{field_name}: {message}")
    cycle = _find_cycle({task["name"]: task["depends"] for task in tasks if task["name"] is not None})
    if cycle:
        checker.add(("tasks", names[cycle[0]], "depends"), f"dependency cycle: {' -> '.join(cycle)}")
    if checker.problems:
        return None, checker.problems
    _wiring(checker, tasks)
    if checker.problems:
        return None, checker.problems
    for task in tasks:
        del task["_index"]
    return {"name": str(name).strip(), "description": description, "tasks": tasks}, []


def _kubernetes_or_none(task: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return _kubernetes(task)
    except ValidationError:
        return None


def validate(doc: Document) -> list[Problem]:
    """Every problem of a parsed document, each with its file and line."""
    return check(doc)[1]


def normalize(text: str | bytes, filename: str = MAIN_FILE) -> dict[str, Any]:
    """The meaning of a `main.yml`: the normalised document, or ImportInvalid."""
    doc, problems = parse(text, filename)
    if doc is None:
        raise ImportInvalid(problems)
    normal, more = check(doc)
    if normal is None or problems:
        raise ImportInvalid(problems + more)
    return normal


# --- Import ---------------------------------------------------------------------------------


def _strip_folder(files: dict[str, bytes]) -> dict[str, bytes]:
    """A zip of the directory itself (`pipeline/main.yml`...) read as if it were its content."""
    if any(path in MAIN_FILES for path in files):
        return files
    tops = {path.split("/", 1)[0] for path in files}
    if len(tops) == 1:
        top = tops.pop()
        if any(f"{top}/{main}" in files for main in MAIN_FILES):
            return {path.split("/", 1)[1]: data for path, data in files.items() if "/" in path}
    return files


def _pipeline_files(files: dict[str, bytes]) -> tuple[str, bytes | None, list[dict[str, str]], list[Problem]]:
    problems: list[Problem] = []
    mains = [path for path in MAIN_FILES if path in files]
    if not mains:
        return (
            MAIN_FILE,
            None,
            [],
            [
                {
                    "file": MAIN_FILE,
                    "line": None,
                    "message": "no main.yml: a YAML pipeline is a directory with main.yml",
                }
            ],
        )
    if len(mains) > 1:
        problems.append({"file": mains[1], "line": None, "message": "give main.yml or main.yaml, not both"})
    main = mains[0]
    text = files[main]
    if len(text) > MAIN_MAX_BYTES:
        problems.append({"file": main, "line": None, "message": f"larger than {MAIN_MAX_BYTES // 1024} KiB"})
    extra = sorted(path for path in files if path not in MAIN_FILES)
    if len(extra) > MAX_FILES:
        problems.append({"file": extra[MAX_FILES], "line": None, "message": f"more than {MAX_FILES} files"})
    stored = []
    total = 0
    for path in extra:
        if problem := file_path_problem(path):
            problems.append({"file": path, "line": None, "message": problem})
            continue
        total += len(files[path])
        stored.append({"path": path, "content": base64.b64encode(files[path]).decode("ascii")})
    if total > FILES_MAX_BYTES:
        problems.append(
            {
                "file": main,
                "line": None,
                "message": f"the files beside {main} take {total:,} bytes; "
                f"at most {FILES_MAX_BYTES // (1024 * 1024)} MiB",
            }
        )
    return main, text, stored, problems


def read_zip(data: bytes) -> dict[str, bytes]:
    """The files of a zip by relative path; ImportInvalid for anything unsafe (absolute paths,
    `..`, links, too many or too large files) instead of writing it anywhere."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportInvalid([{"file": "upload", "line": None, "message": "not a zip file"}]) from None
    problems: list[Problem] = []
    files: dict[str, bytes] = {}
    total = 0
    with archive:
        infos = [
            info
            for info in archive.infolist()
            if not info.is_dir() and not info.filename.startswith("__MACOSX/")
        ]
        if len(infos) > MAX_FILES + 2:
            raise ImportInvalid([{"file": "upload", "line": None, "message": f"more than {MAX_FILES} files"}])
        for info in infos:
            name = info.filename
            if stat.S_ISLNK(info.external_attr >> 16):
                problems.append({"file": name, "line": None, "message": "links are not taken"})
                continue
            problem = "" if name in MAIN_FILES else file_path_problem(name)
            if problem:
                problems.append({"file": name, "line": None, "message": problem})
                continue
            total += info.file_size
            if total > FILES_MAX_BYTES + MAIN_MAX_BYTES:
                raise ImportInvalid(
                    [
                        {
                            "file": name,
                            "line": None,
                            "message": "the zip holds more than "
                            f"{(FILES_MAX_BYTES + MAIN_MAX_BYTES) // (1024 * 1024)} MiB",
                        }
                    ]
                )
            files[name] = archive.read(info)
    if problems:
        raise ImportInvalid(problems)
    return files


def read_directory(path: str | Path) -> dict[str, bytes]:
    """The files of a pipeline directory by relative path (`.git` and `__pycache__` left out;
    links are refused)."""
    root = Path(path)
    if not root.is_dir():
        raise ImportInvalid([{"file": str(root), "line": None, "message": "not a directory"}])
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    for item in sorted(root.rglob("*")):
        relative = item.relative_to(root).as_posix()
        if any(part in (".git", "__pycache__") for part in item.relative_to(root).parts):
            continue
        if item.is_symlink():
            problems.append({"file": relative, "line": None, "message": "links are not taken"})
        elif item.is_file():
            files[relative] = item.read_bytes()
    if problems:
        raise ImportInvalid(problems)
    return files


def operation_slug(pipeline_name: str, task_name: str) -> str:
    """`<pipeline-slug>-<task-name>`, the slug of a task's operation in the project."""
    return slugify(f"{slugify(pipeline_name)}-{task_name}")[:120].strip("-") or "task"


def _layout(tasks: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Left to right by depth of dependency, top to bottom in file order."""
    depth: dict[str, int] = {}
    remaining = {task["name"]: task["depends"] for task in tasks}
    while remaining:
        for name, depends in list(remaining.items()):
            if all(dep in depth for dep in depends):
                depth[name] = 1 + max((depth[dep] for dep in depends), default=-1)
                del remaining[name]
    rows: dict[int, int] = {}
    positions = {}
    for task in tasks:
        column = depth[task["name"]]
        row = rows.get(column, 0)
        rows[column] = row + 1
        positions[task["name"]] = {"x": 80.0 + 300 * column, "y": 80.0 + 160 * row}
    return positions


def _operation_content(task: dict[str, Any], wiring: Wiring) -> dict[str, Any]:
    inputs = [_port(p) for p in task["inputs"]]
    outputs = [_port(p) for p in task["outputs"]]
    for source, source_port, target, target_port in wiring.edges:
        if target == task["name"] and source_port == ORDER_OUTPUT:
            inputs.append(
                {
                    "name": target_port,
                    "type": "json",
                    "optional": True,
                    "description": f"Runs after {source}.",
                }
            )
    if task["name"] in wiring.ordered:
        outputs.append(
            {
                "name": ORDER_OUTPUT,
                "type": "json",
                "description": "Written by the runtime when the task succeeds; what runs after it waits.",
            }
        )
    return {
        "kind": OperationKind.CONTAINER,
        "image": task["image"],
        "command": task["command"],
        "args": task["args"],
        "inputs": inputs,
        "outputs": outputs,
        "parameters": [],
        "resources": _resources(task),
        "kubernetes": _kubernetes(task),
    }


def _port(port: dict[str, Any]) -> dict[str, Any]:
    data = {"name": port["name"], "type": port["type"]}
    if port["description"]:
        data["description"] = port["description"]
    if port["optional"]:
        data["optional"] = True
    return data


@transaction.atomic
def import_files(
    project: Project, files: dict[str, bytes], user: Any = None
) -> tuple[Pipeline, PipelineVersion]:
    """Create or update the pipeline `main.yml` names in `project`, one container operation
    per task, and freeze a version. `files`: relative path -> bytes (main.yml and the files
    beside it; a single top folder holding main.yml is looked into). ImportInvalid lists
    every problem."""
    from editor.pipelines import freeze_version, save_draft

    files = _strip_folder(files)
    main, text, stored, problems = _pipeline_files(files)
    if text is None:
        raise ImportInvalid(problems)
    doc, parse_problems = parse(text, main)
    problems = parse_problems + problems
    normal = None
    if doc is not None:  # a duplicate key still leaves a document to check
        normal, check_problems = check(doc)
        problems += check_problems
    if problems or normal is None or doc is None:
        raise ImportInvalid(problems)
    checker = _Checker(doc)
    wiring = _wiring(checker, normal["tasks"])

    pipeline = Pipeline.objects.filter(project=project, name=normal["name"]).first()
    slugs: dict[str, str] = {}
    for index, task in enumerate(normal["tasks"]):
        slug = operation_slug(normal["name"], task["name"])
        if slug in slugs.values():
            slug = f"{slug[:115]}-{index + 1}"
        slugs[task["name"]] = slug
        existing = Operation.objects.filter(project=project, slug=slug).first()
        latest = existing.latest_version if existing else None
        if latest is not None and latest.kind != OperationKind.CONTAINER:
            raise ImportInvalid(
                [
                    _problem(
                        doc,
                        ("tasks", index, "name"),
                        f"the project's operation {slug!r} is a Python operation; "
                        "rename the task or the pipeline",
                    )
                ]
            )
    nodes = []
    old_nodes = {node["id"]: node for node in (pipeline.graph.get("nodes", []) if pipeline else [])}
    positions = _layout(normal["tasks"])
    for task in normal["tasks"]:
        operation, _ = Operation.objects.get_or_create(
            project=project,
            slug=slugs[task["name"]],
            defaults={
                "name": f"{normal['name']}: {task['name']}"[:120],
                "category": normal["name"][:60],
                "created_by": user if getattr(user, "is_authenticated", False) else None,
            },
        )
        if task["description"] and operation.description != task["description"]:
            operation.description = task["description"]
            operation.save(update_fields=["description", "updated_at"])
        create_operation_version(operation, _operation_content(task, wiring), user)
        old = old_nodes.get(task["name"])
        keep_position = old is not None and old.get("operation") == operation.pk
        nodes.append(
            {
                "id": task["name"],
                "operation": operation.pk,
                "label": task["name"],
                "params": {},
                "position": old["position"] if keep_position and old else positions[task["name"]],
            }
        )
    edges = [
        {
            "id": f"e{number}",
            "source": source,
            "source_port": source_port,
            "target": target,
            "target_port": target_port,
        }
        for number, (source, source_port, target, target_port) in enumerate(wiring.edges, start=1)
    ]
    graph: dict[str, Any] = {"nodes": nodes, "edges": edges, "inputs": []}
    if pipeline is not None:  # the canvas's notes stay; groups keep the tasks that remain
        ids = {node["id"] for node in nodes}
        if notes := [note for note in pipeline.graph.get("notes", []) if note.get("id") not in ids]:
            graph["notes"] = notes
        groups = []
        for group in pipeline.graph.get("groups", []):
            if group.get("id") not in ids:
                groups.append({**group, "nodes": [n for n in group.get("nodes", []) if n in ids]})
        if groups:
            graph["groups"] = groups
    if stored:
        graph["files"] = stored
    try:
        graph = _validated(graph)
    except GraphInvalid as exc:
        raise ImportInvalid(
            [{"file": main, "line": None, "message": p.message} for p in exc.problems]
        ) from exc
    if pipeline is None:
        pipeline = Pipeline.objects.create(
            project=project,
            name=normal["name"],
            description=normal["description"],
            graph=graph,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
    else:
        pipeline = save_draft(pipeline, {"graph": graph, "description": normal["description"]})
    version, _ = freeze_version(pipeline, user)
    return pipeline, version


def _validated(graph: dict[str, Any]) -> dict[str, Any]:
    """The graph checked and normalised as a saved draft is (every operation in it is the
    project's own, just written)."""
    from editor.graph import check_wiring, parse_graph
    from editor.operations import interface_of, latest_versions

    parsed = parse_graph(graph)
    versions = latest_versions(node.operation for node in parsed.nodes)
    problems = check_wiring(parsed, {op: interface_of(v) for op, v in versions.items()})
    if problems:
        raise GraphInvalid(problems)
    return parsed.model_dump(mode="json")


def import_directory(project: Project, path: str | Path, user: Any = None) -> Pipeline:
    """Import the YAML pipeline in directory `path` (main.yml and the files beside it)."""
    return import_files(project, read_directory(path), user)[0]


# --- Export ---------------------------------------------------------------------------------


class _FlowList(list[Any]):
    """Written on one line: `[python, train.py]`."""


class _FlowDict(dict[str, Any]):
    """Written on one line: `{name: raw, path: /data/raw, claim: raw-data}`."""


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_flow(dumper: yaml.SafeDumper, value: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _represent_flow_dict(dumper: yaml.SafeDumper, value: _FlowDict) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_FlowList, _represent_flow)
_Dumper.add_representer(_FlowDict, _represent_flow_dict)


def _short_list(items: list[str]) -> list[str]:
    """One line when short and plain, a block list otherwise."""
    plain = not any(char in item for item in items for char in "\n'\"\\")
    if plain and sum(len(item) + 2 for item in items) <= 80:
        return _FlowList(items)
    return list(items)


def task_yaml(task: dict[str, Any]) -> dict[str, Any]:
    """A normalised task as main.yml writes it: keys in TASK_KEYS order, defaults left out."""
    out: dict[str, Any] = {"name": task["name"]}
    if task["description"]:
        out["description"] = task["description"]
    out["image"] = task["image"]
    for key in ("command", "args", "depends"):
        if task[key]:
            out[key] = _short_list(task[key])
    if task["mounts"]:
        out["mounts"] = [_FlowDict(mount) for mount in task["mounts"]]
    for key in ("secrets", "config_maps"):
        if task[key]:
            out[key] = _short_list(task[key])
    if task["num_gpus"]:
        out["num_gpus"] = task["num_gpus"]
    defaults = Resources()
    if task["cpu"] != defaults.cpu:
        out["cpu"] = int(task["cpu"]) if float(task["cpu"]).is_integer() else task["cpu"]
    if task["memory"] != defaults.memory:
        out["memory"] = task["memory"]
    if task["pull_policy"]:
        out["pull_policy"] = task["pull_policy"]
    if task["node_selector"]:
        out["node_selector"] = dict(task["node_selector"])
    if task["resource_type"] != DEFAULT_RESOURCE_TYPE:
        out["resource_type"] = task["resource_type"]
    if task["num_workers"] != 1:
        out["num_workers"] = task["num_workers"]
    for key in ("inputs", "outputs"):
        ports = []
        for port in task[key]:
            if port["type"] == "file" and not port["optional"] and not port["description"]:
                ports.append(port["name"])
            else:
                written = {key: port[key] for key in PORT_KEYS if port[key] or key in ("name", "type")}
                ports.append(_FlowDict(written) if not port["description"] else written)
        if ports:
            out[key] = _FlowList(ports) if all(isinstance(p, str) for p in ports) else ports
    return out


def dump_yaml(normal: dict[str, Any]) -> str:
    """The text of main.yml for a normalised document."""
    data: dict[str, Any] = {"name": normal["name"]}
    if normal.get("description"):
        data["description"] = normal["description"]
    data["tasks"] = [task_yaml(task) for task in normal["tasks"]]
    text: str = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return text


def _frozen(target: Pipeline | PipelineVersion) -> tuple[str, str, dict[str, Any]]:
    if isinstance(target, PipelineVersion):
        return target.pipeline.name, target.pipeline.description, target.graph
    from editor.pipelines import frozen_graph

    return target.name, target.description, frozen_graph(target)


def document_of(target: Pipeline | PipelineVersion) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The normalised document and the files of a pipeline (its draft, each node at its
    operation's latest version) or of a version; ExportInvalid when YAML cannot say it."""
    name, description, graph = _frozen(target)
    problems: list[str] = []
    if graph.get("inputs"):
        problems.append(
            "pipeline inputs cannot be written as YAML: a YAML task reads only what the tasks it "
            "depends on write"
        )
    versions = OperationVersion.objects.in_bulk([node["operation_version"] for node in graph["nodes"]])
    node_ids = {node["id"] for node in graph["nodes"]}
    tasks = []
    for node in graph["nodes"]:
        version = versions[node["operation_version"]]
        if version.kind != OperationKind.CONTAINER:
            problems.append(
                f"node {node['id']}: a Python operation; only container operations are YAML tasks"
            )
            continue
        if version.parameters:
            problems.append(
                f"node {node['id']}: YAML tasks have no parameters "
                f"({', '.join(p['name'] for p in version.parameters)})"
            )
        resources = {**version.resources, **(node.get("resources") or {})}
        full = Resources.model_validate(resources)
        depends: list[str] = []
        for edge in graph["edges"]:
            if edge["target"] != node["id"] or edge["source"] not in node_ids:
                continue
            ordering = edge["source_port"] == ORDER_OUTPUT and edge["target_port"].startswith(
                ORDER_INPUT_PREFIX
            )
            if not ordering and edge["source_port"] != edge["target_port"]:
                problems.append(
                    f"edge {edge['source']}.{edge['source_port']} -> {node['id']}.{edge['target_port']}: "
                    "YAML wires an output to the input of the same name only"
                )
            if edge["source"] not in depends:
                depends.append(edge["source"])
        kubernetes: dict[str, Any] = {
            "mounts": [],
            "secrets": [],
            "config_maps": [],
            "pull_policy": None,
            "node_selector": {},
        }
        kubernetes.update(version.kubernetes or {})
        tasks.append(
            {
                "name": node["id"],
                "description": version.operation.description if version.operation_id else "",
                "image": version.image,
                "command": list(version.command),
                "args": list(version.args),
                "depends": depends,
                **kubernetes,
                "num_gpus": full.gpus,
                "cpu": float(full.cpu),
                "memory": full.memory,
                "resource_type": YAML_RESOURCE_TYPES[full.resource_type],
                "num_workers": full.workers,
                "inputs": [
                    _normal_port(p) for p in version.inputs if not p["name"].startswith(RESERVED_PORT_PREFIX)
                ],
                "outputs": [
                    _normal_port(p) for p in version.outputs if not p["name"].startswith(RESERVED_PORT_PREFIX)
                ],
            }
        )
    if problems:
        raise ExportInvalid(problems)
    files = {item["path"]: base64.b64decode(item["content"]) for item in graph.get("files", [])}
    return {"name": name, "description": description, "tasks": tasks}, files


def _normal_port(port: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": port["name"],
        "type": port["type"],
        "optional": bool(port.get("optional")),
        "description": port.get("description", ""),
    }


def export_yaml(target: Pipeline | PipelineVersion) -> dict[str, bytes]:
    """main.yml and the files beside it, by relative path (main.yml first, then by path)."""
    normal, files = document_of(target)
    return {MAIN_FILE: dump_yaml(normal).encode(), **dict(sorted(files.items()))}


def export_zip(target: Pipeline | PipelineVersion) -> bytes:
    """export_yaml's files in a zip (the same bytes for the same content)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in export_yaml(target).items():
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def write_directory(files: dict[str, bytes], directory: str | Path) -> list[Path]:
    """Write exported files under `directory` (created); the paths written."""
    root = Path(directory)
    written = []
    for path, data in files.items():
        if file_path_problem(path) and path != MAIN_FILE:
            raise ExportInvalid([f"{path}: {file_path_problem(path)}"])
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written
