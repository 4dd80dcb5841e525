"""Progress and metrics a node reports by printing a line, on any backend.

A Python operation calls `ctx.progress()` and `ctx.log_metric()`; a container task is
any program, possibly in a pod whose files the worker only sees at the end. Its log
reaches the worker live on every backend, so a line

    ::pipewright progress 0.4
    ::pipewright metric loss 0.31 step=3

is turned here into what `ctx` writes (the node's `progress` file, a `metrics.jsonl`
line in its work dir), which the watch loop already follows. The lines stay in the
log: a person reading it sees what the task reported.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

PREFIX = "::pipewright "


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse(line: str) -> tuple[str, dict[str, object]] | None:
    """("progress", {"value"}) or ("metric", {"name", "value", "step"}) or None."""
    if not line.startswith(PREFIX):
        return None
    words = line[len(PREFIX) :].split()
    if len(words) == 2 and words[0] == "progress":
        value = _number(words[1])
        return None if value is None else ("progress", {"value": min(1.0, max(0.0, value))})
    if len(words) in (3, 4) and words[0] == "metric" and words[1].isidentifier():
        value = _number(words[2])
        step: int | None = None
        if len(words) == 4:
            if not words[3].startswith("step=") or not words[3][5:].lstrip("-").isdigit():
                return None
            step = int(words[3][5:])
        if value is None:
            return None
        return "metric", {"name": words[1], "value": value, "step": step}
    return None


def apply(lines: list[str], work_dir: Path) -> None:
    """Record every marker in `lines` as `ctx` would, in `work_dir`."""
    progress: float | None = None
    records: list[str] = []
    for line in lines:
        marker = parse(line.rstrip("\r\n"))
        if marker is None:
            continue
        kind, fields = marker
        if kind == "progress":
            progress = float(fields["value"])  # type: ignore[arg-type]
        else:
            records.append(json.dumps({**fields, "time": time.time()}) + "\n")
    try:
        if records:
            with (work_dir / "metrics.jsonl").open("a") as out:
                out.write("".join(records))
        if progress is not None:
            staging = work_dir / "progress.marker.tmp"
            staging.write_text(f"{progress:.4f}")
            staging.replace(work_dir / "progress")
    except OSError:  # the work dir is gone: the node is being cleaned up
        pass
