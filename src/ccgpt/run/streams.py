"""The command's output on its way to the person: decoded, sanitised, capped, drained.

Both pipes share one byte budget (`output_limit_kb`); past it the rest is still read (so the
command never blocks on a full pipe) and counted, but not shown.
"""

from __future__ import annotations

import codecs
import os
import selectors
import sys
import time
from dataclasses import dataclass
from typing import IO, Any

from ccgpt.term.sanitize import StreamSanitizer


@dataclass
class Budget:
    cap: int  # bytes shown; 0 = no cap
    used: int = 0
    truncated: bool = False


class Output:
    """Streams one pipe to a text stream: decoded, sanitised, capped."""

    def __init__(self, sink: IO[str] | None, budget: Budget, notice: IO[str] | None = None):
        self.sink = sink
        # Where "output cut" is said: the caller's stderr (a capture stays a capture: a trial
        # run inside `ccgpt suggest` must not write on the person's terminal).
        self.notice = notice
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.sanitizer = StreamSanitizer()
        self.budget = budget

    def feed(self, data: bytes) -> None:
        budget = self.budget
        budget.used += len(data)
        if budget.truncated:
            return  # keep draining so the command never blocks on a full pipe
        room = budget.cap - (budget.used - len(data))
        if budget.cap and len(data) > room:
            data = data[: max(room, 0)]
            budget.truncated = True
        self._write(self.sanitizer.feed(self.decoder.decode(data)))
        if budget.truncated:
            self._write(self.sanitizer.flush() + self.decoder.decode(b"", final=True))
            notice = self.notice or sys.stderr
            try:
                notice.write(f"\n[ccgpt: output cut at {budget.cap // 1024} KB; the command keeps running]\n")
                notice.flush()
            except (BrokenPipeError, ValueError):
                pass

    def close(self) -> None:
        if not self.budget.truncated:
            self._write(self.sanitizer.feed(self.decoder.decode(b"", final=True)) + self.sanitizer.flush())

    def _write(self, text: str) -> None:
        if text and self.sink is not None:
            try:
                self.sink.write(text)
                self.sink.flush()
            except (BrokenPipeError, ValueError):
                self.sink = None  # the reader went away; still drain the pipe


def pump(proc: Any, sources: dict[int, Output], err_fd: int | None, tail: bytearray,
         deadline: float | None, forward: tuple[int, int] | None = None) -> bool:
    """Copy the command's fds into their Outputs until they close; True when the deadline came first.

    sources: fd -> Output. err_fd: the fd whose last 2 KB are kept in `tail` (bwrap's message).
    forward: (from_fd, to_fd) copied the other way (the person's keystrokes into a pty).
    """
    sel = selectors.DefaultSelector()
    for fd, out in sources.items():
        sel.register(fd, selectors.EVENT_READ, out)
    if forward is not None:
        sel.register(forward[0], selectors.EVENT_READ, None)
    open_fds = len(sources)
    try:
        while open_fds:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                return True
            for key, _ in sel.select(wait):
                fd = int(key.fd)
                try:
                    data = os.read(fd, 65536)
                except OSError:  # a pty master reads EIO once the other side is closed
                    data = b""
                if key.data is None:
                    _forward(sel, fd, data, forward)
                    continue
                if not data:
                    sel.unregister(fd)
                    open_fds -= 1
                    continue
                if fd == err_fd:
                    tail.extend(data)
                    del tail[:-2048]
                key.data.feed(data)
        # The fds closed (a daemonised child may still hold none): wait for the exit, on the clock.
        while proc.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                return True
            time.sleep(0.01)
        return False
    finally:
        sel.close()


def _forward(sel: selectors.BaseSelector, fd: int, data: bytes, forward: tuple[int, int] | None) -> None:
    if not data or forward is None:
        sel.unregister(fd)
        if forward is not None:
            try:
                os.write(forward[1], b"\x04")  # our end of input: the pty's reader sees end of file
            except OSError:
                pass
        return
    try:
        os.write(forward[1], data)
    except OSError:
        sel.unregister(fd)
