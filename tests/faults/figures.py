"""Figures the fault tests measure (how long a fault took to be noticed, to be recovered
from), for bench/faults.py, which runs the long variants and prints them.

A test calls `record("kill -9 of a worker", "lost node failed after", seconds)`. Nothing is
written unless PIPEWRIGHT_FAULT_FIGURES names a file (bench/faults.py sets it): one JSON
object a line, appended, so several test processes may share it.
"""

from __future__ import annotations

import json
import os


def record(fault: str, measure: str, value: float, unit: str = "s") -> None:
    path = os.environ.get("PIPEWRIGHT_FAULT_FIGURES")
    if not path:
        return
    line = json.dumps({"fault": fault, "measure": measure, "value": round(value, 3), "unit": unit})
    with open(path, "a", encoding="utf-8") as out:
        out.write(line + "\n")
