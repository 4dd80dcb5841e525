"""Faults the suite injects: the database out of reach, a private worker with short bounds."""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

# The browser tests' Chromium, viewport and screenshots, for a fault watched in the run page;
# importing their conftest also lets a test's ORM calls run beside Playwright's event loop.
from tests.browser.conftest import browser_context_args, browser_type_launch_args, screenshot  # noqa: F401
from tests.fixtures.processes import ChannelsRedis, WorkerProcess


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


@contextlib.contextmanager
def database_unreachable_here(tmp_path: Any) -> Iterator[None]:
    """This process's connection points where no database answers, as when the server
    is down: SQLite a file in a folder that does not exist, PostgreSQL a port nothing
    listens on. Every query until the end of the block fails in the driver, for real."""
    from tests.plugins.services import free_port

    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    connection.close()
    if is_sqlite():
        settings_dict["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
    else:
        settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", str(free_port())
    try:
        yield
    finally:
        connection.close()
        settings_dict.clear()
        settings_dict.update(saved)


@contextlib.contextmanager
def database_outage() -> Iterator[None]:
    """The database stops taking writes from every other process for the block.

    SQLite: this test holds its exclusive write lock, so other writers fail with
    "database is locked" once their busy timeout (PIPEWRIGHT_SQLITE_TIMEOUT) passes.
    PostgreSQL: the database refuses new connections and every session in it is
    ended, as a restart does (a session on `postgres` ends the outage).
    """
    if is_sqlite():
        holder = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=30, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    import psycopg

    settings_dict = connection.settings_dict
    name = settings_dict["NAME"]
    # ALTER DATABASE cannot name the database its session is in: speak from `postgres`.
    admin = psycopg.connect(
        dbname="postgres",
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        autocommit=True,
    )
    try:
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        connection.close()  # this test's own session was ended too: a new one after
        try:
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
    finally:
        admin.close()


@pytest.fixture
def private_worker(
    django_db_setup: Any, tmp_path_factory: pytest.TempPathFactory, channels_redis: ChannelsRedis
) -> Iterator[Callable[..., WorkerProcess]]:
    """Starts a worker of this test's own (on the `default` queue, no beat) with extra
    environment; stopped at the end of the test."""
    started: list[WorkerProcess] = []

    def start(**env: str) -> WorkerProcess:
        worker = WorkerProcess(
            name=f"faults-{uuid.uuid4().hex[:8]}@localhost",
            log_path=tmp_path_factory.mktemp("faults-worker") / "worker.log",
            channels=channels_redis,
            queues="default",
            beat=False,
            env=env,
        )
        started.append(worker)
        worker.start()
        return worker

    yield start
    for worker in started:
        worker.stop()
