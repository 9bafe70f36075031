"""OpenAI-compatible routes (/v1/*), for the `openai` client and the many tools built on it.

Streaming is server-sent events (`streaming.SSEDialect`): `data: {chunk}` lines, a last chunk
carrying finish_reason, an optional usage chunk (`stream_options.include_usage`), then
`data: [DONE]`.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ccgpt.gateway import translate as t
from ccgpt.gateway.context import Ctx, Gateway, Handler
from ccgpt.gateway.errors import GatewayError
from ccgpt.gateway.listing import tags_for
from ccgpt.gateway.streaming import SSEDialect, relay
from ccgpt.gateway.upstreams.base import Json


async def chat_completions(gw: Gateway, request: Request, ctx: Ctx) -> Response:
    gw.admit(ctx, request)
    req, stream, include_usage = t.openai_chat_to_ollama(await gw.body(request))
    model = req["model"]
    await gw.allow(ctx, model)
    cid, created = t.new_id("chatcmpl"), int(time.time())
    if stream:
        up_stream = await gw.pool.open_stream(model, lambda u: u.open_chat(req))

        def to_chunk(obj: Json, first: bool) -> Json:
            return t.ollama_chunk_to_openai(obj, model, cid, created, first)

        dialect = SSEDialect(to_chunk, "chat.completion.chunk", include_usage, model, cid, created, "message")
        return relay(gw, ctx, up_stream, dialect)
    resp = await gw.pool.call(model, lambda u: u.chat(req))
    ctx.usage(resp)
    gw.log_content(ctx, req["messages"][-1:], resp.get("message"))
    return JSONResponse(t.ollama_chat_to_openai(resp, model, cid, created))


async def completions(gw: Gateway, request: Request, ctx: Ctx) -> Response:
    gw.admit(ctx, request)
    req, stream, include_usage = t.openai_completion_to_ollama(await gw.body(request))
    model = req["model"]
    await gw.allow(ctx, model)
    cid, created = t.new_id("cmpl"), int(time.time())
    if stream:
        up_stream = await gw.pool.open_stream(model, lambda u: u.open_generate(req))

        def to_chunk(obj: Json, first: bool) -> Json:
            return t.ollama_generate_chunk_to_openai(obj, model, cid, created)

        dialect = SSEDialect(to_chunk, "text_completion", include_usage, model, cid, created, "response")
        return relay(gw, ctx, up_stream, dialect)
    resp = await gw.pool.call(model, lambda u: u.generate(req))
    ctx.usage(resp)
    gw.log_content(ctx, req.get("prompt"), resp.get("response"))
    return JSONResponse(t.ollama_generate_to_openai(resp, model, cid, created))


async def embeddings(gw: Gateway, request: Request, ctx: Ctx) -> Response:
    gw.admit(ctx, request)
    req, encoding = t.openai_embed_to_ollama(await gw.body(request))
    await gw.allow(ctx, req["model"])
    resp = await gw.pool.call(req["model"], lambda u: u.embed(req))
    ctx.usage(resp)
    return JSONResponse(t.ollama_embed_to_openai(resp, req["model"], encoding))


async def models(gw: Gateway, request: Request, ctx: Ctx) -> Response:
    ident = gw.admit(ctx, request)
    return JSONResponse(t.ollama_tags_to_openai_models(await tags_for(gw, ident)))


async def model(gw: Gateway, request: Request, ctx: Ctx) -> Response:
    ident = gw.admit(ctx, request)
    name = request.path_params["model"]
    for m in t.ollama_tags_to_openai_models(await tags_for(gw, ident))["data"]:
        if m["id"] == name:
            return JSONResponse(m)
    raise GatewayError(404, f"model {name!r} not found", code="model_not_found", param="model")


ROUTES: list[tuple[str, list[str], Handler]] = [
    ("/v1/chat/completions", ["POST"], chat_completions),
    ("/v1/completions", ["POST"], completions),
    ("/v1/embeddings", ["POST"], embeddings),
    ("/v1/models", ["GET"], models),
    ("/v1/models/{model:path}", ["GET"], model),
]
