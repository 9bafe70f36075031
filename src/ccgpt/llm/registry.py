"""Build the configured backend and pick the model: `resolve_backend(cfg, args, task)`.

Rules, in order:
- `--backend` chooses the backend; it is then used as is (no silent fallback: the user asked).
- Otherwise `[ccgpt] backend` from the config; when that server does not answer and
  `fallback_to_embedded` is on, say so on stderr and use the embedded model.
- `-m/--model` always wins; else `[ccgpt.models] <task>`; for Ollama, a DB-GPT
  `[[models.llms]]` entry's name is the default when the task table has none.
"""

from __future__ import annotations

import os
import sys

from ccgpt.errors import ConfigError, UsageError
from ccgpt.llm.base import Backend

EMBEDDED_ALIASES = ("embedded",)  # "whichever embedded model is configured"


def _ollama_llm(cfg) -> dict | None:
    for entry in cfg.llms:
        if isinstance(entry, dict) and str(entry.get("provider", "")).endswith("ollama"):
            return entry
    return None


def ollama_base_url(cfg) -> str:
    """Config `api_base` of the first proxy/ollama model, else OLLAMA_HOST, else the default."""
    from ccgpt.llm.ollama_host import parse_ollama_host

    entry = _ollama_llm(cfg)
    configured = (entry or {}).get("api_base") or os.environ.get("OLLAMA_HOST") or ""
    return parse_ollama_host(configured)


def make_backend(cfg, name: str, model: str | None = None) -> Backend:
    """`model` picks an embedded catalog model (None: `[ccgpt.embedded] model` or the default)."""
    timeouts = cfg.section("timeouts")
    connect = float(timeouts.get("connect", 5))
    read = float(timeouts.get("read", 300))
    if name == "ollama":
        from ccgpt.llm.ollama import OllamaBackend

        return OllamaBackend(ollama_base_url(cfg), timeout_connect=connect, timeout_read=read)
    if name == "openai":
        from ccgpt.llm.openai_compat import OpenAIBackend

        section = cfg.section("openai")
        key_env = section.get("api_key_env") or "OPENAI_API_KEY"
        return OpenAIBackend(
            section.get("api_base") or "http://127.0.0.1:8080/v1",
            api_key=os.environ.get(key_env) or None,
            timeout_connect=connect,
            timeout_read=read,
            extra_body=section.get("extra_body") or None,
        )
    if name == "embedded":
        from ccgpt.llm.embedded import EmbeddedBackend, selected_name

        section = cfg.section("embedded")
        chosen = model if model and model not in EMBEDDED_ALIASES else None
        return EmbeddedBackend(
            model_path=None if chosen else section.get("model_path") or None,
            n_ctx=int(section.get("n_ctx") or 4096),
            n_threads=int(section.get("n_threads") or 0) or None,
            model=chosen or selected_name(section),
            prefix_cache=bool(section.get("prefix_cache", True)),
        )
    raise ConfigError(f"unknown backend {name!r} (use ollama, openai or embedded)")


def embedded_name(cfg) -> str:
    """The configured embedded model's name (a GGUF from `model_path` answers to it too)."""
    from ccgpt.llm.embedded import selected_name

    return selected_name(cfg.section("embedded"))


def default_model(cfg, backend_name: str, task: str) -> str:
    if backend_name == "embedded":
        return embedded_name(cfg)
    model = cfg.get(f"models.{task}") or cfg.get("models.general")
    if backend_name == "ollama" and not model:
        model = (_ollama_llm(cfg) or {}).get("name")
    if not model:
        raise ConfigError(f"no model configured for {task} tasks: pass -m MODEL or set [ccgpt.models] {task}")
    return model


def _describe(backend_name: str, cfg) -> str:
    if backend_name == "ollama":
        return f"Ollama is not reachable at {ollama_base_url(cfg)}"
    return f"the {backend_name} backend is not reachable at {cfg.get('openai.api_base')}"


def resolve_backend(cfg, args, task: str = "general", *, quiet: bool = False) -> tuple[Backend, str]:
    """Return (backend, model name) for a command, applying the fallback rules above."""
    explicit = getattr(args, "backend", None)
    name = explicit or cfg.get("backend") or "ollama"
    model_flag = getattr(args, "model", None)
    if explicit or name == "embedded":
        if name == "embedded" and model_flag and model_flag not in EMBEDDED_ALIASES:
            from ccgpt.llm.embedded import MODELS, find

            entry = find(model_flag)
            if entry is None:
                raise UsageError(f"no embedded model named {model_flag!r} (embedded models: "
                                 f"{', '.join(m.name for m in MODELS)}); drop -m or choose another backend")
            return make_backend(cfg, name, model_flag), entry.name
        return make_backend(cfg, name), model_flag or default_model(cfg, name, task)
    backend = make_backend(cfg, name)
    if backend.ping():
        return backend, model_flag or default_model(cfg, name, task)
    if not cfg.get("fallback_to_embedded", True):
        return backend, model_flag or default_model(cfg, name, task)  # the call reports the error
    backend.close()
    if not quiet:
        print(f"ccgpt: {_describe(name, cfg)}; using the embedded model instead (--backend to choose)", file=sys.stderr)
    return make_backend(cfg, "embedded"), embedded_name(cfg)
