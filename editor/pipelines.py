"""Pipeline rules: saving the draft graph and freezing it into versions."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from editor.graph import GraphInvalid, Problem, check_wiring, parse_graph
from editor.models import Operation, Pipeline, PipelineVersion
from editor.operations import interface_of, latest_versions
from editor.schemas import Graph, OperationInterface


def _interfaces(graph: Graph, user: Any) -> dict[int, OperationInterface]:
    """Interfaces of the operations a graph uses that `user` may see."""
    wanted = {node.operation for node in graph.nodes}
    visible = set(Operation.objects.visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True))
    versions = latest_versions(visible)
    return {op_id: interface_of(version) for op_id, version in versions.items()}


def validate_draft(data: Any, user: Any) -> dict[str, Any]:
    """The draft graph, normalised, or GraphInvalid listing every problem."""
    graph = parse_graph(data)
    problems = check_wiring(graph, _interfaces(graph, user))
    if problems:
        raise GraphInvalid(problems)
    return graph.model_dump(mode="json")


def frozen_graph(pipeline: Pipeline) -> dict[str, Any]:
    """The draft with each node pinned to its operation's latest version and
    every parameter default written out, so the version says exactly what runs."""
    graph = parse_graph(pipeline.graph)
    versions = latest_versions(node.operation for node in graph.nodes)
    nodes = []
    for node in graph.nodes:
        version = versions.get(node.operation)
        if version is None:
            raise GraphInvalid([Problem("operation has no version", node=node.id)])
        params = {p["name"]: p.get("default") for p in version.parameters}
        params.update(node.params)
        nodes.append(
            {
                **node.model_dump(mode="json"),
                "operation_version": version.pk,
                "params": params,
            }
        )
    return {**graph.model_dump(mode="json"), "nodes": nodes}


@transaction.atomic
def freeze_version(pipeline: Pipeline, user: Any = None) -> tuple[PipelineVersion, bool]:
    """The version holding the pipeline's current graph: existing or new.

    Returns (version, created). Identical content is never stored twice.
    """
    graph = frozen_graph(pipeline)
    digest = PipelineVersion.hash_of(graph)
    Pipeline.objects.select_for_update().filter(pk=pipeline.pk).first()
    existing = pipeline.versions.filter(content_hash=digest).first()
    if existing:
        return existing, False
    last = pipeline.versions.order_by("-number").first()
    version = PipelineVersion.objects.create(
        pipeline=pipeline,
        number=(last.number + 1) if last else 1,
        content_hash=digest,
        graph=graph,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    return version, True
