"""The ASGI application: routes, the per-request pipeline, lifecycle.

Per request: security middleware (Host, Origin, body size) -> authenticate (key) -> parse and
validate JSON -> model allow-list -> rate limit -> upstream pool -> translate back. Every
failure is a 4xx/5xx in the caller's dialect (Ollama or OpenAI), never a traceback.
Prompt and answer text are never logged unless `log_content = true`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ccgpt.gateway import admin_api, keywatch, ollama_api, openai_api, redis_limits
from ccgpt.gateway.auth import Authenticator
from ccgpt.gateway.context import Ctx, Gateway, Handler, Settings
from ccgpt.gateway.errors import GatewayError
from ccgpt.gateway.limits import Limiter
from ccgpt.gateway.metrics import Metrics
from ccgpt.gateway.security import SecurityMiddleware, default_allowed_hosts, is_loopback_bind
from ccgpt.gateway.upstreams.factory import build_upstreams
from ccgpt.gateway.upstreams.pool import Pool
from ccgpt.gateway.usage import flush

__all__ = ["Gateway", "Settings", "build_app", "create_gateway"]

log = logging.getLogger("ccgpt.gateway")


def ollama_error(exc: GatewayError) -> Response:
    return JSONResponse({"error": exc.message}, status_code=exc.status, headers=exc.headers)


def openai_error(exc: GatewayError) -> Response:
    return JSONResponse({"error": {"message": exc.message, "type": exc.openai_type, "param": exc.param,
                                   "code": exc.code}}, status_code=exc.status, headers=exc.headers)


def endpoint(gw: Gateway, route: str, handler: Handler, dialect: str) -> Callable[[Request], Any]:
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


async def not_found(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 404)
    msg = "not found" if status == 404 else "method not allowed" if status == 405 else "bad request"
    if request.url.path.startswith("/v1/"):
        return openai_error(GatewayError(status, msg))
    return JSONResponse({"error": msg}, status_code=status)


def build_app(gw: Gateway) -> SecurityMiddleware:
    routes = [Route("/healthz", healthz, methods=["GET"]),
              Route("/metrics", endpoint(gw, "/metrics", metrics_route, "ollama"), methods=["GET"])]
    for path, methods, handler in ollama_api.ROUTES + admin_api.ROUTES:
        routes.append(Route(path, endpoint(gw, path, handler, "ollama"), methods=methods))
    for path, methods, handler in openai_api.ROUTES:
        routes.append(Route(path, endpoint(gw, path.replace("{model:path}", "{model}"), handler, "openai"),
                            methods=methods))

    async def root(request: Request) -> Response:
        return PlainTextResponse("ccgpt gateway is running")  # what `curl localhost:11434` shows on Ollama

    routes.append(Route("/", root, methods=["GET", "HEAD"]))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await gw.pool.start()
        tasks = [asyncio.create_task(_flush_loop(gw))]
        if gw.auth.keystore is not None and not getattr(gw.auth.keystore, "local", True):
            tasks.append(asyncio.create_task(keywatch.poll(gw.auth, gw.settings.key_poll_s)))
        if gw.redis is not None:
            tasks.append(asyncio.create_task(keywatch.listen(gw.auth, gw.redis)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await flush(gw.usage, gw.auth.keystore)
            close = getattr(gw.limiter, "close", None)
            if close is not None:
                await close()
            await gw.pool.stop()

    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={404: not_found, 405: not_found, 400: not_found})
    app.state.gw = gw
    s = gw.settings
    return SecurityMiddleware(app, allowed_hosts=s.allowed_hosts, cors_origins=s.cors_origins, max_body=s.max_body)


async def _flush_loop(gw: Gateway) -> None:
    while True:
        await asyncio.sleep(gw.settings.usage_flush_s)
        await flush(gw.usage, gw.auth.keystore)


def create_gateway(specs: list[dict[str, Any]], *, keystore: Any = None, settings: Settings | None = None,
                   connect_timeout: float = 5.0, read_timeout: float = 300.0, health_interval: float = 15.0,
                   anonymous_admin: bool = False, embedded_factory: Callable[[], Any] | None = None,
                   redis_url: str | None = None, redis_fail_open: bool = False) -> tuple[Gateway, SecurityMiddleware]:
    """Everything `ccgpt serve` runs, from plain values (also what the tests and benchmarks use).
    With redis_url, limits are shared by every replica using that Redis, and key changes
    published there reach this one at once."""

    settings = settings or Settings()
    if settings.allowed_hosts is None:
        settings.allowed_hosts = default_allowed_hosts(settings.bind_host)
    ups = build_upstreams(specs, connect_timeout=connect_timeout, read_timeout=read_timeout,
                          embedded_factory=embedded_factory)
    metrics = Metrics()
    pool = Pool(ups, health_interval=health_interval, metrics=metrics)
    auth = Authenticator(keystore, loopback=is_loopback_bind(settings.bind_host), anonymous_admin=anonymous_admin)
    limiter: Limiter | None = None
    client = None
    if redis_url:
        client = redis_limits.connect(redis_url)
        limiter = redis_limits.RedisLimiter(client, fail_open=redis_fail_open)
    gw = Gateway(pool, auth, settings, metrics, limiter)
    gw.redis = client
    return gw, build_app(gw)
