"""The difference between two frozen pipeline graphs: nodes, edges and parameters added,
removed or changed (pure: the caller looks the operation versions up)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

Status = Literal["added", "removed", "changed", "same"]


@dataclass(frozen=True)
class OperationInfo:
    """What the diff needs to know of one operation version."""

    operation_id: int
    name: str
    number: int
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    defaults: dict[str, Any] = field(default_factory=dict)


class Change(TypedDict):
    field: str
    old: Any
    new: Any


class ParamChange(TypedDict):
    node: str
    name: str
    old: Any
    new: Any
    status: Status


class DiffNode(TypedDict):
    id: str
    label: str
    operation: str | None
    status: Status
    changes: list[Change]
    position: dict[str, float]
    inputs: list[str]
    outputs: list[str]


class DiffEdge(TypedDict):
    source: str
    source_port: str
    target: str
    target_port: str
    status: Status


class GraphDiff(TypedDict):
    nodes: list[DiffNode]
    edges: list[DiffEdge]
    params: list[ParamChange]
    counts: dict[str, int]


def node_params(node: Mapping[str, Any], op: OperationInfo | None) -> dict[str, Any]:
    """The parameter values a node of a version runs with: its operation's defaults, then its own."""
    return {**(op.defaults if op else {}), **node.get("params", {})}


def _label(node: Mapping[str, Any], op: OperationInfo | None) -> str:
    return str(node.get("label") or (op.name if op else "") or node["id"])


def _op_name(op: OperationInfo | None) -> str | None:
    return f"{op.name} v{op.number}" if op else None


def _identity(op: OperationInfo | None) -> tuple[int, int] | None:
    return (op.operation_id, op.number) if op else None


def _edge_key(edge: Mapping[str, Any]) -> tuple[str, str, str, str]:
    return (edge["source"], edge["source_port"], edge["target"], edge["target_port"])


def _node_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], old_op: OperationInfo | None, new_op: OperationInfo | None
) -> list[Change]:
    changes: list[Change] = []
    if _identity(old_op) != _identity(new_op):
        changes.append({"field": "operation", "old": _op_name(old_op), "new": _op_name(new_op)})
    if _label(old, old_op) != _label(new, new_op):
        changes.append({"field": "label", "old": _label(old, old_op), "new": _label(new, new_op)})
    for key in ("resources", "retries", "retry_backoff_seconds", "timeout_seconds"):
        if old.get(key) != new.get(key):
            changes.append({"field": key, "old": old.get(key), "new": new.get(key)})
    return changes


def _param_changes(node_id: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[ParamChange]:
    old, new = old or {}, new or {}
    changes: list[ParamChange] = []
    for name in [*old, *(name for name in new if name not in old)]:
        if name not in new:
            changes.append(
                {"node": node_id, "name": name, "old": old[name], "new": None, "status": "removed"}
            )
        elif name not in old:
            changes.append({"node": node_id, "name": name, "old": None, "new": new[name], "status": "added"})
        elif old[name] != new[name]:
            changes.append(
                {"node": node_id, "name": name, "old": old[name], "new": new[name], "status": "changed"}
            )
    return changes


def diff_graphs(
    old: Mapping[str, Any], new: Mapping[str, Any], ops: Mapping[int, OperationInfo]
) -> GraphDiff:
    """How `new` differs from `old`, node by node id (edges by their ends), with every node of
    both graphs (removed ones at their old position) so the union can be drawn."""
    old_nodes = {node["id"]: node for node in old.get("nodes", [])}
    new_nodes = {node["id"]: node for node in new.get("nodes", [])}

    def op_of(node: Mapping[str, Any] | None) -> OperationInfo | None:
        return ops.get(node["operation_version"]) if node and "operation_version" in node else None

    nodes: list[DiffNode] = []
    params: list[ParamChange] = []
    for node_id in [*new_nodes, *(node_id for node_id in old_nodes if node_id not in new_nodes)]:
        before, after = old_nodes.get(node_id), new_nodes.get(node_id)
        before_op, after_op = op_of(before), op_of(after)
        shown, shown_op = (after, after_op) if after is not None else (before, before_op)
        assert shown is not None
        node_param_changes = _param_changes(
            node_id,
            node_params(before, before_op) if before is not None else None,
            node_params(after, after_op) if after is not None else None,
        )
        changes: list[Change] = []
        if before is None:
            status: Status = "added"
        elif after is None:
            status = "removed"
        else:
            changes = _node_changes(before, after, before_op, after_op)
            params += node_param_changes
            status = "changed" if changes or node_param_changes else "same"
        nodes.append(
            {
                "id": node_id,
                "label": _label(shown, shown_op),
                "operation": _op_name(shown_op),
                "status": status,
                "changes": changes,
                "position": dict(shown.get("position") or {"x": 0, "y": 0}),
                "inputs": list(shown_op.inputs) if shown_op else [],
                "outputs": list(shown_op.outputs) if shown_op else [],
            }
        )

    old_edges = {_edge_key(edge) for edge in old.get("edges", [])}
    new_edges = {_edge_key(edge) for edge in new.get("edges", [])}
    edges: list[DiffEdge] = []
    seen: set[tuple[str, str, str, str]] = set()
    for key in [*(_edge_key(e) for e in new.get("edges", [])), *(_edge_key(e) for e in old.get("edges", []))]:
        if key in seen:
            continue
        seen.add(key)
        status = (
            "same" if key in old_edges and key in new_edges else "added" if key in new_edges else "removed"
        )
        source, source_port, target, target_port = key
        edges.append(
            {
                "source": source,
                "source_port": source_port,
                "target": target,
                "target_port": target_port,
                "status": status,
            }
        )

    counts = {
        "nodes_added": sum(node["status"] == "added" for node in nodes),
        "nodes_removed": sum(node["status"] == "removed" for node in nodes),
        "nodes_changed": sum(node["status"] == "changed" for node in nodes),
        "edges_added": sum(edge["status"] == "added" for edge in edges),
        "edges_removed": sum(edge["status"] == "removed" for edge in edges),
        "params_changed": len(params),
    }
    return {"nodes": nodes, "edges": edges, "params": params, "counts": counts}
