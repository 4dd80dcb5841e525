"""The storage backend contract.

A storage backend keeps byte streams under string keys. Keys are relative,
`/`-separated paths; a key that is absolute, empty, or climbs with `..` is
refused with `InvalidKey` before any I/O. Content is always streamed: `save`
reads its source in chunks and `open` returns a readable file object, so an
artifact is never held whole in memory. `save` returns the size and sha256.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, ClassVar

CHUNK_SIZE = 1024 * 1024


class InvalidKey(ValueError):
    """A key that could escape the backend's root."""


class BackendCheckFailed(Exception):
    """A backend's "test connection" failed; the message says what a user can fix.
    It never contains a secret."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    checksum: str


def check_key(key: str) -> str:
    """Return the key normalised, or raise InvalidKey."""
    if not key or key.startswith("/") or "\\" in key or "\x00" in key:
        raise InvalidKey(f"invalid artifact key {key!r}")
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise InvalidKey(f"invalid artifact key {key!r}: empty, '.' or '..' segment")
    return key


def iter_chunks(source: IO[bytes], size: int = CHUNK_SIZE) -> Iterator[bytes]:
    while chunk := source.read(size):
        yield chunk


class HashingReader:
    """Wraps a stream, counting and hashing what passes through."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.size = 0
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.source.read(size)
        self.size += len(chunk)
        self.sha256.update(chunk)
        return chunk


class StorageBackend(ABC):
    name: ClassVar[str]
    label: ClassVar[str]
    # JSON Schema of the options the execute dialog asks for; secret fields
    # carry `"writeOnly": true` and are never sent back.
    options_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {}}

    @abstractmethod
    def save(self, key: str, source: IO[bytes]) -> StoredObject:
        """Stream `source` to `key`, replacing what was there."""

    @abstractmethod
    def open(self, key: str) -> IO[bytes]:
        """A readable binary stream of the object; FileNotFoundError if absent."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; no error if it is already gone."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    def check(self) -> None:
        """Test the connection: return if the backend is usable, else raise
        BackendCheckFailed. Backends with nothing to reach need not override it."""
        return None
