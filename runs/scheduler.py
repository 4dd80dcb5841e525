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
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from editor.graph import input_edges, node_edges
from editor.hashing import content_hash
from editor.models import Artifact, PipelineVersion
from runs.choices import NodeState, RunState
from runs.events import Event, record_events
from runs.models import NodeRun, Run
from runs.policy import effective_resources

# States of a parent that doom its children.
SKIPPED, CACHED = str(NodeState.SKIPPED), str(NodeState.CACHED)
BLOCKING = frozenset({NodeState.FAILED, NodeState.SKIPPED, NodeState.CANCELLED})


def parents_of(graph: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    """node id -> [(parent id, parent's output port, this node's input port)]; edges from
    pipeline inputs are not parents (see `input_feeds`)."""
    parents: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for edge in node_edges(graph):
        parents[edge["target"]].append((edge["source"], edge["source_port"], edge["target_port"]))
    return parents


@lru_cache(maxsize=64)
def frozen_graph(version_id: int) -> dict[str, Any]:
    """A pipeline version's graph, read once per process: versions never change."""
    graph: dict[str, Any] = PipelineVersion.objects.values_list("graph", flat=True).get(pk=version_id)
    return graph


@lru_cache(maxsize=64)
def frozen_nodes(version_id: int) -> dict[str, dict[str, Any]]:
    """node id -> node of a pipeline version's graph, built once per process."""
    return {node["id"]: node for node in frozen_graph(version_id)["nodes"]}


def frozen_node(node_run: NodeRun) -> dict[str, Any]:
    """The node of the frozen graph a node run runs (its overrides, parameters...)."""
    return frozen_nodes(node_run.run.pipeline_version_id).get(node_run.node_id, {"id": node_run.node_id})


def node_resources(node_run: NodeRun) -> dict[str, Any]:
    """What a node run asks for: its operation version's resources with its node's overrides."""
    return effective_resources(node_run.operation_version.resources, frozen_node(node_run))


@lru_cache(maxsize=64)
def _parents(version_id: int) -> dict[str, list[tuple[str, str, str]]]:
    return dict(parents_of(frozen_graph(version_id)))


def version_parents(run: Run) -> dict[str, list[tuple[str, str, str]]]:
    """parents_of for a run's frozen graph, computed once per process."""
    return _parents(run.pipeline_version_id)


@lru_cache(maxsize=64)
def _children(version_id: int) -> dict[str, tuple[str, ...]]:
    children: dict[str, set[str]] = defaultdict(set)
    for edge in node_edges(frozen_graph(version_id)):
        children[edge["source"]].add(edge["target"])
    return {node_id: tuple(sorted(targets)) for node_id, targets in children.items()}


def version_children(run: Run) -> dict[str, tuple[str, ...]]:
    """node id -> ids of the nodes fed by it, for a run's frozen graph."""
    return _children(run.pipeline_version_id)


@lru_cache(maxsize=64)
def _input_feeds(version_id: int) -> dict[str, tuple[tuple[str, str], ...]]:
    feeds: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for edge in input_edges(frozen_graph(version_id)):
        feeds[edge["target"]].append((edge["source"], edge["target_port"]))
    return {node_id: tuple(pairs) for node_id, pairs in feeds.items()}


def input_feeds(run: Run, node_id: str) -> tuple[tuple[str, str], ...]:
    """(pipeline input name, this node's input port) for each pipeline input wired to the node."""
    return _input_feeds(run.pipeline_version_id).get(node_id, ())


def effective_params(run: Run, node: dict[str, Any]) -> dict[str, Any]:
    return {**node.get("params", {}), **run.config.get("params", {}).get(node["id"], {})}


def cache_key(run: Run, node: dict[str, Any], node_run: NodeRun, upstream: dict[str, NodeRun]) -> str:
    """Same operation code, parameters, input contents and storage place give the same key."""
    inputs: dict[str, Any] = {}
    for parent_id, out_port, in_port in version_parents(run).get(node["id"], []):
        inputs[in_port] = upstream[parent_id].outputs[out_port]["checksum"]
    given = run.config.get("inputs", {})
    for key, value in given.items():
        node_id, dot, port = key.partition(".")
        if dot and node_id == node["id"]:
            inputs[port] = value
    for name, port in input_feeds(run, node["id"]):
        if name not in given:
            continue
        if "artifact" in given[name]:  # the content counts, not which upload holds it
            checksum = Artifact.objects.filter(pk=given[name]["artifact"]).values_list("checksum", flat=True)
            inputs[port] = checksum.first() or f"artifact {given[name]['artifact']}"
        else:  # a value, or the digest of a secret one (runs/secret_inputs.py)
            inputs[port] = dict(given[name])
    identity: dict[str, Any] = {
        "operation": node_run.operation_version.content_hash,
        "params": effective_params(run, node),
        "inputs": inputs,
    }
    # Outputs are reused only from the same place: a run that asks for S3 gets its files in S3.
    storage = run.config.get("storage") or {}
    if storage.get("backend", "local") != "local":
        identity["storage"] = {k: storage.get(k) for k in ("backend", "options", "account")}
    return content_hash(identity)


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
    """`gpu` when the node asks for GPUs (its operation, or its own override), else `default`."""
    return "gpu" if int(node_resources(node_run).get("gpus") or 0) > 0 else "default"


def _settle(
    run: Run, candidates: list[NodeRun], known: dict[str, NodeRun], events: list[Event]
) -> tuple[list[NodeRun], list[str]]:
    """Skip, serve from cache or queue each pending candidate that can move.

    Answers the queued node runs and the ids of those that became final at once
    (skipped, cached): their children are the next candidates.
    """
    nodes = frozen_nodes(run.pipeline_version_id)
    parents = version_parents(run)
    queued: list[NodeRun] = []
    settled: list[str] = []
    for node_run in candidates:
        if node_run.state != NodeState.PENDING:
            continue
        upstream = [known[parent] for parent, _, _ in parents.get(node_run.node_id, [])]
        blocked = next((p for p in upstream if p.state in BLOCKING), None)
        if blocked is not None:
            node_run.move_to(NodeState.SKIPPED, error=f"upstream node {blocked.node_id} {blocked.state}")
            node_run.save(update_fields=["state", "error", "finished_at"])
            events.append(("node_state", node_run.node_id, {"state": SKIPPED, "error": node_run.error}))
            settled.append(node_run.node_id)
            continue
        if not all(p.state in NodeState.done_ok() for p in upstream):
            continue
        node_run.cache_key = cache_key(run, nodes[node_run.node_id], node_run, known)
        hit = find_cached(node_run.cache_key, run) if run.config.get("cache", True) else None
        if hit is not None:
            node_run.outputs, node_run.metrics, node_run.progress = hit.outputs, hit.metrics, 1.0
            node_run.log = f"[pipewright] cached: outputs reused from run {hit.run_id}, node {hit.node_id}\n"
            node_run.move_to(NodeState.CACHED)
            node_run.save()
            events.append(("node_state", node_run.node_id, {"state": CACHED, "cached_from": hit.run_id}))
            settled.append(node_run.node_id)
        else:
            node_run.move_to(NodeState.QUEUED)
            node_run.dispatched_at = timezone.now()
            events.append(("node_state", node_run.node_id, {"state": node_run.state}))
            queued.append(node_run)
    NodeRun.objects.bulk_update(queued, ["state", "cache_key", "dispatched_at"])  # one statement a layer
    return queued, settled


def _finish_if_done(run: Run, events: list[Event]) -> None:
    if run.node_runs.filter(state__in=list(NodeState.active())).exists():
        return
    failed = sorted(run.node_runs.filter(state=NodeState.FAILED).values_list("node_id", flat=True))
    if failed:
        run.move_to(RunState.FAILED, error=f"node(s) failed: {', '.join(failed)}")
    else:
        run.move_to(RunState.SUCCEEDED)
    run.save(update_fields=["state", "error", "finished_at"])
    delivers = run.deployment_id is not None or bool(run.config.get("output_mappings"))
    if delivers and run.state == RunState.SUCCEEDED:
        from runs.tasks import deliver_deployment_outputs  # datastore outputs (runs/run_mappings.py)

        run_id = run.pk
        transaction.on_commit(lambda: deliver_deployment_outputs.delay(run_id))
    events.append(("run_state", "", {"state": run.state, "error": run.error}))


def lock_run(run_id: int) -> Run:
    """Lock the run's row. Every transaction that changes a run or its nodes takes
    this lock first, so they never deadlock on each other's rows."""
    return Run.objects.select_for_update().get(pk=run_id)


def advance(run_id: int, changed: list[str] | None = None) -> None:
    """Move the run forward; queued nodes are dispatched after commit."""
    with transaction.atomic():
        advance_locked(lock_run(run_id), changed)


def advance_locked(run: Run, changed: list[str] | None = None, events: list[Event] | None = None) -> None:
    """`advance` inside a transaction that holds the run's lock.

    With `changed` (node ids that just finished) only their children are
    looked at, so a node's finish costs the same in a run of 10 nodes or
    10,000; without, every node is. `events` the caller has gathered are
    recorded along with the scheduler's own, in one statement.
    """
    from runs.tasks import execute_node

    events = [] if events is None else events
    if run.state in RunState.terminal():
        record_events(run.pk, events)
        return
    if run.state == RunState.PENDING:
        run.move_to(RunState.RUNNING)
        run.save(update_fields=["state", "started_at"])
        events.append(("run_state", "", {"state": run.state}))
    parents = version_parents(run)
    children = version_children(run)
    wanted = (
        {node["id"] for node in frozen_graph(run.pipeline_version_id)["nodes"]}
        if changed is None
        else {child for node_id in changed for child in children.get(node_id, ())}
    )
    states: dict[str, str] = {}  # node id -> state, read cheaply for every node looked at
    known: dict[str, NodeRun] = {}  # whole rows, read only for nodes that can move and their parents
    queued: list[NodeRun] = []
    while wanted:  # a skip or a cache hit can settle the next node at once
        upstream = {node_id: [p for p, _, _ in parents.get(node_id, [])] for node_id in wanted}
        unread = (wanted | {p for ps in upstream.values() for p in ps}) - states.keys()
        if unread:
            states.update(run.node_runs.filter(node_id__in=unread).order_by().values_list("node_id", "state"))
        movable = sorted(
            node_id
            for node_id in wanted
            if states.get(node_id) == NodeState.PENDING
            and (
                any(states.get(p) in BLOCKING for p in upstream[node_id])
                or all(states.get(p) in NodeState.done_ok() for p in upstream[node_id])
            )
        )
        # Most finishes make no child ready (it waits for other parents): then no row is read.
        unloaded = (set(movable) | {p for n in movable for p in upstream[n]}) - known.keys()
        if unloaded:
            rows = (  # logs and metrics can be large and are not needed here
                run.node_runs.filter(node_id__in=unloaded)
                .select_related("operation_version")
                .defer("log", "metrics")
            )
            known.update((nr.node_id, nr) for nr in rows)
        newly_queued, settled = _settle(run, [known[n] for n in movable], known, events)
        queued += newly_queued
        states.update((nr.node_id, nr.state) for nr in newly_queued)
        states.update((node_id, known[node_id].state) for node_id in settled)
        wanted = {child for node_id in settled for child in children.get(node_id, ())}
    _finish_if_done(run, events)
    record_events(run.pk, events)
    dispatch = [(nr.pk, queue_for(nr)) for nr in queued]

    def send() -> None:
        for node_run_id, queue in dispatch:
            execute_node.apply_async(args=(node_run_id, run.pk), queue=queue)

    if dispatch:
        transaction.on_commit(send)


def resend_stale_queued() -> list[int]:
    """Queued nodes whose task was sent long ago and never picked up: the message may
    have been lost (a broker restarted without its data). Sending again is safe, a
    node is claimed once; answers the node run ids sent again."""
    from runs.tasks import execute_node

    cutoff = timezone.now() - timedelta(seconds=settings.PIPEWRIGHT_REQUEUE_SECONDS)
    stale = list(
        NodeRun.objects.filter(state=NodeState.QUEUED, dispatched_at__lt=cutoff)
        .select_related("operation_version", "run")
        .order_by("dispatched_at")[:500]
    )
    if stale:
        NodeRun.objects.filter(pk__in=[nr.pk for nr in stale]).update(dispatched_at=timezone.now())
    for node_run in stale:
        execute_node.apply_async(args=(node_run.pk, node_run.run_id), queue=queue_for(node_run))
    return [nr.pk for nr in stale]


def runs_needing_a_nudge() -> list[int]:
    """Runs a lost `advance` left behind, which the reaper nudges: running with nothing
    active, or still pending well after they were submitted."""
    active = Q(node_runs__state__in=list(NodeState.active()))
    running = Run.objects.filter(state=RunState.RUNNING).exclude(active)
    cutoff = timezone.now() - timedelta(seconds=settings.PIPEWRIGHT_REQUEUE_SECONDS)
    pending = Run.objects.filter(state=RunState.PENDING, created_at__lt=cutoff)
    return sorted(set(running.values_list("pk", flat=True)) | set(pending.values_list("pk", flat=True)))
