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


class StaleRevision(Exception):
    """A change was made from a copy of the draft that is no longer current."""

    def __init__(self, current: int, expected: int) -> None:
        self.current = current
        self.expected = expected
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return (
            f"This pipeline was changed elsewhere (revision {self.current}) since you opened "
            f"revision {self.expected}. Reload it, or save your version as a copy."
        )

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.message, "current_revision": self.current}


# The parts of a pipeline whose change makes a new revision.
DRAFT_FIELDS = ("name", "description", "graph")


def lock_draft(pipeline: Pipeline, expected_revision: int | None = None) -> Pipeline:
    """The pipeline's row, locked until the transaction ends; StaleRevision when the
    caller read another revision than the current one (no check when it says none)."""
    locked = Pipeline.objects.select_for_update().get(pk=pipeline.pk)
    if expected_revision is not None and expected_revision != locked.revision:
        raise StaleRevision(locked.revision, expected_revision)
    return locked


@transaction.atomic
def save_draft(pipeline: Pipeline, changes: dict[str, Any], expected_revision: int | None = None) -> Pipeline:
    """Apply already-validated field changes to the draft, checked against
    `expected_revision` and bumping the revision when the name, description or graph
    actually changes. Check and increment happen under one row lock, so of two
    saves made from the same revision only the first wins."""
    locked = lock_draft(pipeline, expected_revision)
    changed = any(field in changes and changes[field] != getattr(locked, field) for field in DRAFT_FIELDS)
    for field, value in changes.items():
        setattr(locked, field, value)
    if changed:
        locked.revision += 1
    locked.save()
    return locked


def draft_graph_of(version: PipelineVersion) -> dict[str, Any]:
    """A frozen graph turned back into a draft: nodes name live operations again."""
    graph = dict(version.graph)
    graph["nodes"] = [
        {key: value for key, value in node.items() if key != "operation_version"} for node in graph["nodes"]
    ]
    return graph


@transaction.atomic
def restore_version(
    pipeline: Pipeline, version: PipelineVersion, user: Any = None, expected_revision: int | None = None
) -> Pipeline:
    """Copy a version's graph into the draft (a new revision when it differs).

    GraphInvalid when the graph no longer fits the operations as they are now."""
    graph = validate_draft(draft_graph_of(version), user)
    return save_draft(pipeline, {"graph": graph}, expected_revision)


@transaction.atomic
def freeze_version(
    pipeline: Pipeline, user: Any = None, expected_revision: int | None = None
) -> tuple[PipelineVersion, bool]:
    """The version holding the pipeline's current graph: existing or new.

    Returns (version, created). Identical content is never stored twice.
    With `expected_revision`, a draft changed since that revision is refused
    (StaleRevision) instead of frozen.
    """
    locked = lock_draft(pipeline, expected_revision)
    graph = frozen_graph(locked)
    digest = PipelineVersion.hash_of(graph)
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
