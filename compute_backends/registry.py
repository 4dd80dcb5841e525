"""Compute backends by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from .base import ComputeBackend
from .kubernetes import KubernetesCompute
from .local import LocalCompute

BACKENDS: dict[str, type[ComputeBackend]] = {
    LocalCompute.name: LocalCompute,
    KubernetesCompute.name: KubernetesCompute,
}


class UnknownBackend(LookupError):
    pass


def get_compute(
    name: str | None = None, options: dict[str, Any] | None = None, storage: Any = None
) -> ComputeBackend:
    """Backend `name` (default: the site default) with these options; `storage` is the
    run's storage backend, which Kubernetes pods fetch inputs from and send outputs to."""
    name = name or settings.PIPEWRIGHT_DEFAULT_COMPUTE
    if name == LocalCompute.name:
        return LocalCompute(
            settings.PIPEWRIGHT_GPU_DEVICES,
            Path(settings.DATA_DIR) / "locks",
            fork_nodes=settings.PIPEWRIGHT_FORK_NODES,
        )
    if name == KubernetesCompute.name:
        return KubernetesCompute(options or {}, storage=storage)
    raise UnknownBackend(f"unknown compute backend {name!r}; known: {', '.join(sorted(BACKENDS))}")
