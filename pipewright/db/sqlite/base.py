"""SQLite whose writers queue on a file lock instead of SQLite's busy handler.

SQLite lets one writer at a time in; the others retry from its busy handler,
which sleeps 1, 2, 5, 10... ms between tries and so wakes late. With a few
worker processes finishing nodes at once, those sleeps were a large part of
each node's overhead. Here every write transaction first takes an exclusive
`flock` on a file beside the database, which the kernel hands to the next
waiter the moment it is released (and releases by itself if the holder dies).
Writes outside a transaction still go through SQLite's own locking.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writer_locked = False

    def _lock_writers(self) -> None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or not name:
            return
        if self._writer_fd is None:
            self._writer_fd = os.open(f"{name}.writers", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._writer_fd, fcntl.LOCK_EX)
        self._writer_locked = True

    def _unlock_writers(self) -> None:
        if self._writer_locked and self._writer_fd is not None:
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)
        self._writer_locked = False

    def _start_transaction_under_autocommit(self) -> None:
        self._lock_writers()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # not in django-stubs
        except BaseException:
            self._unlock_writers()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._unlock_writers()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._unlock_writers()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._unlock_writers()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
