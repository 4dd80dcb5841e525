from .events import RunEvent
from .experiments import Experiment
from .presets import ExecutionPreset
from .runs import NodeRun, Run

__all__ = ["ExecutionPreset", "Experiment", "NodeRun", "Run", "RunEvent"]
