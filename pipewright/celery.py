"""The Celery application: configured from Django settings (`CELERY_*`)."""

import os
from typing import Any

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pipewright.settings")


def _broker_gone_is_a_connection_error() -> None:
    """kombu 5.7 / Celery 5.7: when a worker loses the Redis broker while acks-late tasks
    run, its consumer detaches the transport from the connection (`collect()`) and then
    closes the connection again; the second close restores the unacknowledged messages
    through a channel whose transport has no connection left, and the AttributeError
    ("'NoneType' object has no attribute 'hostname'") kills the worker ("Unrecoverable
    error"). Raise the connection error it stands for: teardown ignores it, the
    worker reconnects, and a late ack of the old delivery is logged, not fatal.
    A private method of kombu's (pinned in requirements.txt): look again on upgrading;
    tests/faults/test_redis_restart.py fails when the worker dies this way."""
    from kombu.transport import redis as kombu_redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    connparams = getattr(kombu_redis.Channel, "_connparams")  # noqa: B009  (private, untyped)
    if getattr(connparams, "pipewright_guard", False):
        return

    def guarded(self: Any, asynchronous: bool = False) -> Any:
        if self.connection is None or self.connection.client is None:
            raise RedisConnectionError("the broker connection is closed")
        return connparams(self, asynchronous=asynchronous)

    setattr(guarded, "pipewright_guard", True)  # noqa: B010
    setattr(kombu_redis.Channel, "_connparams", guarded)  # noqa: B010


_broker_gone_is_a_connection_error()

app = Celery("pipewright")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Node tasks that ask for GPUs go to `gpu`; run `celery worker -Q gpu` on GPU machines.
app.conf.task_queues = (Queue("default"), Queue("gpu"))
app.autodiscover_tasks()
