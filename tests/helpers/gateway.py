"""Gateway test helpers: real gateways under uvicorn on loopback ports, and httpx clients
for them. Imported as `tests.helpers.gateway` (the gateway tests' conftest holds only fixtures)."""

from __future__ import annotations

import socket
import threading
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerThread:
    """uvicorn serving an ASGI app on 127.0.0.1:<free port> in a background thread."""

    def __init__(self, app, port: int | None = None, host: str = "127.0.0.1"):
        import uvicorn

        self.port = port or free_port()
        self.host = host
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning", access_log=False,
                                lifespan="on", timeout_keep_alive=30)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("gateway did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


def gateway(specs, *, store=None, **settings_kw):
    from ccgpt.gateway.app import Settings, create_gateway
    from ccgpt.store.keys import KeyStore

    ks = KeyStore(store) if store is not None else None
    settings = Settings(**settings_kw)
    gw, app = create_gateway(specs, keystore=ks, settings=settings, connect_timeout=2, read_timeout=30,
                             health_interval=0)
    return gw, app


def client(base: str, key: str | None = None, headers: dict | None = None, **kw) -> httpx.Client:
    headers = {**({"authorization": f"Bearer {key}"} if key else {}), **(headers or {})}
    return httpx.Client(base_url=base, headers=headers, timeout=30, trust_env=False, **kw)
