"""A small HTTP/1.1 client for upstream *streams* only, parsed by httptools (llhttp, in C).

Why not httpx here: httpx parses HTTP/1.1 with h11, in pure Python, one event per chunk, and
Ollama and OpenAI-compatible servers send one chunk per token. At tens of thousands of tokens
a second that parser was most of the gateway's cost. Here every network read is parsed at once
and whatever body bytes it held are handed over together, which is also what lets the relay
coalesce. Everything else (model lists, non-streamed answers, model management) stays on httpx.

One connection per stream (`Connection: close`): a stream lasts seconds, a loopback or LAN
connect takes a fraction of a millisecond, and no idle connection can be found dead at reuse,
so nothing is ever sent twice. Backpressure: reading pauses while more than `HIGH_WATER` bytes
wait for the relay. No proxy is ever used (as `trust_env=False` elsewhere).
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any, cast
from urllib.parse import urlsplit

import httptools

from ccgpt.gateway.errors import GatewayError, UpstreamUnavailable

HIGH_WATER = 1024 * 1024


class StreamBroken(Exception):
    """The connection ended or failed before the response did."""


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.status = 0
        self.headers: dict[str, str] = {}
        self._name = b""
        self.body: list[bytes] = []
        self.buffered = 0
        self.paused = False
        self.headers_done = asyncio.Event()
        self.ready = asyncio.Event()  # body bytes, the end, or a failure
        self.complete = False
        self.error: Exception | None = None

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass, but alike

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(StreamBroken(f"invalid HTTP from upstream ({exc})"))
            return
        if self.buffered > HIGH_WATER and not self.paused and self.transport is not None:
            self.transport.pause_reading()
            self.paused = True

    def connection_lost(self, exc: Exception | None) -> None:
        if self.complete:
            return
        framed = "content-length" in self.headers or "chunked" in self.headers.get("transfer-encoding", "")
        if self.status and not framed and exc is None:
            self.on_message_complete()  # a body delimited by the end of the connection
        else:
            self._fail(StreamBroken("the connection closed before the answer ended"))

    # -- httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.headers_done.set()

    def on_body(self, body: bytes) -> None:
        self.body.append(body)
        self.buffered += len(body)
        self.ready.set()

    def on_message_complete(self) -> None:
        self.complete = True
        self.ready.set()
        if self.transport is not None:
            self.transport.close()

    def _fail(self, exc: Exception) -> None:
        if self.error is None and not self.complete:
            self.error = exc
        self.headers_done.set()
        self.ready.set()
        if self.transport is not None:
            self.transport.close()

    def take(self) -> bytes:
        data = b"".join(self.body) if len(self.body) != 1 else self.body[0]
        self.body.clear()
        self.buffered = 0
        self.ready.clear()
        if self.paused and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()
        return data


class StreamResponse:
    """An open streamed response: `status`, `headers`, then `read()` until it returns b""."""

    def __init__(self, proto: _Protocol, name: str, read_timeout: float) -> None:
        self._p = proto
        self._name = name
        self._timeout = read_timeout
        self.status = proto.status
        self.headers = proto.headers

    async def read(self) -> bytes:
        """Every body byte that has arrived (waiting for at least one), b"" at the end."""
        p = self._p
        while not p.body:
            if p.error is not None:
                raise GatewayError(502, f"upstream {self._name}: the stream broke ({p.error})", code="upstream_error")
            if p.complete:
                return b""
            try:
                await asyncio.wait_for(p.ready.wait(), self._timeout)
            except asyncio.TimeoutError:
                raise GatewayError(504, f"upstream {self._name} timed out mid-stream", code="upstream_timeout") from None
            if not p.body:
                p.ready.clear()
        return p.take()

    async def read_all(self, limit: int = 1024 * 1024) -> bytes:
        parts: list[bytes] = []
        size = 0
        while size <= limit and (data := await self.read()):
            parts.append(data)
            size += len(data)
        return b"".join(parts)

    async def aclose(self) -> None:
        if self._p.transport is not None:
            self._p.transport.close()


class StreamClient:
    """Streams from one upstream base URL (`http://host:port/prefix` or https)."""

    def __init__(self, base_url: str, name: str, *, headers: dict[str, str] | None = None,
                 connect_timeout: float = 5.0, read_timeout: float = 300.0) -> None:
        parts = urlsplit(base_url)
        self.name = name
        self.tls = parts.scheme == "https"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.tls else 80)
        self.prefix = parts.path.rstrip("/")
        host_header = parts.netloc.rsplit("@", 1)[-1]
        self.headers = {"host": host_header, "user-agent": "ccgpt-gateway", "accept-encoding": "identity",
                        "connection": "close", **{k.lower(): v for k, v in (headers or {}).items()}}
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._ssl: ssl.SSLContext | None = ssl.create_default_context() if self.tls else None

    def _request(self, method: str, path: str, body: bytes) -> bytes:
        head = [f"{method} {self.prefix}{path} HTTP/1.1"]
        head += [f"{k}: {v}" for k, v in self.headers.items()]
        head += ["content-type: application/json", f"content-length: {len(body)}"]
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body

    async def open(self, method: str, path: str, body: bytes) -> StreamResponse:
        """Connect, send, wait for the status line and headers. A failure to connect is
        UpstreamUnavailable (nothing was sent: the pool may fail over)."""
        loop = asyncio.get_running_loop()
        kw: dict[str, Any] = {"ssl": self._ssl, "server_hostname": self.host} if self._ssl else {}
        try:
            _, proto = await asyncio.wait_for(
                loop.create_connection(_Protocol, self.host, self.port, **kw), self.connect_timeout)
        except (OSError, asyncio.TimeoutError) as exc:
            raise UpstreamUnavailable(f"{self.name}: {type(exc).__name__}") from None
        assert proto.transport is not None
        proto.transport.write(self._request(method, path, body))
        try:
            await asyncio.wait_for(proto.headers_done.wait(), self.read_timeout)
        except asyncio.TimeoutError:
            proto.transport.close()
            raise GatewayError(504, f"upstream {self.name} timed out", code="upstream_timeout") from None
        if proto.error is not None:
            raise GatewayError(502, f"upstream {self.name} failed: {proto.error}", code="upstream_error")
        return StreamResponse(proto, self.name, self.read_timeout)
