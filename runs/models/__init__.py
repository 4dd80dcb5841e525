from .deployments import Deployment, DeploymentCall, DeploymentRule, EndpointToken, EnvironmentVariable
from .events import RunEvent
from .experiments import Experiment
from .presets import ExecutionPreset
from .runs import NodeRun, Run
from .schedules import RecurringRun, RecurringTick, TickOutcome, TriggerKind

__all__ = [
    "Deployment",
    "DeploymentCall",
    "DeploymentRule",
    "EndpointToken",
    "EnvironmentVariable",
    "ExecutionPreset",
    "Experiment",
    "NodeRun",
    "RecurringRun",
    "RecurringTick",
    "Run",
    "RunEvent",
    "TickOutcome",
    "TriggerKind",
]
