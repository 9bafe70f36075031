"""What the two HTTP kinds of upstream share: a pooled client, error mapping, stream reading.

One pooled `httpx.AsyncClient` per upstream keeps connections alive, which is most of what
keeps the gateway's added latency under a millisecond. The client's own Authorization header
is never forwarded: requests to upstreams are built afresh, with the upstream's own key.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Protocol, TypeVar

import httpx

from ccgpt.gateway.errors import GatewayError, UpstreamUnavailable
from ccgpt.gateway.upstreams.base import Json, Upstream
from ccgpt.gateway.upstreams.stream_client import StreamClient, StreamResponse
from ccgpt.llm.wire.errors import IncompleteStream, WireError

_CONNECT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout)
E = TypeVar("E")


class Decoder(Protocol[E]):
    def feed(self, data: bytes) -> list[E]: ...
    def close(self) -> list[E]: ...


def _error_message(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return body[:200].decode("utf-8", "replace").strip() or "no details"
    err = data.get("error") if isinstance(data, dict) else None
    if isinstance(err, dict):
        err = err.get("message")
    return str(err)[:500] if err else "no details"


def upstream_status(name: str, status: int, body: bytes) -> GatewayError:
    msg = _error_message(body)
    if 400 <= status < 500 and status != 401 and status != 403:
        # The client's mistake as the upstream judged it (unknown model, bad option): pass it on.
        return GatewayError(status, msg)
    # Upstream auth failures and 5xx are the gateway operator's problem, not the client's.
    return GatewayError(502, f"upstream {name} answered {status}: {msg}", code="upstream_error")


def bad_stream(name: str, message: str) -> GatewayError:
    return GatewayError(502, f"upstream {name}: {message}", code="upstream_error")


async def decoded(resp: StreamResponse, name: str, decoder: Decoder[E], hint: str = "") -> AsyncGenerator[list[E], None]:
    """The events of a streamed body, one list per network read (what had arrived together).
    Closes the response when done, failed or closed."""
    try:
        while data := await resp.read():
            events = decoder.feed(data)
            if events:
                yield events
        events = decoder.close()
        if events:
            yield events
    except IncompleteStream as exc:
        raise bad_stream(name, f"{exc}{hint}") from None
    except WireError as exc:
        raise bad_stream(name, f"sent {exc}") from None
    finally:
        await resp.aclose()


class HTTPUpstream(Upstream):
    def __init__(self, name: str, url: str, *, models: list[str] | None = None, headers: dict[str, str] | None = None,
                 connect_timeout: float = 5.0, read_timeout: float = 300.0) -> None:
        super().__init__(name, models)
        self.url = url.rstrip("/")
        self.client = httpx.AsyncClient(
            base_url=self.url,
            headers=headers or {},
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout, pool=read_timeout),
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64, keepalive_expiry=30),
            trust_env=False,  # never route loopback traffic through a proxy from the environment
        )
        self.streams = StreamClient(self.url, name, headers=headers, connect_timeout=connect_timeout,
                                    read_timeout=read_timeout)

    async def close(self) -> None:
        await self.client.aclose()

    def _mapped(self, exc: Exception) -> Exception:
        """An httpx failure as the gateway reports it: connection errors trigger failover
        (UpstreamUnavailable), a timeout is a 504, anything else a 502."""
        if isinstance(exc, _CONNECT_ERRORS):
            return UpstreamUnavailable(f"{self.name}: {type(exc).__name__}")
        if isinstance(exc, httpx.TimeoutException):
            return GatewayError(504, f"upstream {self.name} timed out", code="upstream_timeout")
        return GatewayError(502, f"upstream {self.name} failed: {type(exc).__name__}", code="upstream_error")

    async def _json(self, method: str, path: str, body: Json | None = None) -> Json:
        try:
            if body is None:
                resp = await self.client.request(method, path)
            else:
                resp = await self.client.request(method, path, content=json.dumps(body),
                                                 headers={"content-type": "application/json"})
        except httpx.HTTPError as exc:
            raise self._mapped(exc) from None
        if resp.status_code >= 400:
            raise upstream_status(self.name, resp.status_code, resp.content)
        try:
            data = json.loads(resp.content)
        except ValueError:
            raise GatewayError(502, f"upstream {self.name} sent invalid JSON", code="upstream_error") from None
        if not isinstance(data, dict):
            raise GatewayError(502, f"upstream {self.name} sent an unexpected answer", code="upstream_error")
        return data

    async def send(self, method: str, path: str, body: Json | None) -> httpx.Response:
        """Send and wait for the status line only, whatever the status; the caller reads the body."""
        content = json.dumps(body) if body is not None else None
        headers = {"content-type": "application/json"} if body is not None else None
        req = self.client.build_request(method, path, content=content, headers=headers)
        try:
            return await self.client.send(req, stream=True)
        except httpx.HTTPError as exc:
            raise self._mapped(exc) from None

    async def send_stream(self, path: str, body: Json) -> StreamResponse:
        """POST a streamed request (`stream_client.py`); the caller checks the status."""
        return await self.streams.open("POST", path, json.dumps(body).encode())

    async def open_stream(self, path: str, body: Json) -> StreamResponse:
        """As send_stream, but an HTTP error status becomes the GatewayError it means."""
        resp = await self.send_stream(path, body)
        if resp.status >= 400:
            raw = await resp.read_all()
            await resp.aclose()
            raise upstream_status(self.name, resp.status, raw)
        return resp

    async def _open(self, method: str, path: str, body: Json | None) -> httpx.Response:
        """As send, but an HTTP error status becomes the GatewayError it means."""
        resp = await self.send(method, path, body)
        if resp.status_code >= 400:
            raw = await resp.aread()
            await resp.aclose()
            raise upstream_status(self.name, resp.status_code, raw)
        return resp
