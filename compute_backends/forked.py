"""The worker's side of the fork server (see forkserver.py): start it, ask it for a node.

`ForkServer.spawn` answers a `ForkedProcess`, which looks like the part of
`subprocess.Popen` the local backend uses (pid, stdout, poll, wait), or None
when the node must be started the ordinary way: the server is busy, broken, or
the bundle's runtime differs from the one the server has imported.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import socket
import subprocess
import sys
import threading
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

APP_ROOT = Path(__file__).resolve().parent.parent
SERVER = Path(__file__).resolve().parent / "forkserver.py"


@lru_cache(maxsize=256)
def runtime_digest(runtime_dir: Path) -> str:
    """A hash of a runtime package's sources (bundles never change, so cached)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in runtime_dir.rglob("*.py") if "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(runtime_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class ForkedProcess:
    """A node forked by the server; its exit status arrives on the server's channel."""

    def __init__(self, server: ForkServer, pid: int, stdout: IO[bytes]) -> None:
        self.server = server
        self.pid = pid
        self.stdout = stdout
        self.returncode: int | None = None

    def _collect(self, timeout: float | None) -> None:
        if self.returncode is not None:
            return
        readable, _, _ = select.select([self.server.channel], [], [], timeout)
        if not readable:
            return
        message = self.server.receive()
        # No message means the server died, and its children with it.
        self.returncode = int(message["exit"]) if message and "exit" in message else -9
        self.server.done(broken=not message)

    def poll(self) -> int | None:
        self._collect(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        self._collect(timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired(["forked node", str(self.pid)], timeout or 0)
        return self.returncode


class ForkServer:
    def __init__(self, python: str = sys.executable) -> None:
        self.python = python
        self.process: subprocess.Popen[bytes] | None = None
        self.channel: Any = None
        self.busy = threading.Lock()
        self.digest = runtime_digest(APP_ROOT / "runtime")

    def _start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {**os.environ, "PIPEWRIGHT_PARENT_PID": str(os.getpid()), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [self.python, "-u", str(SERVER), str(APP_ROOT), str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            env=env,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.channel = ours

    def _stop(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def receive(self, timeout: float | None = None) -> dict[str, Any] | None:
        if timeout is not None and not select.select([self.channel], [], [], timeout)[0]:
            return None
        try:
            data = self.channel.recv(4096)
        except OSError:
            return None
        return json.loads(data) if data else None

    def done(self, broken: bool = False) -> None:
        if broken:
            self._stop()
        self.busy.release()

    def spawn(
        self, argv: list[str], cwd: Path, env: dict[str, str], bundle_dir: Path
    ) -> ForkedProcess | None:
        if runtime_digest(bundle_dir / "runtime") != self.digest:
            return None
        if not self.busy.acquire(blocking=False):
            return None
        read_end = write_end = -1
        try:
            if self.process is None or self.process.poll() is not None:
                self._stop()
                self._start()
            assert self.process is not None
            read_end, write_end = os.pipe()
            # The node dies with the server, which dies with this worker.
            env = {**env, "PIPEWRIGHT_PARENT_PID": str(self.process.pid)}
            request = {"argv": argv, "cwd": str(cwd), "env": env, "bundle": str(bundle_dir)}
            socket.send_fds(self.channel, [json.dumps(request).encode()], [write_end])
            os.close(write_end)
            write_end = -1
            reply = self.receive(timeout=30)
            if not reply or "pid" not in reply:
                raise OSError(f"the fork server did not start the node: {reply}")
        except OSError:
            for fd in (read_end, write_end):
                if fd >= 0:
                    os.close(fd)
            self.done(broken=True)
            return None
        return ForkedProcess(self, int(reply["pid"]), os.fdopen(read_end, "rb"))


_SERVER: ForkServer | None = None


def fork_server(python: str = sys.executable) -> ForkServer:
    """This process's server, started on first use."""
    global _SERVER
    if _SERVER is None or _SERVER.python != python:
        _SERVER = ForkServer(python)
    return _SERVER


def _forget_in_child() -> None:
    # A forked worker (Celery's prefork pool) must start a server of its own.
    global _SERVER
    _SERVER = None


os.register_at_fork(after_in_child=_forget_in_child)
