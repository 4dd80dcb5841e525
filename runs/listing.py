"""Filtering and ordering of the run and node-run lists, from query parameters.

Each function takes the visible queryset and the request's query parameters and returns
the narrowed, ordered queryset; a bad value raises `ListingInvalid` naming the parameter.
Ordering by a metric is done in SQL: a run's value of metric `m` is `metrics.m.last` of
its most recently finished node run that logged `m` (NULLs, runs without it, sort last).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.db.models import DurationField, ExpressionWrapper, F, FloatField, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone

from editor.models import Operation, PipelineVersion
from runs.choices import NodeState, RunState
from runs.models import NodeRun, Run

RUN_ORDERINGS = ("created_at", "-created_at", "name", "-name", "duration", "-duration")
NODE_RUN_ORDERINGS = ("started_at", "-started_at", "duration", "-duration")
METRIC_NAME = re.compile(r"^[A-Za-z0-9_.:/-]{1,100}$")


class ListingInvalid(Exception):
    """Bad query parameters: `errors` maps each parameter to its problems."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _whole_number(params: Mapping[str, str], name: str, what: str) -> int | None:
    value = params.get(name, "")
    if value == "":
        return None
    if not value.isdigit():
        raise ListingInvalid({name: [f"Must be {what} id (a whole number)."]})
    return int(value)


def _state(params: Mapping[str, str], choices: Any) -> list[str]:
    value = params.get("state", "")
    if value == "":
        return []
    states = [s for s in value.split(",") if s]
    unknown = [s for s in states if s not in choices.values]
    if unknown:
        allowed = ", ".join(choices.values)
        raise ListingInvalid({"state": [f"Unknown state {unknown[0]!r}; one of: {allowed}."]})
    return states


def _date(params: Mapping[str, str], name: str) -> datetime.datetime | None:
    value = params.get(name, "")
    if value == "":
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ListingInvalid({name: ["Must be an ISO date (2026-01-31) or date-time."]}) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return parsed


def _duration() -> ExpressionWrapper:
    return ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())


def metric_value(name: str) -> Subquery:
    """The last value of metric `name` logged by the run's most recently finished node."""
    last = Cast(KeyTransform("last", KeyTransform(name, "metrics")), FloatField())
    node_runs = (
        NodeRun.objects.filter(run=OuterRef("pk"))
        .annotate(metric_last=last)
        .filter(metric_last__isnull=False)
        .order_by(F("finished_at").desc(nulls_last=True), "-id")
    )
    return Subquery(node_runs.values("metric_last")[:1], output_field=FloatField())


def filter_runs(queryset: QuerySet[Run], params: Mapping[str, str]) -> QuerySet[Run]:
    """Apply `state`, `pipeline`, `experiment`, `recurring_run`, `tag`, `created_after`/`created_before`, `q`,
    `metric` (annotates `metric_value`, that metric's value, for a column) and `ordering`
    (see `RUN_ORDERINGS`, plus `metric:<name>` / `-metric:<name>`)."""
    states = _state(params, RunState)
    if states:
        queryset = queryset.filter(state__in=states)
    pipeline = _whole_number(params, "pipeline", "a pipeline")
    if pipeline is not None:
        queryset = queryset.filter(pipeline_id=pipeline)
    experiment = _whole_number(params, "experiment", "an experiment")
    if experiment is not None:
        queryset = queryset.filter(experiment_id=experiment)
    recurring = _whole_number(params, "recurring_run", "a recurring run")
    if recurring is not None:
        queryset = queryset.filter(recurring_run_id=recurring)
    tag = params.get("tag", "")
    if tag:
        queryset = queryset.filter(pipeline_version__in=_versions_tagged(queryset, tag))
    after = _date(params, "created_after")
    if after is not None:
        queryset = queryset.filter(created_at__gte=after)
    before = _date(params, "created_before")
    if before is not None:
        if len(params.get("created_before", "")) == 10:  # a date: the whole day counts
            before += datetime.timedelta(days=1)
            queryset = queryset.filter(created_at__lt=before)
        else:
            queryset = queryset.filter(created_at__lte=before)
    text = params.get("q", "").strip()
    if text:
        queryset = queryset.filter(Q(name__icontains=text) | Q(pipeline__name__icontains=text))
    metric = params.get("metric", "")
    if metric:
        if not METRIC_NAME.match(metric):
            raise ListingInvalid({"metric": ["A metric name is letters, digits and _ . : / - only."]})
        queryset = queryset.annotate(metric_value=metric_value(metric))
    return _order_runs(queryset, params.get("ordering", ""))


