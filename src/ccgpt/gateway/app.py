"""The ASGI application: routes, the per-request pipeline, lifecycle.

Per request: security middleware (Host, Origin, body size) -> authenticate (key) -> parse and
validate JSON -> model allow-list -> rate limit -> upstream pool -> translate back. Every
failure is a 4xx/5xx in the caller's dialect (Ollama or OpenAI), never a traceback.
Prompt and answer text are never logged unless `log_content = true`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from ccgpt.gateway.auth import Authenticator, Identity
from ccgpt.gateway.errors import GatewayError
from ccgpt.gateway.limits import Limiter
from ccgpt.gateway.metrics import Metrics
from ccgpt.gateway.security import SecurityMiddleware
from ccgpt.gateway.upstreams import Pool, norm_model

log = logging.getLogger("ccgpt.gateway")


@dataclass
class Settings:
    bind_host: str = "127.0.0.1"
    allowed_hosts: set[str] | None = None
    cors_origins: list[str] = field(default_factory=list)
    max_body: int = 1024 * 1024
    log_content: bool = False
    metrics_public: bool = False
    usage_flush_s: float = 10.0


class Ctx:
    """One request's bookkeeping: who, which model, when; recorded once in metrics and the log."""

    __slots__ = ("gw", "route", "started", "ident", "model", "streaming", "first", "closed")

    def __init__(self, gw: "Gateway", route: str):
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

    def usage(self, resp: dict) -> None:
        p, c = resp.get("prompt_eval_count"), resp.get("eval_count")
        p = p if isinstance(p, int) else 0
        c = c if isinstance(c, int) else 0
        self.gw.metrics.tokens(self.model_label(), self.key, p, c)
        if self.ident is not None:
            self.gw.limiter.charge_tokens(self.ident.name, self.ident.tpm, p + c)

    def finish(self, status: int) -> None:
        if self.closed:
            return
        self.closed = True
        took = time.perf_counter() - self.started
        self.gw.metrics.request(self.route, self.model_label(), self.key, status, took)
        log.info("%s %d model=%s key=%s %.1fms", self.route, status, self.model, self.key, took * 1000)


class Gateway:
    def __init__(self, pool: Pool, auth: Authenticator, settings: Settings, metrics: Metrics | None = None):
        self.pool = pool
        self.auth = auth
        self.settings = settings
        self.metrics = metrics or Metrics()
        if pool.metrics is None:
            pool.metrics = self.metrics
        self.limiter = Limiter()

    async def body(self, request: Request):
        raw = await request.body()
        if not raw:
            raise GatewayError(400, "request body is empty; expected a JSON object", code="invalid_json")
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            raise GatewayError(400, "request body is not valid JSON", code="invalid_json") from None

    def admit(self, ctx: Ctx, request: Request, *, admin: bool = False) -> Identity:
        ident = ctx.ident = self.auth.authenticate(request.headers)
        if admin:
            self.auth.check_admin(ident)
        return ident

    def allow(self, ctx: Ctx, model: str) -> None:
        ctx.model = model
        ident = ctx.ident
        assert ident is not None
        self.auth.check_model(ident, model)
        if ident.rpm or ident.tpm:
            wait = self.limiter.admit(ident.name, ident.rpm, ident.tpm)
            if wait:
                self.metrics.rate_limited.inc((ident.name,))
                raise GatewayError(429, f"rate limit reached for key {ident.name!r}; retry in {wait}s",
                                   code="rate_limit_exceeded", headers={"Retry-After": str(wait)})

    def log_content(self, ctx: Ctx, prompt, answer) -> None:
        if self.settings.log_content:
            from ccgpt.security.redact import redact

            log.info("content key=%s model=%s prompt=%r answer=%r", ctx.key, ctx.model,
                     redact(str(prompt))[:2000], redact(str(answer))[:2000])


class ManagedStream(StreamingResponse):
    """A streaming response whose cleanup runs even when the client leaves before the first
    byte (then Starlette never starts the body generator, and its `finally` would not run,
    leaking the upstream connection and its in-flight count)."""

    def __init__(self, content, *, on_close, **kw):
        super().__init__(content, **kw)
        self._on_close = on_close

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._on_close()


def ollama_error(exc: GatewayError) -> Response:
    return JSONResponse({"error": exc.message}, status_code=exc.status, headers=exc.headers)


