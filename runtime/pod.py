"""Run one node inside a Kubernetes pod, then upload what it made.

    python ../bundle/runtime/pod.py --node ID --work-dir . --job job.json

The Kubernetes backend's main container runs this in the node's work dir
(/work/node, unpacked there with the bundle at /work/bundle by the pod's init
container). It makes the job file's relative input paths absolute, runs the
node exactly as `python main.py --node ID --work-dir DIR --job FILE` does, and
then PUTs the work dir, less its inputs and job file, as a tar.gz to the
presigned URL in $PIPEWRIGHT_OUTPUT_URL (when set, and only from rank 0 of a
distributed job). The orchestrator unpacks that archive into its own copy of
the work dir, so result.json, outputs/ and metrics.jsonl arrive as if the node
had run there. Standard library only; the exit code is the node's.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

OUTPUT_URL_ENV = "PIPEWRIGHT_OUTPUT_URL"
RANK_VARIABLES = ("RANK", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK")
SKIPPED = frozenset({"inputs"})
UPLOAD_TRIES = 4
READY_FILE = ".upload-ready"  # beside the work dir, so never uploaded


def absolute_inputs(job_file: Path, work_dir: Path) -> None:
    """Input paths in the job file are relative to the work dir: make them absolute."""
    job = json.loads(job_file.read_text())
    inputs = job.get("inputs") or {}
    changed = False
    for port, given in inputs.items():
        if isinstance(given, str) and not os.path.isabs(given):
            inputs[port] = str(work_dir / given)
            changed = True
    if changed:
        job_file.write_text(json.dumps(job))


def is_rank_zero() -> bool:
    """False in every process of a distributed job but the first."""
    return all(os.environ.get(name, "0") in ("", "0") for name in RANK_VARIABLES)


def pack_outputs(work_dir: Path, job_file: Path, target: IO[bytes]) -> None:
    import tarfile

    skipped = {work_dir / name for name in SKIPPED} | {job_file}
    with tarfile.open(fileobj=target, mode="w:gz") as archive:
        for child in sorted(work_dir.iterdir()):
            if child not in skipped:
                archive.add(child, arcname=child.name)


def upload(source: IO[bytes], size: int, url: str) -> None:
    """PUT the file to a presigned URL, retrying what may pass."""
    for attempt in range(1, UPLOAD_TRIES + 1):
        source.seek(0)
        request = urllib.request.Request(
            url,
            data=source,
            method="PUT",
            headers={"Content-Length": str(size), "Content-Type": "application/gzip"},
        )
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                response.read()
            return
        except urllib.error.HTTPError as exc:
            # The URL carries a signature: name the status, never the URL.
            if exc.code < 500 or attempt == UPLOAD_TRIES:
                raise RuntimeError(f"the storage answered HTTP {exc.code} {exc.reason}") from None
        except OSError as exc:
            if attempt == UPLOAD_TRIES:
                raise RuntimeError(f"cannot reach the storage: {exc}") from None
        time.sleep(2 ** (attempt - 1))


def upload_outputs(work_dir: Path, job_file: Path, url: str) -> int:
    with tempfile.TemporaryFile() as packed:
        pack_outputs(work_dir, job_file, packed)
        size = packed.tell()
        upload(packed, size, url)
    return size


def upload_when_stopped(work_dir: Path, job_file: Path, url: str) -> int:
    """A container task's upload sidecar: wait until Kubernetes stops it (SIGTERM, sent once
    the task's own container has ended), then send the work dir as `main` does."""
    import signal
    import threading

    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopped.set())
    # The pod's startup probe waits for this file: the task starts only once a stop is heard.
    (work_dir.parent / READY_FILE).touch()
    print("[pipewright] the outputs will be uploaded when the task ends", flush=True)
    while not stopped.wait(3600):
        pass
    if not url:
        return 0
    try:
        size = upload_outputs(work_dir, job_file, url)
    except Exception as exc:
        print(f"[pipewright] could not upload the task's outputs: {exc}", file=sys.stderr, flush=True)
        return 1
    print(f"[pipewright] uploaded the task's outputs ({size} bytes)", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="pod.py", description="Run one node in a pod, upload its outputs.")
    parser.add_argument("--node")
    parser.add_argument("--work-dir", type=Path, default=Path("."))
    parser.add_argument("--job", type=Path, default=Path("job.json"))
    parser.add_argument(
        "--upload-when-stopped",
        action="store_true",
        help="a container task's sidecar: upload the work dir once stopped (SIGTERM)",
    )
    args = parser.parse_args(argv)

    bundle_dir = Path(__file__).resolve().parent.parent
    work_dir = args.work_dir.resolve()
    job_file = args.job if args.job.is_absolute() else work_dir / args.job
    if args.upload_when_stopped:
        return upload_when_stopped(work_dir, job_file, os.environ.get(OUTPUT_URL_ENV, ""))
    if not args.node:
        parser.error("--node is required")
    if job_file.exists():
        absolute_inputs(job_file, work_dir)
    print(f"[pipewright] running python main.py --node {args.node}", flush=True)

    from runtime.cli import main as run_cli

    code = run_cli(["--node", args.node, "--work-dir", str(work_dir), "--job", str(job_file)], bundle_dir)
    sys.stdout.flush()
    sys.stderr.flush()

    url = os.environ.get(OUTPUT_URL_ENV, "")
    if url and is_rank_zero():
        try:
            size = upload_outputs(work_dir, job_file, url)
        except Exception as exc:
            print(f"[pipewright] could not upload the node's outputs: {exc}", file=sys.stderr, flush=True)
            return code or 1
        print(f"[pipewright] uploaded the node's outputs ({size} bytes)", flush=True)
    return code


if __name__ == "__main__":
    # Run as a script: the bundle, not this folder, is what imports resolve against.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)
    sys.exit(main())
