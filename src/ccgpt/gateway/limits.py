"""Token buckets for per-key request (rpm) and token (tpm) limits.

A bucket holds up to `capacity` units and refills continuously at capacity/60 per second, so
a key with rpm=60 may burst 60 requests and then sustain one per second. Token limits can
only be charged after the fact (the count is known when the answer ends), so a request is
admitted while the token bucket is above zero and the real count is debited afterwards; a
large answer can push the bucket below zero, which then delays the next requests.
"""

from __future__ import annotations

import math
import time
from typing import Protocol


class TokenBucket:
    __slots__ = ("capacity", "rate", "level", "stamp")

    def __init__(self, per_minute: int, now: float | None = None):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.level = float(per_minute)
        self.stamp = time.monotonic() if now is None else now

    def _refill(self, now: float) -> None:
        if now > self.stamp:
            self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def try_take(self, n: float = 1.0, now: float | None = None) -> float:
        """Take n units; return 0 on success, else the seconds until n units are available."""
        now = time.monotonic() if now is None else now
        self._refill(now)
        if self.level >= n:
            self.level -= n
            return 0.0
        return (n - self.level) / self.rate

    def wait_positive(self, now: float | None = None) -> float:
        """0 when the bucket is above zero (admit), else seconds until it is."""
        now = time.monotonic() if now is None else now
        self._refill(now)
        if self.level > 0:
            return 0.0
        return (-self.level) / self.rate + 1e-3

    def debit(self, n: float, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._refill(now)
        self.level -= n


class Limiter(Protocol):
    """Where the buckets live: this process (`LocalLimiter`) or Redis, shared by replicas."""

    async def admit(self, name: str, rpm: int | None, tpm: int | None) -> int:
        """0 to admit, else the Retry-After value in whole seconds (at least 1)."""
        ...

    def charge_tokens(self, name: str, tpm: int | None, tokens: int) -> None:
        """Debit an answer's tokens (known only when it ends)."""
        ...


class LocalLimiter:
    """One request bucket and one token bucket per key name, in this process."""

    def __init__(self) -> None:
        self._req: dict[str, TokenBucket] = {}
        self._tok: dict[str, TokenBucket] = {}

    async def admit(self, name: str, rpm: int | None, tpm: int | None) -> int:
        return self.admit_now(name, rpm, tpm)

    def admit_now(self, name: str, rpm: int | None, tpm: int | None) -> int:
        """0 to admit, else the Retry-After value in whole seconds (at least 1)."""
        wait = 0.0
        if tpm:
            tb = self._bucket(self._tok, name, tpm)
            wait = tb.wait_positive()
        if rpm and wait == 0.0:
            rb = self._bucket(self._req, name, rpm)
            wait = rb.try_take(1.0)
        return 0 if wait == 0.0 else max(1, math.ceil(wait))

    def charge_tokens(self, name: str, tpm: int | None, tokens: int) -> None:
        if tpm and tokens > 0:
            self._bucket(self._tok, name, tpm).debit(tokens)

    @staticmethod
    def _bucket(table: dict[str, TokenBucket], name: str, per_minute: int) -> TokenBucket:
        b = table.get(name)
        if b is None or b.capacity != per_minute:
            b = table[name] = TokenBucket(per_minute)
        return b
