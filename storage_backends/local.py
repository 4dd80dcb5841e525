"""Local storage: a directory on this machine (the embedded default)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO

from .base import CHUNK_SIZE, HashingReader, InvalidKey, StorageBackend, StoredObject, check_key


class LocalStorage(StorageBackend):
    name = "local"
    label = "Local disk"

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def path_of(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        # resolve() follows symlinks, so a link pointing outside is caught here too.
        if not path.is_relative_to(self.root):
            raise InvalidKey(f"artifact key {key!r} escapes the storage root")
        return path

    def save(self, key: str, source: IO[bytes]) -> StoredObject:
        path = self.path_of(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        reader = HashingReader(source)
        # Write to a temporary file and rename, so readers never see half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := reader.read(CHUNK_SIZE):
                    out.write(chunk)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return StoredObject(key=key, size=reader.size, checksum=reader.sha256.hexdigest())

    def open(self, key: str) -> IO[bytes]:
        return self.path_of(key).open("rb")

    def delete(self, key: str) -> None:
        self.path_of(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path_of(key).is_file()
