"""Starts the services the suite needs before Django reads its settings.

- The data dir becomes a fresh temporary folder (database file, artifacts).
- Without `REDIS_URL`, a private Redis server is started on a free loopback
  port (the same binary `make run` uses) and stopped at the end.
With `DATABASE_URL` / `REDIS_URL` set, the suite runs against those instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

_started: dict[str, Any] = {}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing is listening on 127.0.0.1:{port} after {timeout}s")


def start_private_redis(data_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    from pipewright.embedded_redis import redis_args, redis_server_binary

    port = free_port()
    args = redis_args(port, data_dir / "redis")
    args[args.index("--appendonly") + 1] = "no"
    process = subprocess.Popen(
        [redis_server_binary(), *args], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    wait_for_port(port)
    return process, port


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: Any, args: list[str]) -> None:
    if "--help" in args or "--version" in args:
        return
    data_dir = Path(tempfile.mkdtemp(prefix="pipewright-test-"))
    _started["data_dir"] = data_dir
    os.environ["PIPEWRIGHT_DATA_DIR"] = str(data_dir)
    # here and in every server process the tests start: users are made by the thousand
    os.environ["PIPEWRIGHT_FAST_PASSWORD_HASHING"] = "true"
    if not os.environ.get("REDIS_URL"):
        process, port = start_private_redis(data_dir)
        _started["redis"] = process
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"pipewright: DATABASE_URL={'set' if os.environ.get('DATABASE_URL') else 'embedded SQLite'}, "
        f"REDIS_URL={os.environ.get('REDIS_URL')} ({'private' if 'redis' in _started else 'given'})"
    ]


def pytest_unconfigure(config: pytest.Config) -> None:
    process = _started.pop("redis", None)
    if process is not None:
        process.terminate()
        process.wait(timeout=10)
    data_dir = _started.pop("data_dir", None)
    if data_dir is not None:
        shutil.rmtree(data_dir, ignore_errors=True)
