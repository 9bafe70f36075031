"""The upstream pool: which servers serve which model, health checks, balancing, failover.

Every upstream speaks the gateway's internal (Ollama-shaped) dialect (`base.py`), whatever its
wire format.

Routing: upstreams that list the model (configured `models`, or learnt from their model list
at each health check) are candidates; when none claims it, those whose list is unknown are.
Among candidates, healthy ones first, then fewest requests in flight (least outstanding
requests), ties broken round-robin. A connection error (refused, unreachable, connect
timeout) marks the upstream down and the next candidate is tried: nothing has been sent yet,
so a retry cannot run a prompt twice. Errors after the request was sent are not retried.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ccgpt.gateway.errors import GatewayError, UpstreamUnavailable
from ccgpt.gateway.upstreams.base import Batch, Stream, Upstream

if TYPE_CHECKING:
    from ccgpt.gateway.metrics import Metrics

log = logging.getLogger("ccgpt.gateway")
T = TypeVar("T")


class Pool:
    def __init__(self, upstreams: list[Upstream], *, health_interval: float = 15.0,
                 metrics: Metrics | None = None) -> None:
        if not upstreams:
            raise ValueError("at least one upstream is needed")
        self.upstreams = upstreams
        self.health_interval = health_interval
        self.metrics = metrics
        self._rr = itertools.count()
        self._task: asyncio.Task[None] | None = None
        self._last_refresh = 0.0

    # -- lifecycle
    async def start(self) -> None:
        await self.check_all()
        if self.health_interval > 0:
            self._task = asyncio.create_task(self._health_loop())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        for up in self.upstreams:
            await up.close()

    async def check_all(self) -> None:
        # An upstream answering requests is evidently up, and is not polled meanwhile:
        # llama-cpp-python's server interrupts a running stream when any other request
        # (its /v1/models included) arrives.
        await asyncio.gather(*(u.check() for u in self.upstreams if not (u.healthy and u.outstanding)))

    async def _health_loop(self) -> None:
        while True:
            await asyncio.sleep(self.health_interval)
            await self.check_all()

    # -- routing
    def known_models(self) -> set[str]:
        names: set[str] = set()
        for u in self.upstreams:
            names |= (u.configured or set()) | (u.known or set())
        return names

    def candidates(self, model: str) -> list[Upstream]:
        yes = [u for u in self.upstreams if u.serves(model) is True]
        cands = yes or [u for u in self.upstreams if u.serves(model) is None]
        if len(cands) > 1:
            start = next(self._rr) % len(cands)
            cands = cands[start:] + cands[:start]
            cands.sort(key=lambda u: (not u.healthy, u.outstanding))
        return cands

    async def _route(self, model: str) -> list[Upstream]:
        cands = self.candidates(model)
        if not cands and time.monotonic() - self._last_refresh > 1.0:
            # Maybe the model was pulled since the last health check: look again, at most once a second.
            self._last_refresh = time.monotonic()
            await self.check_all()
            cands = self.candidates(model)
        if not cands:
            raise GatewayError(404, f'model "{model}" not found, try pulling it first', code="model_not_found")
        return cands

    async def call(self, model: str, op: Callable[[Upstream], Awaitable[T]]) -> T:
        """Run op on the best upstream for model, failing over on connection errors."""
        last: Exception | None = None
        for up in await self._route(model):
            up.outstanding += 1
            try:
                return await op(up)
            except UpstreamUnavailable as exc:
                last = exc
                self._mark_down(up)
            finally:
                up.outstanding -= 1
        raise GatewayError(503, f"no upstream serving {model!r} is reachable ({last})", code="upstream_unavailable")

    async def open_stream(self, model: str, opener: Callable[[Upstream], Awaitable[Stream]]) -> Counted:
        """Like call, for streams: the upstream counts as busy until the stream is closed."""
        last: Exception | None = None
        for up in await self._route(model):
            up.outstanding += 1
            try:
                inner = await opener(up)
            except UpstreamUnavailable as exc:
                up.outstanding -= 1
                last = exc
                self._mark_down(up)
                continue
            except BaseException:
                up.outstanding -= 1
                raise
            return Counted(inner, up)
        raise GatewayError(503, f"no upstream serving {model!r} is reachable ({last})", code="upstream_unavailable")

    def _mark_down(self, up: Upstream) -> None:
        if up.healthy:
            log.warning("upstream %s unreachable; failing over", up.name)
        up.healthy = False
        if self.metrics is not None:
            self.metrics.upstream_failovers.inc((up.name,))

    async def gather(self, fn: Callable[[Upstream], Awaitable[T]],
                     kinds: tuple[str, ...] | None = None) -> list[tuple[Upstream, T]]:
        """fn on every healthy upstream (of the given kinds) at once; failures are skipped."""
        ups = [u for u in self.upstreams if u.healthy and (kinds is None or u.kind in kinds)]
        results = await asyncio.gather(*(fn(u) for u in ups), return_exceptions=True)
        out: list[tuple[Upstream, Any]] = []
        for u, r in zip(ups, results):
            if isinstance(r, UpstreamUnavailable):
                u.healthy = False
            elif isinstance(r, BaseException):
                log.warning("upstream %s: %s", u.name, type(r).__name__)
            else:
                out.append((u, r))
        return out


class Counted:
    """An async iterator that releases its upstream's in-flight count exactly once when closed."""

    def __init__(self, inner: Stream, up: Upstream) -> None:
        self._inner = inner
        self._up = up
        self._open = True

    def __aiter__(self) -> Counted:
        return self

    async def __anext__(self) -> Batch:
        try:
            return await self._inner.__anext__()
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        if self._open:
            self._open = False
            self._up.outstanding -= 1
            close = getattr(self._inner, "aclose", None)
            if close is not None:
                try:
                    await close()
                except Exception:
                    pass
