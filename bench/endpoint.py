"""Benchmark: an endpoint deployment of a 1-node pipeline under N concurrent callers.

    .venv/bin/python bench/endpoint.py [--callers 8] [--calls 10] [--concurrency 2]

Starts a private Redis, one Daphne and one Celery worker (`--concurrency` processes) on a
throw-away data dir (SQLite), deploys a pipeline whose one node doubles a number, and lets
`--callers` threads each make `--calls` calls (`POST /endpoints/<name>` with a JSON body,
waiting for the outputs). Every answer is checked (200 and the doubled value). Prints calls
per second, the latency percentiles, the node's own run time (started to finished, from the
database) and the overhead of a call over it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engine import percentile, start_redis, start_worker, wait_for_worker  # noqa: E402
from bench.live import start_daphne  # noqa: E402

DOUBLE = "def run(ctx, x: float) -> dict:\n    return {'y': x * 2}\n"


def deploy() -> tuple[str, str]:
    """A user, a project, the 1-node pipeline and its endpoint deployment: (name, token)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections

    from editor.models import Operation, Pipeline
    from editor.operations import create_operation_version
    from editor.projects import create_project
    from runs.deployments import create_deployment

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("caller", password="bench-caller")
    project = create_project(user, name="endpoint bench")
    operation = Operation.objects.create(project=project, name="double", slug="double")
    create_operation_version(
        operation,
        {
            "source": DOUBLE,
            "inputs": [{"name": "x", "type": "float"}],
            "outputs": [{"name": "y", "type": "float"}],
        },
    )
    graph = {
        "nodes": [{"id": "double", "operation": operation.pk, "position": {"x": 0, "y": 0}}],
        "edges": [],
        "inputs": [],
    }
    pipeline = Pipeline.objects.create(project=project, name="double", graph=graph)
    created = create_deployment(
        pipeline,
        {
            "name": "double",
            "rule": "endpoint",
            "input_mappings": {"double.x": {"kind": "endpoint_value", "name": "x"}},
            "output_mappings": {"double.y": {"kind": "endpoint_value", "name": "y"}},
            "wait_seconds": 120,
            "cache": False,  # every call runs its node: no answer comes from the cache
            "rate_limit_per_minute": 100_000,
        },
        user,
    )
    connections.close_all()
    assert created.token
    return created.deployment.name, created.token


def call(url: str, token: str, x: float) -> tuple[float, int, Any]:
    body = json.dumps({"x": x}).encode()
    request = Request(
        url,
        data=body,
        method="POST",
        headers={"Authorization": f"EndpointToken {token}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    try:
        with urlopen(request, timeout=300) as response:
            status, answer = response.status, json.loads(response.read())
    except HTTPError as error:
        status, answer = error.code, error.read().decode(errors="replace")
    return time.perf_counter() - started, status, answer


def node_seconds() -> list[float]:
    from runs.models import NodeRun

    return [
        (finished - started).total_seconds()
        for started, finished in NodeRun.objects.filter(state="succeeded").values_list(
            "started_at", "finished_at"
        )
        if started and finished
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--callers", type=int, default=8)
    parser.add_argument("--calls", type=int, default=10, help="calls per caller")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="pipewright-endpoint-bench-"))
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
    processes = []
    try:
        name, token = deploy()
        from pipewright.celery import app

        worker = start_worker("pipewright", "default,gpu", args.concurrency, env, data_dir / "worker.log")
        processes.append(worker)
        wait_for_worker(app)
        daphne, port = start_daphne(env, data_dir / "daphne.log")
        processes.append(daphne)
        url = f"http://127.0.0.1:{port}/endpoints/{name}"
        _, status, answer = call(url, token, 1.0)  # warm up: interpreters, connections
        if status != 200:
            raise SystemExit(f"warm-up call answered {status}: {answer}")

        results: list[tuple[float, int, Any, float]] = []
        lock = threading.Lock()

        def caller(index: int) -> None:
            for i in range(args.calls):
                x = float(index * 1000 + i)
                latency, status, answer = call(url, token, x)
                with lock:
                    results.append((latency, status, answer, x))

        threads = [threading.Thread(target=caller, args=(index,)) for index in range(args.callers)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        durations = node_seconds()
    finally:
        for process in processes:
            process.terminate()
            process.wait()
        redis.terminate()
        redis.wait()
        shutil.rmtree(data_dir, ignore_errors=True)

    good = [
        latency
        for latency, status, answer, x in results
        if status == 200 and isinstance(answer, dict) and answer.get("outputs", {}).get("y") == x * 2
    ]
    errors = len(results) - len(good)
    latencies = sorted(latency for latency, *_ in results)
    node = statistics.median(durations) if durations else 0.0
    print(
        f"\n{len(results)} calls: {args.callers} callers x {args.calls}, 1-node pipeline, "
        f"{args.concurrency} worker processes, {os.cpu_count()} CPUs"
    )
    print(f"throughput        {len(results) / wall:8.2f} calls/s  (wall {wall:.1f} s)")
    print(f"errors            {errors:8d}")
    for label, fraction in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        print(f"latency {label}       {percentile(latencies, fraction) * 1000:8.0f} ms")
    print(f"node run (median) {node * 1000:8.0f} ms  (started to finished, {len(durations)} nodes)")
    print(
        f"overhead p50      {(percentile(latencies, 0.5) - node) * 1000:8.0f} ms  (call latency - node run)"
    )
    if errors:
        sample = next((r for r in results if r[1] != 200), None)
        print(f"first error: {sample}")


if __name__ == "__main__":
    main()
