"""Comparing runs side by side: parameters, metrics and outputs per node, which of them
differ, and how the pipeline versions they ran differ."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from editor.models import Artifact, OperationVersion, PipelineVersion
from runs.graph_diff import OperationInfo, diff_graphs, node_params
from runs.models import NodeRun, Run

MIN_RUNS = 2
MAX_RUNS = 10
# Longer series are thinned to about this many points: a chart cannot show more.
MAX_SERIES_POINTS = 500


class CompareInvalid(ValueError):
    """The runs asked for cannot be compared; the message says what to do."""


def parse_run_ids(text: str) -> list[int]:
    """`"3,1,2"` -> [3, 1, 2], in the order given, each once."""
    ids: list[int] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        if not part.isdigit():
            raise CompareInvalid(f"{part!r} is not a run id: give run ids separated by commas, like ids=4,7")
        if int(part) not in ids:
            ids.append(int(part))
    if not MIN_RUNS <= len(ids) <= MAX_RUNS:
        raise CompareInvalid(f"Choose {MIN_RUNS} to {MAX_RUNS} runs to compare (got {len(ids)}).")
    return ids


def operation_info(version: OperationVersion) -> OperationInfo:
    return OperationInfo(
        operation_id=version.operation_id,
        name=version.operation.name,
        number=version.number,
        inputs=[port["name"] for port in version.inputs],
        outputs=[port["name"] for port in version.outputs],
        defaults={param["name"]: param.get("default") for param in version.parameters},
    )


def _operation_infos(
    graphs: Iterable[dict[str, Any]], node_runs: Iterable[NodeRun]
) -> dict[int, OperationInfo]:
    wanted = {node["operation_version"] for graph in graphs for node in graph["nodes"]}
    wanted |= {node_run.operation_version_id for node_run in node_runs}
    versions = OperationVersion.objects.select_related("operation").in_bulk(wanted)
    return {pk: operation_info(version) for pk, version in versions.items()}


def _differs(values: Sequence[Any]) -> bool:
    return any(value != values[0] for value in values[1:])


def _thin(series: list[list[float]]) -> list[list[float]]:
    """At most about MAX_SERIES_POINTS points, always keeping the last."""
    if len(series) <= MAX_SERIES_POINTS:
        return series
    step = -(-len(series) // MAX_SERIES_POINTS)
    return [*series[:-1:step], series[-1]]


def _run_summary(run: Run) -> dict[str, Any]:
    duration = None
    if run.started_at and run.finished_at:
        duration = (run.finished_at - run.started_at).total_seconds()
    return {
        "id": run.pk,
        "name": run.name,
        "state": run.state,
        "pipeline": run.pipeline_id,
        "pipeline_name": run.pipeline.name,
        "pipeline_version": run.pipeline_version_id,
        "version_number": run.pipeline_version.number,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "duration_seconds": duration,
    }


class _Rows:
    """Rows keyed by (node, name) in first-seen order, one cell per run."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.rows: dict[tuple[str, str], list[Any]] = {}

    def put(self, node: str, name: str, column: int, value: Any) -> None:
        self.rows.setdefault((node, name), [None] * self.width)[column] = value


