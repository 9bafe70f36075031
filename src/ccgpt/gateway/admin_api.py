"""Model management routes (/api/pull, push, create, copy, delete): admin keys only, Ollama
upstreams only, relayed byte for byte (progress streams included)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response

from ccgpt.gateway import validate as v
from ccgpt.gateway.context import Ctx, Gateway, Handler
from ccgpt.gateway.errors import GatewayError, UpstreamUnavailable, bad_request
from ccgpt.gateway.streaming import NDJSON, ManagedStream
from ccgpt.gateway.upstreams.ollama import OllamaUpstream


def _pick_ollama(gw: Gateway, request: Request, model: str | None) -> OllamaUpstream:
    ollamas = [u for u in gw.pool.upstreams if isinstance(u, OllamaUpstream)]
    if not ollamas:
        raise GatewayError(400, "no Ollama upstream is configured for model management")
    wanted = request.headers.get("x-ccgpt-upstream")
    if wanted:
        for u in ollamas:
            if u.name == wanted:
                return u
        raise bad_request(f"no Ollama upstream named {wanted!r}")
    if model:
        for u in sorted(ollamas, key=lambda u: not u.healthy):
            if u.serves(model):
                return u
    return sorted(ollamas, key=lambda u: not u.healthy)[0]


def _admin(method: str, path: str, name_field: str, streams: bool) -> Handler:
    async def handler(gw: Gateway, request: Request, ctx: Ctx) -> Response:
        gw.admit(ctx, request, admin=True)
        body = await gw.body(request)
        if not isinstance(body, dict):
            raise bad_request("request body must be a JSON object")
        model = body.get(name_field, body.get("name"))
        if not isinstance(model, str) or not model:
            raise bad_request(f"{name_field} is required", name_field)
        ctx.model = v.check_model_name(model, name_field)
        up = _pick_ollama(gw, request, model if path != "/api/pull" else None)
        try:
            resp = await up.open_raw(method, path, body)
        except UpstreamUnavailable:
            raise GatewayError(503, f"Ollama upstream {up.name} is unreachable", code="upstream_unavailable") from None
        if streams and body.get("stream", True) is not False:
            ctx.streaming = True

            async def passthrough() -> AsyncIterator[bytes]:
                try:
                    async for chunk in resp.aiter_raw():
                        yield chunk
                finally:
                    await resp.aclose()
                    ctx.finish(resp.status_code)
                    await up.check()

            async def on_close() -> None:
                await resp.aclose()
                ctx.finish(499)

            return ManagedStream(passthrough(), on_close=on_close, status_code=resp.status_code,
                                 media_type=resp.headers.get("content-type", NDJSON))
        data = await resp.aread()
        await resp.aclose()
        await up.check()
        return Response(data, status_code=resp.status_code, media_type=resp.headers.get("content-type"))

    return handler


ROUTES: list[tuple[str, list[str], Handler]] = [
    ("/api/pull", ["POST"], _admin("POST", "/api/pull", "model", True)),
    ("/api/push", ["POST"], _admin("POST", "/api/push", "model", True)),
    ("/api/create", ["POST"], _admin("POST", "/api/create", "model", True)),
    ("/api/copy", ["POST"], _admin("POST", "/api/copy", "source", False)),
    ("/api/delete", ["DELETE"], _admin("DELETE", "/api/delete", "model", False)),
]
