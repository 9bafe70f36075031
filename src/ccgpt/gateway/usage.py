"""Per-key usage, counted in memory and written in batches (never once per request).

Requests and tokens per key and UTC day, plus each key's last use, go to whichever key store is
configured (SQLite or PostgreSQL) every `usage_flush_s` seconds and at shutdown; `ccgpt keys
usage` reads them back. A store that is briefly unreachable only delays the write: the counts
are kept and added to the next batch.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

log = logging.getLogger("ccgpt.gateway")

Counts = dict[tuple[str, str], list[int]]


class UsageSink(Protocol):
    local: bool

    def record_usage(self, used: dict[str, float], counts: Counts) -> None: ...


def today() -> str:
    return time.strftime("%Y-%m-%d", time.gmtime())


class UsageBook:
    def __init__(self) -> None:
        self.used: dict[str, float] = {}
        self.counts: Counts = {}

    def _row(self, name: str) -> list[int]:
        key = (name, today())
        row = self.counts.get(key)
        if row is None:
            row = self.counts[key] = [0, 0, 0]
        return row

    def request(self, name: str) -> None:
        self.used[name] = time.time()
        self._row(name)[0] += 1

    def tokens(self, name: str, prompt: int, completion: int) -> None:
        if prompt or completion:
            row = self._row(name)
            row[1] += prompt
            row[2] += completion

    def take(self) -> tuple[dict[str, float], Counts]:
        used, counts = self.used, self.counts
        self.used, self.counts = {}, {}
        return used, counts

    def put_back(self, used: dict[str, float], counts: Counts) -> None:
        for name, ts in used.items():
            self.used[name] = max(ts, self.used.get(name, 0.0))
        for key, (r, p, c) in counts.items():
            row = self.counts.setdefault(key, [0, 0, 0])
            row[0] += r
            row[1] += p
            row[2] += c


async def flush(book: UsageBook, sink: Any) -> None:
    """Write what was counted; SQLite in the loop (its connection lives there), others in a thread."""
    import asyncio

    if sink is None or not (book.used or book.counts):
        return
    used, counts = book.take()
    try:
        if getattr(sink, "local", True):
            sink.record_usage(used, counts)
        else:
            await asyncio.to_thread(sink.record_usage, used, counts)
    except Exception as exc:  # a busy or unreachable database only delays the bookkeeping
        log.warning("usage not written yet (%s); kept for the next batch", type(exc).__name__)
        book.put_back(used, counts)
