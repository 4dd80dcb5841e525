"""The scheduler: moves a run forward from the state of its node runs.

`advance` is the only place that decides what runs next. It is called when a
run is created and whenever a node finishes; it locks the run, skips nodes
whose upstream failed, serves cache hits, queues every node whose inputs are
ready (all at once, so parallel branches run in parallel), and finishes the
run when nothing is left active. It never uses Celery canvases: the database
is the truth, and calling it twice does no harm.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Q

from editor.hashing import content_hash
from editor.models import PipelineVersion
from runs.choices import NodeState, RunState
from runs.events import record_event
from runs.models import NodeRun, Run

# States of a parent that doom its children.
BLOCKING = frozenset({NodeState.FAILED, NodeState.SKIPPED, NodeState.CANCELLED})


def parents_of(graph: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    """node id -> [(parent id, parent's output port, this node's input port)]."""
    parents: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for edge in graph["edges"]:
        parents[edge["target"]].append((edge["source"], edge["source_port"], edge["target_port"]))
    return parents


@lru_cache(maxsize=64)
def frozen_graph(version_id: int) -> dict[str, Any]:
    """A pipeline version's graph, read once per process: versions never change."""
    graph: dict[str, Any] = PipelineVersion.objects.values_list("graph", flat=True).get(pk=version_id)
    return graph


@lru_cache(maxsize=64)
def _parents(version_id: int) -> dict[str, list[tuple[str, str, str]]]:
    return dict(parents_of(frozen_graph(version_id)))


def version_parents(run: Run) -> dict[str, list[tuple[str, str, str]]]:
    """parents_of for a run's frozen graph, computed once per process."""
    return _parents(run.pipeline_version_id)


def effective_params(run: Run, node: dict[str, Any]) -> dict[str, Any]:
    return {**node.get("params", {}), **run.config.get("params", {}).get(node["id"], {})}


def cache_key(run: Run, node: dict[str, Any], node_run: NodeRun, upstream: dict[str, NodeRun]) -> str:
    """Same operation code, parameters and input contents give the same key."""
    inputs: dict[str, Any] = {}
    for parent_id, out_port, in_port in version_parents(run).get(node["id"], []):
        inputs[in_port] = upstream[parent_id].outputs[out_port]["checksum"]
    for key, value in run.config.get("inputs", {}).items():
        node_id, _, port = key.partition(".")
        if node_id == node["id"]:
            inputs[port] = value
    return content_hash(
        {
            "operation": node_run.operation_version.content_hash,
            "params": effective_params(run, node),
            "inputs": inputs,
        }
    )


def find_cached(key: str, run: Run) -> NodeRun | None:
    """An earlier successful node run of the same project with this key whose artifacts still exist."""
    candidates = (
        NodeRun.objects.filter(cache_key=key, state=NodeState.SUCCEEDED, run__project_id=run.project_id)
        .exclude(run_id=run.pk)
        .order_by("-finished_at")
    )
    for candidate in candidates[:5]:
        wanted = {out["artifact"] for out in candidate.outputs.values()}
        if candidate.artifacts.filter(pk__in=wanted).count() == len(wanted):
            return candidate
    return None


def queue_for(node_run: NodeRun) -> str:
    return "gpu" if int(node_run.operation_version.resources.get("gpus", 0) or 0) > 0 else "default"


def _settle_pending(run: Run, node_runs: dict[str, NodeRun]) -> list[NodeRun]:
    """Skip, serve from cache or queue every pending node that can move; answer the queued."""
    graph = frozen_graph(run.pipeline_version_id)
    nodes = {node["id"]: node for node in graph["nodes"]}
    parents = version_parents(run)
    queued: list[NodeRun] = []
    moved = True
    while moved:  # a cache hit or a skip can unblock the next node at once
        moved = False
        for node_run in node_runs.values():
            if node_run.state != NodeState.PENDING:
                continue
            upstream = [node_runs[parent] for parent, _, _ in parents.get(node_run.node_id, [])]
            blocked = next((p for p in upstream if p.state in BLOCKING), None)
            if blocked is not None:
                node_run.move_to(NodeState.SKIPPED, error=f"upstream node {blocked.node_id} {blocked.state}")
                node_run.save(update_fields=["state", "error", "finished_at"])
                record_event(
                    run.pk, "node_state", node_run.node_id, state=node_run.state, error=node_run.error
                )
                moved = True
                continue
            if not all(p.state in NodeState.done_ok() for p in upstream):
                continue
            node = nodes[node_run.node_id]
            node_run.cache_key = cache_key(run, node, node_run, node_runs)
            hit = find_cached(node_run.cache_key, run) if run.config.get("cache", True) else None
            if hit is not None:
                node_run.outputs, node_run.metrics, node_run.progress = hit.outputs, hit.metrics, 1.0
                node_run.log = (
                    f"[pipewright] cached: outputs reused from run {hit.run_id}, node {hit.node_id}\n"
                )
                node_run.move_to(NodeState.CACHED)
                node_run.save()
                record_event(
                    run.pk, "node_state", node_run.node_id, state=node_run.state, cached_from=hit.run_id
                )
                moved = True
            else:
                node_run.move_to(NodeState.QUEUED)
                node_run.save(update_fields=["state", "cache_key"])
                record_event(run.pk, "node_state", node_run.node_id, state=node_run.state)
                queued.append(node_run)
    return queued


def _finish_if_done(run: Run, node_runs: dict[str, NodeRun]) -> None:
    if any(nr.state in NodeState.active() for nr in node_runs.values()):
        return
    failed = sorted(nr.node_id for nr in node_runs.values() if nr.state == NodeState.FAILED)
    if failed:
        run.move_to(RunState.FAILED, error=f"node(s) failed: {', '.join(failed)}")
    else:
        run.move_to(RunState.SUCCEEDED)
    run.save(update_fields=["state", "error", "finished_at"])
    record_event(run.pk, "run_state", state=run.state, error=run.error)


def advance(run_id: int) -> None:
    """Move the run forward; queued nodes are dispatched after commit."""
    from runs.tasks import execute_node

    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run_id)
        if run.state in RunState.terminal():
            return
        if run.state == RunState.PENDING:
            run.move_to(RunState.RUNNING)
            run.save(update_fields=["state", "started_at"])
            record_event(run.pk, "run_state", state=run.state)
        node_runs = {
            nr.node_id: nr for nr in run.node_runs.select_for_update().select_related("operation_version")
        }
        queued = _settle_pending(run, node_runs)
        _finish_if_done(run, node_runs)
        dispatch = [(nr.pk, queue_for(nr)) for nr in queued]

        def send() -> None:
            for node_run_id, queue in dispatch:
                execute_node.apply_async(args=(node_run_id,), queue=queue)

        transaction.on_commit(send)


def runs_needing_a_nudge() -> list[int]:
    """Running runs with nothing active: a lost `advance` left them; the reaper nudges them."""
    active = Q(node_runs__state__in=list(NodeState.active()))
    return list(
        Run.objects.filter(state=RunState.RUNNING).exclude(active).values_list("pk", flat=True).distinct()
    )
