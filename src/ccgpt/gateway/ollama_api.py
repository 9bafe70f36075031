"""Ollama-compatible routes (/api/*), for the `ollama` client, Open WebUI, DB-GPT and friends.

Streaming is NDJSON, one object per line, and is the default as in Ollama (`"stream": false`
turns it off); the relay is `streaming.py`'s. Model management routes are in `admin_api.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ccgpt import __version__
from ccgpt.gateway import validate as v
from ccgpt.gateway.context import Ctx, Gateway, Handler
from ccgpt.gateway.errors import bad_request
from ccgpt.gateway.listing import tags_for
from ccgpt.gateway.streaming import NDJSONDialect, relay
from ccgpt.gateway.upstreams.base import Json

Validator = Callable[..., Json]


async def _model_request(gw: Gateway, request: Request, ctx: Ctx, validator: Validator) -> Json:
    ident = gw.admit(ctx, request)
    req = validator(await gw.body(request), admin=ident.admin)
    await gw.allow(ctx, req["model"])
    return req


async def chat(gw: Gateway, request: Request, ctx: Ctx) -> Response:
    req = await _model_request(gw, request, ctx, v.validate_chat)
    if req.get("stream", True):
        stream = await gw.pool.open_stream(req["model"], lambda u: u.open_chat(req))
        return relay(gw, ctx, stream, NDJSONDialect("message"))
    resp = await gw.pool.call(req["model"], lambda u: u.chat(req))
    ctx.usage(resp)
    gw.log_content(ctx, req["messages"][-1:] if req["messages"] else "", resp.get("message"))
    return JSONResponse(resp)


async def generate(gw: Gateway, request: Request, ctx: Ctx) -> Response:
    req = await _model_request(gw, request, ctx, v.validate_generate)
    if req.get("stream", True):
        stream = await gw.pool.open_stream(req["model"], lambda u: u.open_generate(req))
        return relay(gw, ctx, stream, NDJSONDialect("response"))
    resp = await gw.pool.call(req["model"], lambda u: u.generate(req))
    ctx.usage(resp)
    gw.log_content(ctx, req.get("prompt", ""), resp.get("response"))
    return JSONResponse(resp)


async def embed(gw: Gateway, request: Request, ctx: Ctx) -> Response:
    req = await _model_request(gw, request, ctx, v.validate_embed)
    resp = await gw.pool.call(req["model"], lambda u: u.embed(req))
    ctx.usage(resp)
    return JSONResponse(resp)


async def tags(gw: Gateway, request: Request, ctx: Ctx) -> Response:
    ident = gw.admit(ctx, request)
    return JSONResponse({"models": await tags_for(gw, ident)})


async def show(gw: Gateway, request: Request, ctx: Ctx) -> Response:
    gw.admit(ctx, request)
    body = await gw.body(request)
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object")
    model = v.require_model(body)
    await gw.allow(ctx, model)
    req: dict[str, Any] = {"model": model}
    if isinstance(body.get("verbose"), bool):
        req["verbose"] = body["verbose"]
    return JSONResponse(await gw.pool.call(model, lambda u: u.show(req)))


async def ps(gw: Gateway, request: Request, ctx: Ctx) -> Response:
    ident = gw.admit(ctx, request)
    out = []
    for _, models in await gw.pool.gather(lambda u: u.ps()):
        out += [m for m in models if ident.may_use(str(m.get("name") or m.get("model") or ""))]
    return JSONResponse({"models": out})


async def version(gw: Gateway, request: Request, ctx: Ctx) -> Response:
    gw.admit(ctx, request)
    for _, ver in await gw.pool.gather(lambda u: u.version(), kinds=("ollama",)):
        if ver:
            return JSONResponse({"version": ver})
    return JSONResponse({"version": __version__})


ROUTES: list[tuple[str, list[str], Handler]] = [
    ("/api/chat", ["POST"], chat),
    ("/api/generate", ["POST"], generate),
    ("/api/embed", ["POST"], embed),
    ("/api/tags", ["GET"], tags),
    ("/api/show", ["POST"], show),
    ("/api/ps", ["GET"], ps),
    ("/api/version", ["GET"], version),
]
