"""Run and node-run states, grouped so code asks "is it over?" not "is it X or Y?"."""

from django.db import models


class RunState(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def active(cls) -> frozenset[str]:
        return frozenset({cls.PENDING, cls.RUNNING})

    @classmethod
    def terminal(cls) -> frozenset[str]:
        return frozenset({cls.SUCCEEDED, cls.FAILED, cls.CANCELLED})


class NodeState(models.TextChoices):
    PENDING = "pending", "Pending"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    CACHED = "cached", "Cached"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def active(cls) -> frozenset[str]:
        return frozenset({cls.PENDING, cls.QUEUED, cls.RUNNING})

    @classmethod
    def terminal(cls) -> frozenset[str]:
        return frozenset({cls.SUCCEEDED, cls.CACHED, cls.FAILED, cls.SKIPPED, cls.CANCELLED})

    @classmethod
    def done_ok(cls) -> frozenset[str]:
        """States whose outputs downstream nodes may consume."""
        return frozenset({cls.SUCCEEDED, cls.CACHED})


# Which node states may follow which: anything else is a bug and is refused.
NODE_TRANSITIONS: dict[str, frozenset[str]] = {
    NodeState.PENDING: frozenset(
        {NodeState.QUEUED, NodeState.CACHED, NodeState.SKIPPED, NodeState.CANCELLED}
    ),
    NodeState.QUEUED: frozenset(
        {NodeState.RUNNING, NodeState.FAILED, NodeState.CANCELLED, NodeState.PENDING}
    ),
    NodeState.RUNNING: frozenset(
        {NodeState.SUCCEEDED, NodeState.FAILED, NodeState.CANCELLED, NodeState.QUEUED}
    ),
}

RUN_TRANSITIONS: dict[str, frozenset[str]] = {
    RunState.PENDING: frozenset({RunState.RUNNING, RunState.FAILED, RunState.CANCELLED}),
    RunState.RUNNING: frozenset({RunState.SUCCEEDED, RunState.FAILED, RunState.CANCELLED}),
}
