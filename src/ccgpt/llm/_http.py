"""Small pieces shared by the HTTP backends (ollama, openai).

httpx is imported inside these functions, never at module level: `ccgpt --help` and
`ccgpt check` import nothing that talks to the network.
"""

from __future__ import annotations

import json
from typing import Any

from ccgpt.errors import BackendError, BackendUnavailable, CcgptError


def one_line(text: str, limit: int = 300) -> str:
    """Server text squeezed onto one line, short enough for an error message."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def make_client(base_url: str, timeout_connect: float, timeout_read: float, headers: dict[str, str]):
    import httpx

    # write/pool get the connect budget: a request body is small and a pool slot either frees
    # up quickly or something is wrong; only reading a long generation may take minutes.
    timeout = httpx.Timeout(connect=timeout_connect, read=timeout_read, write=timeout_connect, pool=timeout_connect)
    # trust_env=False: proxies from HTTP(S)_PROXY must not see prompts meant for a local server;
    # a remote backend behind a proxy is rare enough to configure explicitly later.
    return httpx.Client(base_url=base_url, timeout=timeout, headers=headers, trust_env=False)


def error_message(body: bytes | str) -> str:
    """The human part of an error body, whatever shape the server uses.

    Ollama: {"error": "..."}; OpenAI and vLLM: {"error": {"message": "..."}};
    FastAPI servers such as llama-cpp-python's: {"detail": "..."} or a list of details.
    """
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data: Any = json.loads(text)
    except ValueError:
        return one_line(text) or "(empty response body)"
    if isinstance(data, dict):
        for key in ("error", "detail", "message"):
            value = data.get(key)
            if isinstance(value, dict):
                value = value.get("message") or value.get("msg") or json.dumps(value)
            if isinstance(value, list) and value:
                first = value[0]
                value = first.get("msg", json.dumps(first)) if isinstance(first, dict) else str(first)
            if value:
                return one_line(str(value))
    return one_line(text)


def transport_error(exc: Exception, server: str, url: str, hint: str, read_timeout: float) -> CcgptError:
    """Map an httpx transport failure to the error a person can act on."""
    import httpx

    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return BackendUnavailable(f"{server} is not reachable at {url} — {hint}")
    if isinstance(exc, httpx.ReadTimeout):
        return BackendError(
            f"{server} at {url} sent nothing for {read_timeout:g} s — the model may still be loading; "
            "retry, or raise the read timeout in the config"
        )
    if isinstance(exc, httpx.TimeoutException):
        return BackendUnavailable(f"{server} at {url} timed out ({type(exc).__name__}) — {hint}")
    return BackendError(f"connection to {server} at {url} failed: {one_line(str(exc)) or type(exc).__name__}")
