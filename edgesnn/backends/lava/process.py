"""Run a Lava job in a child process with a timeout, and never leave a process behind.

An exception inside a Lava process model may not surface (Lava's runtime can wait forever
for the failed worker), and a worker may outlive the run. So every Lava run happens in a
forked child that first makes itself a process-group leader (``os.setsid``); Lava's own worker
processes inherit the group. The parent waits for the result on a pipe, until the child exits
(not until the pipe closes: surviving workers hold it open) or the timeout; then, and after
every run, it sends SIGKILL to the whole group and reaps the child, so no orphan survives.
Failures become ``BackendRunError`` with the reason (a child killed by SIGKILL: memory?).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import time
import traceback
from collections.abc import Callable
from typing import Any

from ...errors import BackendRunError, EdgeSNNError

DEFAULT_TIMEOUT_S = 120.0


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) process ids in process group ``pgid`` (Linux ``/proc``)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def _child(write_fd: int, fn: Callable[..., Any], args: tuple) -> None:
    """Body of the forked child: new process group, run, pickle the outcome into the pipe, exit."""
    os.setsid()
    try:
        result: tuple = ("ok", fn(*args))
    except EdgeSNNError as exc:
        result = ("edgesnn", exc)
    except BaseException as exc:  # report anything; the parent turns it into BackendRunError
        result = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}")
    try:
        data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # an unpicklable result or error
        data = pickle.dumps(("error", f"unpicklable result: {exc}"))
    with os.fdopen(write_fd, "wb") as fh:
        fh.write(data)


def kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _reap(pid: int, wait_s: float = 10.0) -> None:
    """Reap the child, then wait until every process of its group has died (SIGKILL is asynchronous)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    deadline = time.monotonic() + wait_s
    while group_members(pid) and time.monotonic() < deadline:
        kill_group(pid)
        time.sleep(0.05)


def _drain(fd: int) -> list[bytes]:
    """Everything already written into the pipe ``fd`` (without waiting for writers that remain)."""
    out = []
    while select.select([fd], [], [], 0)[0]:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        out.append(chunk)
    return out


def _how(status: int | None) -> str:
    if status and os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        oom = ": out of memory?" if sig == signal.SIGKILL else ""
        return f"killed by {signal.Signals(sig).name}{oom}"
    return f"exit code {os.WEXITSTATUS(status)}" if status else "no answer"


def run_isolated(
    fn: Callable[..., Any], *args: Any, timeout_s: float = DEFAULT_TIMEOUT_S, what: str = "Lava run"
) -> Any:
    """``fn(*args)`` in a forked child process group; its return value, or BackendRunError.

    ``fn`` and its result must be picklable (the result crosses a pipe). EdgeSNN errors
    raised by ``fn`` are re-raised as they are.
    """
    if timeout_s <= 0:
        raise BackendRunError(f"{what}: timeout must be positive, got {timeout_s}")
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: plain fork (multiprocessing would pin a start method that Lava then sets again)
        os.close(read_fd)
        code = 0
        try:
            _child(write_fd, fn, args)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    deadline = time.monotonic() + timeout_s
    chunks: list[bytes] = []
    finished, status = False, None
    try:
        while not finished:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([read_fd], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(read_fd, 1 << 20)
                chunks.append(chunk)
                finished = not chunk
            else:  # Lava's workers inherit the pipe: the child's exit is the end, not EOF
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    chunks += _drain(read_fd)
                    finished = True
    finally:
        os.close(read_fd)
        kill_group(pid)
        _reap(pid)
    outcome = pickle.loads(b"".join(chunks)) if finished and any(chunks) else None
    if outcome is None:
        if not finished:
            raise BackendRunError(
                f"{what} did not finish within {timeout_s:.0f} s and was killed with its worker processes "
                "(Lava hangs when a process model raises); raise the timeout (EDGESNN_LAVA_TIMEOUT_S) if the model is large"
            )
        raise BackendRunError(f"{what} died without a result ({_how(status)}); its process group was killed")
    status, payload = outcome
    if status == "ok":
        return payload
    if status == "edgesnn":
        raise payload
    raise BackendRunError(f"{what} failed in Lava: {payload.splitlines()[0]}")
