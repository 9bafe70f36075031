"""The upstream pool: which servers serve which model, health checks, balancing, failover.

Every upstream speaks the gateway's internal (Ollama-shaped) dialect, whatever its wire
format: `OllamaUpstream` and `OpenAIUpstream` (http_upstreams.py) and `EmbeddedUpstream`
(embedded_upstream.py).

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
from collections.abc import AsyncIterator, Awaitable, Callable

from ccgpt.gateway.errors import GatewayError, UpstreamUnavailable

log = logging.getLogger("ccgpt.gateway")


def norm_model(name: str) -> str:
    """Ollama's own normalisation: a name without a tag means `:latest`."""
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else name + ":latest"


class Upstream:
    kind = "base"

    def __init__(self, name: str, models: list[str] | None = None):
        self.name = name
        self.configured: set[str] | None = {norm_model(m) for m in models} if models else None
        self.known: set[str] | None = None  # learnt from the upstream's model list
        self.healthy = True  # optimistic until the first check says otherwise
        self.outstanding = 0
        self.last_check = 0.0

    def serves(self, model: str) -> bool | None:
        n = norm_model(model)
        if self.configured is not None:
            return n in self.configured
        if self.known is not None:
            return n in self.known
        return None

    def learn(self, names: list[str]) -> None:
        self.known = {norm_model(n) for n in names if isinstance(n, str)}

    async def check(self) -> bool:
        """Refresh health and the model list; never raises."""
        try:
            entries = await self.tags()
            self.learn([e.get("name") or e.get("model") for e in entries])
            self.healthy = True
        except Exception as exc:  # any failure means "not healthy", whatever its type
            if self.healthy:
                log.warning("upstream %s is down: %s", self.name, type(exc).__name__)
            self.healthy = False
        self.last_check = time.monotonic()
        return self.healthy

    # The internal API. Requests and answers are Ollama-shaped dicts.
    async def chat(self, req: dict) -> dict: raise NotImplementedError
    async def open_chat(self, req: dict) -> AsyncIterator[dict]: raise NotImplementedError
    async def generate(self, req: dict) -> dict: raise NotImplementedError
    async def open_generate(self, req: dict) -> AsyncIterator[dict]: raise NotImplementedError
    async def embed(self, req: dict) -> dict:
        raise GatewayError(400, f"model {req.get('model')!r} on upstream {self.name} does not provide embeddings")
    async def tags(self) -> list[dict]: raise NotImplementedError
    async def show(self, req: dict) -> dict: raise NotImplementedError
    async def ps(self) -> list[dict]: return []
    async def version(self) -> str | None: return None
    async def close(self) -> None: pass


class Pool:
    def __init__(self, upstreams: list[Upstream], *, health_interval: float = 15.0, metrics=None):
        if not upstreams:
            raise ValueError("at least one upstream is needed")
        self.upstreams = upstreams
        self.health_interval = health_interval
        self.metrics = metrics
        self._rr = itertools.count()
        self._task: asyncio.Task | None = None
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

    async def call(self, model: str, op: Callable[[Upstream], Awaitable]):
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

    async def open_stream(self, model: str, opener: Callable[[Upstream], Awaitable[AsyncIterator[dict]]]):
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
            return _Counted(inner, up)
        raise GatewayError(503, f"no upstream serving {model!r} is reachable ({last})", code="upstream_unavailable")

    def _mark_down(self, up: Upstream) -> None:
        if up.healthy:
            log.warning("upstream %s unreachable; failing over", up.name)
        up.healthy = False
        if self.metrics is not None:
            self.metrics.upstream_failovers.inc((up.name,))

    async def gather(self, fn: Callable[[Upstream], Awaitable], kinds: tuple[str, ...] | None = None) -> list:
        """fn on every healthy upstream (of the given kinds) at once; failures are skipped."""
        ups = [u for u in self.upstreams if u.healthy and (kinds is None or u.kind in kinds)]
        results = await asyncio.gather(*(fn(u) for u in ups), return_exceptions=True)
        out = []
        for u, r in zip(ups, results):
            if isinstance(r, UpstreamUnavailable):
                u.healthy = False
            elif isinstance(r, BaseException):
                log.warning("upstream %s: %s", u.name, type(r).__name__)
            else:
                out.append((u, r))
        return out


class _Counted:
    """An async iterator that releases its upstream's in-flight count exactly once when closed."""

    def __init__(self, inner: AsyncIterator[dict], up: Upstream):
        self._inner = inner
        self._up = up
        self._open = True

    def __aiter__(self):
        return self

    async def __anext__(self):
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


def build_upstreams(specs: list[dict], *, connect_timeout: float, read_timeout: float,
                    embedded_factory=None) -> list[Upstream]:
    """Upstream objects from `[[ccgpt.gateway.upstreams]]`-shaped dicts (validated by the CLI)."""
    from ccgpt.gateway.http_upstreams import OllamaUpstream, OpenAIUpstream

    out: list[Upstream] = []
    for i, s in enumerate(specs):
        kind = s.get("kind", "ollama")
        name = s.get("name") or f"{kind}-{i + 1}"
        models = s.get("models") or None
        if kind == "ollama":
            out.append(OllamaUpstream(name, s["url"], models=models, connect_timeout=connect_timeout,
                                      read_timeout=read_timeout))
        elif kind == "openai":
            out.append(OpenAIUpstream(name, s["url"], api_key=s.get("api_key") or None, models=models,
                                      connect_timeout=connect_timeout, read_timeout=read_timeout))
        elif kind == "embedded":
            from ccgpt.gateway.embedded_upstream import EmbeddedUpstream

            out.append(EmbeddedUpstream(name, model_name=s.get("model") or None, factory=embedded_factory,
                                        model_path=s.get("model_path") or None,
                                        n_ctx=s.get("n_ctx") or None, n_threads=s.get("n_threads") or None))
        else:
            raise ValueError(f"unknown upstream kind {kind!r} (use ollama, openai or embedded)")
    return out
