"""Local compute: one subprocess per node on the worker's own machine.

The node runs `python main.py --node ID` in its work dir, in a session of its
own (so a kill reaches everything it started) and dies with the worker if the
worker is killed. GPUs are assigned exclusively through CUDA_VISIBLE_DEVICES.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from runtime.container import missing_command_message

from .base import ComputeBackend, Execution, LaunchRefused, LaunchSpec
from .forked import ForkedProcess, fork_server
from .gpus import GpuLease, discover_gpus, try_acquire


class LocalExecution(Execution):
    def __init__(self, process: subprocess.Popen[bytes] | ForkedProcess, lease: GpuLease | None) -> None:
        self.process = process
        self.lease = lease
        self.gpus = list(lease.devices) if lease is not None else []
        self.pidfd = _pidfd(process) if isinstance(process, subprocess.Popen) else None
        self.lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        assert process.stdout is not None
        self.reader = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self.reader.start()

    def _read(self, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self.lines.put(raw.decode("utf-8", errors="replace").rstrip("\n"))
        stream.close()

    def read_lines(self) -> list[str]:
        lines = []
        while True:
            try:
                lines.append(self.lines.get_nowait())
            except queue.Empty:
                return lines

    def exit_code(self) -> int | None:
        code = self.process.poll()
        if code is not None:
            # Make sure every line written before exit has been read.
            self.reader.join(timeout=5)
        return code

    def wait(self, seconds: float) -> None:
        if self.pidfd is not None:
            # Popen.wait(timeout) polls with growing sleeps and notices an exit
            # up to 50 ms late; a pidfd becomes readable the moment it happens.
            select.select([self.pidfd], [], [], seconds)
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=seconds)

    def kill(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.reader.join(timeout=5)

    def release(self) -> None:
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        if self.lease is not None:
            self.lease.release()
            self.lease = None


def _pidfd(process: subprocess.Popen[bytes]) -> int | None:
    try:
        return os.pidfd_open(process.pid)
    except (AttributeError, OSError):  # not Linux 5.3+: Popen.wait polls instead
        return None


def refuse_missing_command(spec: LaunchSpec) -> None:
    """A container task runs here as its command (runtime/container.py, through `main.py`
    like any node): refuse it before launch when the command is not installed here."""
    try:
        node = json.loads(spec.job_file.read_text()).get("node") or {}
    except (OSError, ValueError):
        return
    operation = node.get("operation") or {}
    if operation.get("kind") != "container":
        return
    command = [str(item) for item in operation.get("command") or []]
    problem = missing_command_message(command)
    if problem:
        raise LaunchRefused(problem)


class LocalCompute(ComputeBackend):
    name = "local"
    label = "This machine"
    options_schema = {"type": "object", "properties": {}, "additionalProperties": False}

    def __init__(
        self,
        gpu_devices: list[str] | None,
        lock_dir: Path,
        python: str = sys.executable,
        fork_nodes: bool = True,
    ) -> None:
        self.gpu_devices = discover_gpus(gpu_devices)
        self.lock_dir = lock_dir
        self.python = python
        self.fork_nodes = fork_nodes

    def _gpu_env(
        self, spec: LaunchSpec, on_wait: Callable[[str], None] | None
    ) -> tuple[dict[str, str], GpuLease | None, list[str]]:
        wanted = int(spec.resources.get("gpus", 0) or 0)
        if wanted == 0:
            return {"CUDA_VISIBLE_DEVICES": ""}, None, []
        if len(self.gpu_devices) < wanted:
            if spec.resources.get("cpu_fallback"):
                note = (
                    f"[pipewright] this node asks for {wanted} GPU(s) but this machine has "
                    f"{len(self.gpu_devices)}: running on the CPU (its resources allow CPU fallback)"
                )
                return {"CUDA_VISIBLE_DEVICES": ""}, None, [note]
            raise LaunchRefused(
                f"this node needs {wanted} GPU(s) and this machine has {len(self.gpu_devices)}; "
                "run it on a GPU worker (queue `gpu`), "
                "or allow CPU fallback in the node's or the operation's resources"
            )
        waited = False
        while True:
            lease = try_acquire(self.gpu_devices, wanted, self.lock_dir)
            if lease is not None:
                note = f"[pipewright] assigned GPU(s) {','.join(lease.devices)}"
                return {"CUDA_VISIBLE_DEVICES": ",".join(lease.devices)}, lease, [note]
            if on_wait is not None and not waited:
                on_wait(f"[pipewright] waiting for {wanted} free GPU(s) of {len(self.gpu_devices)}")
            waited = True
            time.sleep(1)

    def launch(self, spec: LaunchSpec, on_wait: Any = None) -> Execution:
        refuse_missing_command(spec)
        gpu_env, lease, notes = self._gpu_env(spec, on_wait)
        # The node kills itself when this process dies (runtime/guard.py).
        env = {
            **os.environ,
            **spec.env,
            **gpu_env,
            "PYTHONUNBUFFERED": "1",
            "PIPEWRIGHT_PARENT_PID": str(os.getpid()),
        }
        command = [
            self.python,
            str(spec.bundle_dir / "main.py"),
            "--node",
            spec.node_id,
            "--work-dir",
            str(spec.work_dir),
            "--job",
            str(spec.job_file),
        ]
        try:
            process: subprocess.Popen[bytes] | ForkedProcess | None = None
            if self.fork_nodes:
                process = fork_server(self.python).spawn(command, spec.work_dir, env, spec.bundle_dir)
            if process is None:
                process = subprocess.Popen(
                    command,
                    cwd=spec.work_dir,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # a kill reaches everything the node started
                )
        except BaseException:
            if lease is not None:
                lease.release()
            raise
        execution = LocalExecution(process, lease)
        for note in notes:
            execution.lines.put(note)
        return execution
