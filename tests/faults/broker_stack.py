"""A broker of a test's own: a private Redis (broker and channel layer at once) with a
worker and its embedded beat on it, and this process's Celery app sending to it for the
test. A fault test can kill that Redis and restart it empty without touching the suite's
broker, so it runs the same whether the suite started its Redis or was given one."""

from __future__ import annotations

import contextlib
import time
import uuid
from pathlib import Path
from types import TracebackType

from tests.fixtures.processes import ChannelsRedis, WorkerProcess, reset_broker_connections


class PrivateBrokerStack:
    """Enter: start the Redis and the worker (queue `default`, with beat: the reaper);
    this process's Celery app publishes to that Redis until exit."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.redis = ChannelsRedis(folder / "redis")
        self.worker = WorkerProcess(
            name=f"broker-restart-{uuid.uuid4().hex[:8]}@localhost",
            log_path=folder / "worker.log",
            channels=self.redis,
            queues="default",
            beat=True,
            env={"REDIS_URL": self.redis.url},  # its broker too (env is applied last)
        )
        self._saved_broker_url: str | None = None

    def __enter__(self) -> PrivateBrokerStack:
        from pipewright.celery import app

        self.redis.start()
        self._saved_broker_url = app.conf.broker_url
        app.conf["broker_url"] = self.redis.url
        reset_broker_connections()
        try:
            self.worker.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        from pipewright.celery import app

        try:
            self.worker.stop()
        finally:
            app.conf["broker_url"] = self._saved_broker_url
            reset_broker_connections()
            self.redis.stop()

    def restart_redis_empty(self, down_for: float = 1.0) -> None:
        """kill -9 the Redis, and after `down_for` seconds start an empty one on its port:
        every queued message, binding and channel group is gone."""
        self.redis.stop()
        time.sleep(down_for)  # the outage itself, not a wait for something to happen
        self.redis.start()
        reset_broker_connections()  # this process's connections went with the old Redis

    def worker_alive(self) -> bool:
        return self.worker.process is not None and self.worker.process.poll() is None

    def log(self) -> str:
        with contextlib.suppress(FileNotFoundError):
            return self.worker.log_path.read_text(errors="replace")
        return ""