def _versions_tagged(queryset: QuerySet[Run], tag: str) -> Any:
    """The pipeline versions of these runs that carry `tag` (SQL JSON containment where the
    database has it; SQLite has not, so there the versions' tag lists are read and matched)."""
    versions = PipelineVersion.objects.filter(pk__in=queryset.values("pipeline_version"))
    if connection.features.supports_json_field_contains:
        return versions.filter(tags__contains=[tag]).values("pk")
    return [pk for pk, tags in versions.values_list("pk", "tags") if tag in tags]


def _order_runs(queryset: QuerySet[Run], ordering: str) -> QuerySet[Run]:
    if ordering == "":
        return queryset.order_by("-created_at", "-id")
    descending = ordering.startswith("-")
    key = ordering.removeprefix("-")
    if key.startswith("metric:"):
        name = key.removeprefix("metric:")
        if not METRIC_NAME.match(name):
            raise ListingInvalid({"ordering": ["A metric name is letters, digits and _ . : / - only."]})
        queryset = queryset.annotate(sort_metric=metric_value(name))
        field = F("sort_metric")
    elif ordering in RUN_ORDERINGS:
        if key == "duration":
            queryset = queryset.annotate(sort_duration=_duration())
            key = "sort_duration"
        field = F(key)
    else:
        allowed = ", ".join([*RUN_ORDERINGS, "metric:<name>", "-metric:<name>"])
        raise ListingInvalid({"ordering": [f"Unknown ordering {ordering!r}; one of: {allowed}."]})
    order = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
    return queryset.order_by(order, "-id")


def filter_node_runs(queryset: QuerySet[NodeRun], params: Mapping[str, str]) -> QuerySet[NodeRun]:
    """Apply `state`, `operation` (id or slug), `run`, `pipeline`, `project` and `ordering`
    (see `NODE_RUN_ORDERINGS`; newest started first by default)."""
    states = _state(params, NodeState)
    if states:
        queryset = queryset.filter(state__in=states)
    operation = params.get("operation", "")
    if operation:
        if operation.isdigit():
            queryset = queryset.filter(operation_version__operation_id=int(operation))
        elif Operation.objects.filter(slug=operation).exists():
            queryset = queryset.filter(operation_version__operation__slug=operation)
        else:
            raise ListingInvalid({"operation": [f"No operation with id or slug {operation!r}."]})
    run = _whole_number(params, "run", "a run")
    if run is not None:
        queryset = queryset.filter(run_id=run)
    pipeline = _whole_number(params, "pipeline", "a pipeline")
    if pipeline is not None:
        queryset = queryset.filter(run__pipeline_id=pipeline)
    project = _whole_number(params, "project", "a project")
    if project is not None:
        queryset = queryset.filter(run__project_id=project)
    ordering = params.get("ordering", "") or "-started_at"
    if ordering not in NODE_RUN_ORDERINGS:
        allowed = ", ".join(NODE_RUN_ORDERINGS)
        raise ListingInvalid({"ordering": [f"Unknown ordering {ordering!r}; one of: {allowed}."]})
    key = ordering.removeprefix("-")
    if key == "duration":
        queryset = queryset.annotate(sort_duration=_duration())
        key = "sort_duration"
    field = F(key)
    order = field.desc(nulls_last=True) if ordering.startswith("-") else field.asc(nulls_last=True)
    return queryset.order_by(order, "-id")


def recent_metric_names(runs: QuerySet[Any], recent: int = 1000) -> list[str]:
    """Metric names logged by the most recent node runs of these runs, sorted."""
    names: set[str] = set()
    rows = (
        NodeRun.objects.filter(run__in=runs)
        .exclude(metrics={})
        .order_by("-id")
        .values_list("metrics", flat=True)[:recent]
    )
    for metrics in rows:
        if isinstance(metrics, dict):
            names.update(str(name) for name in metrics)
    return sorted(names)
