"""Keeping every replica's view of the keys current.

- A SQLite store is probed on each request (`auth.py`); nothing to do here.
- A PostgreSQL store is re-read every `interval` seconds (0.5: a revocation reaches every
  replica within a second even without Redis).
- With Redis, `ccgpt keys create|revoke` publishes on `CHANNEL` and every replica re-reads at
  once. The subscription reconnects by itself when Redis comes back.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ccgpt.gateway.auth import Authenticator

log = logging.getLogger("ccgpt.gateway")
CHANNEL = "ccgpt:keys"


async def _reload(auth: Authenticator) -> None:
    try:
        await asyncio.to_thread(auth.refresh)
    except Exception as exc:  # the store is down: keep the last known keys, say so
        log.warning("key store unreachable (%s); using the keys read last", type(exc).__name__)


async def poll(auth: Authenticator, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        await _reload(auth)


async def listen(auth: Authenticator, client: Any, *, retry: float = 1.0) -> None:
    """Re-read the keys whenever a change is published; resubscribe after a Redis outage."""
    while True:
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(CHANNEL)
            while True:
                msg = await pubsub.get_message(timeout=1.0)
                if msg is not None:
                    if getattr(auth.keystore, "local", True):
                        auth.invalidate()  # SQLite: the next request would re-read anyway
                    else:
                        await _reload(auth)
        except asyncio.CancelledError:
            raise
        except Exception:  # Redis went away: try again shortly
            await asyncio.sleep(retry)
        finally:
            try:
                await pubsub.aclose()
            except Exception:
                pass


def publish_change(redis_url: str, what: str) -> bool:
    """Tell every replica that keys changed (from `ccgpt keys`). False when Redis is unreachable:
    the replicas still see the change within a second by polling."""
    try:
        import redis

        client = redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
        try:
            client.publish(CHANNEL, what)
        finally:
            client.close()
        return True
    except Exception:
        return False