def _node_labels(runs: Sequence[Run], ops: dict[int, OperationInfo]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for run in runs:
        for node in run.pipeline_version.graph["nodes"]:
            op = ops.get(node["operation_version"])
            labels.setdefault(node["id"], node.get("label") or (op.name if op else node["id"]))
    return labels


def _artifact_cell(artifact: Artifact | None, output: dict[str, Any]) -> dict[str, Any]:
    if artifact is None:
        return {"kind": "artifact", "id": output["artifact"], "missing": True}
    return {
        "kind": "artifact",
        "id": artifact.pk,
        "name": artifact.name,
        "size": artifact.size,
        "content_type": artifact.content_type,
        "checksum": artifact.checksum,
        "download_url": reverse("artifact-download", args=[artifact.pk]),
    }


def _graph_diffs(runs: Sequence[Run], ops: dict[int, OperationInfo]) -> list[dict[str, Any]]:
    """One diff per other version the runs used, against the first run's version."""
    base = runs[0].pipeline_version
    others: dict[int, tuple[PipelineVersion, list[int]]] = {}
    for run in runs[1:]:
        if run.pipeline_version_id != base.pk:
            others.setdefault(run.pipeline_version_id, (run.pipeline_version, []))[1].append(run.pk)
    return [
        {
            "base": {"id": base.pk, "number": base.number, "pipeline": base.pipeline_id},
            "version": {"id": version.pk, "number": version.number, "pipeline": version.pipeline_id},
            "runs": run_ids,
            **diff_graphs(base.graph, version.graph, ops),
        }
        for version, run_ids in others.values()
    ]


def compare_runs(runs: Sequence[Run]) -> dict[str, Any]:
    """The comparison of `runs` (in the order given): one column per run, one row per
    (node, parameter), (node, metric) and (node, output), each flagged when the runs differ."""
    node_runs: dict[int, dict[str, NodeRun]] = {run.pk: {} for run in runs}
    all_node_runs = list(NodeRun.objects.filter(run__in=[run.pk for run in runs]).defer("log"))
    for node_run in all_node_runs:
        node_runs[node_run.run_id][node_run.node_id] = node_run
    ops = _operation_infos((run.pipeline_version.graph for run in runs), all_node_runs)
    width = len(runs)

    params, metrics, outputs = _Rows(width), _Rows(width), _Rows(width)
    series: dict[tuple[str, str], list[list[list[float]] | None]] = {}
    artifact_ids: set[int] = set()
    for column, run in enumerate(runs):
        overrides = run.config.get("params", {})
        for node in run.pipeline_version.graph["nodes"]:
            ran = node_runs[run.pk].get(node["id"])
            # The node run knows the operation version that really ran (a debug re-run takes the newest).
            op = ops.get(ran.operation_version_id if ran else node["operation_version"])
            for name, value in {**node_params(node, op), **overrides.get(node["id"], {})}.items():
                params.put(node["id"], name, column, value)
        for node_id, node_run in node_runs[run.pk].items():
            for name, metric in sorted(node_run.metrics.items()):
                metrics.put(node_id, name, column, metric.get("last"))
                points = metric.get("series") or []
                series.setdefault((node_id, name), [None] * width)[column] = _thin(points)
            for port, output in node_run.outputs.items():
                outputs.put(node_id, port, column, output)
                if "artifact" in output:
                    artifact_ids.add(int(output["artifact"]))
    artifacts = Artifact.objects.in_bulk(artifact_ids)

    def output_cell(output: dict[str, Any] | None) -> dict[str, Any] | None:
        if output is None:
            return None
        if "artifact" in output:
            return _artifact_cell(artifacts.get(int(output["artifact"])), output)
        return {"kind": "value", "value": output.get("value")}

    def output_identity(output: dict[str, Any] | None) -> Any:
        # Same content is the same output, whichever run stored it.
        if output is None or "artifact" not in output:
            return output
        return output.get("checksum") or output["artifact"]

    return {
        "runs": [_run_summary(run) for run in runs],
        "nodes": _node_labels(runs, ops),
        "params": [
            {"node": node, "name": name, "values": values, "differs": _differs(values)}
            for (node, name), values in params.rows.items()
        ],
        "metrics": [
            {
                "node": node,
                "name": name,
                "last": values,
                "series": series[(node, name)],
                "differs": _differs(values),
            }
            for (node, name), values in metrics.rows.items()
        ],
        "outputs": [
            {
                "node": node,
                "port": port,
                "values": [output_cell(output) for output in values],
                "differs": _differs([output_identity(output) for output in values]),
            }
            for (node, port), values in outputs.rows.items()
        ],
        "graph_diffs": _graph_diffs(runs, ops),
    }


def runs_to_compare(visible: QuerySet[Run], ids: Sequence[int]) -> list[Run]:
    """The runs with these ids among `visible`, in the order of `ids`."""
    found = visible.select_related("pipeline", "pipeline_version").in_bulk(list(ids))
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise CompareInvalid(
            f"No run {', '.join(missing)} among the runs you can see: "
            "check the ids, or ask to join its project."
        )
    return [found[pk] for pk in ids]
