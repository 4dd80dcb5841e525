"""Benchmark: exporting a pipeline with a big static artifact, through the real server.

    .venv/bin/python bench/export.py [--size-mb 200]

Starts a private Redis and one Daphne process on a throw-away data dir (SQLite),
stores a `--size-mb` artifact (random bytes, so compression cannot shrink the
work) in the local storage backend, and downloads the export of a one-node
pipeline whose file input is marked static, over HTTP, reading the response in
1 MiB pieces. Prints the time to the first byte and to the last, the zip's size,
and the Daphne process's peak resident memory (VmHWM) before and after. Goal
from the issue: memory flat, well under the artifact's size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engine import start_redis  # noqa: E402
from bench.live import start_daphne  # noqa: E402

COUNT = "def run(ctx, table: str) -> dict:\n    return {'rows': 0}\n"


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prepare(size_mb: int) -> tuple[int, int, str]:
    """A user, a pipeline with a static-able file input, a big artifact; the session cookie."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from editor.artifacts import store_artifact
    from editor.models import Operation, Pipeline
    from editor.operations import create_operation_version
    from editor.projects import create_project

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("exporter", password="bench-exporter")
    project = create_project(user, name="export bench")
    op = Operation.objects.create(project=project, name="count", slug="count")
    create_operation_version(
        op,
        {
            "source": COUNT,
            "inputs": [{"name": "table", "type": "file"}],
            "outputs": [{"name": "rows", "type": "int"}],
        },
    )
    graph = {
        "nodes": [{"id": "count", "operation": op.pk, "position": {"x": 0, "y": 0}}],
        "edges": [
            {"id": "e", "source": "table", "source_port": "value", "target": "count", "target_port": "table"}
        ],
        "inputs": [{"name": "table", "type": "file"}],
    }
    pipeline = Pipeline.objects.create(project=project, name="Big input", graph=graph)

    class Random:
        def __init__(self, size: int) -> None:
            self.left = size

        def read(self, n: int = -1) -> bytes:
            n = self.left if n < 0 else min(n, self.left)
            self.left -= n
            return os.urandom(n)

    artifact = store_artifact(project, "big.bin", Random(size_mb * 1024 * 1024), user=user)  # type: ignore[arg-type]
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    connections.close_all()
    return pipeline.pk, artifact.pk, cookie


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=200)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="pipewright-export-"))
    redis, redis_url = start_redis(data_dir)
    env = {
        **os.environ,
        "PIPEWRIGHT_DATA_DIR": str(data_dir),
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "pipewright.settings",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    os.environ.update(env)
    daphne = None
    try:
        pipeline_id, artifact_id, cookie = prepare(args.size_mb)
        daphne, port = start_daphne(env, data_dir / "daphne.log")
        base = f"http://127.0.0.1:{port}"
        # a warm-up request, so the peak before counts an imported, serving process
        urllib.request.urlopen(f"{base}/healthz", timeout=30).read()
        before = peak_rss_mb(daphne.pid)
        body = json.dumps({"static": {"table": {"artifact": artifact_id}}}).encode()
        # Session auth wants CSRF on unsafe methods: the same token as cookie and header.
        token = "x" * 32
        request = urllib.request.Request(
            f"{base}/api/pipelines/{pipeline_id}/export/",
            data=body,
            headers={
                "Content-Type": "application/json",
                "Cookie": f"sessionid={cookie}; csrftoken={token}",
                "X-CSRFToken": token,
                "Referer": base + "/",
            },
        )
        start = time.perf_counter()
        first = None
        size = 0
        with urllib.request.urlopen(request, timeout=600) as response:
            while chunk := response.read(1024 * 1024):
                if first is None:
                    first = time.perf_counter() - start
                size += len(chunk)
        total = time.perf_counter() - start
        after = peak_rss_mb(daphne.pid)
    finally:
        if daphne is not None:
            daphne.terminate()
            daphne.wait(timeout=10)
        redis.terminate()
        redis.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"static artifact                 {args.size_mb} MiB (random bytes)")
    print(f"zip                             {size / 1024 / 1024:.1f} MiB")
    print(f"time to first byte              {first * 1000:.0f} ms" if first is not None else "no bytes")
    print(f"time to last byte               {total:.2f} s ({size / 1024 / 1024 / total:.0f} MiB/s)")
    print(
        f"daphne peak RSS                 {before:.0f} MiB before, {after:.0f} MiB after "
        f"(+{after - before:.0f} MiB for a {args.size_mb} MiB artifact)"
    )


if __name__ == "__main__":
    main()
