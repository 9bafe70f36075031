"""The interface every upstream implements, in the gateway's internal (Ollama-shaped) dialect.

Requests and answers are Ollama-shaped dicts. A stream is an async iterator of *batches*: every
piece that had arrived when the gateway looked goes out together, so a fast upstream costs one
send per network read, not one per token. A piece keeps the upstream's own NDJSON line (`raw`)
when it came unchanged from an Ollama server, so a relay to an Ollama client can pass it on
without encoding it again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator
from typing import Any

from ccgpt.gateway.errors import GatewayError
from ccgpt.llm.wire.errors import MalformedStream
from ccgpt.llm.wire.ndjson import parse_line

log = logging.getLogger("ccgpt.gateway")

Json = dict[str, Any]


class Piece:
    """One piece of a streamed answer: the Ollama-shaped object, and the upstream's own line when
    it came from an Ollama server (then `obj` is parsed only when something reads it)."""

    __slots__ = ("_obj", "raw", "final")

    def __init__(self, obj: Json | None, raw: bytes | None = None, final: bool | None = None) -> None:
        self._obj = obj
        self.raw = raw
        self.final = bool(obj.get("done")) if final is None and obj is not None else bool(final)

    @property
    def obj(self) -> Json:
        if self._obj is None:
            try:
                self._obj = parse_line(self.raw or b"")
            except MalformedStream as exc:
                raise GatewayError(502, f"upstream sent {exc}", code="upstream_error") from None
        return self._obj


Batch = list[Piece]
Stream = AsyncGenerator[Batch, None]


def norm_model(name: str) -> str:
    """Ollama's own normalisation: a name without a tag means `:latest`."""
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else name + ":latest"


def entry_name(entry: Json) -> str | None:
    name = entry.get("name") or entry.get("model")
    return name if isinstance(name, str) else None


class Upstream:
    kind = "base"

    def __init__(self, name: str, models: list[str] | None = None) -> None:
        self.name = name
        self.configured: set[str] | None = {norm_model(m) for m in models} if models else None
        self.known: set[str] | None = None  # learnt from the upstream's model list
        self.healthy = True  # optimistic until the first check says otherwise
        self.outstanding = 0
        self.last_check = 0.0

    def serves(self, model: str) -> bool | None:
        n = norm_model(model)
        if self.configured is not None:
            return n in self.configured
        if self.known is not None:
            return n in self.known
        return None

    def learn(self, names: list[str | None]) -> None:
        self.known = {norm_model(n) for n in names if isinstance(n, str)}

    async def check(self) -> bool:
        """Refresh health and the model list; never raises."""
        try:
            entries = await self.tags()
            self.learn([entry_name(e) for e in entries])
            self.healthy = True
        except Exception as exc:  # any failure means "not healthy", whatever its type
            if self.healthy:
                log.warning("upstream %s is down: %s", self.name, type(exc).__name__)
            self.healthy = False
        self.last_check = time.monotonic()
        return self.healthy

    async def chat(self, req: Json) -> Json:
        raise NotImplementedError

    async def open_chat(self, req: Json) -> Stream:
        raise NotImplementedError

    async def generate(self, req: Json) -> Json:
        raise NotImplementedError

    async def open_generate(self, req: Json) -> Stream:
        raise NotImplementedError

    async def embed(self, req: Json) -> Json:
        raise GatewayError(400, f"model {req.get('model')!r} on upstream {self.name} does not provide embeddings")

    async def tags(self) -> list[Json]:
        raise NotImplementedError

    async def show(self, req: Json) -> Json:
        raise NotImplementedError

    async def ps(self) -> list[Json]:
        return []

    async def version(self) -> str | None:
        return None

    async def close(self) -> None:
        pass
