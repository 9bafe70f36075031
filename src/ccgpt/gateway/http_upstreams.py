"""HTTP upstreams: Ollama servers (native dialect) and OpenAI-compatible servers (translated).

One pooled `httpx.AsyncClient` per upstream keeps connections alive, which is most of what
keeps the gateway's added latency under a millisecond. The client's own Authorization header
is never forwarded: requests to upstreams are built afresh, with the upstream's own key.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import httpx

from ccgpt.gateway import translate as t
from ccgpt.gateway.errors import GatewayError, UpstreamUnavailable
from ccgpt.gateway.upstreams import Upstream

_CONNECT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout)


def _error_message(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return body[:200].decode("utf-8", "replace").strip() or "no details"
    err = data.get("error") if isinstance(data, dict) else None
    if isinstance(err, dict):
        err = err.get("message")
    return str(err)[:500] if err else "no details"


def _upstream_status(name: str, status: int, body: bytes) -> GatewayError:
    msg = _error_message(body)
    if 400 <= status < 500 and status != 401 and status != 403:
        # The client's mistake as the upstream judged it (unknown model, bad option): pass it on.
        return GatewayError(status, msg)
    # Upstream auth failures and 5xx are the gateway operator's problem, not the client's.
    return GatewayError(502, f"upstream {name} answered {status}: {msg}", code="upstream_error")


class HTTPUpstream(Upstream):
    def __init__(self, name: str, url: str, *, models=None, headers=None, connect_timeout=5.0, read_timeout=300.0):
        super().__init__(name, models)
        self.url = url.rstrip("/")
        self.client = httpx.AsyncClient(
            base_url=self.url,
            headers=headers or {},
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout, pool=read_timeout),
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64, keepalive_expiry=30),
            trust_env=False,  # never route loopback traffic through a proxy from the environment
        )

    async def close(self) -> None:
        await self.client.aclose()

    async def _request(self, method: str, path: str, body: dict | None = None) -> httpx.Response:
        try:
            if body is None:
                resp = await self.client.request(method, path)
            else:
                resp = await self.client.request(method, path, content=json.dumps(body),
                                                 headers={"content-type": "application/json"})
        except httpx.HTTPError as exc:
            raise self._mapped(exc) from None
        if resp.status_code >= 400:
            raise _upstream_status(self.name, resp.status_code, resp.content)
        return resp

    def _mapped(self, exc: Exception) -> Exception:
        """An httpx failure as the gateway reports it: connection errors trigger failover
        (UpstreamUnavailable), a timeout is a 504, anything else a 502."""
        if isinstance(exc, _CONNECT_ERRORS):
            return UpstreamUnavailable(f"{self.name}: {type(exc).__name__}")
        if isinstance(exc, httpx.TimeoutException):
            return GatewayError(504, f"upstream {self.name} timed out", code="upstream_timeout")
        return GatewayError(502, f"upstream {self.name} failed: {type(exc).__name__}", code="upstream_error")

    async def _json(self, method: str, path: str, body: dict | None = None) -> dict:
        resp = await self._request(method, path, body)
        try:
            data = resp.json()
        except ValueError:
            raise GatewayError(502, f"upstream {self.name} sent invalid JSON", code="upstream_error") from None
        if not isinstance(data, dict):
            raise GatewayError(502, f"upstream {self.name} sent an unexpected answer", code="upstream_error")
        return data

    async def _open(self, method: str, path: str, body: dict | None) -> httpx.Response:
        """Send and wait for the status line only; the body is read by the caller."""
        req = self.client.build_request(method, path, content=json.dumps(body) if body is not None else None,
                                        headers={"content-type": "application/json"} if body is not None else None)
        try:
            resp = await self.client.send(req, stream=True)
        except httpx.HTTPError as exc:
            raise self._mapped(exc) from None
        if resp.status_code >= 400:
            body_bytes = await resp.aread()
            await resp.aclose()
            raise _upstream_status(self.name, resp.status_code, body_bytes)
        return resp

    async def open_raw(self, method: str, path: str, body: dict | None) -> httpx.Response:
        return await self._open(method, path, body)


async def _lines(resp: httpx.Response, name: str) -> AsyncIterator[str]:
    try:
        async for line in resp.aiter_lines():
            if line:
                yield line
    except httpx.TimeoutException:
        raise GatewayError(504, f"upstream {name} timed out mid-stream", code="upstream_timeout") from None
    except httpx.HTTPError as exc:
        raise GatewayError(502, f"upstream {name} broke the stream: {type(exc).__name__}", code="upstream_error") from None
    finally:
        await resp.aclose()


class OllamaUpstream(HTTPUpstream):
    kind = "ollama"

    def __init__(self, name: str, url: str, **kw):
        super().__init__(name, url, **kw)

    async def chat(self, req: dict) -> dict:
        return await self._json("POST", "/api/chat", {**req, "stream": False})

    async def generate(self, req: dict) -> dict:
        return await self._json("POST", "/api/generate", {**req, "stream": False})

    async def _ndjson(self, path: str, req: dict) -> AsyncIterator[dict]:
        resp = await self._open("POST", path, {**req, "stream": True})

        async def gen():
            async for line in _lines(resp, self.name):
                try:
                    obj = json.loads(line)
                except ValueError:
                    raise GatewayError(502, f"upstream {self.name} sent invalid JSON", code="upstream_error") from None
                if isinstance(obj, dict) and "error" in obj and not obj.get("done"):
                    raise GatewayError(502, f"upstream {self.name}: {str(obj['error'])[:300]}", code="upstream_error")
                yield obj

        return gen()

    async def open_chat(self, req: dict) -> AsyncIterator[dict]:
        return await self._ndjson("/api/chat", req)

    async def open_generate(self, req: dict) -> AsyncIterator[dict]:
        return await self._ndjson("/api/generate", req)

    async def embed(self, req: dict) -> dict:
        return await self._json("POST", "/api/embed", req)

    async def tags(self) -> list[dict]:
        data = await self._json("GET", "/api/tags")
        models = data.get("models") or []
        return [m for m in models if isinstance(m, dict)]

    async def show(self, req: dict) -> dict:
        return await self._json("POST", "/api/show", req)

    async def ps(self) -> list[dict]:
        data = await self._json("GET", "/api/ps")
        return [m for m in data.get("models") or [] if isinstance(m, dict)]

    async def version(self) -> str | None:
        data = await self._json("GET", "/api/version")
        v = data.get("version")
        return v if isinstance(v, str) else None


class OpenAIUpstream(HTTPUpstream):
    """vLLM, llama.cpp's server, llama-cpp-python's server...: `url` is the API base (…/v1)."""

    kind = "openai"

    def __init__(self, name: str, url: str, *, api_key: str | None = None, **kw):
        headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
        super().__init__(name, url, headers=headers, **kw)

    async def chat(self, req: dict) -> dict:
        started = time.perf_counter_ns()
        body = t.to_openai_chat_request({**req, "stream": False})
        return t.from_openai_chat(await self._json("POST", "/chat/completions", body), req["model"], started)

    async def generate(self, req: dict) -> dict:
        started = time.perf_counter_ns()
        if req.get("raw") or req.get("suffix"):
            body = t.to_openai_completion_request({**req, "stream": False})
            return t.from_openai_completion(await self._json("POST", "/completions", body), req["model"], started)
        chat = await self.chat(t.generate_as_chat(req))
        msg = chat.pop("message", {})
        return {**chat, "response": msg.get("content", "")}

    async def _sse(self, path: str, body: dict, model: str, generate: bool) -> AsyncIterator[dict]:
        started = time.perf_counter_ns()
        resp = await self._open("POST", path, body)

        async def gen():
            finish, usage, pieces = None, None, 0
            async for line in _lines(resp, self.name):
                if not line.startswith("data:"):
                    continue  # SSE comments and event names
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                try:
                    chunk = json.loads(data)
                except ValueError:
                    raise GatewayError(502, f"upstream {self.name} sent invalid JSON", code="upstream_error") from None
                if not isinstance(chunk, dict):
                    continue
                if "error" in chunk:
                    raise GatewayError(502, f"upstream {self.name}: {t._error_text(chunk['error'])}", code="upstream_error")
                text, fr, u = t.from_openai_chunk(chunk, model, generate)
                finish = fr or finish
                usage = u or usage
                if text:
                    pieces += 1
                    out = {"model": model, "created_at": t.now_rfc3339(), "done": False}
                    if generate:
                        out["response"] = text
                    else:
                        out["message"] = {"role": "assistant", "content": text}
                    yield out
            if finish is None:
                # A complete answer ends with a finish reason. llama-cpp-python's server ends a
                # stream early, with [DONE] and no reason, when another request reaches it.
                raise GatewayError(502, f"upstream {self.name} ended the stream without a finish reason "
                                   "(interrupted; llama-cpp-python's server does that when another request "
                                   "arrives unless started with --interrupt_requests false)", code="upstream_error")
            if usage is None:
                # Servers that ignore stream_options.include_usage (llama-cpp-python's) send one
                # token per chunk: count them. The prompt's size is then unknown and not reported.
                usage = {"completion_tokens": pieces}
            final = {"model": model, "created_at": t.now_rfc3339(), "done": True, "done_reason": t.done_reason(finish)}
            if generate:
                final["response"] = ""
            else:
                final["message"] = {"role": "assistant", "content": ""}
            t._ollama_usage(usage, final, started)
            yield final

        return gen()

    async def open_chat(self, req: dict) -> AsyncIterator[dict]:
        body = t.to_openai_chat_request({**req, "stream": True})
        return await self._sse("/chat/completions", body, req["model"], generate=False)

    async def open_generate(self, req: dict) -> AsyncIterator[dict]:
        if req.get("raw") or req.get("suffix"):
            body = t.to_openai_completion_request({**req, "stream": True})
            return await self._sse("/completions", body, req["model"], generate=True)
        body = t.to_openai_chat_request({**t.generate_as_chat(req), "stream": True})
        inner = await self._sse("/chat/completions", body, req["model"], generate=False)

        async def as_generate():
            async for c in inner:
                msg = c.pop("message", {})
                yield {**c, "response": msg.get("content", "")}

        return as_generate()

    async def embed(self, req: dict) -> dict:
        body = {"model": req["model"], "input": req["input"]}
        if req.get("dimensions"):
            body["dimensions"] = req["dimensions"]
        data = await self._json("POST", "/embeddings", body)
        rows = sorted((d for d in data.get("data") or [] if isinstance(d, dict)), key=lambda d: d.get("index", 0))
        usage = data.get("usage") or {}
        return {"model": req["model"], "embeddings": [d.get("embedding") for d in rows],
                "prompt_eval_count": int(usage.get("prompt_tokens") or 0)}

    async def tags(self) -> list[dict]:
        data = await self._json("GET", "/models")
        out = []
        for m in data.get("data") or []:
            if isinstance(m, dict) and isinstance(m.get("id"), str):
                ts = m.get("created") if isinstance(m.get("created"), int) else int(time.time())
                when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
                out.append({"name": m["id"], "model": m["id"], "modified_at": when, "size": 0, "digest": "",
                            "details": {"format": "", "family": "", "parameter_size": "", "quantization_level": ""}})
        return out

    async def show(self, req: dict) -> dict:
        name = req.get("model") or req.get("name")
        for m in await self.tags():
            if m["name"] == name:
                return {"modelfile": "", "parameters": "", "template": "", "details": m["details"],
                        "model_info": {}, "capabilities": ["completion"]}
        raise GatewayError(404, f'model "{name}" not found')
