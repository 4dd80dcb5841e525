"""The compute and storage backends one run uses, built from its config and secrets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compute_backends.base import ComputeBackend
from compute_backends.registry import get_compute
from credentials.resolve import BackendUnavailable, stored_options
from runs.models import Run
from storage_backends.base import StorageBackend
from storage_backends.registry import get_storage


@dataclass(frozen=True)
class RunStorage:
    """Where a run's files go, and what to record on each artifact to find it again."""

    backend: StorageBackend
    options: dict[str, Any] = field(default_factory=dict)  # public options only
    account_id: int | None = None


def run_storage(run: Run) -> RunStorage:
    choice = run.config.get("storage") or {}
    options = stored_options(choice, run.backend_secrets("storage"))
    try:
        backend = get_storage(choice.get("backend"), options)
    except (TypeError, ValueError) as exc:
        raise BackendUnavailable(f"storage {choice.get('backend')!r}: {exc}") from exc
    return RunStorage(
        backend=backend, options=dict(choice.get("options") or {}), account_id=choice.get("account")
    )


def run_compute(run: Run, storage: RunStorage) -> ComputeBackend:
    choice = run.config.get("compute") or {}
    options = stored_options(choice, run.backend_secrets("compute"))
    try:
        return get_compute(choice.get("backend"), options, storage=storage.backend)
    except (TypeError, ValueError) as exc:  # options the backend's own model refuses
        raise BackendUnavailable(f"compute {choice.get('backend')!r}: {exc}") from exc
