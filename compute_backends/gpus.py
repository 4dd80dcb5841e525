"""GPU discovery and exclusive assignment on one machine.

A node that asks for N GPUs gets N device ids that no other node on this
machine holds. Holding is an exclusive `flock` on one lock file per device in
the data dir, so it works across worker processes and is released by the
kernel even if the holder dies with `kill -9`.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from runtime.devices import nvidia_smi_devices


def discover_gpus(configured: list[str] | None) -> list[str]:
    """Device ids from settings when given, else from `nvidia-smi`, else none."""
    if configured is not None:
        return [device.strip() for device in configured if device.strip()]
    return nvidia_smi_devices()


@dataclass
class GpuLease:
    devices: list[str]
    _files: list[IO[bytes]] = field(default_factory=list)

    def release(self) -> None:
        for handle in self._files:
            handle.close()  # closing drops the flock
        self._files.clear()


def try_acquire(devices: list[str], count: int, lock_dir: Path) -> GpuLease | None:
    """Lock `count` free devices, or none at all."""
    lock_dir.mkdir(parents=True, exist_ok=True)
    lease = GpuLease(devices=[])
    for device in devices:
        if len(lease.devices) == count:
            break
        handle = open(lock_dir / f"gpu-{device}.lock", "ab")  # noqa: SIM115 - held open by the lease
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        os.set_inheritable(handle.fileno(), False)
        lease.devices.append(device)
        lease._files.append(handle)
    if len(lease.devices) < count:
        lease.release()
        return None
    return lease
