"""Typed schemas for the JSON stored on operations and pipelines.

Everything that enters a JSON field goes through one of these models first,
so a malformed graph or port list is refused at the edge with a message that
names where it is wrong.
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
import re
from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)

PortType = Literal["int", "float", "str", "bool", "json", "file", "directory", "object"]
ParamType = Literal["int", "float", "str", "bool", "json"]

IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
NODE_ID = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _used_twice(ids: list[str]) -> list[str]:
    return sorted(item for item, count in Counter(ids).items() if count > 1)


class Port(Strict):
    name: str = Field(pattern=IDENTIFIER)
    type: PortType
    description: str = ""
    optional: bool = False


class Param(Strict):
    name: str = Field(pattern=IDENTIFIER)
    type: ParamType
    default: Any = None
    description: str = ""
    # Numbers may be bounded (inclusive); any type but json and bool may be a fixed choice.
    minimum: float | None = None
    maximum: float | None = None
    choices: list[Any] | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def bounds_and_choices_fit_the_type(self) -> Param:
        numeric = self.type in ("int", "float")
        if (self.minimum is not None or self.maximum is not None) and not numeric:
            raise ValueError(f"minimum and maximum are for int and float parameters, not {self.type}")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"minimum {self.minimum:g} is above maximum {self.maximum:g}")
        if self.choices is not None:
            if self.type in ("json", "bool"):
                raise ValueError(f"choices are for int, float and str parameters, not {self.type}")
            for choice in self.choices:
                if not input_value_ok(self.type, choice):
                    raise ValueError(f"choice {choice!r} is not of type {self.type}")
            if len({repr(choice) for choice in self.choices}) != len(self.choices):
                raise ValueError("choices must differ")
        if self.default is not None and (problem := self.value_problem(self.default)):
            raise ValueError(f"default {self.default!r} {problem}")
        return self

    def value_problem(self, value: Any) -> str:
        """Why `value` does not fit this parameter ("must be of type int", "must be at most 1"), or ""."""
        if not input_value_ok(self.type, value):
            return f"must be of type {self.type}"
        if self.minimum is not None and value < self.minimum:
            return f"must be at least {self.minimum:g}"
        if self.maximum is not None and value > self.maximum:
            return f"must be at most {self.maximum:g}"
        if self.choices is not None and value not in self.choices:
            return f"must be one of {', '.join(json.dumps(c) for c in self.choices)}"
        return ""

    @model_serializer(mode="wrap")
    def _omit_unset_limits(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Left out when unset, so versions stored before these fields existed hash the same.
        data: dict[str, Any] = handler(self)
        for key in ("minimum", "maximum", "choices"):
            if data.get(key) is None:
                data.pop(key, None)
        return data


# How a node runs on Kubernetes: a batch Job (`job`), a bare Pod (`Pod`, the default of YAML
# pipelines), or a Kubeflow training job with `workers` replicas.
ResourceType = Literal["job", "Pod", "PyTorchJob", "TFJob", "MPIJob", "ElasticJob"]
# The bounds of each resource, shared by operation defaults and node overrides.
Cpu = Annotated[float, Field(gt=0, le=512)]
MEMORY_PATTERN = r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti)?$"


def _memory_quantity(value: str) -> str:
    if not re.fullmatch(MEMORY_PATTERN, value):
        raise ValueError("must be a quantity like 512Mi or 2Gi (bytes, Ki, Mi, Gi or Ti)")
    return value


Memory = Annotated[
    str, AfterValidator(_memory_quantity), WithJsonSchema({"type": "string", "pattern": MEMORY_PATTERN})
]
Gpus = Annotated[int, Field(ge=0, le=64)]
Workers = Annotated[int, Field(ge=1, le=1024)]
MAX_RETRIES = 20
MAX_BACKOFF_SECONDS = 3600
MAX_TIMEOUT_SECONDS = 7 * 24 * 3600


class Resources(Strict):
    """What an operation asks for; a node may override any field (`NodeResources`)."""

    cpu: Cpu = 1
    memory: Memory = "1Gi"
    gpus: Gpus = 0
    # A GPU node may still run on a machine without GPUs, saying so in its log.
    cpu_fallback: bool = False
    resource_type: ResourceType = "job"
    workers: Workers = 1

    @model_serializer(mode="wrap")
    def _omit_kubernetes_defaults(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Left out at their defaults, so versions stored before these fields existed hash the same.
        data: dict[str, Any] = handler(self)
        if data.get("resource_type") == "job":
            data.pop("resource_type")
        if data.get("workers") == 1:
            data.pop("workers")
        return data


class NodeResources(Strict):
    """A node's overrides of its operation's resources: unset fields keep the operation's."""

    cpu: Cpu | None = None
    memory: Memory | None = None
    gpus: Gpus | None = None
    cpu_fallback: bool | None = None
    resource_type: ResourceType | None = None
    workers: Workers | None = None

    @model_serializer(mode="wrap")
    def _only_what_is_set(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {key: value for key, value in handler(self).items() if value is not None}


# Kubernetes names, as the API server checks them (RFC 1123 labels and subdomains, label keys
# and values of node selectors).
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_LABEL_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
LABEL_KEY = re.compile(
    rf"^(?:(?=[^/]{{1,253}}/)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?{_LABEL_NAME}$"
)
LABEL_VALUE = re.compile(rf"^(?:{_LABEL_NAME})?$")
PullPolicy = Literal["Always", "IfNotPresent", "Never"]


def _dns_label(value: str) -> str:
    if len(value) > 63 or not re.fullmatch(DNS_LABEL, value):
        raise ValueError(
            f"{value!r} is not a Kubernetes name: at most 63 lowercase letters, digits and '-', "
            "starting and ending with a letter or digit"
        )
    return value


def _dns_subdomain(value: str) -> str:
    if len(value) > 253 or not re.fullmatch(DNS_SUBDOMAIN, value):
        raise ValueError(
            f"{value!r} is not a Kubernetes name: lowercase letters, digits, '-' and '.', "
            "starting and ending with a letter or digit"
        )
    return value


DnsLabel = Annotated[str, AfterValidator(_dns_label)]
KubernetesName = Annotated[str, AfterValidator(_dns_subdomain)]


class Mount(Strict):
    """A persistent volume claim mounted into the container at `path`."""

    name: DnsLabel
    # Absolute, or starting with a processing variable (`${RUN_PATH}/data`).
    path: str = Field(min_length=1, max_length=1024)
    claim: KubernetesName

    @field_validator("path")
    @classmethod
    def path_is_absolute(cls, path: str) -> str:
        if not (path.startswith("/") or path.startswith("${")):
            raise ValueError("must be an absolute path (or start with a variable such as ${RUN_PATH})")
        if ":" in path:
            raise ValueError("a mount path has no ':'")
        return path


class KubernetesSpec(Strict):
    """What a container operation's pod needs from the cluster besides resources.

    Stored on the version as `kubernetes`, each key left out when empty (so versions without
    any hash as before). `secrets` and `config_maps` name objects of the run's namespace.
    """

    mounts: list[Mount] = Field(default_factory=list, max_length=50)
    secrets: list[KubernetesName] = Field(default_factory=list, max_length=50)
    config_maps: list[KubernetesName] = Field(default_factory=list, max_length=50)
    pull_policy: PullPolicy | None = None
    node_selector: dict[str, str] = Field(default_factory=dict, max_length=50)

    @field_validator("mounts")
    @classmethod
    def mounts_differ(cls, mounts: list[Mount]) -> list[Mount]:
        if twice := _used_twice([mount.name for mount in mounts]):
            raise ValueError(f"mount name {twice[0]!r} is used twice")
        if twice := _used_twice([mount.path.rstrip("/") or "/" for mount in mounts]):
            raise ValueError(f"mount path {twice[0]!r} is used twice")
        return mounts

    @field_validator("secrets", "config_maps")
    @classmethod
    def names_differ(cls, names: list[str]) -> list[str]:
        if twice := _used_twice(names):
            raise ValueError(f"{twice[0]!r} is named twice")
        return names

    @field_validator("node_selector")
    @classmethod
    def selector_is_labels(cls, selector: dict[str, str]) -> dict[str, str]:
        for key, value in selector.items():
            if not LABEL_KEY.match(key):
                raise ValueError(f"{key!r} is not a label key (like disktype or example.com/gpu)")
            if not LABEL_VALUE.match(value):
                raise ValueError(
                    f"{key}: {value!r} is not a label value (at most 63 letters, digits, '-', '_', '.')"
                )
        return selector

    @model_serializer(mode="wrap")
    def _omit_empty(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {key: value for key, value in handler(self).items() if value not in (None, [], {})}


class Position(Strict):
    x: float = 0
    y: float = 0


class Node(Strict):
    id: str = Field(pattern=NODE_ID)
    operation: int
    label: str = Field(default="", max_length=200)
    params: dict[str, Any] = Field(default_factory=dict)
    position: Position = Field(default_factory=Position)
    # Overrides of the operation's resources and of the run's retry policy and timeout
    # (precedence in docs/engine.md); None: not overridden.
    resources: NodeResources | None = None
    retries: int | None = Field(default=None, ge=0, le=MAX_RETRIES)
    retry_backoff_seconds: float | None = Field(default=None, ge=0, le=MAX_BACKOFF_SECONDS)
    timeout_seconds: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT_SECONDS)

    @model_serializer(mode="wrap")
    def _omit_unset_overrides(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Graphs saved before overrides existed keep their content hash.
        data: dict[str, Any] = handler(self)
        for key in NODE_OVERRIDES:
            if data.get(key) in (None, {}):
                data.pop(key, None)
        return data


NODE_OVERRIDES = ("resources", "retries", "retry_backoff_seconds", "timeout_seconds")


class Edge(Strict):
    id: str = Field(default="", max_length=200)
    source: str
    source_port: str
    target: str
    target_port: str


# A pipeline input feeds node inputs like a node output: an edge whose `source` is the
# input's name and whose `source_port` is "value" (see docs/editor.md, "Pipeline inputs").
INPUT_PORT = "value"
# File and directory inputs are artifacts chosen when a run starts: they have no default.
ARTIFACT_TYPES = frozenset({"file", "directory"})
_VALUE_CHECKS: dict[str, Any] = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
}


def input_value_ok(type_: str, value: Any) -> bool:
    """Whether `value` is of type `type_`, for a pipeline input or a parameter (bools are not
    numbers here; json, file and the like take anything)."""
    check = _VALUE_CHECKS.get(type_)
    return True if check is None else bool(check(value))


class PipelineInput(Strict):
    name: str = Field(pattern=IDENTIFIER)
    type: PortType
    # None: required (a run must give a value when the input is wired).
    default: Any = None
    description: str = Field(default="", max_length=2000)
    # Where the editor draws it; None for inputs saved before they were drawn.
    position: Position | None = None

    @model_validator(mode="after")
    def default_fits_the_type(self) -> PipelineInput:
        if self.default is None:
            return self
        if self.type in ARTIFACT_TYPES:
            raise ValueError(f"a {self.type} input has no default: its artifact is chosen when a run starts")
        if not input_value_ok(self.type, self.default):
            raise ValueError(f"default must be of type {self.type}")
        return self

    @model_serializer(mode="wrap")
    def _omit_no_position(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Left out when unset, so graphs saved before inputs were drawn hash the same.
        data: dict[str, Any] = handler(self)
        if data.get("position") is None:
            data.pop("position", None)
        return data


# Notes and groups are drawn on the editor's canvas and nothing else: the engine and the
# bundle never read them. Their ids share one namespace with the node ids (React Flow draws
# all three as nodes). A group names its member nodes; the editor keeps that list (see
# docs/editor.md, "Notes and groups").
AnnotationColor = Literal["yellow", "blue", "green", "pink", "purple", "gray"]
NOTE_TEXT_MAX = 5000
# Width and height in canvas pixels.
Extent = Annotated[float, Field(ge=20, le=20000)]


class Note(Strict):
    id: str = Field(pattern=NODE_ID)
    text: str = Field(default="", max_length=NOTE_TEXT_MAX)
    position: Position = Field(default_factory=Position)
    width: Extent = 240
    height: Extent = 160
    color: AnnotationColor | None = None


class Group(Strict):
    id: str = Field(pattern=NODE_ID)
    label: str = Field(default="", max_length=200)
    position: Position = Field(default_factory=Position)
    width: Extent = 400
    height: Extent = 300
    color: AnnotationColor | None = None
    nodes: list[str] = Field(default_factory=list, max_length=20000)


# Files that travel with a pipeline (the configs beside a YAML pipeline's main.yml), frozen
# with its versions; a run finds them under ${WORK_PATH}. Content is base64.
FILES_MAX_BYTES = 5 * 1024 * 1024
FILE_PATH_MAX = 500
# What an export writes itself: no pipeline file may take its place.
RESERVED_FILE_PATHS = frozenset({"main.yml", "main.yaml"})


def file_path_problem(path: str) -> str:
    """Why `path` cannot name a pipeline file ("" when it can): relative POSIX, no `..`."""
    if not path:
        return "a file needs a path"
    if len(path) > FILE_PATH_MAX:
        return f"a file path has at most {FILE_PATH_MAX} characters"
    if "\\" in path or "\x00" in path:
        return f"{path!r}: use '/' between folders"
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return f"{path!r} must be relative to the pipeline's directory"
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts) or posixpath.normpath(path) != path:
        return f"{path!r} must be a plain relative path (no '..', '.' or empty parts)"
    if path in RESERVED_FILE_PATHS:
        return f"{path!r} is the pipeline's own description"
    return ""


class PipelineFile(Strict):
    path: str
    content: str = ""

    @field_validator("path")
    @classmethod
    def path_is_relative(cls, path: str) -> str:
        if problem := file_path_problem(path):
            raise ValueError(problem)
        return path

    @field_validator("content")
    @classmethod
    def content_is_base64(cls, content: str) -> str:
        try:
            base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("content must be base64") from exc
        return content

    @property
    def data(self) -> bytes:
        return base64.b64decode(self.content)


class Graph(Strict):
    nodes: list[Node] = Field(default_factory=list, max_length=20000)
    edges: list[Edge] = Field(default_factory=list, max_length=100000)
    # Named like nodes: input names share the nodes' (and notes', groups') namespace.
    inputs: list[PipelineInput] = Field(default_factory=list, max_length=1000)
    # Validated after `nodes` (field order), which they refer to.
    notes: list[Note] = Field(default_factory=list, max_length=2000)
    groups: list[Group] = Field(default_factory=list, max_length=1000)
    # Files beside a YAML pipeline's main.yml (see PipelineFile).
    files: list[PipelineFile] = Field(default_factory=list, max_length=1000)

    @model_serializer(mode="wrap")
    def _omit_no_annotations(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Left out when empty, so graphs saved before notes, groups and files existed hash the same.
        data: dict[str, Any] = handler(self)
        for key in ("notes", "groups", "files"):
            if not data.get(key):
                data.pop(key, None)
        return data

    @field_validator("files")
    @classmethod
    def files_are_unique_and_small(cls, files: list[PipelineFile]) -> list[PipelineFile]:
        if twice := _used_twice([item.path for item in files]):
            raise ValueError(f"file {twice[0]!r} is given twice")
        paths = {item.path for item in files}
        for item in files:
            parts = item.path.split("/")
            for depth in range(1, len(parts)):
                if "/".join(parts[:depth]) in paths:
                    raise ValueError(f"{'/'.join(parts[:depth])!r} is a file and a folder")
        # base64 holds 3 bytes in 4 characters: the decoded size without decoding.
        size = sum(len(item.content) // 4 * 3 - item.content[-2:].count("=") for item in files)
        if size > FILES_MAX_BYTES:
            raise ValueError(
                f"the pipeline's files take {size:,} bytes; at most {FILES_MAX_BYTES // (1024 * 1024)} MiB"
            )
        return files

    @field_validator("inputs")
    @classmethod
    def input_names_are_unique(cls, inputs: list[PipelineInput], info: ValidationInfo) -> list[PipelineInput]:
        names = [item.name for item in inputs]
        if twice := _used_twice(names):
            raise ValueError(f"input name {twice[0]!r} is used twice")
        node_ids = {node.id for node in info.data.get("nodes", [])}
        if clash := sorted(node_ids.intersection(names)):
            raise ValueError(f"input name {clash[0]!r} is also a node id")
        return inputs

    @field_validator("notes")
    @classmethod
    def note_ids_are_unique(cls, notes: list[Note], info: ValidationInfo) -> list[Note]:
        ids = [note.id for note in notes]
        if twice := _used_twice(ids):
            raise ValueError(f"note id {twice[0]!r} is used twice")
        node_ids = {node.id for node in info.data.get("nodes", [])}
        if clash := sorted(node_ids.intersection(ids)):
            raise ValueError(f"note id {clash[0]!r} is also a node id")
        input_names = {item.name for item in info.data.get("inputs", [])}
        if clash := sorted(input_names.intersection(ids)):
            raise ValueError(f"note id {clash[0]!r} is also an input name")
        return notes

    @field_validator("groups")
    @classmethod
    def groups_name_existing_nodes_once(cls, groups: list[Group], info: ValidationInfo) -> list[Group]:
        ids = [group.id for group in groups]
        if twice := _used_twice(ids):
            raise ValueError(f"group id {twice[0]!r} is used twice")
        taken = {item.name: "input" for item in info.data.get("inputs", [])}
        taken |= {note.id: "note" for note in info.data.get("notes", [])}
        if "nodes" not in info.data:
            return groups  # the nodes are refused already; members cannot be checked
        taken |= {node.id: "node" for node in info.data["nodes"]}
        for group in groups:
            if group.id in taken:
                what = "an input name" if taken[group.id] == "input" else f"a {taken[group.id]} id"
                raise ValueError(f"group id {group.id!r} is also {what}")
            for member in group.nodes:
                if taken.get(member) != "node":
                    raise ValueError(f"group {group.id!r} names unknown node {member!r}")
            if twice := _used_twice(group.nodes):
                raise ValueError(f"group {group.id!r} names node {twice[0]!r} twice")
        owner: dict[str, str] = {}
        for group in groups:
            for member in group.nodes:
                if member in owner:
                    raise ValueError(f"node {member!r} is in two groups: {owner[member]!r} and {group.id!r}")
                owner[member] = group.id
        return groups

    @field_validator("nodes")
    @classmethod
    def node_ids_are_unique(cls, nodes: list[Node]) -> list[Node]:
        seen: set[str] = set()
        for node in nodes:
            if node.id in seen:
                raise ValueError(f"node id {node.id!r} is used twice")
            seen.add(node.id)
        return nodes


def _unique_names(items: list[Port] | list[Param], what: str) -> None:
    names = [item.name for item in items]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"{what} names must be unique: {', '.join(duplicates)}")


class OperationInterface(Strict):
    """The typed signature of an operation version."""

    inputs: list[Port] = Field(default_factory=list)
    outputs: list[Port] = Field(default_factory=list)
    parameters: list[Param] = Field(default_factory=list)
    resources: Resources = Field(default_factory=Resources)

    @model_validator(mode="after")
    def names_are_unique(self) -> OperationInterface:
        _unique_names(self.inputs, "input")
        _unique_names(self.outputs, "output")
        _unique_names(self.parameters, "parameter")
        clash = {p.name for p in self.inputs} & {p.name for p in self.parameters}
        if clash:
            raise ValueError(f"a name cannot be both an input and a parameter: {sorted(clash)}")
        return self


def error_messages(exc: ValidationError) -> list[str]:
    """Pydantic errors as short sentences naming where: `nodes.2.id: ...`."""
    messages = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        messages.append(f"{where}: {error['msg']}" if where else error["msg"])
    return messages
