"""Run workspaces of container tasks on this machine: `${RUN_PATH}` folders, removed
some time after their run ends.

A run's tasks share `<data dir>/workspaces/run-<id>/` while it runs (runs/executor.py
`container_task`). Each machine holds those of the tasks it ran, so each worker prunes
its own: after a container task, at most once every PRUNE_EVERY seconds, every folder
whose run ended more than PIPEWRIGHT_WORKSPACE_KEEP_SECONDS ago (or no longer exists)
goes. Kept for a while so that a person can look into a failed run's scratch space.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from runs.choices import RunState
from runs.models import Run

logger = logging.getLogger(__name__)

FOLDER = re.compile(r"run-(\d+)")
PRUNE_EVERY = 600.0
_last_prune = 0.0


def workspaces_dir() -> Path:
    return Path(settings.DATA_DIR) / "workspaces"


def prune_workspaces(root: Path | None = None, keep_seconds: float | None = None) -> list[int]:
    """Remove the workspaces of runs that ended over `keep_seconds` ago; their run ids."""
    root = workspaces_dir() if root is None else root
    keep = settings.PIPEWRIGHT_WORKSPACE_KEEP_SECONDS if keep_seconds is None else keep_seconds
    try:
        matches = [(FOLDER.fullmatch(path.name), path) for path in root.iterdir() if path.is_dir()]
    except FileNotFoundError:
        return []
    folders = {int(match.group(1)): path for match, path in matches if match}
    if not folders:
        return []
    cutoff = timezone.now() - timedelta(seconds=keep)
    runs = dict(Run.objects.filter(pk__in=folders).values_list("pk", "state"))
    recent = set(
        Run.objects.filter(pk__in=folders, finished_at__gt=cutoff).values_list("pk", flat=True)
    )
    removed = []
    for run_id, folder in sorted(folders.items()):
        state = runs.get(run_id)
        if state is not None and (state not in RunState.terminal() or run_id in recent):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(run_id)
    if removed:
        logger.info("removed the workspaces of %d ended run(s): %s", len(removed), removed)
    return removed


def prune_now_and_then() -> None:
    """`prune_workspaces`, at most once every PRUNE_EVERY seconds in this process."""
    global _last_prune
    now = time.monotonic()
    if _last_prune and now - _last_prune < PRUNE_EVERY:
        return
    _last_prune = now
    try:
        prune_workspaces()
    except Exception:  # cleaning up must never fail a node
        logger.warning("could not prune run workspaces", exc_info=True)
