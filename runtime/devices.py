"""GPU device ids as `nvidia-smi` reports them (standard library only)."""

from __future__ import annotations

import shutil
import subprocess


def nvidia_smi_devices() -> list[str]:
    """The GPU indexes `nvidia-smi` lists; none when it is missing or fails."""
    if not shutil.which("nvidia-smi"):
        return []
    try:
        output = subprocess.run(
            ["nvidia-smi", "--query-gpu=index", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in output.splitlines() if line.strip()]
