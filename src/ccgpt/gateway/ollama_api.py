"""Ollama-compatible routes (/api/*), for the `ollama` client, Open WebUI, DB-GPT and friends.

Streaming is NDJSON, one object per line, and is the default as in Ollama (`"stream": false`
turns it off). An error after the stream started is sent as a last `{"error": "..."}` line,
which is what Ollama itself does and what its clients understand.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ccgpt.gateway.app import ManagedStream

from ccgpt.gateway import validate as v
from ccgpt.gateway.errors import GatewayError, bad_request
from ccgpt.gateway.upstreams import Upstream

NDJSON = "application/x-ndjson"


def _dumps(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def ndjson_stream(gw, ctx, stream, content_key: str | None):
    """Relay an upstream stream as NDJSON, timing the first token and counting usage."""
    ctx.streaming = True

    async def body():
        status = 200
        parts: list[str] = []
        try:
            async for obj in stream:
                if content_key and ctx.first is None:
                    text = obj.get("message", {}).get("content") if content_key == "message" else obj.get("response")
                    if text:
                        ctx.first_token()
                if gw.settings.log_content and content_key:
                    parts.append(str(obj.get("message", {}).get("content", "") if content_key == "message"
                                     else obj.get("response", "")))
                if obj.get("done"):
                    ctx.usage(obj)
                yield _dumps(obj) + "\n"
        except GatewayError as exc:
            status = exc.status
            yield _dumps({"error": exc.message}) + "\n"
        finally:
            await stream.aclose()
            ctx.finish(status)
            if parts:
                gw.log_content(ctx, "(streamed request)", "".join(parts))

    async def on_close():
        await stream.aclose()
        ctx.finish(499)  # no-op when the body already finished; 499: the client went away

    return ManagedStream(body(), on_close=on_close, media_type=NDJSON)


async def _model_request(gw, request: Request, ctx, validator):
    ident = gw.admit(ctx, request)
    req = validator(await gw.body(request), admin=ident.admin)
    gw.allow(ctx, req["model"])
    return req


async def chat(gw, request: Request, ctx) -> Response:
    req = await _model_request(gw, request, ctx, v.validate_chat)
    if req.get("stream", True):
        stream = await gw.pool.open_stream(req["model"], lambda u: u.open_chat(req))
        return ndjson_stream(gw, ctx, stream, "message")
    resp = await gw.pool.call(req["model"], lambda u: u.chat(req))
    ctx.usage(resp)
    gw.log_content(ctx, req["messages"][-1:] if req["messages"] else "", resp.get("message"))
    return JSONResponse(resp)


async def generate(gw, request: Request, ctx) -> Response:
    req = await _model_request(gw, request, ctx, v.validate_generate)
    if req.get("stream", True):
        stream = await gw.pool.open_stream(req["model"], lambda u: u.open_generate(req))
        return ndjson_stream(gw, ctx, stream, "response")
    resp = await gw.pool.call(req["model"], lambda u: u.generate(req))
    ctx.usage(resp)
    gw.log_content(ctx, req.get("prompt", ""), resp.get("response"))
    return JSONResponse(resp)


async def embed(gw, request: Request, ctx) -> Response:
    req = await _model_request(gw, request, ctx, v.validate_embed)
    resp = await gw.pool.call(req["model"], lambda u: u.embed(req))
    ctx.usage(resp)
    return JSONResponse(resp)


async def tags_for(gw, ident) -> list[dict]:
    """Every model of every healthy upstream, once, as far as this key may see it."""
    seen: set[str] = set()
    out: list[dict] = []
    for up, entries in await gw.pool.gather(lambda u: u.tags()):
        up.learn([e.get("name") or e.get("model") for e in entries])
        for e in entries:
            name = e.get("name") or e.get("model")
            if isinstance(name, str) and name not in seen and ident.may_use(name):
                seen.add(name)
                out.append(e)
    return out


async def tags(gw, request: Request, ctx) -> Response:
    ident = gw.admit(ctx, request)
    return JSONResponse({"models": await tags_for(gw, ident)})


async def show(gw, request: Request, ctx) -> Response:
    gw.admit(ctx, request)
    body = await gw.body(request)
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object")
    model = v.require_model(body)
    gw.allow(ctx, model)
    req = {"model": model}
    if isinstance(body.get("verbose"), bool):
        req["verbose"] = body["verbose"]
    return JSONResponse(await gw.pool.call(model, lambda u: u.show(req)))


async def ps(gw, request: Request, ctx) -> Response:
    ident = gw.admit(ctx, request)
    out = []
    for _, models in await gw.pool.gather(lambda u: u.ps()):
        out += [m for m in models if ident.may_use(str(m.get("name") or m.get("model") or ""))]
    return JSONResponse({"models": out})


async def version(gw, request: Request, ctx) -> Response:
    gw.admit(ctx, request)
    for _, ver in await gw.pool.gather(lambda u: u.version(), kinds=("ollama",)):
        if ver:
            return JSONResponse({"version": ver})
    from ccgpt import __version__

    return JSONResponse({"version": __version__})


# ---------------------------------------------------------------- admin operations

def _pick_ollama(gw, request: Request, model: str | None) -> Upstream:
    ollamas = [u for u in gw.pool.upstreams if u.kind == "ollama"]
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


def _admin(method: str, path: str, name_field: str | None, streams: bool):
    async def handler(gw, request: Request, ctx) -> Response:
        gw.admit(ctx, request, admin=True)
        body = await gw.body(request)
        if not isinstance(body, dict):
            raise bad_request("request body must be a JSON object")
        model = None
        if name_field:
            model = body.get(name_field, body.get("name"))
            if not isinstance(model, str) or not model:
                raise bad_request(f"{name_field} is required", name_field)
            ctx.model = model
        up = _pick_ollama(gw, request, model if path != "/api/pull" else None)
        from ccgpt.gateway.errors import UpstreamUnavailable

        try:
            resp = await up.open_raw(method, path, body)
        except UpstreamUnavailable:
            raise GatewayError(503, f"Ollama upstream {up.name} is unreachable", code="upstream_unavailable") from None
        if streams and body.get("stream", True) is not False:
            ctx.streaming = True

            async def relay():
                try:
                    async for chunk in resp.aiter_raw():
                        yield chunk
                finally:
                    await resp.aclose()
                    ctx.finish(resp.status_code)
                    await up.check()

            async def on_close():
                await resp.aclose()
                ctx.finish(499)

            return ManagedStream(relay(), on_close=on_close, status_code=resp.status_code,
                                 media_type=resp.headers.get("content-type", NDJSON))
        data = await resp.aread()
        await resp.aclose()
        await up.check()
        return Response(data, status_code=resp.status_code, media_type=resp.headers.get("content-type"))

    return handler


ROUTES = [
    ("/api/chat", ["POST"], chat),
    ("/api/generate", ["POST"], generate),
    ("/api/embed", ["POST"], embed),
    ("/api/tags", ["GET"], tags),
    ("/api/show", ["POST"], show),
    ("/api/ps", ["GET"], ps),
    ("/api/version", ["GET"], version),
    ("/api/pull", ["POST"], _admin("POST", "/api/pull", "model", True)),
    ("/api/push", ["POST"], _admin("POST", "/api/push", "model", True)),
    ("/api/create", ["POST"], _admin("POST", "/api/create", "model", True)),
    ("/api/copy", ["POST"], _admin("POST", "/api/copy", "source", False)),
    ("/api/delete", ["DELETE"], _admin("DELETE", "/api/delete", "model", False)),
]
