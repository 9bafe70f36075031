"""A small, fast, real HTTP server on loopback speaking Ollama's documented API.

Used where a model is not needed: the gateway's translation and security tests, failover
tests (it can be stopped mid-test) and the benchmarks. Raw asyncio, HTTP/1.1 keep-alive,
Content-Length or chunked answers, NDJSON streams; shapes follow Ollama's docs/api.md.

Answers are deterministic: the assistant says "echo: <last user text>", one word per streamed
chunk; `options.num_predict` cuts it (done_reason "length"); a prompt "stream N" yields N chunks.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from datetime import datetime, timezone


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _details(family="llama", size="3.2B", quant="Q4_K_M"):
    return {"parent_model": "", "format": "gguf", "family": family, "families": [family],
            "parameter_size": size, "quantization_level": quant}


class FakeOllama:
    def __init__(self, models=("llama3.2:latest", "qwen2.5-coder:7b"), chunk_delay: float = 0.0, name="fake"):
        self.models = list(models)
        self.chunk_delay = chunk_delay
        self.name = name
        self.requests: list[tuple[str, str, dict | None]] = []
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server = None
        self._thread: threading.Thread | None = None
        self._writers: set = set()
        self.record = True

    # ------------------------------------------------------------ lifecycle
    def start(self, port: int = 0) -> "FakeOllama":
        ready = threading.Event()

        def run():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
            self.port = sock.getsockname()[1]
            self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, sock=sock))
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True, name=f"fake-ollama-{self.name}")
        self._thread.start()
        ready.wait(5)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Close the listener and every open connection (as a crashed server would)."""
        if not self._loop:
            return

        async def shutdown():
            self._server.close()
            for w in list(self._writers):
                w.transport.abort()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop = None

    # ------------------------------------------------------------ HTTP
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self._writers.add(writer)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers = {}
                while True:
                    h = await reader.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                    k, _, val = h.decode("latin-1").partition(":")
                    headers[k.strip().lower()] = val.strip()
                body = b""
                if "content-length" in headers:
                    body = await reader.readexactly(int(headers["content-length"]))
                data = json.loads(body) if body else None
                if self.record:
                    self.requests.append((method, target, data))
                await self._route(method, target.split("?")[0], data, headers, writer)
                if headers.get("connection", "").lower() == "close":
                    return  # as a real server does (the gateway streams with Connection: close)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    @staticmethod
    async def _send(writer, status: int, obj=None, raw: bytes | None = None):
        body = raw if raw is not None else (json.dumps(obj).encode() if obj is not None else b"")
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}.get(status, "OK")
        head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        writer.write(head + body)
        await writer.drain()

    async def _stream(self, writer, objs):
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n")
        async for obj in objs:
            data = json.dumps(obj).encode() + b"\n"
            writer.write(b"%x\r\n%s\r\n" % (len(data), data))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    def _has(self, model: str) -> bool:
        n = model if ":" in model.rsplit("/", 1)[-1] else model + ":latest"
        return n in self.models

    async def _route(self, method, path, data, headers, writer):
        if path == "/api/version":
            return await self._send(writer, 200, {"version": "0.6.2"})
        if path == "/api/tags":
            return await self._send(writer, 200, {"models": [
                {"name": m, "model": m, "modified_at": "2025-05-01T10:00:00.123456789+02:00", "size": 2019393189,
                 "digest": "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72", "details": _details()}
                for m in self.models]})
        if path == "/api/ps":
            return await self._send(writer, 200, {"models": [
                {"name": m, "model": m, "size": 5137025024, "digest": "abc", "details": _details(),
                 "expires_at": "2099-06-04T14:38:31.83753-07:00", "size_vram": 5137025024} for m in self.models[:1]]})
        if path == "/" and method in ("GET", "HEAD"):
            return await self._send(writer, 200, raw=b"Ollama is running")
        if not isinstance(data, dict):
            return await self._send(writer, 400, {"error": "missing request body"})
        model = data.get("model") or data.get("name") or ""
        if path in ("/api/chat", "/api/generate", "/api/show", "/api/embed") and not self._has(model):
            return await self._send(writer, 404, {"error": f'model "{model}" not found, try pulling it first'})
        if path == "/api/show":
            return await self._send(writer, 200, {"modelfile": "FROM x", "parameters": "stop \"<|eot|>\"",
                                                  "template": "{{ .Prompt }}", "details": _details(),
                                                  "model_info": {"general.architecture": "llama"},
                                                  "capabilities": ["completion"]})
        if path == "/api/embed":
            inputs = data["input"] if isinstance(data["input"], list) else [data["input"]]
            return await self._send(writer, 200, {"model": model, "embeddings": [[0.1, -0.2, float(len(s))] for s in inputs],
                                                  "total_duration": 1000, "load_duration": 10,
                                                  "prompt_eval_count": sum(len(s.split()) for s in inputs)})
        if path in ("/api/chat", "/api/generate"):
            return await self._complete(path, data, writer)
        if path == "/api/pull":
            return await self._pull(data, writer)
        if path == "/api/delete":
            if not self._has(model):
                return await self._send(writer, 404, {"error": f"model '{model}' not found"})
            self.models.remove(model if ":" in model else model + ":latest")
            return await self._send(writer, 200)
        if path == "/api/copy":
            self.models.append(data.get("destination", "copy:latest"))
            return await self._send(writer, 200)
        if path in ("/api/create", "/api/push"):
            async def statuses():
                for s in ("reading model metadata", "writing manifest", "success"):
                    yield {"status": s}
            return await self._stream(writer, statuses())
        return await self._send(writer, 404, {"error": "404 page not found"})

    async def _pull(self, data, writer):
        name = data.get("model") or data.get("name")

        async def statuses():
            yield {"status": "pulling manifest"}
            total = 1000
            for done in (0, 250, 500, 1000):
                yield {"status": "pulling abc123", "digest": "sha256:abc123", "total": total, "completed": done}
                if self.chunk_delay:
                    await asyncio.sleep(self.chunk_delay)
            yield {"status": "verifying sha256 digest"}
            yield {"status": "writing manifest"}
            yield {"status": "success"}
            n = name if ":" in name else name + ":latest"
            if n not in self.models:
                self.models.append(n)

        if data.get("stream") is False:
            return await self._send(writer, 200, {"status": "success"})
        return await self._stream(writer, statuses())

    def _answer(self, path, data) -> tuple[list[str], int]:
        if path == "/api/chat":
            users = [m.get("content", "") for m in data.get("messages", []) if m.get("role") == "user"]
            text = users[-1] if users else ""
            prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in data.get("messages", []))
        else:
            text = data.get("prompt", "")
            prompt_tokens = len(text.split()) + len(str(data.get("system", "")).split())
        if text.startswith("stream "):
            words = [f"w{i} " for i in range(int(text.split()[1]))]
        else:
            words = [w + " " for w in ("echo: " + text).split()]
            if words:
                words[-1] = words[-1].rstrip()
        return words, prompt_tokens

    async def _complete(self, path, data, writer):
        words, ptoks = self._answer(path, data)
        opts = data.get("options") or {}
        reason = "stop"
        limit = opts.get("num_predict")
        if isinstance(limit, int) and 0 <= limit < len(words):
            words, reason = words[:limit], "length"
        key = "message" if path == "/api/chat" else "response"
        model = data["model"]

        def piece(text):
            return {"role": "assistant", "content": text} if key == "message" else text

        def final(text):
            out = {"model": model, "created_at": _now(), key: piece(text), "done": True, "done_reason": reason,
                   "total_duration": 5_000_000, "load_duration": 1_000_000, "prompt_eval_count": ptoks,
                   "prompt_eval_duration": 1_000_000, "eval_count": len(words), "eval_duration": 3_000_000}
            if key == "response":
                out["context"] = [1, 2, 3]
            return out

        if data.get("stream") is False:
            return await self._send(writer, 200, final("".join(words)))

        async def chunks():
            started = time.perf_counter()
            for i, w in enumerate(words):
                if self.chunk_delay:
                    # paced like a model: the i-th token is due at i * delay
                    due = started + (i + 1) * self.chunk_delay
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                yield {"model": model, "created_at": _now(), key: piece(w), "done": False}
            yield final("")

        return await self._stream(writer, chunks())
