"""Typed schemas for the JSON stored on operations and pipelines.

Everything that enters a JSON field goes through one of these models first,
so a malformed graph or port list is refused at the edge with a message that
names where it is wrong.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

PortType = Literal["int", "float", "str", "bool", "json", "file", "directory", "object"]
ParamType = Literal["int", "float", "str", "bool", "json"]

IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
NODE_ID = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


class Resources(Strict):
    cpu: float = Field(default=1, gt=0, le=512)
    memory: str = Field(default="1Gi", pattern=r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti)?$")
    gpus: int = Field(default=0, ge=0, le=64)
    # A GPU node may still run on a machine without GPUs, saying so in its log.
    cpu_fallback: bool = False


class Position(Strict):
    x: float = 0
    y: float = 0


class Node(Strict):
    id: str = Field(pattern=NODE_ID)
    operation: int
    label: str = Field(default="", max_length=200)
    params: dict[str, Any] = Field(default_factory=dict)
    position: Position = Field(default_factory=Position)


class Edge(Strict):
    id: str = Field(default="", max_length=200)
    source: str
    source_port: str
    target: str
    target_port: str


class PipelineInput(Strict):
    name: str = Field(pattern=IDENTIFIER)
    type: PortType
    default: Any = None
    description: str = ""


class Graph(Strict):
    nodes: list[Node] = Field(default_factory=list, max_length=20000)
    edges: list[Edge] = Field(default_factory=list, max_length=100000)
    inputs: list[PipelineInput] = Field(default_factory=list)

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
