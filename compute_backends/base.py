"""The compute backend contract.

A compute backend runs one node of an execution bundle somewhere and lets the
node task watch it. `prepare` refuses early what can never run (a GPU node on
a backend without GPUs and without CPU fallback), `launch` starts the node and
returns an `Execution`, which the caller polls: new log lines, exit code,
kill. Backends never touch the database: the node task records what happens.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar


class LaunchRefused(Exception):
    """The node cannot run on this backend; the message says why and what to do."""


class LaunchFailed(RuntimeError):
    """The backend could not start the node this time (unreachable, overloaded): worth a retry."""


@dataclass
class LaunchSpec:
    bundle_dir: Path
    node_id: str
    work_dir: Path
    job_file: Path
    resources: dict[str, Any]
    timeout_seconds: float | None = None
    env: dict[str, str] = field(default_factory=dict)
    # Which run and attempt the node belongs to, for backends that label what they
    # start (Kubernetes); None when the caller does not say.
    run_id: int | None = None
    attempt: int | None = None


class Execution(ABC):
    """A launched node. All methods return at once."""

    gpus: list[str] = []  # device ids given to the node

    @abstractmethod
    def read_lines(self) -> list[str]:
        """Log lines produced since the last call (stdout and stderr, in order)."""

    @abstractmethod
    def exit_code(self) -> int | None:
        """None while running."""

    def wait(self, seconds: float) -> None:
        """Block up to `seconds`, returning early when the node exits."""
        import time

        time.sleep(seconds)

    @abstractmethod
    def kill(self) -> None:
        """Stop the node and everything it started."""

    def release(self) -> None:  # noqa: B027 - optional hook
        """Give back what the launch took (GPUs, temp files)."""


class ComputeBackend(ABC):
    name: ClassVar[str]
    label: ClassVar[str]
    # JSON Schema of the options the execute dialog asks for; secret fields
    # carry `"writeOnly": true` and are never sent back.
    options_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {}}

    def check(self) -> None:  # noqa: B027 - optional hook
        """"Test connection": raise with a message a user can act on when the backend cannot
        be used with these options. Backends with nothing to reach need not override it."""

    @abstractmethod
    def launch(self, spec: LaunchSpec, on_wait: Any = None) -> Execution:
        """Start the node. May block while waiting for resources, calling
        `on_wait(message)` now and then; raises LaunchRefused if it never can run."""
