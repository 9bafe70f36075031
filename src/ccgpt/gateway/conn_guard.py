"""Connection-level defences, before a request exists (and so before authentication).

- Header timeout: a connection must finish its request headers within `header_timeout` seconds
  of opening (and of each keep-alive answer), else it is closed. Without it, clients that send
  headers one byte at a time ("slowloris") hold connections for as long as they like: twenty
  of them held all of a small `max_connections` for 40 s.
- Per-client cap: one client address holds at most `per_client` connections at once; more are
  closed on arrival. Behind a load balancer every connection comes from its address: raise the
  cap there (0 turns it off).

Built as a subclass of uvicorn's own HTTP protocol (uvicorn takes a protocol class as `http`), so
the check costs one counter per connection and a scan of header bytes only.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any

log = logging.getLogger("ccgpt.gateway")


def guarded_protocol(header_timeout: float, per_client: int) -> type:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as Base
    except ImportError:  # uvicorn without httptools
        from uvicorn.protocols.http.h11_impl import H11Protocol as Base  # type: ignore[assignment]

    open_per_client: Counter[str] = Counter()

    class Guarded(Base):
        _peer = ""
        _accepted = False
        _header_timer: asyncio.TimerHandle | None = None
        _tail = b""

        def connection_made(self, transport: Any) -> None:
            peer = transport.get_extra_info("peername")
            self._peer = str(peer[0]) if isinstance(peer, tuple) and peer else ""
            if per_client and open_per_client[self._peer] >= per_client:
                log.warning("connection refused: %d connections from one client already", per_client)
                transport.close()
                return
            open_per_client[self._peer] += 1
            self._accepted = True
            super().connection_made(transport)
            self._arm()

        def _arm(self) -> None:
            self._tail = b""
            if header_timeout > 0:
                self._header_timer = self.loop.call_later(header_timeout, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if self.transport is not None and not self.transport.is_closing():
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            if not self._accepted:
                return
            if self._header_timer is not None:
                seen = self._tail + data
                if b"\r\n\r\n" in seen:
                    self._disarm()
                else:
                    self._tail = seen[-3:]
            super().data_received(data)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self.transport is not None and not self.transport.is_closing():
                self._disarm()
                self._arm()  # the next request on this connection gets the same budget

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if not self._accepted:
                return
            self._accepted = False
            open_per_client[self._peer] -= 1
            if open_per_client[self._peer] <= 0:
                del open_per_client[self._peer]
            super().connection_lost(exc)

    return Guarded
