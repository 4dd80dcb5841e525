from .events import RunEvent
from .experiments import Experiment
from .runs import NodeRun, Run

__all__ = ["Experiment", "NodeRun", "Run", "RunEvent"]
