"""Transport-level defences, as one plain ASGI middleware (no per-request task overhead).

- Host check against DNS rebinding: a web page on evil.example can make a browser resolve
  its own name to 127.0.0.1 and talk to a loopback service "same-origin". Such requests carry
  `Host: evil.example`, so on loopback only loopback names (and configured ones) are accepted,
  as Ollama does.
- CORS allow-list, never `*`: a request whose Origin is not listed is refused outright (403),
  not merely left unreadable. Browsers send "simple" cross-origin POSTs without a preflight,
  and the side effect (a prompt run on your GPU, a model deleted) would already have happened.
- Body size limit: Content-Length is checked first and the streamed body is counted, so a
  chunked upload cannot exceed the limit either.
"""

from __future__ import annotations

import ipaddress
import json
import socket

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_ALLOWED_HEADERS = b"authorization, content-type, x-ccgpt-upstream, openai-organization, openai-project, x-stainless-os, x-stainless-lang, x-stainless-package-version, x-stainless-runtime, x-stainless-runtime-version, x-stainless-arch, x-stainless-retry-count, x-stainless-timeout, x-stainless-read-timeout"


def host_name(host: str) -> str:
    """`Host` header value -> bare lower-case name (port and IPv6 brackets removed)."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end > 0 else host
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def is_loopback_name(name: str) -> bool:
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_loopback_bind(host: str) -> bool:
    return is_loopback_name(host_name(host) if not host.startswith("[") else host.strip("[]"))


def default_allowed_hosts(bind_host: str) -> set[str] | None:
    """Host names accepted in the Host header; None means any (a non-loopback bind, where keys
    are required anyway and the server's public names are not known in advance)."""
    if not is_loopback_bind(bind_host):
        return None
    names = {"localhost", "127.0.0.1", "::1"}
    try:
        names.add(socket.gethostname().lower())
    except OSError:
        pass
    return names


def _json_error(path: str, status: int, message: str) -> bytes:
    if path.startswith("/v1/"):
        kind = {403: "permission_error", 413: "invalid_request_error", 400: "invalid_request_error"}.get(status, "invalid_request_error")
        return json.dumps({"error": {"message": message, "type": kind, "param": None, "code": None}}).encode()
    return json.dumps({"error": message}).encode()


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, *, allowed_hosts: set[str] | None, cors_origins: list[str] | set[str],
                 max_body: int) -> None:
        self.app = app
        self.allowed_hosts = {h.lower() for h in allowed_hosts} if allowed_hosts is not None else None
        # "*" is never honoured: an allow-list of every origin is no allow-list.
        self.origins = {o.rstrip("/").lower() for o in cors_origins if o and o != "*"}
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        host = origin = clen = None
        for k, v in scope["headers"]:
            if k == b"host":
                host = v
            elif k == b"origin":
                origin = v
            elif k == b"content-length":
                clen = v

        if self.allowed_hosts is not None and host is not None:
            name = host_name(host.decode("latin-1"))
            if name not in self.allowed_hosts and not is_loopback_name(name):
                return await _reply(send, path, 403, "host not allowed (DNS rebinding protection); "
                                    "add it to [ccgpt.gateway] allowed_hosts")

        allowed_origin = None
        if origin is not None:
            o = origin.decode("latin-1").rstrip("/").lower()
            if o not in self.origins:
                return await _reply(send, path, 403, "origin not allowed (CORS); add it to [ccgpt.gateway] cors_origins")
            allowed_origin = origin
            if scope["method"] == "OPTIONS":
                return await _preflight(send, origin)

        if scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            if clen is not None:
                try:
                    n = int(clen)
                except ValueError:
                    return await _reply(send, path, 400, "invalid Content-Length")
                if n > self.max_body:
                    return await _reply(send, path, 413, f"request body larger than {self.max_body // 1024} KB")
            body, ok = await _read_limited(receive, self.max_body)
            if not ok:
                return await _reply(send, path, 413, f"request body larger than {self.max_body // 1024} KB")
            receive = _replay(body, receive)

        if allowed_origin is not None:
            send = _with_cors(send, allowed_origin)
        return await self.app(scope, receive, send)


async def _read_limited(receive: Receive, limit: int) -> tuple[bytes, bool]:
    parts: list[bytes] = []
    size = 0
    while True:
        msg = await receive()
        if msg["type"] == "http.disconnect":
            return b"", True
        chunk = msg.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", False
        parts.append(chunk)
        if not msg.get("more_body", False):
            return b"".join(parts), True


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later calls: wait for the disconnect, as Starlette expects

    return replay


def _with_cors(send: Send, origin: bytes) -> Send:
    async def wrapped(msg: Message) -> None:
        if msg["type"] == "http.response.start":
            headers = list(msg.get("headers", []))
            headers += [(b"access-control-allow-origin", origin), (b"vary", b"Origin"),
                        (b"access-control-expose-headers", b"retry-after")]
            msg = {**msg, "headers": headers}
        await send(msg)

    return wrapped


async def _preflight(send: Send, origin: bytes) -> None:
    await send({"type": "http.response.start", "status": 204, "headers": [
        (b"access-control-allow-origin", origin), (b"vary", b"Origin"),
        (b"access-control-allow-methods", b"GET, POST, DELETE, OPTIONS"),
        (b"access-control-allow-headers", _ALLOWED_HEADERS),
        (b"access-control-max-age", b"600"), (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


async def _reply(send: Send, path: str, status: int, message: str) -> None:
    body = _json_error(path, status, message)
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
