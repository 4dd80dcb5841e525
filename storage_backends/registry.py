"""Storage backends by name."""

from __future__ import annotations

from django.conf import settings

from .base import StorageBackend
from .local import LocalStorage


class UnknownBackend(LookupError):
    pass


BACKENDS: dict[str, type[StorageBackend]] = {LocalStorage.name: LocalStorage}


def get_storage(name: str | None = None) -> StorageBackend:
    """The configured instance of backend `name` (default: the site default)."""
    name = name or settings.PIPEWRIGHT_DEFAULT_STORAGE
    if name == LocalStorage.name:
        return LocalStorage(settings.PIPEWRIGHT_ARTIFACTS_DIR)
    raise UnknownBackend(f"unknown storage backend {name!r}; known: {', '.join(sorted(BACKENDS))}")
