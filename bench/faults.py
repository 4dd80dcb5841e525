"""Benchmark: the long variants of the fault suite, and the figures they measured.

    .venv/bin/python bench/faults.py [--short] [--database-url URL] [-k EXPRESSION]

Runs `pytest tests/faults --long`: the fault tests of `make test` with the same assertions,
scaled up (kill -9 of a worker three times in a row under three nodes at once; three node
processes killed; three database outages under three runs; the storage cut in the first,
a middle and the last part of an upload; Daphne killed under its viewers more than once;
the broker's Redis restarted empty more than once; see each test's `long_variant`).
The tests note how long each fault took to be noticed or recovered from
(tests/faults/figures.py); this prints, per fault and measure, the count, min, median and
max, then pytest's verdict. `--short` runs the variants of `make test` instead. Exits with
pytest's status.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--short", action="store_true", help="the variants `make test` runs")
    parser.add_argument("--database-url", help="PostgreSQL, say (default: the suite's SQLite)")
    parser.add_argument("-k", dest="expression", help="only the tests pytest -k selects")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pipewright-faults-") as folder:
        figures = Path(folder) / "figures.jsonl"
        env = {**os.environ, "PIPEWRIGHT_FAULT_FIGURES": str(figures)}
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        command = [sys.executable, "-m", "pytest", "tests/faults", "-p", "no:cacheprovider", "-q"]
        command += [] if args.short else ["--long"]
        command += ["-k", args.expression] if args.expression else []
        started = time.monotonic()
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        elapsed = time.monotonic() - started
        lines = figures.read_text().splitlines() if figures.exists() else []

    measured: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for line in lines:
        figure = json.loads(line)
        measured[(figure["fault"], figure["measure"], figure["unit"])].append(figure["value"])

    variant = "default" if args.short else "long"
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"Fault suite, {variant} variants ({database}), {elapsed:.0f} s")
    print(f"{'fault':<38} {'measure':<36} {'n':>3} {'min':>7} {'median':>7} {'max':>7}")
    for (fault, measure, unit), values in sorted(measured.items()):
        low, mid, high = min(values), statistics.median(values), max(values)
        spread = " ".join(f"{value:>6.1f}{unit}" for value in (low, mid, high))
        print(f"{fault:<38} {measure:<36} {len(values):>3} {spread}")
    summary = [line for line in result.stdout.splitlines() if line.strip()]
    print("pytest:", summary[-1] if summary else "(no output)")
    if result.returncode != 0:
        print(result.stdout[-6000:], result.stderr[-3000:], sep="\n", file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
