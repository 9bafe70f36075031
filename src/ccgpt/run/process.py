"""Start the launched process with our limits, feed its output through, and stop it on time."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from typing import IO, Any, Callable

from ccgpt.run.streams import Budget, Output, pump

PTY = "pty"  # as `stdin`: the command gets a pty; the person's keystrokes are forwarded into it


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
    """Run to the end (or the deadline). Raises OSError when the process cannot be started.

    With `spawn.stdin == PTY` the command's stdin and stdout are a new pty (never the person's
    terminal): what it writes there goes through the same sanitiser, and our stdin is copied in.
    """
    budget = Budget(output_cap)
    master = slave = None
    if spawn.stdin == PTY:
        master, slave = _open_pty()
    try:
        proc = subprocess.Popen(
            spawn.argv, cwd=spawn.cwd, env=spawn.env, stdin=slave if slave is not None else spawn.stdin,
            stdout=slave if slave is not None else subprocess.PIPE, stderr=subprocess.PIPE,
            pass_fds=spawn.pass_fds, preexec_fn=spawn.preexec,
            start_new_session=True,  # our Ctrl-C is ours; the group is killed on timeout
        )
    finally:
        if slave is not None:
            os.close(slave)
    assert proc.stderr is not None
    out, err = Output(stdout, budget, stderr), Output(stderr, budget, stderr)
    out_fd = master if master is not None else proc.stdout.fileno()  # type: ignore[union-attr]
    forward = (0, master) if master is not None else None
    tail = bytearray()
    try:
        timed_out = pump(proc, {out_fd: out, proc.stderr.fileno(): err}, proc.stderr.fileno(), tail, deadline,
                         forward)
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
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        if master is not None:
            os.close(master)
    out.close()
    err.close()
    return Ended(code, timed_out, bytes(tail), budget.used, budget.truncated)


def _open_pty() -> tuple[int, int]:
    """A pty pair without echo (the person's own terminal already echoes what they type)."""
    import fcntl
    import pty
    import termios

    master, slave = pty.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    try:
        size = fcntl.ioctl(0, termios.TIOCGWINSZ, b"\0" * 8)
        fcntl.ioctl(slave, termios.TIOCSWINSZ, size)
    except OSError:
        pass  # not at a terminal: the pty keeps its default size
    return master, slave


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
