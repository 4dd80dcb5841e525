"""The floor Pipewright is measured against: a bare Celery app whose task runs a
subprocess running the node function, i.e. process isolation and nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from celery import Celery

# Not the current app: Pipewright's shared tasks must keep binding to its own app.
app = Celery(
    "floor", broker=os.environ["FLOOR_REDIS_URL"], backend=os.environ["FLOOR_REDIS_URL"], set_as_current=False
)
app.conf.update(
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    task_default_queue="floor",
    result_expires=600,
)


# The benchmark's node function, run in a process of its own as Pipewright runs it.
NODE = """
def run(**inputs):
    return {"out": len([v for v in inputs.values() if v is not None])}
run(**{f"in{i}": i for i in range(20)})
"""


@app.task(name="floor.node")
def node(layer: int, index: int) -> tuple[float, float]:
    started = time.time()
    subprocess.run([sys.executable, "-c", NODE], check=True)
    return started, time.time()
