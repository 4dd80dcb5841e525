"""Pure graph rules: structure, port wiring, types, cycles, order.

Nothing here touches the database: callers pass the operation interfaces a
graph refers to, and get back every problem found (not just the first), each
naming the node, port or edge it is about.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import ValidationError

from editor.schemas import INPUT_PORT, Graph, OperationInterface, error_messages


@dataclass(frozen=True)
class Problem:
    message: str
    node: str = ""
    port: str = ""
    edge: str = ""

    def as_dict(self) -> dict[str, str]:
        return {key: value for key, value in asdict(self).items() if value}


class GraphInvalid(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def parse_graph(data: Any) -> Graph:
    """The typed graph, or GraphInvalid listing every structural error."""
    try:
        return Graph.model_validate(data)
    except ValidationError as exc:
        raise GraphInvalid([Problem(message) for message in error_messages(exc)]) from exc


# Which output types may feed which input types. `object` (pickled Python
# values) accepts anything Python can hold; files only flow into files.
_COMPATIBLE: dict[str, set[str]] = {
    "int": {"int", "float", "json", "object"},
    "float": {"float", "json", "object"},
    "str": {"str", "json", "object"},
    "bool": {"bool", "json", "object"},
    "json": {"json", "object"},
    "file": {"file"},
    "directory": {"directory"},
    "object": {"object"},
}


def types_compatible(output_type: str, input_type: str) -> bool:
    return input_type in _COMPATIBLE.get(output_type, set())


def check_wiring(graph: Graph, interfaces: Mapping[int, OperationInterface]) -> list[Problem]:
    """Problems with operations, ports, parameter values, types and cycles.

    Unconnected inputs are *not* problems here: a draft may be incomplete.
    `missing_inputs` reports those when a run is submitted.
    """
    problems: list[Problem] = []
    nodes = {node.id: node for node in graph.nodes}
    for node in graph.nodes:
        interface = interfaces.get(node.operation)
        if interface is None:
            problems.append(Problem(f"unknown operation {node.operation}", node=node.id))
            continue
        params = {p.name: p for p in interface.parameters}
        for name, value in node.params.items():
            param = params.get(name)
            if param is None:
                problems.append(Problem(f"unknown parameter {name!r}", node=node.id, port=name))
            elif value is not None and (why := param.value_problem(value)):
                problems.append(Problem(f"parameter {name!r} {why}", node=node.id, port=name))

    wired_inputs: set[tuple[str, str]] = set()
    pipeline_inputs = {item.name: item for item in graph.inputs}
    for edge in graph.edges:
        where = edge.id or f"{edge.source}.{edge.source_port}->{edge.target}.{edge.target_port}"
        feed = pipeline_inputs.get(edge.source)
        source, target = nodes.get(edge.source), nodes.get(edge.target)
        if edge.target in pipeline_inputs:
            problems.append(Problem(f"pipeline input {edge.target!r} cannot be fed by an edge", edge=where))
            continue
        if (source is None and feed is None) or target is None:
            missing = edge.target if source is not None or feed is not None else edge.source
            problems.append(Problem(f"edge refers to missing node {missing!r}", edge=where))
            continue
        if edge.source == edge.target:
            problems.append(Problem("a node cannot feed itself", node=edge.source, edge=where))
            continue
        dst_if = interfaces.get(target.operation)
        if feed is not None:
            src_type: str = feed.type
            src_name = f"input {feed.name!r}"
            if edge.source_port != INPUT_PORT:
                problems.append(
                    Problem(
                        f"pipeline input {feed.name!r} has one output, {INPUT_PORT!r}, "
                        f"not {edge.source_port!r}",
                        edge=where,
                    )
                )
                continue
        else:
            assert source is not None
            src_if = interfaces.get(source.operation)
            if src_if is None or dst_if is None:
                continue
            out_port = next((p for p in src_if.outputs if p.name == edge.source_port), None)
            if out_port is None:
                problems.append(
                    Problem(
                        f"no output port {edge.source_port!r}",
                        node=edge.source,
                        port=edge.source_port,
                        edge=where,
                    )
                )
            src_type, src_name = (out_port.type if out_port else ""), "output"
        if dst_if is None:
            continue
        in_port = next((p for p in dst_if.inputs if p.name == edge.target_port), None)
        if in_port is None:
            problems.append(
                Problem(
                    f"no input port {edge.target_port!r}", node=edge.target, port=edge.target_port, edge=where
                )
            )
        if not src_type or in_port is None:
            continue
        if (edge.target, edge.target_port) in wired_inputs:
            problems.append(
                Problem("input is connected twice", node=edge.target, port=edge.target_port, edge=where)
            )
        wired_inputs.add((edge.target, edge.target_port))
        if not types_compatible(src_type, in_port.type):
            what = f"{src_type} {src_name}" if feed is not None else f"{src_type} output"
            problems.append(
                Problem(
                    f"type mismatch: {what} cannot feed a {in_port.type} input",
                    node=edge.target,
                    port=edge.target_port,
                    edge=where,
                )
            )
    cycle = find_cycle(graph)
    if cycle:
        problems.append(Problem(f"the graph has a cycle: {' -> '.join(cycle)}", node=cycle[0]))
    return problems


def input_edges(graph: dict[str, Any]) -> list[dict[str, Any]]:
    """The edges of a stored graph that start at a pipeline input (their source is its name)."""
    names = {item["name"] for item in graph.get("inputs", [])}
    return [edge for edge in graph["edges"] if edge["source"] in names]


def node_edges(graph: dict[str, Any]) -> list[dict[str, Any]]:
    """The edges of a stored graph between two nodes (those from pipeline inputs left out)."""
    names = {item["name"] for item in graph.get("inputs", [])}
    return [edge for edge in graph["edges"] if edge["source"] not in names]


def missing_inputs(graph: Graph, interfaces: Mapping[int, OperationInterface]) -> list[Problem]:
    """Required inputs that no edge feeds."""
    wired = {(edge.target, edge.target_port) for edge in graph.edges}
    problems = []
    for node in graph.nodes:
        interface = interfaces.get(node.operation)
        for port in interface.inputs if interface else []:
            if not port.optional and (node.id, port.name) not in wired:
                problems.append(Problem("required input is not connected", node=node.id, port=port.name))
    return problems


def _adjacency(graph: Graph) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {node.id: [] for node in graph.nodes}
    for edge in graph.edges:
        if edge.source in children and edge.target in children:
            children[edge.source].append(edge.target)
    return children


def find_cycle(graph: Graph) -> list[str]:
    """One cycle as a list of node ids (first repeated at the end), or []."""
    children = _adjacency(graph)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    for root in children:
        if state.get(root):
            continue
        path: list[str] = [root]
        stack = [iter(children[root])]
        state[root] = 1
        while stack:
            child = next(stack[-1], None)
            if child is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(child) == 1:
                return [*path[path.index(child) :], child]
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append(iter(children[child]))
    return []


def topological_order(graph: Graph) -> list[str]:
    """Node ids so that every node comes after all of its inputs (Kahn)."""
    children = _adjacency(graph)
    indegree = {node: 0 for node in children}
    for targets in children.values():
        for target in targets:
            indegree[target] += 1
    ready = deque(node.id for node in graph.nodes if indegree[node.id] == 0)
    order: list[str] = []
    while ready:
        node_id = ready.popleft()
        order.append(node_id)
        for child in children[node_id]:
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    if len(order) != len(children):
        raise GraphInvalid([Problem("the graph has a cycle")])
    return order
