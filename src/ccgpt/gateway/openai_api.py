"""OpenAI-compatible routes (/v1/*), for the `openai` client and the many tools built on it.

Streaming is Server-Sent Events: `data: {chunk}` lines, a last chunk carrying finish_reason,
an optional usage chunk (`stream_options.include_usage`), then `data: [DONE]`. An error after
the stream started is sent as `data: {"error": {...}}`, which the `openai` client raises.
"""

from __future__ import annotations

import json
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ccgpt.gateway import translate as t
from ccgpt.gateway.app import ManagedStream
from ccgpt.gateway.errors import GatewayError
from ccgpt.gateway.ollama_api import tags_for


def _sse(obj) -> str:
    return "data: " + json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n\n"


def sse_stream(gw, ctx, stream, to_chunk, usage_obj: str, include_usage: bool, model: str, cid: str, created: int,
               content_key: str):
    ctx.streaming = True

    async def body():
        status = 200
        first = True
        try:
            async for obj in stream:
                text = obj.get("message", {}).get("content") if content_key == "message" else obj.get("response")
                if text:
                    ctx.first_token()
                if obj.get("done"):
                    ctx.usage(obj)
                    if text or first:
                        # content and the finish reason travel in separate chunks, as OpenAI sends them
                        yield _sse(to_chunk({**obj, "done": False}, first))
                        first = False
                    yield _sse(to_chunk({**obj, content_key: {} if content_key == "message" else ""}, first))
                    if include_usage:
                        yield _sse(t.usage_chunk(usage_obj, obj, model, cid, created))
                    break
                if text or first:
                    yield _sse(to_chunk(obj, first))
                    first = False
            yield "data: [DONE]\n\n"
        except GatewayError as exc:
            status = exc.status
            yield _sse({"error": {"message": exc.message, "type": exc.openai_type, "param": None, "code": exc.code}})
        finally:
            await stream.aclose()
            ctx.finish(status)

    async def on_close():
        await stream.aclose()
        ctx.finish(499)

    return ManagedStream(body(), on_close=on_close, media_type="text/event-stream",
                         headers={"cache-control": "no-cache", "x-accel-buffering": "no"})


async def chat_completions(gw, request: Request, ctx) -> Response:
    gw.admit(ctx, request)
    req, stream, include_usage = t.openai_chat_to_ollama(await gw.body(request))
    model = req["model"]
    gw.allow(ctx, model)
    cid, created = t.new_id("chatcmpl"), int(time.time())
    if stream:
        up_stream = await gw.pool.open_stream(model, lambda u: u.open_chat(req))

        def to_chunk(obj, first):
            return t.ollama_chunk_to_openai(obj, model, cid, created, first)

        return sse_stream(gw, ctx, up_stream, to_chunk, "chat.completion.chunk", include_usage, model, cid, created,
                          "message")
    resp = await gw.pool.call(model, lambda u: u.chat(req))
    ctx.usage(resp)
    gw.log_content(ctx, req["messages"][-1:], resp.get("message"))
    return JSONResponse(t.ollama_chat_to_openai(resp, model, cid, created))


async def completions(gw, request: Request, ctx) -> Response:
    gw.admit(ctx, request)
    req, stream, include_usage = t.openai_completion_to_ollama(await gw.body(request))
    model = req["model"]
    gw.allow(ctx, model)
    cid, created = t.new_id("cmpl"), int(time.time())
    if stream:
        up_stream = await gw.pool.open_stream(model, lambda u: u.open_generate(req))

        def to_chunk(obj, first):
            return t.ollama_generate_chunk_to_openai(obj, model, cid, created)

        return sse_stream(gw, ctx, up_stream, to_chunk, "text_completion", include_usage, model, cid, created,
                          "response")
    resp = await gw.pool.call(model, lambda u: u.generate(req))
    ctx.usage(resp)
    gw.log_content(ctx, req.get("prompt"), resp.get("response"))
    return JSONResponse(t.ollama_generate_to_openai(resp, model, cid, created))


async def embeddings(gw, request: Request, ctx) -> Response:
    gw.admit(ctx, request)
    req, encoding = t.openai_embed_to_ollama(await gw.body(request))
    gw.allow(ctx, req["model"])
    resp = await gw.pool.call(req["model"], lambda u: u.embed(req))
    ctx.usage(resp)
    return JSONResponse(t.ollama_embed_to_openai(resp, req["model"], encoding))


async def models(gw, request: Request, ctx) -> Response:
    ident = gw.admit(ctx, request)
    return JSONResponse(t.ollama_tags_to_openai_models(await tags_for(gw, ident)))


async def model(gw, request: Request, ctx) -> Response:
    ident = gw.admit(ctx, request)
    name = request.path_params["model"]
    for m in t.ollama_tags_to_openai_models(await tags_for(gw, ident))["data"]:
        if m["id"] == name:
            return JSONResponse(m)
    raise GatewayError(404, f"model {name!r} not found", code="model_not_found", param="model")


ROUTES = [
    ("/v1/chat/completions", ["POST"], chat_completions),
    ("/v1/completions", ["POST"], completions),
    ("/v1/embeddings", ["POST"], embeddings),
    ("/v1/models", ["GET"], models),
    ("/v1/models/{model:path}", ["GET"], model),
]
