"""Per-key limits shared by every replica, in Redis: one atomic script, one round trip a request.

The buckets are those of `limits.py` (capacity per minute, continuous refill), kept in one Redis
hash per key and kind, with Redis's own clock (`TIME`), so replicas with skewed clocks agree.
`admit` runs one Lua script that refills, checks the token bucket, and takes one request, all
atomically: two replicas cannot both take the last unit. Token charges (known when an answer
ends) are sent without waiting for them.

When Redis cannot be reached, a key with limits is refused with a 503 that says so (or
admitted, with `redis_fail_open = true`); keys without limits never touch Redis. redis-py
reconnects by itself on the next command; the outage is logged once, and its end once.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Any

from ccgpt.errors import ConfigError
from ccgpt.gateway.errors import GatewayError

log = logging.getLogger("ccgpt.gateway")

# KEYS: request bucket, token bucket. ARGV: rpm, tpm (0 = no such limit).
# Returns "0" to admit, else the seconds to wait (a string: Lua numbers would be truncated).
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local function level(key, cap)
  local v = redis.call('HMGET', key, 'l', 's')
  local l, s = tonumber(v[1]), tonumber(v[2])
  if l == nil or s == nil then return cap end
  if now > s then l = math.min(cap, l + (now - s) * cap / 60) end
  return l
end
local rpm, tpm = tonumber(ARGV[1]), tonumber(ARGV[2])
if tpm > 0 then
  local tl = level(KEYS[2], tpm)
  if tl <= 0 then return tostring(-tl / (tpm / 60) + 0.001) end
end
if rpm > 0 then
  local rl = level(KEYS[1], rpm)
  if rl < 1 then return tostring((1 - rl) / (rpm / 60)) end
  redis.call('HSET', KEYS[1], 'l', tostring(rl - 1), 's', tostring(now))
  redis.call('EXPIRE', KEYS[1], 120)
end
return '0'
"""

# KEYS: token bucket. ARGV: tpm, tokens.
_CHARGE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local cap, n = tonumber(ARGV[1]), tonumber(ARGV[2])
local v = redis.call('HMGET', KEYS[1], 'l', 's')
local l, s = tonumber(v[1]), tonumber(v[2])
if l == nil or s == nil then l = cap elseif now > s then l = math.min(cap, l + (now - s) * cap / 60) end
l = l - n
redis.call('HSET', KEYS[1], 'l', tostring(l), 's', tostring(now))
redis.call('EXPIRE', KEYS[1], 60 + math.ceil((cap - l) / (cap / 60)))
return 1
"""


def connect(url: str, timeout: float = 0.5) -> Any:
    """An asyncio Redis client with short timeouts: an unreachable Redis must cost a request
    half a second at most, not a hang."""
    try:
        import redis.asyncio as aioredis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff
    except ImportError:
        raise ConfigError("redis_url needs redis-py: pip install 'codexcontinue[team]'") from None
    # A blocking pool: under a burst, requests wait (up to the timeout) for one of the 64
    # connections instead of failing at once with "too many connections".
    pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=64, timeout=timeout,
                                                    socket_timeout=timeout, socket_connect_timeout=timeout,
                                                    health_check_interval=10)
    # No retries: redis-py would otherwise retry a dead server three times per request.
    return aioredis.Redis(connection_pool=pool, retry=Retry(NoBackoff(), 0))


class RedisLimiter:
    def __init__(self, client: Any, *, fail_open: bool = False, prefix: str = "ccgpt:limit:") -> None:
        self.client = client
        self.fail_open = fail_open
        self.prefix = prefix
        self._admit = client.register_script(_ADMIT)
        self._charge = client.register_script(_CHARGE)
        self._down = False
        self._pending: set[asyncio.Task[None]] = set()

    def _keys(self, name: str) -> list[str]:
        return [f"{self.prefix}{name}:req", f"{self.prefix}{name}:tok"]

    def _failed(self, exc: Exception) -> None:
        if not self._down:
            self._down = True
            log.warning("Redis unreachable (%s): keys with limits get %s", type(exc).__name__,
                        "admitted unlimited" if self.fail_open else "503")

    def _ok(self) -> None:
        if self._down:
            self._down = False
            log.warning("Redis reachable again: shared limits enforced")

    async def admit(self, name: str, rpm: int | None, tpm: int | None) -> int:
        from redis.exceptions import RedisError

        try:
            wait = float(await self._admit(keys=self._keys(name), args=[rpm or 0, tpm or 0]))
        except (RedisError, OSError) as exc:
            self._failed(exc)
            if self.fail_open:
                return 0
            raise GatewayError(503, "rate limits are unavailable (the gateway cannot reach Redis); retry shortly",
                               code="limits_unavailable", headers={"Retry-After": "1"}) from None
        self._ok()
        return 0 if wait <= 0 else max(1, math.ceil(wait))

    def charge_tokens(self, name: str, tpm: int | None, tokens: int) -> None:
        if not tpm or tokens <= 0:
            return
        task = asyncio.get_running_loop().create_task(self._send_charge(name, tpm, tokens))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _send_charge(self, name: str, tpm: int, tokens: int) -> None:
        from redis.exceptions import RedisError

        try:
            await self._charge(keys=self._keys(name)[1:], args=[tpm, tokens])
        except (RedisError, OSError) as exc:  # a lost charge only makes a limit a little lenient
            self._failed(exc)

    async def close(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        await self.client.aclose()
