"""Streamed answers: one relay for both client dialects, and a response that always cleans up.

The relay reads the upstream's stream in batches (whatever had arrived together), does the
request's bookkeeping for each piece (first-token time, usage, content log) and sends the whole
batch in one write: a fast upstream costs one send per network read, not one per token. For an
Ollama client of an Ollama upstream the upstream's own lines go out as they came (no encoding).
The dialect decides the framing: NDJSON for `/api/*` (an error mid-stream is a last
`{"error": …}` line, as Ollama does), server-sent events for `/v1/*` (`data: {…}` chunks,
`data: [DONE]`; an error is `data: {"error": {…}}`, which the `openai` client raises).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from ccgpt.gateway import translate as t
from ccgpt.gateway.context import Ctx, Gateway
from ccgpt.gateway.errors import GatewayError
from ccgpt.gateway.upstreams.base import Batch, Json, Piece

NDJSON = "application/x-ndjson"


class BatchStream(Protocol):
    def __aiter__(self) -> AsyncIterator[Batch]: ...
    async def aclose(self) -> None: ...


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def text_of(obj: Json, key: str) -> str:
    value = obj.get(key)
    if key == "message":
        value = value.get("content") if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


# How many upstream batches may wait for a slow client before the gateway stops reading the
# upstream (TCP flow control then slows the upstream down): memory stays bounded.
MAX_WAITING = 256


class Coalescer:
    """Reads an upstream stream in its own task; `take()` returns every piece that has arrived
    since the last call, so whatever piled up while the relay was sending goes out in one write.
    On an idle path that is one piece per write (no added latency); under load, many."""

    def __init__(self, stream: BatchStream) -> None:
        self._stream = stream
        self._waiting: list[Batch] = []
        self._arrived = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._ended = False
        self._error: Exception | None = None
        self._task = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        try:
            async for batch in self._stream:
                self._waiting.append(batch)
                self._arrived.set()
                if len(self._waiting) >= MAX_WAITING:
                    self._room.clear()
                    await self._room.wait()
        except Exception as exc:  # delivered to the relay after the pieces that came before it
            self._error = exc
        finally:
            self._ended = True
            self._arrived.set()

    async def take(self) -> Batch | None:
        """The pieces that arrived (at least one), or None at the end of the stream."""
        while not self._waiting:
            if self._ended:
                if self._error is not None:
                    error, self._error = self._error, None
                    raise error
                return None
            self._arrived.clear()
            await self._arrived.wait()
        waiting, self._waiting = self._waiting, []
        self._room.set()
        return waiting[0] if len(waiting) == 1 else [p for batch in waiting for p in batch]

    async def aclose(self) -> None:
        if not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._stream.aclose()


class ManagedStream(StreamingResponse):
    """A streaming response whose cleanup runs even when the client leaves before the first
    byte (then Starlette never starts the body generator, and its `finally` would not run,
    leaking the upstream connection and its in-flight count)."""

    def __init__(self, content: AsyncIterator[bytes], *, on_close: Callable[[], Awaitable[None]],
                 **kw: Any) -> None:
        super().__init__(content, **kw)
        self._on_close = on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._on_close()


class Dialect(Protocol):
    media_type: str
    headers: dict[str, str]
    content_key: str  # "message" (chat) or "response" (generate)

    def encode(self, piece: Piece) -> bytes: ...
    def end(self) -> bytes: ...
    def error(self, exc: GatewayError) -> bytes: ...


class NDJSONDialect:
    media_type = NDJSON

    def __init__(self, content_key: str) -> None:
        self.content_key = content_key
        self.headers: dict[str, str] = {}

    def encode(self, piece: Piece) -> bytes:
        return (piece.raw if piece.raw is not None else dumps(piece.obj)) + b"\n"

    def end(self) -> bytes:
        return b""

    def error(self, exc: GatewayError) -> bytes:
        return dumps({"error": exc.message}) + b"\n"


def sse(obj: Any) -> bytes:
    return b"data: " + dumps(obj) + b"\n\n"


class SSEDialect:
    """OpenAI chunks; content and the finish reason travel in separate chunks, as OpenAI sends them."""

    media_type = "text/event-stream"

    def __init__(self, to_chunk: Callable[[Json, bool], Json], usage_obj: str, include_usage: bool, model: str,
                 cid: str, created: int, content_key: str) -> None:
        self.to_chunk = to_chunk
        self.usage_obj, self.include_usage = usage_obj, include_usage
        self.model, self.cid, self.created = model, cid, created
        self.content_key = content_key
        self.headers = {"cache-control": "no-cache", "x-accel-buffering": "no"}
        self.first = True

    def encode(self, piece: Piece) -> bytes:
        obj = piece.obj
        text = text_of(obj, self.content_key)
        out = b""
        if piece.final:
            if text or self.first:
                out += sse(self.to_chunk({**obj, "done": False}, self.first))
                self.first = False
            out += sse(self.to_chunk({**obj, self.content_key: {} if self.content_key == "message" else ""},
                                     self.first))
            if self.include_usage:
                out += sse(t.usage_chunk(self.usage_obj, obj, self.model, self.cid, self.created))
        elif text or self.first:
            out = sse(self.to_chunk(obj, self.first))
            self.first = False
        return out

    def end(self) -> bytes:
        return b"data: [DONE]\n\n"

    def error(self, exc: GatewayError) -> bytes:
        return sse({"error": {"message": exc.message, "type": exc.openai_type, "param": None, "code": exc.code}})


def relay(gw: Gateway, ctx: Ctx, stream: BatchStream, dialect: Dialect) -> ManagedStream:
    """Relay an upstream stream to the client, timing the first token and counting usage."""
    ctx.streaming = True
    key = dialect.content_key
    parts: list[str] | None = [] if gw.settings.log_content else None

    def account(batch: Batch) -> tuple[bytes, bool]:
        out: list[bytes] = []
        for piece in batch:
            if ctx.first is None or parts is not None:
                text = text_of(piece.obj, key)
                if text:
                    ctx.first_token()
                    if parts is not None:
                        parts.append(text)
            out.append(dialect.encode(piece))
            if piece.final:
                ctx.usage(piece.obj)
                return b"".join(out), True  # nothing after the end of an answer belongs to it
        return b"".join(out), False

    pieces: Coalescer | None = None

    async def body() -> AsyncIterator[bytes]:
        nonlocal pieces
        status = 200
        pieces = Coalescer(stream)
        try:
            while (batch := await pieces.take()) is not None:
                data, ended = account(batch)
                if ended:
                    yield data + dialect.end()
                    return
                if data:
                    yield data
            tail = dialect.end()
            if tail:
                yield tail
        except GatewayError as exc:
            status = exc.status
            yield dialect.error(exc)
        finally:
            await pieces.aclose()
            ctx.finish(status)
            if parts:
                gw.log_content(ctx, "(streamed request)", "".join(parts))

    async def on_close() -> None:
        if pieces is not None:
            await pieces.aclose()
        await stream.aclose()
        ctx.finish(499)  # no-op when the body already finished; 499: the client went away

    return ManagedStream(body(), on_close=on_close, media_type=dialect.media_type, headers=dialect.headers)
