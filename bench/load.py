"""Benchmark: many runs at once, many browsers watching them.

    .venv/bin/python bench/load.py [--runs 50] [--nodes 20] [--viewers 200] [--workers 2]

Starts a private Redis, one Daphne and `--workers` Celery workers (`--concurrency`
processes each) on a throw-away data dir (SQLite unless `--database-url`), makes a
pipeline of `--nodes` nodes (layers of five, each node fed by one of the layer before;
every node a real process that adds one to its input and stores the result), then:

- submits `--runs` runs at once over HTTP (`POST /api/runs/`, token auth, 10 threads);
- connects `--viewers` websocket viewers spread over the runs (`/ws/runs/<id>/`, as the
  run page does), each checking that sequence numbers are contiguous and applying
  `node_state` and `run_state` events to its snapshot;
- while the runs go, 4 threads call the API as the pages do (run list, run detail);
- waits until every run has ended.

Prints runs completed and failed, nodes per second, the latency of the API calls, the
latency of live updates (an event's commit, `RunEvent.created_at`, to its arrival at a
viewer) and how many viewers ended with exactly the database's state (no gaps, no
duplicates, no lost events). The goal (issue 11): zero errors, zero lost events.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engine import percentile, reset_database, start_redis, start_worker, wait_for_worker  # noqa: E402
from bench.live import Viewer, connect_viewers, start_daphne, watch  # noqa: E402

SEED = "def run() -> dict:\n    return {'y': 1}\n"
ADD_ONE = "def run(x: int) -> dict:\n    return {'y': x + 1}\n"
WIDTH = 5


def setup(nodes: int) -> tuple[int, str, str]:
    """A user, a project and the pipeline: (pipeline id, API token, session cookie)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from editor.models import Operation, Pipeline
    from editor.operations import create_operation_version
    from editor.projects import create_project

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("load", password="bench-load")
    project = create_project(user, name="load bench")
    operations = {}
    for slug, source, inputs in (("seed", SEED, []), ("add_one", ADD_ONE, [{"name": "x", "type": "int"}])):
        operation = Operation.objects.create(project=project, name=slug.replace("_", " "), slug=slug)
        content = {"source": source, "inputs": inputs, "outputs": [{"name": "y", "type": "int"}]}
        create_operation_version(operation, content)
        operations[slug] = operation.pk
    graph: dict[str, Any] = {"nodes": [], "edges": [], "inputs": []}
    for i in range(nodes):
        layer, column = divmod(i, WIDTH)
        node_id = f"n{i:02d}"
        graph["nodes"].append(
            {
                "id": node_id,
                "operation": operations["add_one" if layer else "seed"],
                "position": {"x": 220 * layer, "y": 90 * column},
            }
        )
        if layer:
            source = f"n{i - WIDTH:02d}"
            graph["edges"].append(
                {
                    "id": f"{source}-{node_id}",
                    "source": source,
                    "source_port": "y",
                    "target": node_id,
                    "target_port": "x",
                }
            )
    pipeline = Pipeline.objects.create(project=project, name="load", graph=graph)
    token = Token.objects.create(user=user).key
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    connections.close_all()
    return pipeline.pk, token, cookie


