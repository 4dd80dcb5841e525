from .artifacts import Artifact
from .operations import Operation, OperationVersion
from .pipelines import Pipeline, PipelineVersion
from .projects import Membership, Project
from .repositories import GitRepository

__all__ = [
    "Artifact",
    "GitRepository",
    "Membership",
    "Operation",
    "OperationVersion",
    "Pipeline",
    "PipelineVersion",
    "Project",
]
