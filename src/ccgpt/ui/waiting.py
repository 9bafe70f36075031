"""A sign of life while a model works: `⠋ waiting for MODEL… 3.2s` on stderr, one line,
redrawn in place and wiped before the answer is printed.

Only at a terminal: never on stdout, never into a pipe or a log file. `with_progress(backend)`
wraps a backend so every call shows it (for a stream, until the first piece of the answer),
which covers the use cases that call the model several times (suggest, script) unchanged.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from typing import Any, TextIO

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
INTERVAL = 0.1


class Waiting:
    """Context manager drawing the waiting line from a background thread."""

    def __init__(self, model: str, stream: TextIO | None = None):
        from ccgpt.term.sanitize import sanitize_line

        self.label = f"waiting for {sanitize_line(model)}…"
        self.stream = stream or sys.stderr
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._drawn = False
        self._lock = threading.Lock()

    def __enter__(self) -> Waiting:
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="ccgpt-waiting", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        frame = 0
        while not self._stop.wait(INTERVAL if self._drawn else 0.3):  # quick answers show nothing
            with self._lock:
                if self._stop.is_set():
                    return
                elapsed = time.monotonic() - self._started
                self.stream.write(f"\r{FRAMES[frame % len(FRAMES)]} {self.label} {elapsed:.1f}s\x1b[K")
                self.stream.flush()
                self._drawn = True
            frame += 1

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            if self._drawn:
                self.stream.write("\r\x1b[K")  # wipe the line: the answer starts where it was
                self.stream.flush()
                self._drawn = False
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=1)

    def __exit__(self, *exc: object) -> None:
        self.stop()


def shows_progress(stream: TextIO | None = None, quiet: bool = False) -> bool:
    import os

    stream = stream or sys.stderr
    return not quiet and hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


class ProgressBackend:
    """A backend whose calls show `Waiting` at the terminal; everything else is passed through."""

    def __init__(self, backend: Any, stream: TextIO | None = None):
        self._backend = backend
        self._stream = stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)

    def chat(self, model: str, *args: Any, **kwargs: Any) -> Any:
        with Waiting(model, self._stream):
            return self._backend.chat(model, *args, **kwargs)

    def generate(self, model: str, *args: Any, **kwargs: Any) -> Any:
        with Waiting(model, self._stream):
            return self._backend.generate(model, *args, **kwargs)

    def stream_chat(self, model: str, *args: Any, **kwargs: Any) -> Iterator[Any]:
        return _until_first(self._backend.stream_chat(model, *args, **kwargs), Waiting(model, self._stream))

    def stream_generate(self, model: str, *args: Any, **kwargs: Any) -> Iterator[Any]:
        return _until_first(self._backend.stream_generate(model, *args, **kwargs), Waiting(model, self._stream))


def _until_first(chunks: Iterator[Any], waiting: Waiting) -> Iterator[Any]:
    with waiting:
        for chunk in chunks:
            if getattr(chunk, "text", None):
                waiting.stop()
            yield chunk


def with_progress(backend: Any, quiet: bool = False, stream: TextIO | None = None) -> Any:
    """`backend` itself when stderr is not a terminal (or -q); else one that shows progress."""
    return ProgressBackend(backend, stream) if shows_progress(stream, quiet) else backend
