"""`ccgpt mcp --http`: the MCP server over streamable HTTP at `/mcp`.

- DNS rebinding: the SDK's protection is switched on explicitly (it is off unless asked for),
  with the loopback names (and the bind address, and `--allow-host` names) as the only Host
  and Origin values accepted; a page that re-points its own name at 127.0.0.1 sends
  `Host: evil.example` and gets 421, a foreign Origin gets 403.
- Keys: on any non-loopback bind every request needs `Authorization: Bearer <key>` with a key
  from `ccgpt keys create` (the gateway's keys, `store/keys.py`); the server refuses to start
  there while no key exists. On loopback a key is required as soon as one exists (as the
  gateway does), so other local users cannot drive the sandbox once you have made one.
- Body limit: requests larger than `MAX_BODY` are refused with 413 before they are parsed.
"""

from __future__ import annotations

import ipaddress
import sys

MAX_BODY = 256 * 1024  # a command is at most 100 KB; nothing an agent sends needs more
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def is_loopback(host: str) -> bool:
    name = host.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def security_settings(bind_host: str, extra_hosts: list[str] | None = None):
    """Host/Origin allow-lists: the loopback names on any port, plus the bind address and
    `--allow-host` names when bound elsewhere."""
    from mcp.server.transport_security import TransportSecuritySettings

    names = list(LOOPBACK_NAMES)
    if not is_loopback(bind_host) and bind_host not in ("0.0.0.0", "::"):
        names.append(f"[{bind_host}]" if ":" in bind_host else bind_host)
    names += list(extra_hosts or [])
    hosts = [f"{n}:*" for n in names] + [n for n in names]
    origins = [f"{scheme}://{n}{port}" for n in names for scheme in ("http", "https") for port in (":*", "")]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts,
                                     allowed_origins=origins)


class KeyCheck:
    """ASGI wrapper: a valid, unrevoked gateway key in `Authorization: Bearer …` when keys are
    required. The key's name is put in the scope for the audit trail (never the key itself)."""

    def __init__(self, app, keystore, *, required: bool):
        self.app, self.keystore, self.required = app, keystore, required

    def _records(self):
        return self.keystore.list(include_revoked=False) if self.keystore is not None else []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        from ccgpt.store.keys import find_key

        records = self._records()
        if self.required or records:
            token = _bearer(scope)
            found = find_key(records, token) if token else None
            if found is None:
                from starlette.responses import JSONResponse

                response = JSONResponse({"error": "a valid API key is required (ccgpt keys create NAME)"},
                                        status_code=401, headers={"WWW-Authenticate": 'Bearer realm="ccgpt"'})
                return await response(scope, receive, send)
            scope["ccgpt.key"] = found.name
        await self.app(scope, receive, send)


def _bearer(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text = value.decode("latin-1")
            if text[:7].lower() == "bearer ":
                return text[7:].strip()
    return None


def build_app(server, *, bind_host: str, keystore, allow_hosts: list[str] | None = None):
    """The Starlette app: `/mcp` behind the key check, the SDK's session manager inside it."""
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
    from starlette.applications import Starlette
    from starlette.routing import Route

    manager = StreamableHTTPSessionManager(app=server, security_settings=security_settings(bind_host, allow_hosts),
                                           max_request_body_size=MAX_BODY)

    async def endpoint(scope, receive, send):
        await manager.handle_request(scope, receive, send)

    guarded = KeyCheck(endpoint, keystore, required=not is_loopback(bind_host))
    return Starlette(routes=[Route("/mcp", endpoint=guarded, methods=["GET", "POST", "DELETE"])],
                     lifespan=lambda app: manager.run())


def serve(server, *, host: str, port: int, keystore, allow_hosts: list[str] | None = None) -> None:
    import uvicorn

    from ccgpt.errors import UsageError

    if not is_loopback(host) and not keystore.list(include_revoked=False):
        raise UsageError(f"refusing to serve MCP on {host}, a non-loopback address, without an API key: "
                         "create one with `ccgpt keys create NAME` (clients send it as a Bearer token)")
    app = build_app(server, bind_host=host, keystore=keystore, allow_hosts=allow_hosts)
    shown = f"[{host}]" if ":" in host else host
    print(f"ccgpt mcp: streamable HTTP on http://{shown}:{port}/mcp", file=sys.stderr, flush=True)
    uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on",
                                  server_header=False)).run()
