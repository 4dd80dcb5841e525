"""Riding out a short database outage in the workers (docs/engine.md, "Faults").

A node's process does not need the database while it runs; its watcher does, for
heartbeats, logs and the outcome. When the database stops answering for a few
seconds (a restart, a failover, SQLite locked past its timeout), the watcher
skips what it cannot write and keeps watching, and the writes that matter (the
claim, the outcome) are tried again with a growing pause until it answers or
`PATIENCE_SECONDS` have passed. Requests meanwhile get a 503
(pipewright/db_unavailable.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connection

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
PATIENCE_SECONDS = 120.0
FIRST_PAUSE_SECONDS = 0.2
LONGEST_PAUSE_SECONDS = 5.0

T = TypeVar("T")


def drop_broken_connection() -> None:
    """Close this thread's connection after an error, so the next query opens a new one
    (a PostgreSQL that restarted has closed the old one)."""
    if not connection.in_atomic_block:
        connection.close()


def until_the_database_answers(action: Callable[[], T], what: str, patience: float = PATIENCE_SECONDS) -> T:
    """`action()`, tried again while it meets a database error, pausing 0.2, 0.4 ... 5 s
    between tries; the error is raised once `patience` seconds have passed. `action`
    must be safe to try again: a whole transaction, not a part of one."""
    deadline = time.monotonic() + patience
    pause = FIRST_PAUSE_SECONDS
    while True:
        try:
            return action()
        except DATABASE_ERRORS as exc:
            if connection.in_atomic_block or time.monotonic() + pause > deadline:
                raise
            logger.warning("database unavailable while %s (%s): trying again in %.1f s", what, exc, pause)
            drop_broken_connection()
            time.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE_SECONDS)


def unless_the_database_is_down(action: Callable[[], T], what: str) -> T | None:
    """`action()`, or None when the database does not answer: for writes that can be
    skipped once (a heartbeat, a batch of log lines kept for the next flush)."""
    try:
        return action()
    except DATABASE_ERRORS as exc:
        if connection.in_atomic_block:
            raise
        logger.warning("database unavailable while %s (%s): skipped for now", what, exc)
        drop_broken_connection()
        return None
