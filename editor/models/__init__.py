from .artifacts import Artifact
from .operations import Operation, OperationVersion
from .pipelines import Pipeline, PipelineVersion
from .projects import Membership, Project

__all__ = [
    "Artifact",
    "Membership",
    "Operation",
    "OperationVersion",
    "Pipeline",
    "PipelineVersion",
    "Project",
]
