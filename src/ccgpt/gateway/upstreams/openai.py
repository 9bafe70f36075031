"""OpenAI-compatible servers as upstreams (vLLM, llama.cpp's server, llama-cpp-python's server…).

`url` is the API base (…/v1). Requests are translated from the internal Ollama shape and
answers back (`openai_translate.py`); streams are read with the shared SSE parser
(`ccgpt.llm.wire.sse`), as the synchronous `OpenAIBackend` reads them.
"""

from __future__ import annotations

import time

from ccgpt.gateway.errors import GatewayError
from ccgpt.gateway.upstreams import openai_translate as ot
from ccgpt.gateway.upstreams.base import Batch, Json, Piece, Stream
from ccgpt.gateway.upstreams.http import HTTPUpstream, bad_stream, decoded, upstream_status
from ccgpt.gateway.upstreams.stream_client import StreamResponse
from ccgpt.llm.wire.sse import End, OpenAIStreamDecoder, Text, rejects_stream_options

_CUT_HINT = ("; llama-cpp-python's server does that to a running stream when another request arrives "
             "unless started with --interrupt_requests false")


class OpenAIUpstream(HTTPUpstream):
    kind = "openai"

    def __init__(self, name: str, url: str, *, api_key: str | None = None, models: list[str] | None = None,
                 connect_timeout: float = 5.0, read_timeout: float = 300.0) -> None:
        headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
        super().__init__(name, url, models=models, headers=headers, connect_timeout=connect_timeout,
                         read_timeout=read_timeout)
        self.send_stream_options = True  # until the server refuses it once

    async def chat(self, req: Json) -> Json:
        started = time.perf_counter_ns()
        body = ot.to_openai_chat_request({**req, "stream": False})
        return ot.from_openai_chat(await self._json("POST", "/chat/completions", body), req["model"], started)

    async def generate(self, req: Json) -> Json:
        started = time.perf_counter_ns()
        if req.get("raw") or req.get("suffix"):
            body = ot.to_openai_completion_request({**req, "stream": False})
            return ot.from_openai_completion(await self._json("POST", "/completions", body), req["model"], started)
        chat = await self.chat(ot.generate_as_chat(req))
        msg = chat.pop("message", {})
        return {**chat, "response": msg.get("content", "")}

    async def _open_sse(self, path: str, body: Json) -> StreamResponse:
        """Open a stream; a server that refuses `stream_options` gets the request again without
        it, and never again (as `OpenAIBackend` does)."""
        if not self.send_stream_options:
            body = {k: v for k, v in body.items() if k != "stream_options"}
        resp = await self.send_stream(path, body)
        if resp.status < 400:
            return resp
        raw = await resp.read_all()
        await resp.aclose()
        if "stream_options" in body and rejects_stream_options(resp.status, raw):
            self.send_stream_options = False
            return await self._open_sse(path, body)
        raise upstream_status(self.name, resp.status, raw)

    async def _sse(self, path: str, body: Json, model: str, generate: bool) -> Stream:
        started = time.perf_counter_ns()
        resp = await self._open_sse(path, body)
        return self._pieces(resp, model, generate, started)

    async def _pieces(self, resp: StreamResponse, model: str, generate: bool, started: int) -> Stream:
        batches = decoded(resp, self.name, OpenAIStreamDecoder(), hint=_CUT_HINT)
        try:
            async for events in batches:
                out: Batch = []
                for event in events:
                    if isinstance(event, Text):
                        out.append(Piece(ot.text_piece(model, event.text, generate)))
                    elif isinstance(event, End):
                        out.append(Piece(ot.final_piece(model, event, generate, started)))
                    else:
                        if out:
                            yield out
                        raise bad_stream(self.name, event.message)
                yield out
        finally:
            await batches.aclose()

    async def open_chat(self, req: Json) -> Stream:
        body = ot.to_openai_chat_request({**req, "stream": True})
        return await self._sse("/chat/completions", body, req["model"], generate=False)

    async def open_generate(self, req: Json) -> Stream:
        if req.get("raw") or req.get("suffix"):
            body = ot.to_openai_completion_request({**req, "stream": True})
            return await self._sse("/completions", body, req["model"], generate=True)
        body = ot.to_openai_chat_request({**ot.generate_as_chat(req), "stream": True})
        return _as_generate(await self._sse("/chat/completions", body, req["model"], generate=False))

    async def embed(self, req: Json) -> Json:
        body = {"model": req["model"], "input": req["input"]}
        if req.get("dimensions"):
            body["dimensions"] = req["dimensions"]
        data = await self._json("POST", "/embeddings", body)
        rows = sorted((d for d in data.get("data") or [] if isinstance(d, dict)), key=lambda d: d.get("index", 0))
        usage = data.get("usage") or {}
        return {"model": req["model"], "embeddings": [d.get("embedding") for d in rows],
                "prompt_eval_count": int(usage.get("prompt_tokens") or 0)}

    async def tags(self) -> list[Json]:
        data = await self._json("GET", "/models")
        out = []
        for m in data.get("data") or []:
            if isinstance(m, dict) and isinstance(m.get("id"), str):
                ts = m.get("created") if isinstance(m.get("created"), int) else int(time.time())
                when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
                out.append({"name": m["id"], "model": m["id"], "modified_at": when, "size": 0, "digest": "",
                            "details": {"format": "", "family": "", "parameter_size": "", "quantization_level": ""}})
        return out

    async def show(self, req: Json) -> Json:
        name = req.get("model") or req.get("name")
        for m in await self.tags():
            if m["name"] == name:
                return {"modelfile": "", "parameters": "", "template": "", "details": m["details"],
                        "model_info": {}, "capabilities": ["completion"]}
        raise GatewayError(404, f'model "{name}" not found')


async def _as_generate(stream: Stream) -> Stream:
    """A chat stream as /api/generate pieces (`message.content` -> `response`)."""
    try:
        async for batch in stream:
            for piece in batch:
                msg = piece.obj.pop("message", {})
                piece.obj["response"] = msg.get("content", "")
            yield batch
    finally:
        await stream.aclose()
