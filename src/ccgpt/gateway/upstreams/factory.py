"""Upstream objects from `[[ccgpt.gateway.upstreams]]`-shaped dicts (validated by the CLI)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ccgpt.gateway.upstreams.base import Upstream
from ccgpt.gateway.upstreams.ollama import OllamaUpstream
from ccgpt.gateway.upstreams.openai import OpenAIUpstream


def build_upstreams(specs: list[dict[str, Any]], *, connect_timeout: float, read_timeout: float,
                    embedded_factory: Callable[[], Any] | None = None) -> list[Upstream]:
    out: list[Upstream] = []
    for i, s in enumerate(specs):
        kind = s.get("kind", "ollama")
        name = s.get("name") or f"{kind}-{i + 1}"
        models = s.get("models") or None
        if kind == "ollama":
            out.append(OllamaUpstream(name, s["url"], models=models, connect_timeout=connect_timeout,
                                      read_timeout=read_timeout))
        elif kind == "openai":
            out.append(OpenAIUpstream(name, s["url"], api_key=s.get("api_key") or None, models=models,
                                      connect_timeout=connect_timeout, read_timeout=read_timeout))
        elif kind == "embedded":
            from ccgpt.gateway.upstreams.embedded import EmbeddedUpstream

            out.append(EmbeddedUpstream(name, model_name=s.get("model") or None, factory=embedded_factory,
                                        model_path=s.get("model_path") or None,
                                        n_ctx=s.get("n_ctx") or None, n_threads=s.get("n_threads") or None))
        else:
            raise ValueError(f"unknown upstream kind {kind!r} (use ollama, openai or embedded)")
    return out
