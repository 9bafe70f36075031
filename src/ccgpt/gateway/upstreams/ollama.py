"""Ollama servers as upstreams: the native dialect, so requests and answers pass nearly as-is."""

from __future__ import annotations

from typing import Any

import httpx

from ccgpt.gateway.upstreams.base import Batch, Json, Piece, Stream
from ccgpt.gateway.upstreams.http import HTTPUpstream, bad_stream, decoded
from ccgpt.gateway.upstreams.stream_client import StreamResponse
from ccgpt.llm.wire.ndjson import Failed, NDJSONDecoder


class OllamaUpstream(HTTPUpstream):
    kind = "ollama"

    async def chat(self, req: Json) -> Json:
        return await self._json("POST", "/api/chat", {**req, "stream": False})

    async def generate(self, req: Json) -> Json:
        return await self._json("POST", "/api/generate", {**req, "stream": False})

    async def _ndjson(self, path: str, req: Json) -> Stream:
        resp = await self.open_stream(path, {**req, "stream": True})
        return self._pieces(resp)

    async def _pieces(self, resp: StreamResponse) -> Stream:
        batches = decoded(resp, self.name, NDJSONDecoder(lazy=True))
        try:
            async for events in batches:
                out: Batch = []
                for event in events:
                    if isinstance(event, Failed):
                        if out:
                            yield out
                        raise bad_stream(self.name, event.message)
                    out.append(Piece(event.parsed, event.raw, event.final))
                yield out
        finally:
            await batches.aclose()

    async def open_chat(self, req: Json) -> Stream:
        return await self._ndjson("/api/chat", req)

    async def open_generate(self, req: Json) -> Stream:
        return await self._ndjson("/api/generate", req)

    async def embed(self, req: Json) -> Json:
        return await self._json("POST", "/api/embed", req)

    async def tags(self) -> list[Json]:
        return _models(await self._json("GET", "/api/tags"))

    async def show(self, req: Json) -> Json:
        return await self._json("POST", "/api/show", req)

    async def ps(self) -> list[Json]:
        return _models(await self._json("GET", "/api/ps"))

    async def version(self) -> str | None:
        data = await self._json("GET", "/api/version")
        v = data.get("version")
        return v if isinstance(v, str) else None

    async def open_raw(self, method: str, path: str, body: Json | None) -> httpx.Response:
        """Model management (pull, push, create, copy, delete): relayed byte for byte."""
        return await self._open(method, path, body)


def _models(data: dict[str, Any]) -> list[Json]:
    return [m for m in data.get("models") or [] if isinstance(m, dict)]
