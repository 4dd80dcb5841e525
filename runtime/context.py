"""The `ctx` an operation receives: where to write outputs, metrics, progress.

An operation is a Python function. It is called with one keyword argument per
input and per parameter, plus `ctx` when its signature names it. File and
directory inputs arrive as paths; it returns a dict of output values, and
writes file outputs to `ctx.output_path(name)`.

Metrics and progress go to small files in the work dir that the orchestrator
(or `main.py`) reads: `metrics.jsonl` (one JSON object a line) and `progress`
(one float). Standard library only.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path


class NodeContext:
    def __init__(
        self, work_dir: str | os.PathLike[str], node_id: str = "", gpus: list[str] | None = None
    ) -> None:
        self.work_dir = Path(work_dir)
        self.node_id = node_id
        self.outputs_dir = self.work_dir / "outputs"
        self.outputs_dir.mkdir(parents=True, exist_ok=True)
        self.metrics_file = self.work_dir / "metrics.jsonl"
        self.progress_file = self.work_dir / "progress"
        if gpus is None:
            visible = os.environ.get("CUDA_VISIBLE_DEVICES", "")
            gpus = [device for device in visible.split(",") if device.strip()]
        self.gpus = gpus

    def output_path(self, name: str, suffix: str = "") -> str:
        """The path where file output `name` must be written."""
        if not name.isidentifier():
            raise ValueError(f"output name {name!r} is not an identifier")
        return str(self.outputs_dir / f"{name}{suffix}")

    def log_metric(self, name: str, value: float, step: int | None = None) -> None:
        """Record one value of a metric (e.g. loss per epoch)."""
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"metric {name!r} must be a finite number, got {value}")
        record = {"name": name, "value": value, "step": step, "time": time.time()}
        with self.metrics_file.open("a") as out:
            out.write(json.dumps(record) + "\n")

    def progress(self, fraction: float) -> None:
        """Report how far along the node is, from 0 to 1."""
        fraction = min(1.0, max(0.0, float(fraction)))
        tmp = self.progress_file.with_suffix(".tmp")
        tmp.write_text(f"{fraction:.4f}")
        tmp.replace(self.progress_file)
