"""Pure graph rules: cycles, order, wiring and type checks."""

import pytest

from editor.graph import (
    GraphInvalid,
    check_wiring,
    find_cycle,
    missing_inputs,
    parse_graph,
    topological_order,
    types_compatible,
)
from editor.schemas import OperationInterface

SOURCE = OperationInterface.model_validate(
    {"outputs": [{"name": "out", "type": "file"}, {"name": "n", "type": "int"}]}
)
SINK = OperationInterface.model_validate(
    {
        "inputs": [{"name": "data", "type": "file"}, {"name": "extra", "type": "json", "optional": True}],
        "outputs": [{"name": "out", "type": "file"}],
        "parameters": [{"name": "rate", "type": "float", "default": 0.1}],
    }
)
INTERFACES = {1: SOURCE, 2: SINK}


def graph(nodes, edges):
    return parse_graph(
        {
            "nodes": [{"id": node_id, "operation": op} for node_id, op in nodes],
            "edges": [
                {
                    "source": s.split(".")[0],
                    "source_port": s.split(".")[1],
                    "target": t.split(".")[0],
                    "target_port": t.split(".")[1],
                }
                for s, t in edges
            ],
        }
    )


def test_it_orders_nodes_after_their_inputs():
    g = graph([("c", 2), ("a", 1), ("b", 2)], [("a.out", "b.data"), ("b.out", "c.data")])
    assert topological_order(g) == ["a", "b", "c"]


def test_it_finds_a_cycle_and_names_its_nodes():
    g = graph([("a", 2), ("b", 2), ("c", 2)], [("a.out", "b.data"), ("b.out", "c.data"), ("c.out", "a.data")])
    cycle = find_cycle(g)
    assert set(cycle) == {"a", "b", "c"} and cycle[0] == cycle[-1]
    with pytest.raises(GraphInvalid):
        topological_order(g)
    assert any("cycle" in p.message for p in check_wiring(g, INTERFACES))


def test_it_reports_every_wiring_problem_with_node_and_port():
    g = graph(
        [("a", 1), ("b", 2), ("c", 9)], [("a.n", "b.data"), ("a.nope", "b.extra"), ("a.out", "ghost.data")]
    )
    g.nodes[1].params["rate"] = "fast"
    g.nodes[1].params["unknown"] = 1
    problems = {(p.node, p.port, p.message.split(":")[0]) for p in check_wiring(g, INTERFACES)}
    assert ("c", "", "unknown operation 9") in problems
    assert ("b", "data", "type mismatch") in problems
    assert ("a", "nope", "no output port 'nope'") in problems
    assert ("b", "rate", "parameter 'rate' must be of type float") in problems
    assert ("b", "unknown", "unknown parameter 'unknown'") in problems
    assert any("missing node 'ghost'" in p.message for p in check_wiring(g, INTERFACES))


def test_unconnected_required_inputs_are_reported_only_at_submit():
    g = graph([("b", 2)], [])
    assert check_wiring(g, INTERFACES) == []
    assert [(p.node, p.port) for p in missing_inputs(g, INTERFACES)] == [("b", "data")]


@pytest.mark.parametrize(
    ("output", "input_", "ok"),
    [
        ("int", "float", True),
        ("float", "int", False),
        ("file", "file", True),
        ("file", "str", False),
        ("json", "object", True),
    ],
)
def test_port_type_compatibility(output, input_, ok):
    assert types_compatible(output, input_) is ok


def test_malformed_graph_names_the_field():
    with pytest.raises(GraphInvalid) as caught:
        parse_graph({"nodes": [{"id": "a b", "operation": "x"}], "edges": "nope"})
    text = str(caught.value)
    assert "nodes.0.id" in text and "nodes.0.operation" in text and "edges" in text


def test_duplicate_node_ids_are_refused():
    with pytest.raises(GraphInvalid, match="used twice"):
        parse_graph({"nodes": [{"id": "a", "operation": 1}, {"id": "a", "operation": 1}]})
