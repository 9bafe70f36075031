"""The gateway's state and one request's bookkeeping, shared by the routes and the relay.

`Gateway` holds the pool, the authenticator, the limiter and the metrics; `Ctx` is what one
request records once (metrics and one log line); `Settings` are the plain values from
`[ccgpt.gateway]`. Handlers are `async (Gateway, Request, Ctx) -> Response`.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ccgpt.gateway import logsafe
from ccgpt.gateway.auth import Authenticator, Identity
from ccgpt.gateway.errors import GatewayError
from ccgpt.gateway.limits import Limiter, LocalLimiter
from ccgpt.gateway.metrics import Metrics
from ccgpt.gateway.upstreams.base import norm_model
from ccgpt.gateway.upstreams.pool import Pool
from ccgpt.gateway.usage import UsageBook

log = logging.getLogger("ccgpt.gateway")
logsafe.install(log)  # every module logs through this logger: one place escapes all of it

# A JSON escape of a UTF-16 surrogate (\ud800-\udfff), or one encoded as bytes (json.loads
# decodes bytes with surrogatepass): a pair of escapes is one character, a lone one is a string
# no upstream can encode. Only bodies holding one are walked.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


def _lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_lone_surrogate(k) or _lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_lone_surrogate(v) for v in value)
    return False


@dataclass
class Settings:
    bind_host: str = "127.0.0.1"
    allowed_hosts: set[str] | None = None
    cors_origins: list[str] = field(default_factory=list)
    max_body: int = 1024 * 1024
    log_content: bool = False
    metrics_public: bool = False
    usage_flush_s: float = 10.0
    key_poll_s: float = 0.5  # how often a store that is not local (PostgreSQL) is re-read


class Ctx:
    """One request's bookkeeping: who, which model, when; recorded once in metrics and the log."""

    __slots__ = ("gw", "route", "started", "ident", "model", "streaming", "first", "closed")

    def __init__(self, gw: Gateway, route: str) -> None:
        self.gw = gw
        self.route = route
        self.started = time.perf_counter()
        self.ident: Identity | None = None
        self.model = "-"
        self.streaming = False
        self.first: float | None = None
        self.closed = False

    @property
    def key(self) -> str:
        return self.ident.name if self.ident else "-"

    def model_label(self) -> str:
        # Only names an upstream serves become label values (bounded cardinality).
        if self.model == "-":
            return "-"
        return self.model if norm_model(self.model) in self.gw.pool.known_models() else "other"

    def first_token(self) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.started
            self.gw.metrics.ttft.observe((self.model_label(), self.key), self.first)

    def usage(self, resp: dict[str, Any]) -> None:
        p, c = resp.get("prompt_eval_count"), resp.get("eval_count")
        p = p if isinstance(p, int) else 0
        c = c if isinstance(c, int) else 0
        self.gw.metrics.tokens(self.model_label(), self.key, p, c)
        if self.ident is not None and not self.ident.anonymous:
            self.gw.limiter.charge_tokens(self.ident.name, self.ident.tpm, p + c)
            self.gw.usage.tokens(self.ident.name, p, c)

    def finish(self, status: int) -> None:
        if self.closed:
            return
        self.closed = True
        took = time.perf_counter() - self.started
        if self.ident is not None and not self.ident.anonymous:
            self.gw.usage.request(self.ident.name)
        self.gw.metrics.request(self.route, self.model_label(), self.key, status, took)
        log.info("%s %d model=%s key=%s %.1fms", self.route, status, self.model, self.key, took * 1000)


Handler = Callable[["Gateway", Request, Ctx], Awaitable[Response]]


class Gateway:
    def __init__(self, pool: Pool, auth: Authenticator, settings: Settings, metrics: Metrics | None = None,
                 limiter: Limiter | None = None) -> None:
        self.pool = pool
        self.auth = auth
        self.settings = settings
        self.metrics = metrics or Metrics()
        if pool.metrics is None:
            pool.metrics = self.metrics
        self.limiter: Limiter = limiter or LocalLimiter()
        self.usage = UsageBook()
        self.redis: Any = None  # the Redis client when limits are shared (redis_url)

    async def body(self, request: Request) -> Any:
        raw = await request.body()
        if not raw:
            raise GatewayError(400, "request body is empty; expected a JSON object", code="invalid_json")
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            raise GatewayError(400, "request body is not valid JSON", code="invalid_json") from None
        if _SURROGATE_ESCAPE.search(raw) and _lone_surrogate(body):
            raise GatewayError(400, "request body holds a lone UTF-16 surrogate (\\ud800-\\udfff), "
                               "which is not a character", code="invalid_json")
        return body

    def admit(self, ctx: Ctx, request: Request, *, admin: bool = False) -> Identity:
        ident = ctx.ident = self.auth.authenticate(request.headers)
        if admin:
            self.auth.check_admin(ident)
        return ident

    async def allow(self, ctx: Ctx, model: str) -> None:
        ctx.model = model
        ident = ctx.ident
        assert ident is not None
        self.auth.check_model(ident, model)
        if ident.rpm or ident.tpm:
            wait = await self.limiter.admit(ident.name, ident.rpm, ident.tpm)
            if wait:
                self.metrics.rate_limited.inc((ident.name,))
                raise GatewayError(429, f"rate limit reached for key {ident.name!r}; retry in {wait}s",
                                   code="rate_limit_exceeded", headers={"Retry-After": str(wait)})

    def log_content(self, ctx: Ctx, prompt: Any, answer: Any) -> None:
        if self.settings.log_content:
            from ccgpt.security.redact import redact

            log.info("content key=%s model=%s prompt=%r answer=%r", ctx.key, ctx.model,
                     redact(str(prompt))[:2000], redact(str(answer))[:2000])
