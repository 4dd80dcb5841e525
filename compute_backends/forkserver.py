"""A warm interpreter that forks one fresh process per node.

Starting Python and importing the runtime costs a node tens of milliseconds,
more than most no-op nodes run. The local backend keeps one of these per
worker process: it has the runtime imported already and forks a child for each
node, which is still a process of its own (own session, own work dir, killed
as a group), but starts in about a millisecond.

Run as a script (`python -u forkserver.py APP_ROOT FD`), standard library and
`runtime/` only: no Django here. The worker talks to it over a SOCK_SEQPACKET
socket on FD, one message per request:

    worker -> server  {"argv": [...], "cwd": ..., "env": {...}, "bundle": ...}
                      with the write end of the node's log pipe attached
    server -> worker  {"pid": N}, then {"exit": code} when the child ends

One node at a time: the server waits for its child before reading the next
request. It dies with the worker (PIPEWRIGHT_PARENT_PID), and its children
die with it.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import socket
import sys
import traceback
from pathlib import Path
from typing import Any

MAX_REQUEST = 1 << 20
PRELOAD = ("runtime.cli", "runtime.node", "runtime.guard", "json", "pickle", "traceback")


def _child(request: dict[str, Any], log_fd: int, app_root: str) -> None:
    """In the forked child: become the node process, run it, and exit."""
    code = 1
    try:
        os.setsid()  # a kill of the group reaches everything the node starts
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(null)
        os.close(log_fd)
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(number, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        bundle = Path(request["bundle"])
        sys.argv = list(request["argv"][1:])  # argv[0] is the interpreter
        # As `python main.py` would have it: the bundle first, the app not at all
        # (the runtime is imported already, from a copy identical to the bundle's).
        sys.path[:] = [str(bundle), *(p for p in sys.path if p != app_root)]

        from runtime.cli import main

        code = main(sys.argv[1:], bundle)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # nothing left to tell it to
                stream.flush()
        os._exit(code)


def serve(channel: socket.socket, app_root: str) -> None:
    # Import what every node needs once, here, so each fork starts with it.
    for module in PRELOAD:
        importlib.import_module(module)
    from runtime.guard import die_with_parent

    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the worker, which stops us
    while True:
        try:
            data, fds, _flags, _address = socket.recv_fds(channel, MAX_REQUEST, 1)
        except OSError:
            return
        if not data:
            return  # the worker closed its end
        request = json.loads(data)
        if not fds:
            channel.send(json.dumps({"error": "no log pipe attached"}).encode())
            continue
        pid = os.fork()
        if pid == 0:
            channel.close()
            _child(request, fds[0], app_root)
        os.close(fds[0])
        channel.send(json.dumps({"pid": pid}).encode())
        _pid, status = os.waitpid(pid, 0)
        channel.send(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode())


if __name__ == "__main__":
    sys.path.insert(0, sys.argv[1])
    serve(socket.socket(fileno=int(sys.argv[2])), sys.argv[1])
