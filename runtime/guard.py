"""Make a node process die with the worker that launched it (Linux).

The orchestrator sets PIPEWRIGHT_PARENT_PID; the node asks the kernel for a
SIGKILL when its parent goes, then checks the parent did not go already.
Done here rather than in a pre-exec hook so the launch can use vfork, which
is many times faster than forking a large worker process.
"""

from __future__ import annotations

import os
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    expected = os.environ.get("PIPEWRIGHT_PARENT_PID")
    if not expected:
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the reaper still catches orphans
        return
    if os.getppid() != int(expected):
        os._exit(137)  # the parent died before we asked
