"""What a node gets: its operation's resources with its own overrides, and whose retry
policy and timeout win (runs/policy.py). Pure functions, no database."""

from runs.config import ExecutionConfig, RetryPolicy
from runs.policy import effective_resources, retry_policy, timeout_for


def test_a_nodes_overrides_lie_over_its_operations_resources_and_the_defaults():
    operation = {"cpu": 2.0, "memory": "4Gi", "gpus": 0, "cpu_fallback": False}
    node = {"id": "train", "resources": {"gpus": 2, "resource_type": "PyTorchJob", "workers": 3}}
    assert effective_resources(operation, node) == {
        "cpu": 2.0,
        "memory": "4Gi",
        "gpus": 2,
        "cpu_fallback": False,
        "resource_type": "PyTorchJob",
        "workers": 3,
    }
    # no overrides, no operation resources: every default
    assert effective_resources({}, {"id": "n"}) == {
        "cpu": 1,
        "memory": "1Gi",
        "gpus": 0,
        "cpu_fallback": False,
        "resource_type": "job",
        "workers": 1,
    }


def test_retries_come_from_retry_nodes_then_the_node_then_the_run_default():
    node = {"id": "n", "retries": 3}
    # the node's own count, with the run's default backoff
    config = ExecutionConfig(retry=RetryPolicy(count=1, backoff_seconds=5))
    assert retry_policy(config, node) == RetryPolicy(count=3, backoff_seconds=5)
    # retry_nodes names the node: it wins
    config = ExecutionConfig(retry_nodes={"n": RetryPolicy(count=0, backoff_seconds=1)})
    assert retry_policy(config, node) == RetryPolicy(count=0, backoff_seconds=1)
    # a node without overrides takes the run's default
    config = ExecutionConfig(retry=RetryPolicy(count=2))
    assert retry_policy(config, {"id": "other"}) == RetryPolicy(count=2)
    assert retry_policy(config, {"id": "b", "retry_backoff_seconds": 0.5}) == RetryPolicy(
        count=2, backoff_seconds=0.5
    )


def test_the_runs_timeout_wins_over_the_nodes_own():
    node = {"id": "n", "timeout_seconds": 10}
    assert timeout_for(ExecutionConfig(), node) == 10
    assert timeout_for(ExecutionConfig(timeout_seconds=99), node) == 99
    assert timeout_for(ExecutionConfig(), {"id": "m"}) is None
