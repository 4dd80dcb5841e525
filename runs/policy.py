"""What a node gets: its effective resources, retry policy and timeout.

An operation version says what its nodes need by default; a node of the graph
may override any of it (`editor.schemas.Node`); the run's execution config has
the last word on retries (`retry_nodes`) and on the timeout. Everything that
routes, launches, retries or exports a node asks here, so the scheduler, the
executor, the reaper and the bundle's `pipeline.json` agree. Pure functions:
`node` is a node of a frozen graph (a dict), as stored on the pipeline version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from editor.schemas import Resources
from runs.config import ExecutionConfig, RetryPolicy

# Every resource field with its default: what an operation asks for when it says nothing.
DEFAULT_RESOURCES: dict[str, Any] = {name: field.default for name, field in Resources.model_fields.items()}


def effective_resources(
    operation_resources: Mapping[str, Any] | None, node: Mapping[str, Any]
) -> dict[str, Any]:
    """The operation version's resources, every field filled in, overlaid with the
    node's overrides (`node["resources"]`, only the fields it sets)."""
    overrides = {key: value for key, value in (node.get("resources") or {}).items() if value is not None}
    return {**DEFAULT_RESOURCES, **(operation_resources or {}), **overrides}


def retry_policy(config: ExecutionConfig, node: Mapping[str, Any]) -> RetryPolicy:
    """The run's `retry_nodes[node]` if given, else the node's own `retries` and
    `retry_backoff_seconds` (each falling back to the run's `retry`), else the run's `retry`."""
    node_id = str(node.get("id", ""))
    if node_id in config.retry_nodes:
        return config.retry_nodes[node_id]
    count, backoff = node.get("retries"), node.get("retry_backoff_seconds")
    if count is None and backoff is None:
        return config.retry
    return RetryPolicy(
        count=config.retry.count if count is None else count,
        backoff_seconds=config.retry.backoff_seconds if backoff is None else backoff,
    )


def timeout_for(config: ExecutionConfig, node: Mapping[str, Any]) -> float | None:
    """The run's `timeout_seconds` when set, else the node's own, else none."""
    if config.timeout_seconds is not None:
        return config.timeout_seconds
    timeout = node.get("timeout_seconds")
    return None if timeout is None else float(timeout)
