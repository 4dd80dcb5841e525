"""Compute backends by name."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from .base import ComputeBackend
from .local import LocalCompute

BACKENDS: dict[str, type[ComputeBackend]] = {LocalCompute.name: LocalCompute}


class UnknownBackend(LookupError):
    pass


def get_compute(name: str | None = None, options: dict[str, object] | None = None) -> ComputeBackend:
    name = name or settings.PIPEWRIGHT_DEFAULT_COMPUTE
    if name == LocalCompute.name:
        return LocalCompute(
            settings.PIPEWRIGHT_GPU_DEVICES,
            Path(settings.DATA_DIR) / "locks",
            fork_nodes=settings.PIPEWRIGHT_FORK_NODES,
        )
    raise UnknownBackend(f"unknown compute backend {name!r}; known: {', '.join(sorted(BACKENDS))}")
