"""Storage backends by name."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .base import StorageBackend
from .local import LocalStorage
from .s3 import S3Storage


class UnknownBackend(LookupError):
    pass


BACKENDS: dict[str, type[StorageBackend]] = {LocalStorage.name: LocalStorage, S3Storage.name: S3Storage}
S3_OPTIONS = frozenset(S3Storage.options_schema["properties"])


def get_storage(name: str | None = None, options: dict[str, Any] | None = None) -> StorageBackend:
    """Backend `name` (default: the site default) with these options (secrets included).

    The local backend takes no options: it is always the data dir's artifact folder."""
    name = name or settings.PIPEWRIGHT_DEFAULT_STORAGE
    if name == LocalStorage.name:
        return LocalStorage(settings.PIPEWRIGHT_ARTIFACTS_DIR)
    if name == S3Storage.name:
        given = {key: value for key, value in (options or {}).items() if key in S3_OPTIONS}
        return S3Storage(**given)
    raise UnknownBackend(f"unknown storage backend {name!r}; known: {', '.join(sorted(BACKENDS))}")
