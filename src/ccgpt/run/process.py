"""Start the launched process with our limits, feed its output through, and stop it on time."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from typing import IO, Any, Callable

from ccgpt.run.streams import Budget, Output, pump


@dataclass(frozen=True)
class Spawn:
    argv: list[str]
    env: dict[str, str] | None
    cwd: str | None
    pass_fds: tuple[int, ...]
    preexec: Callable[[], None]
    stdin: Any  # a file, an fd, subprocess.DEVNULL or subprocess.PIPE's stand-in


@dataclass
class Ended:
    returncode: int
    timed_out: bool
    stderr_tail: bytes
    output_bytes: int
    output_truncated: bool


def run(spawn: Spawn, *, stdout: IO[str] | None, stderr: IO[str] | None, output_cap: int,
        deadline: float | None, on_timeout: Callable[[], None]) -> Ended:
    """Run to the end (or the deadline). Raises OSError when the process cannot be started."""
    budget = Budget(output_cap)
    proc = subprocess.Popen(
        spawn.argv, cwd=spawn.cwd, env=spawn.env, stdin=spawn.stdin,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=spawn.pass_fds,
        preexec_fn=spawn.preexec,
        start_new_session=True,  # our Ctrl-C is ours; the group is killed on timeout
    )
    assert proc.stdout is not None and proc.stderr is not None
    out, err = Output(stdout, budget), Output(stderr, budget)
    tail = bytearray()
    try:
        timed_out = pump(proc, {proc.stdout.fileno(): out, proc.stderr.fileno(): err},
                         proc.stderr.fileno(), tail, deadline)
        if timed_out:
            on_timeout()
            kill_group(proc)
        code = proc.wait()
    except KeyboardInterrupt:
        on_timeout()
        kill_group(proc)
        proc.wait()
        raise
    finally:
        proc.stdout.close()
        proc.stderr.close()
    out.close()
    err.close()
    return Ended(code, timed_out, bytes(tail), budget.used, budget.truncated)


def kill_group(proc: subprocess.Popen) -> None:
    try:
        # bwrap is pid 1's parent: killing it tears down the pid namespace (--die-with-parent).
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def read_all(fd: int) -> bytes:
    """Everything written to a pipe whose writers have all exited; closes it."""
    chunks = []
    try:
        os.set_blocking(fd, False)
        while True:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(fd)
    return b"".join(chunks)


def elapsed_ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)
