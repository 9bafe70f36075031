"""The model list as one key may see it, shared by `/api/tags` and `/v1/models`."""

from __future__ import annotations

from ccgpt.gateway.auth import Identity
from ccgpt.gateway.context import Gateway
from ccgpt.gateway.upstreams.base import Json, Upstream, entry_name


async def _tags(up: Upstream) -> list[Json]:
    return await up.tags()


async def tags_for(gw: Gateway, ident: Identity) -> list[Json]:
    """Every model of every healthy upstream, once, as far as this key may see it."""
    seen: set[str] = set()
    out: list[Json] = []
    for up, entries in await gw.pool.gather(_tags):
        up.learn([entry_name(e) for e in entries])
        for e in entries:
            name = entry_name(e)
            if name is not None and name not in seen and ident.may_use(name):
                seen.add(name)
                out.append(e)
    return out