def api(base: str, token: str, path: str, body: dict[str, Any] | None = None) -> tuple[float, int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = Request(
        base + path,
        data=data,
        method="POST" if body is not None else "GET",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    try:
        with urlopen(request, timeout=120) as response:
            status, answer = response.status, json.loads(response.read())
    except HTTPError as error:
        status, answer = error.code, error.read().decode(errors="replace")[:300]
    except OSError as error:
        status, answer = 0, str(error)
    return time.perf_counter() - started, status, answer


def submit_all(
    base: str, token: str, pipeline: int, runs: int
) -> tuple[list[int], list[tuple[float, int, Any]]]:
    def one(index: int) -> tuple[float, int, Any]:
        return api(base, token, "/api/runs/", {"pipeline": pipeline, "name": f"load {index}", "cache": False})

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(one, range(runs)))
    ids = [answer["id"] for _, status, answer in results if status == 201]
    return ids, results


def end_states(run_ids: list[int]) -> dict[int, tuple[int, str, dict[str, str]]]:
    from runs.models import NodeRun, Run

    truth: dict[int, tuple[int, str, dict[str, str]]] = {}
    for run_id, seq, state in Run.objects.filter(pk__in=run_ids).values_list("pk", "last_event_seq", "state"):
        nodes = dict(NodeRun.objects.filter(run_id=run_id).values_list("node_id", "state"))
        truth[run_id] = (seq, state, nodes)
    return truth


def committed_at(run_ids: list[int]) -> dict[tuple[int, int], float]:
    from runs.models import RunEvent

    rows = RunEvent.objects.filter(run_id__in=run_ids).values_list("run_id", "seq", "created_at")
    return {(run_id, seq): created.timestamp() for run_id, seq, created in rows}


async def watch_runs(
    port: int, cookie: str, run_ids: list[int], viewers: int, done: threading.Event, timeout: float
) -> tuple[list[tuple[int, Viewer]], list[str]]:
    headers = {"Origin": f"http://127.0.0.1:{port}", "Cookie": f"sessionid={cookie}"}
    per_run = [
        viewers // len(run_ids) + (1 if i < viewers % len(run_ids) else 0) for i in range(len(run_ids))
    ]
    connected: list[tuple[int, Viewer, Any]] = []
    failures: list[str] = []
    for run_id, count in zip(run_ids, per_run, strict=True):
        if not count:
            continue
        url = f"ws://127.0.0.1:{port}/ws/runs/{run_id}/"
        got, failed = await connect_viewers(url, headers, count, batch=count)
        connected += [(run_id, viewer, ws) for viewer, ws in got]
        failures += failed
    tasks = [asyncio.create_task(watch(viewer, ws)) for _, viewer, ws in connected]
    deadline = time.monotonic() + timeout
    while not done.is_set() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    # the last events of runs that just ended are on their way
    settle = time.monotonic() + 15
    while time.monotonic() < settle and any(
        v.run_state not in ("succeeded", "failed", "cancelled") for _, v, _ in connected
    ):
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    for _, _, ws in connected:
        await ws.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return [(run_id, viewer) for run_id, viewer, _ in connected], failures


def poll_pages(
    base: str, token: str, run_ids: list[int], done: threading.Event, out: list[tuple[float, int, Any]]
) -> None:
    """A person's browser: the runs list, then a run's page, about twice a second."""
    index = 0
    while not done.is_set():
        path = "/api/runs/?page_size=25" if index % 2 == 0 else f"/api/runs/{run_ids[index % len(run_ids)]}/"
        out.append(api(base, token, path))
        index += 1
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--nodes", type=int, default=20)
    parser.add_argument("--viewers", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (each its own -n)")
    parser.add_argument("--concurrency", type=int, default=1, help="pool processes per worker")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--database-url", default="", help="PostgreSQL (dropped and created); default SQLite")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="pipewright-load-bench-"))
    redis, redis_url = start_redis(data_dir)
    env = {
        **os.environ,
        "PIPEWRIGHT_DATA_DIR": str(data_dir),
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "pipewright.settings",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    if args.database_url:
        reset_database(args.database_url)
        env["DATABASE_URL"] = args.database_url
    os.environ.update(env)
    processes = []
    api_calls: list[tuple[float, int, Any]] = []
    try:
        pipeline, token, cookie = setup(args.nodes)
        from pipewright.celery import app

        for index in range(args.workers):
            log = data_dir / f"worker{index}.log"
            worker = start_worker(
                "pipewright", "default,gpu", args.concurrency, env, log, name=f"load{index}"
            )
            processes.append(worker)
        wait_for_worker(app)
        daphne, port = start_daphne(env, data_dir / "daphne.log")
        processes.append(daphne)
        base = f"http://127.0.0.1:{port}"

        load = os.getloadavg()[0]
        started = time.time()
        run_ids, submits = submit_all(base, token, pipeline, args.runs)
        submitted_s = time.time() - started
        api_calls += submits
        if not run_ids:
            raise SystemExit(f"no run was submitted: {submits[:3]}")

        done = threading.Event()
        pollers = [
            threading.Thread(target=poll_pages, args=(base, token, run_ids, done, api_calls))
            for _ in range(4)
        ]
        for poller in pollers:
            poller.start()

        def wait_for_the_end() -> float:
            from django.db import connections

            from runs.models import Run

            deadline = time.monotonic() + args.timeout
            while time.monotonic() < deadline:
                if not Run.objects.filter(pk__in=run_ids, state__in=["pending", "running"]).exists():
                    break
                time.sleep(0.5)
            finished = time.time()
            connections.close_all()
            done.set()
            return finished

        ender = ThreadPoolExecutor(1).submit(wait_for_the_end)
        watched, failures = asyncio.run(watch_runs(port, cookie, run_ids, args.viewers, done, args.timeout))
        finished = ender.result()
        for poller in pollers:
            poller.join()
        truth = end_states(run_ids)
        commits = committed_at(run_ids)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()
        redis.terminate()
        redis.wait()
        shutil.rmtree(data_dir, ignore_errors=True)

    wall = finished - started
    states = [state for _, state, _ in truth.values()]
    succeeded = states.count("succeeded")
    api_errors = [call for call in api_calls if call[1] not in (200, 201)]
    api_latencies = [latency for latency, *_ in api_calls]
    exact = sum(
        1
        for run_id, viewer in watched
        if not viewer.error
        and viewer.gaps == 0
        and viewer.duplicates == 0
        and (viewer.last_seq, viewer.run_state, viewer.nodes) == truth[run_id]
    )
    gaps = sum(viewer.gaps for _, viewer in watched)
    duplicates = sum(viewer.duplicates for _, viewer in watched)
    live = [
        arrival - commits[(run_id, seq)]
        for run_id, viewer in watched
        for seq, arrival in viewer.received
        if (run_id, seq) in commits
    ]
    nodes = args.runs * args.nodes
    print(
        f"\n{args.runs} runs x {args.nodes} nodes, {args.viewers} viewers, {args.workers} workers x "
        f"{args.concurrency} processes, {'PostgreSQL' if args.database_url else 'SQLite'}, "
        f"{os.cpu_count()} CPUs (load before: {load:.1f})"
    )
    print(
        f"completed         {succeeded} / {args.runs} succeeded, {len(states) - succeeded} other "
        f"{sorted(set(states))}"
    )
    print(f"wall              {wall:8.1f} s  (submits {submitted_s:.1f} s; {nodes / wall:.1f} nodes/s)")
    print(f"API calls         {len(api_calls):8d}  errors {len(api_errors)}")
    for label, fraction in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        print(f"  latency {label}     {percentile(api_latencies, fraction) * 1000:8.0f} ms")
    print(f"viewers           {len(watched):8d} connected, {len(failures)} failed to connect")
    print(f"  exact end state {exact:8d} / {len(watched)}   gaps {gaps}, duplicates {duplicates}")
    print(f"  live updates    {len(live):8d}")
    if live:
        for label, fraction in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
            print(f"  latency {label}     {percentile(live, fraction) * 1000:8.0f} ms")
        print(f"  latency max     {max(live) * 1000:8.0f} ms")
    if api_errors:
        print(f"first API error: {api_errors[0]}")
    if failures:
        print(f"first connect failure: {failures[0]}")
    bad = [(run_id, viewer) for run_id, viewer in watched if viewer.error]
    if bad:
        print(f"first viewer error: run {bad[0][0]}: {bad[0][1].error}")


if __name__ == "__main__":
    main()
