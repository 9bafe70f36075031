"""Print a streamed model answer safely, and collect it into a Completion."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator

from ccgpt.llm.base import Chunk, Completion, collect
from ccgpt.term.sanitize import StreamSanitizer


def echo_stream(chunks: Iterator[Chunk], model: str, backend: str, out=None, prefix: str = "") -> Completion:
    """Write each chunk through the sanitiser as it arrives; return the whole answer.

    The Completion keeps the raw text (for the log and --json, which escapes it); only the
    terminal copy is sanitised. `prefix` (chat's `ai> `) is written with the first piece of the
    answer, after any waiting line on the terminal has been wiped.
    """
    out = out or sys.stdout
    sanitizer = StreamSanitizer()
    started = time.perf_counter()
    pending = [prefix]

    def tee() -> Iterator[Chunk]:
        for chunk in chunks:
            if chunk.text:
                out.write(pending.pop() if pending else "")
                out.write(sanitizer.feed(chunk.text))
                out.flush()
            yield chunk

    completion = collect(tee(), model, backend, started)
    tail = (pending.pop() if pending else "") + sanitizer.flush()
    if not completion.text.endswith("\n"):
        tail += "\n"
    out.write(tail)
    out.flush()
    return completion