def openai_error(exc: GatewayError) -> Response:
    return JSONResponse({"error": {"message": exc.message, "type": exc.openai_type, "param": exc.param,
                                   "code": exc.code}}, status_code=exc.status, headers=exc.headers)


def endpoint(gw: Gateway, route: str, handler, dialect: str):
    render = openai_error if dialect == "openai" else ollama_error

    async def wrapped(request: Request) -> Response:
        ctx = Ctx(gw, route)
        try:
            resp = await handler(gw, request, ctx)
        except GatewayError as exc:
            ctx.finish(exc.status)
            return render(exc)
        except Exception:  # a bug: log it, answer one line, keep serving
            log.exception("internal error on %s", route)
            ctx.finish(500)
            return render(GatewayError(500, "internal error in the gateway (see its log)", code="internal_error"))
        if not ctx.streaming:
            ctx.finish(resp.status_code)
        return resp

    return wrapped


async def healthz(request: Request) -> Response:
    gw: Gateway = request.app.state.gw
    up = sum(1 for u in gw.pool.upstreams if u.healthy)
    return JSONResponse({"status": "ok" if up else "unavailable"}, status_code=200 if up else 503)


async def metrics_route(gw: Gateway, request: Request, ctx: Ctx) -> Response:
    if not gw.settings.metrics_public:
        gw.admit(ctx, request, admin=gw.auth.required)
    return PlainTextResponse(gw.metrics.render(gw.pool.upstreams), media_type="text/plain; version=0.0.4")


async def not_found(request: Request, exc) -> Response:
    status = getattr(exc, "status_code", 404)
    msg = "not found" if status == 404 else "method not allowed" if status == 405 else "bad request"
    if request.url.path.startswith("/v1/"):
        return openai_error(GatewayError(status, msg))
    return JSONResponse({"error": msg}, status_code=status)


def build_app(gw: Gateway) -> SecurityMiddleware:
    from ccgpt.gateway import ollama_api, openai_api

    routes = [Route("/healthz", healthz, methods=["GET"]),
              Route("/metrics", endpoint(gw, "/metrics", metrics_route, "ollama"), methods=["GET"])]
    for path, methods, handler in ollama_api.ROUTES:
        routes.append(Route(path, endpoint(gw, path, handler, "ollama"), methods=methods))
    for path, methods, handler in openai_api.ROUTES:
        routes.append(Route(path, endpoint(gw, path.replace("{model:path}", "{model}"), handler, "openai"),
                            methods=methods))

    async def root(request: Request) -> Response:
        return PlainTextResponse("ccgpt gateway is running")  # what `curl localhost:11434` shows on Ollama

    routes.append(Route("/", root, methods=["GET", "HEAD"]))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await gw.pool.start()
        flusher = asyncio.create_task(_flush_loop(gw))
        try:
            yield
        finally:
            flusher.cancel()
            gw.auth.flush_usage()
            await gw.pool.stop()

    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={404: not_found, 405: not_found, 400: not_found})
    app.state.gw = gw
    s = gw.settings
    return SecurityMiddleware(app, allowed_hosts=s.allowed_hosts, cors_origins=s.cors_origins, max_body=s.max_body)


async def _flush_loop(gw: Gateway) -> None:
    while True:
        await asyncio.sleep(gw.settings.usage_flush_s)
        gw.auth.flush_usage()


def create_gateway(specs: list[dict], *, keystore=None, settings: Settings | None = None,
                   connect_timeout: float = 5.0, read_timeout: float = 300.0, health_interval: float = 15.0,
                   anonymous_admin: bool = False, embedded_factory=None) -> tuple[Gateway, SecurityMiddleware]:
    """Everything `ccgpt serve` runs, from plain values (also what the tests and benchmarks use)."""
    from ccgpt.gateway.security import default_allowed_hosts, is_loopback_bind
    from ccgpt.gateway.upstreams import build_upstreams

    settings = settings or Settings()
    if settings.allowed_hosts is None:
        settings.allowed_hosts = default_allowed_hosts(settings.bind_host)
    ups = build_upstreams(specs, connect_timeout=connect_timeout, read_timeout=read_timeout,
                          embedded_factory=embedded_factory)
    metrics = Metrics()
    pool = Pool(ups, health_interval=health_interval, metrics=metrics)
    auth = Authenticator(keystore, loopback=is_loopback_bind(settings.bind_host), anonymous_admin=anonymous_admin)
    gw = Gateway(pool, auth, settings, metrics)
    return gw, build_app(gw)
