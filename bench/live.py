"""Benchmark: the live run stream (`/ws/runs/<id>/`) with many viewers of one busy run.

    .venv/bin/python bench/live.py [--clients 200] [--events 1000] [--rate 500]

Starts a private Redis (channel layer and broker) and one Daphne process on a
throw-away data dir (SQLite), creates a run of `--nodes` nodes that nothing
executes, and connects `--clients` websocket viewers (one asyncio process,
in batches). Once every viewer has its snapshot, an emitter process writes
`--events` events at about `--rate` a second through the ORM, in transactions
of 1-5 (mostly `node_log` and `node_progress`; `node_state` takes every node
through queued, running, succeeded), then ends the run. Each viewer notes the
time a frame arrives (before parsing it), checks that sequence numbers are
contiguous, and applies `node_state` and `run_state` events to its copy of
the snapshot. Prints the latency from commit to receipt over every
(viewer, event) pair, how many viewers ended with exactly the database's final
state, the messages each viewer got, and the CPU each process spent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engine import percentile, start_redis  # noqa: E402

NOOP = "def run(**k):\n    return {}\n"
# node_state transitions of the emitted stream, in this order for each node
NODE_STATES = ("queued", "running", "succeeded")
# nodes queued or running at once
PARALLEL_NODES = 3


def start_daphne(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], int]:
    from tests.plugins.services import free_port, wait_for_port

    port = free_port()
    daphne = Path(sys.executable).parent / "daphne"
    command = [str(daphne), "-b", "127.0.0.1", "-p", str(port), "-v", "0", "pipewright.asgi:application"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, timeout=30)
    except RuntimeError:
        process.terminate()
        raise SystemExit(f"daphne did not start:\n{log.read_text()[-3000:]}") from None
    return process, port


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def create_run(nodes: int) -> tuple[int, str]:
    """A user, a project, a pipeline of `nodes` unconnected nodes and a submitted run
    (no worker: it stays pending). Returns the run's id and a session cookie."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from editor.models import Operation, Pipeline
    from editor.operations import create_operation_version
    from editor.projects import create_project
    from pipewright.celery import app

    app.set_current()
    from runs.submit import submit_run

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("viewer", password="bench-viewer")
    project = create_project(user, name="live bench")
    op = Operation.objects.create(project=project, name="noop", slug="noop")
    create_operation_version(op, {"source": NOOP, "inputs": [], "outputs": []})
    graph = {
        "nodes": [
            {"id": f"n{i:02d}", "operation": op.pk, "position": {"x": (i % 5) * 200, "y": (i // 5) * 80}}
            for i in range(nodes)
        ],
        "edges": [],
        "inputs": [],
    }
    pipeline = Pipeline.objects.create(project=project, name="live", graph=graph)
    run = submit_run(pipeline, {"name": "live"}, user)
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    connections.close_all()
    return run.pk, cookie


def final_state(run_id: int) -> tuple[int, str, dict[str, str]]:
    """The run's last sequence number, state and node states, from the database."""
    from runs.models import NodeRun, Run

    seq, state = Run.objects.filter(pk=run_id).values_list("last_event_seq", "state").get()
    nodes = dict(NodeRun.objects.filter(run_id=run_id).values_list("node_id", "state"))
    return seq, state, nodes


# --- the emitter (a process of its own, so its writes and its publisher thread
# do not share the viewers' interpreter) --------------------------------------


def plan_transitions(node_ids: list[str]) -> list[tuple[str, str]]:
    """(node, state) for every node through NODE_STATES, a few nodes at a time, in order."""
    steps: list[tuple[str, str]] = []
    for i in range(len(node_ids) + PARALLEL_NODES - 1):
        for lag, state in enumerate(NODE_STATES):
            if 0 <= i - lag < len(node_ids):
                steps.append((node_ids[i - lag], state))
    return steps


def emit(run_id: int, events: int, rate: float, seed: int, out: Connection) -> None:
    """Write about `events` events at `rate` a second, then finish the run; send back
    the wall time right after each event's commit."""
    import django

    django.setup()
    from django.db import connection, transaction

    from runs.events import Event, record_events
    from runs.models import NodeRun, Run
    from runs.publisher import publisher
    from runs.scheduler import lock_run

    rng = random.Random(seed)
    node_ids = sorted(NodeRun.objects.filter(run_id=run_id).values_list("node_id", flat=True))
    transitions = plan_transitions(node_ids)
    # the event indices at which the node transitions happen, spread evenly
    at = {min(events - 1, int((k + 0.5) * events / len(transitions))): k for k in range(len(transitions))}
    states = dict.fromkeys(node_ids, "pending")
    committed: dict[int, float] = {}
    lines = 0

    def commit(items: list[Event], nodes: dict[str, str], run_state: str = "") -> None:
        with transaction.atomic():
            lock_run(run_id)
            if run_state:
                Run.objects.filter(pk=run_id).update(state=run_state)
            for state in set(nodes.values()):
                changed = [node for node, to in nodes.items() if to == state]
                NodeRun.objects.filter(run_id=run_id, node_id__in=changed).update(state=state)
            written = record_events(run_id, items)
        now = time.time()
        for event in written:
            committed[event.seq] = now

    # A worker that has published before has its publisher thread and Redis
    # connections up; a fresh one spends 100+ ms on them with its first event.
    publisher().send("live_bench_warm_up", {"type": "run.events", "events": []})
    publisher().flush(timeout=10)
    cpu_before = sum(os.times()[:2])
    started = time.time()
    commit([("run_state", "", {"state": "running", "error": ""})], {}, "running")
    index = 1
    transactions = 1
    while index < events:
        target = started + index / rate
        delay = target - time.time()
        if delay > 0:
            time.sleep(delay)
        items: list[Event] = []
        nodes: dict[str, str] = {}
        for _ in range(min(rng.randint(1, 5), events - index)):
            if index in at and transitions[at[index]][0] not in nodes:
                node, state = transitions[at[index]]
                states[node] = nodes[node] = state
                items.append(("node_state", node, {"state": state}))
            else:
                busy = [node for node, state in states.items() if state == "running"] or node_ids
                node = rng.choice(busy)
                if rng.random() < 0.6:
                    batch = [f"[{node}] step {lines + i}: loss={rng.random():.4f}" for i in range(3)]
                    lines += len(batch)
                    items.append(("node_log", node, {"lines": batch}))
                else:
                    items.append(("node_progress", node, {"progress": round(rng.random(), 3)}))
            index += 1
        commit(items, nodes)
        transactions += 1
    # the end: every node that has not yet succeeded does, then the run, in one transaction
    rest = {node: "succeeded" for node, state in states.items() if state != "succeeded"}
    final: list[Event] = [("node_state", node, {"state": "succeeded"}) for node in rest]
    final.append(("run_state", "", {"state": "succeeded", "error": ""}))
    commit(final, rest, "succeeded")
    transactions += 1
    finished = time.time()
    publisher().flush(timeout=10)
    cpu = sum(os.times()[:2]) - cpu_before
    connection.close()
    out.send(
        {
            "committed": committed,
            "transactions": transactions,
            "started": started,
            "finished": finished,
            "emitter_cpu": cpu,
        }
    )
    out.close()


# --- the viewers --------------------------------------------------------------


@dataclass
class Viewer:
    index: int
    last_seq: int = -1  # before the snapshot
    run_state: str = ""
    nodes: dict[str, str] = field(default_factory=dict)
    gaps: int = 0  # events skipped over
    duplicates: int = 0  # events seen twice (or going back)
    messages: int = 0  # events messages (not the snapshot)
    snapshots: int = 0
    received: list[tuple[int, float]] = field(default_factory=list)  # (seq, arrival)
    error: str = ""
    snapshot_at: float = 0.0

    def take(self, raw: str | bytes, now: float) -> None:
        message = json.loads(raw)
        kind = message.get("type")
        if kind == "snapshot":
            self.snapshots += 1
            self.snapshot_at = now
            self.last_seq = message["seq"]
            self.run_state = message["run"]["state"]
            self.nodes = {node["node_id"]: node["state"] for node in message["run"]["node_runs"]}
            return
        if kind != "events":
            self.error = f"unexpected message {raw[:200]!r}"
            return
        self.messages += 1
        received = self.received
        for event in message["events"]:
            seq = event["seq"]
            if seq <= self.last_seq:
                self.duplicates += 1
                continue
            if seq != self.last_seq + 1:
                self.gaps += seq - self.last_seq - 1
            self.last_seq = seq
            received.append((seq, now))
            if event["kind"] == "node_state":
                self.nodes[event["node_id"]] = event["payload"]["state"]
            elif event["kind"] == "run_state":
                self.run_state = event["payload"]["state"]


async def watch(viewer: Viewer, ws: Any) -> None:
    from websockets.exceptions import ConnectionClosed

    try:
        async for raw in ws:
            viewer.take(raw, time.time())
    except ConnectionClosed as error:
        viewer.error = f"closed: {error}"


async def connect_viewers(
    url: str, headers: dict[str, str], count: int, batch: int
) -> tuple[list[tuple[Viewer, Any]], list[str]]:
    from websockets.asyncio.client import connect

    async def one(index: int) -> tuple[Viewer, Any]:
        ws = await connect(
            url, additional_headers=headers, compression=None, ping_interval=None, open_timeout=30
        )
        return Viewer(index), ws

    connected: list[tuple[Viewer, Any]] = []
    failures: list[str] = []
    for first in range(0, count, batch):
        results = await asyncio.gather(
            *(one(i) for i in range(first, min(count, first + batch))), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                failures.append(f"{type(result).__name__}: {result}")
            else:
                connected.append(result)
    return connected, failures


async def stream(args: argparse.Namespace, port: int, run_id: int, cookie: str, pids: dict[str, int]) -> Any:
    url = f"ws://127.0.0.1:{port}/ws/runs/{run_id}/"
    headers = {"Origin": f"http://127.0.0.1:{port}", "Cookie": f"sessionid={cookie}"}
    load = os.getloadavg()[0]
    began = time.time()
    connected, failures = await connect_viewers(url, headers, args.clients, args.batch)
    connect_s = time.time() - began
    viewers = [viewer for viewer, _ in connected]
    tasks = [asyncio.create_task(watch(viewer, ws)) for viewer, ws in connected]
    deadline = time.monotonic() + 30
    while any(viewer.snapshots == 0 and not viewer.error for viewer in viewers):
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.01)
    snapshots_s = time.time() - began

    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    own_before = sum(os.times()[:2])
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    emitter = context.Process(target=emit, args=(run_id, args.events, args.rate, args.seed, sender))
    emitter.start()
    sender.close()
    loop = asyncio.get_running_loop()
    try:
        result: dict[str, Any] = await loop.run_in_executor(None, receiver.recv)
    except EOFError:
        raise SystemExit("the emitter failed (its traceback is above)") from None
    await loop.run_in_executor(None, emitter.join)
    final_seq = max(result["committed"])
    deadline = time.monotonic() + args.timeout
    while any(viewer.last_seq < final_seq and not viewer.error for viewer in viewers):
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.01)
    settled_s = time.time() - result["finished"]
    cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
    cpu["viewers"] = sum(os.times()[:2]) - own_before
    cpu["emitter"] = result["emitter_cpu"]

    for _, ws in connected:
        await ws.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "viewers": viewers,
        "failures": failures,
        "connect_s": connect_s,
        "snapshots_s": snapshots_s,
        "settled_s": settled_s,
        "load": load,
        **result,
        "cpu": cpu,
    }


def report(args: argparse.Namespace, outcome: dict[str, Any], truth: tuple[int, str, dict[str, str]]) -> None:
    viewers: list[Viewer] = outcome["viewers"]
    committed: dict[int, float] = outcome["committed"]
    head, run_state, nodes = truth
    latencies: list[float] = []
    missing = 0
    for viewer in viewers:
        got = 0
        for seq, arrival in viewer.received:
            at = committed.get(seq)
            if at is not None:
                latencies.append((arrival - at) * 1000)
                got += 1
        missing += len(committed) - got
    exact = [
        viewer
        for viewer in viewers
        if viewer.last_seq == head
        and viewer.nodes == nodes
        and viewer.run_state == run_state
        and viewer.gaps == 0
        and viewer.duplicates == 0
        and not viewer.error
    ]
    emitted = len(committed)
    elapsed = outcome["finished"] - outcome["started"]
    messages = [viewer.messages for viewer in viewers] or [0]
    failures: list[str] = outcome["failures"]

    print(
        f"\nlive run stream: 1 Daphne process, SQLite, {args.nodes} nodes, {os.cpu_count()} CPUs; "
        f"target {args.events} events at {args.rate:g}/s; load average before "
        f"{outcome['load']:.2f}"
    )
    rows = [
        (
            "clients connected",
            f"{len(viewers)} / {args.clients} in {outcome['connect_s']:.2f} s "
            f"(batches of {args.batch}); all snapshots in after {outcome['snapshots_s']:.2f} s",
        ),
        (
            "events emitted",
            f"{emitted} in {outcome['transactions']} transactions over {elapsed:.2f} s "
            f"= {emitted / elapsed:.0f} events/s",
        ),
    ]
    if latencies:
        rows.append(
            (
                "latency commit -> receipt",
                f"p50 {percentile(latencies, 0.5):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms, "
                f"p99 {percentile(latencies, 0.99):.1f} ms, max {max(latencies):.1f} ms "
                f"({len(latencies)} client x event pairs, {missing} never received)",
            )
        )
    rows += [
        (
            "clients with exact final state",
            f"{len(exact)} / {args.clients} (DB: last seq {head}, run {run_state}, "
            f"{sum(state == 'succeeded' for state in nodes.values())}/{len(nodes)} nodes succeeded)",
        ),
        (
            "gaps / duplicates / errors",
            f"{sum(v.gaps for v in viewers)} / {sum(v.duplicates for v in viewers)} / "
            f"{sum(bool(v.error) for v in viewers)} (summed over clients; "
            f"{sum(v.snapshots for v in viewers) - len(viewers)} snapshots after the first)",
        ),
        (
            "messages per client",
            f"min {min(messages)}, median {statistics.median(messages):g}, max {max(messages)} "
            f"({emitted / max(1, statistics.median(messages)):.2f} events per message)",
        ),
        ("last client final", f"{outcome['settled_s'] * 1000:.0f} ms after the last commit"),
        (
            "CPU s while streaming",
            ", ".join(f"{name} {seconds:.2f}" for name, seconds in outcome["cpu"].items()),
        ),
    ]
    for label, text in rows:
        print(f"{label:32}{text}")
    for failure in sorted(set(failures))[:5]:
        print(f"  connect failure ({failures.count(failure)}x): {failure}")
    errors = sorted({viewer.error for viewer in viewers if viewer.error})
    for error in errors[:5]:
        print(f"  client error: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=500, help="events per second")
    parser.add_argument("--nodes", type=int, default=20)
    parser.add_argument("--batch", type=int, default=50, help="clients connecting at once")
    parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for the last events")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="pipewright-live-"))
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
    daphne: subprocess.Popen[bytes] | None = None
    try:
        run_id, cookie = create_run(args.nodes)
        daphne, port = start_daphne(env, data_dir / "daphne.log")
        outcome = asyncio.run(stream(args, port, run_id, cookie, {"daphne": daphne.pid, "redis": redis.pid}))
        truth = final_state(run_id)
        log = (data_dir / "daphne.log").read_text(errors="replace").strip()
    finally:
        for process in (daphne, redis):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
        from django.db import connections

        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)
    report(args, outcome, truth)
    if log:
        print(f"daphne log (last lines):\n{log[-1500:]}")


if __name__ == "__main__":
    main()
