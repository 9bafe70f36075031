"""The embedded model (the catalog's configured model through llama.cpp) as an upstream.

The `Backend` is synchronous and llama.cpp's context is not safe to share between threads,
so calls run in Starlette's thread pool one at a time (an asyncio lock queues the rest) and
the event loop stays free for other requests and other upstreams.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ccgpt.gateway.errors import GatewayError
from ccgpt.gateway.translate import now_rfc3339
from ccgpt.gateway.upstreams.base import Json, Piece, Stream, Upstream

if TYPE_CHECKING:
    from ccgpt.llm.base import Chunk, Options

def _default_factory(model_path: str | None, n_ctx: int | None = None, n_threads: int | None = None,
                     model: str | None = None) -> Any:
    from ccgpt.llm.embedded import EmbeddedBackend  # llama.cpp itself is loaded on first use

    return EmbeddedBackend(model_path=model_path or None, n_ctx=n_ctx or 4096, n_threads=n_threads or None,
                           model=model)


def _options(req: Json) -> Options:
    from ccgpt.llm.base import Options

    o = req.get("options") or {}
    n = o.get("num_predict")
    return Options(temperature=o.get("temperature"), top_p=o.get("top_p"),
                   max_tokens=n if isinstance(n, int) and n >= 0 else None,
                   stop=o.get("stop"), seed=o.get("seed"))


def _final(model: str, finish: str | None, prompt: int | None, completion: int | None, started: float,
           key: str) -> Json:
    out: Json = {"model": model, "created_at": now_rfc3339(), "done": True,
                 "done_reason": "length" if finish == "length" else "stop",
                 "total_duration": int((time.perf_counter() - started) * 1e9),
                 "prompt_eval_count": prompt or 0, "eval_count": completion or 0}
    out[key] = {"role": "assistant", "content": ""} if key == "message" else ""
    return out


class EmbeddedUpstream(Upstream):
    kind = "embedded"

    def __init__(self, name: str, *, model_name: str | None = None, factory: Callable[[], Any] | None = None,
                 model_path: str | None = None, n_ctx: int | None = None, n_threads: int | None = None) -> None:
        from ccgpt.llm.embedded import find, selected_name

        # A catalog model answers to the same names as on the command line ("embedded", aliases).
        self.entry = None if model_path else find(model_name or selected_name())
        self.model_name = self.entry.name if self.entry else (model_name or "embedded")
        names = [self.model_name, "embedded"] + (list(self.entry.aliases) if self.entry else [])
        super().__init__(name, names)
        catalog_name = self.entry.name if self.entry else None
        self._factory = factory or (lambda: _default_factory(model_path, n_ctx, n_threads, catalog_name))
        self._backend: Any = None
        self._lock = asyncio.Lock()
        self.model_path = model_path

    async def _get(self) -> Any:
        from starlette.concurrency import run_in_threadpool

        if self._backend is None:
            try:
                self._backend = await run_in_threadpool(self._factory)
            except Exception as exc:  # missing package, unreadable file: the operator's problem
                raise GatewayError(503, f"embedded model unavailable: {type(exc).__name__}: {exc}",
                                   code="upstream_unavailable") from None
        return self._backend

    async def check(self) -> bool:
        self.known = set(self.configured or set())
        self.healthy = True
        return True

    async def _stream(self, make_iter: Callable[[Any], Iterator[Chunk]], key: str) -> Stream:
        backend = await self._get()
        return self._pieces(backend, make_iter, key, time.perf_counter())

    async def _pieces(self, backend: Any, make_iter: Callable[[Any], Iterator[Chunk]], key: str,
                      started: float) -> Stream:
        from starlette.concurrency import iterate_in_threadpool

        async with self._lock:
            it = make_iter(backend)
            try:
                async for chunk in iterate_in_threadpool(it):
                    if chunk.text:
                        body = {"role": "assistant", "content": chunk.text} if key == "message" else chunk.text
                        yield [Piece({"model": self.model_name, "created_at": now_rfc3339(), key: body, "done": False})]
                    if chunk.done:
                        yield [Piece(_final(self.model_name, chunk.finish_reason, chunk.prompt_tokens,
                                            chunk.completion_tokens, started, key))]
                        return
            except GatewayError:
                raise
            except Exception as exc:
                raise GatewayError(502, f"embedded model failed: {type(exc).__name__}", code="upstream_error") from None
            finally:
                close = getattr(it, "close", None)
                if close:
                    close()
        # The embedded backend always ends with a done chunk; one that did not was cut.
        raise GatewayError(502, "embedded model ended the answer early", code="upstream_error")

    @staticmethod
    async def _drain(stream: Stream, key: str) -> Json:
        parts: list[str] = []
        final: Json = {}
        async for batch in stream:
            for piece in batch:
                c = piece.obj
                if c.get("done"):
                    final = c
                else:
                    parts.append(c[key]["content"] if key == "message" else c[key])
        final[key] = {"role": "assistant", "content": "".join(parts)} if key == "message" else "".join(parts)
        return final

    async def open_chat(self, req: Json) -> Stream:
        from ccgpt.llm.base import Message

        msgs = [Message(m["role"] if m["role"] != "tool" else "user", m.get("content", "")) for m in req["messages"]]
        opts = _options(req)
        return await self._stream(lambda b: b.stream_chat(self.model_name, msgs, opts), "message")

    async def open_generate(self, req: Json) -> Stream:
        opts = _options(req)
        prompt, system = req.get("prompt", ""), req.get("system")
        return await self._stream(lambda b: b.stream_generate(self.model_name, prompt, opts, system=system), "response")

    async def chat(self, req: Json) -> Json:
        return await self._drain(await self.open_chat(req), "message")

    async def generate(self, req: Json) -> Json:
        return await self._drain(await self.open_generate(req), "response")

    def _entry(self) -> Json:
        e = self.entry  # the catalog knows the size and kind without assembling or loading anything
        try:
            size = os.path.getsize(self.model_path) if self.model_path else (e.size if e else 0)
        except OSError:
            size = 0
        family = e.family if e else "unknown"
        return {"name": self.model_name, "model": self.model_name, "modified_at": now_rfc3339(), "size": size,
                "digest": f"sha256:{e.sha256}" if e else "",
                "details": {"parent_model": "", "format": "gguf", "family": family, "families": [family],
                            "parameter_size": e.parameter_size if e else "",
                            "quantization_level": e.quantization if e else ""}}

    async def tags(self) -> list[Json]:
        return [self._entry()]

    async def show(self, req: Json) -> Json:
        return {"modelfile": "", "parameters": "", "template": "", "details": self._entry()["details"],
                "model_info": {"general.architecture": self._entry()["details"]["family"]}, "capabilities": ["completion"]}
