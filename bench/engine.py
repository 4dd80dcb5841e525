"""Benchmark: a wide layered DAG through Pipewright vs. the same shape through raw Celery.

    .venv/bin/python bench/engine.py [--layers 10] [--width 20] [--concurrency 2]

Both sides run in this one invocation on the same machine, with the same
worker concurrency, each node in its own process (Pipewright: `python main.py
--node`, with inputs fetched and outputs stored as artifacts; the floor:
the same node function in a subprocess of a Celery task). Every node of a layer depends on every
node of the previous layer. Prints wall time per node, node durations
(median, p95) and the ratio. Uses a private Redis and a throw-away data dir.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOOP = """
def run(**inputs) -> dict:
    return {"out": len([v for v in inputs.values() if v is not None])}
"""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def start_redis(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A private Redis without persistence (the test suite's own)."""
    from tests.plugins.services import start_private_redis

    process, port = start_private_redis(data_dir)
    return process, f"redis://127.0.0.1:{port}/0"


def start_worker(
    app: str, queues: str, concurrency: int, env: dict[str, str], log: Path, name: str = "bench"
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        app,
        "worker",
        "-Q",
        queues,
        "--concurrency",
        str(concurrency),
        "--prefetch-multiplier",
        "1",
        "--loglevel",
        "WARNING",
        "-n",
        f"{app}-{name}@%h",
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return process


def wait_for_worker(app: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return
    raise SystemExit("worker did not start")


def reset_database(url: str) -> None:
    """Drop and create the benchmark's PostgreSQL database."""
    import psycopg

    database = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
        connection.execute(f'CREATE DATABASE "{database}"')


def bench_pipewright(
    layers: int, width: int, concurrency: int, env: dict[str, str], data_dir: Path
) -> dict[str, float]:
    import django

    django.setup()
    from django.core.management import call_command

    from editor.models import Operation, Pipeline, Project
    from editor.operations import create_operation_version
    from pipewright.celery import app
    from runs.choices import RunState

    app.set_current()
    from runs.submit import submit_run

    call_command("migrate", verbosity=0)
    project = Project.objects.create(name="bench", slug="bench")
    op = Operation.objects.create(project=project, name="noop", slug="noop")
    create_operation_version(
        op,
        {
            "source": NOOP,
            "inputs": [{"name": f"in{i}", "type": "int", "optional": True} for i in range(width)],
            "outputs": [{"name": "out", "type": "int"}],
        },
    )
    nodes, edges = [], []
    for layer in range(layers):
        for i in range(width):
            nodes.append(
                {"id": f"n{layer}_{i}", "operation": op.pk, "position": {"x": layer * 200, "y": i * 80}}
            )
            if layer:
                edges += [
                    {
                        "source": f"n{layer - 1}_{j}",
                        "source_port": "out",
                        "target": f"n{layer}_{i}",
                        "target_port": f"in{j}",
                    }
                    for j in range(width)
                ]
    pipeline = Pipeline.objects.create(
        project=project, name="wide", graph={"nodes": nodes, "edges": edges, "inputs": []}
    )

    worker = start_worker("pipewright", "default,gpu", concurrency, env, data_dir / "pipewright-worker.log")
    try:
        wait_for_worker(app)
        started = time.monotonic()
        run = submit_run(pipeline, {"cache": False})
        while True:
            run.refresh_from_db()
            if run.state in RunState.terminal():
                break
            time.sleep(0.05)
        wall = time.monotonic() - started
        if run.state != RunState.SUCCEEDED:
            raise SystemExit(f"bench run {run.state}: {run.error}")
        durations = [
            (nr.finished_at - nr.started_at).total_seconds()
            for nr in run.node_runs.all()
            if nr.finished_at and nr.started_at
        ]
    finally:
        worker.terminate()
        worker.wait()
    return {
        "wall": wall,
        "per_node": wall / len(nodes),
        "median": statistics.median(durations),
        "p95": percentile(durations, 0.95),
    }


def bench_floor(
    layers: int, width: int, concurrency: int, env: dict[str, str], data_dir: Path
) -> dict[str, float]:
    from celery import group

    from bench.celery_floor import app, node

    worker = start_worker("bench.celery_floor", "floor", concurrency, env, data_dir / "floor-worker.log")
    try:
        wait_for_worker(app)
        durations: list[float] = []
        started = time.monotonic()
        for layer in range(layers):
            result = group(node.s(layer, i) for i in range(width)).apply_async()
            for begin, end in result.get(interval=0.005, timeout=300):
                durations.append(end - begin)
        wall = time.monotonic() - started
    finally:
        worker.terminate()
        worker.wait()
    nodes = layers * width
    return {
        "wall": wall,
        "per_node": wall / nodes,
        "median": statistics.median(durations),
        "p95": percentile(durations, 0.95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--layers", type=int, default=10)
    parser.add_argument("--width", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default="",
        help="run Pipewright on this database (e.g. PostgreSQL) instead of a throw-away SQLite; "
        "it is dropped and created afresh",
    )
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="pipewright-bench-"))
    redis, redis_url = start_redis(data_dir)
    env = {
        **os.environ,
        "PIPEWRIGHT_DATA_DIR": str(data_dir),
        "REDIS_URL": redis_url,
        "FLOOR_REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "pipewright.settings",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    if args.database_url:  # a database of its own: it is emptied first
        env["DATABASE_URL"] = args.database_url
        reset_database(args.database_url)
    os.environ.update(env)
    try:
        floor = bench_floor(args.layers, args.width, args.concurrency, env, data_dir)
        ours = bench_pipewright(args.layers, args.width, args.concurrency, env, data_dir)
    finally:
        redis.terminate()
        redis.wait()
        shutil.rmtree(data_dir, ignore_errors=True)

    nodes = args.layers * args.width
    print(
        f"\n{nodes}-node DAG ({args.layers} layers x {args.width}, fed by the whole previous layer), "
        f"{args.concurrency} worker processes, {os.cpu_count()} CPUs"
    )
    print(f"{'':38}{'wall s':>9}{'per node ms':>13}{'node median ms':>16}{'node p95 ms':>13}")
    for label, figures in (
        ("raw Celery + subprocess (floor)", floor),
        (f"Pipewright ({'PostgreSQL' if args.database_url else 'SQLite'}, local compute)", ours),
    ):
        print(
            f"{label:38}{figures['wall']:9.2f}{figures['per_node'] * 1000:13.1f}"
            f"{figures['median'] * 1000:16.1f}{figures['p95'] * 1000:13.1f}"
        )
    print(f"ratio Pipewright / floor (wall): {ours['wall'] / floor['wall']:.2f}")


if __name__ == "__main__":
    main()
