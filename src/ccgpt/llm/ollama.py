"""The Ollama backend: Ollama's native API (/api/*) over httpx, streamed as NDJSON.

Follows https://github.com/ollama/ollama/blob/main/docs/api.md and docs.ollama.com/api/errors:
- /api/chat and /api/generate stream one JSON object per line; the last has "done": true and
  the totals (prompt_eval_count, eval_count, total_duration in ns, done_reason).
- Errors before the stream starts come back as an HTTP status with {"error": "..."}; an error
  once streaming has begun arrives as a line {"error": "..."} under status 200, so every line
  is checked for "error" before anything else.
- A missing model is 404 {"error": "model 'x' not found"} (older servers add ", try pulling it
  first").
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from typing import Any

from ccgpt.errors import BackendError, CcgptError, ModelNotFound
from ccgpt.llm._http import error_message, make_client, one_line, transport_error
from ccgpt.llm.base import Chunk, Completion, Message, ModelInfo, Options, collect
from ccgpt.llm.ollama_host import ollama_base_url
from ccgpt.llm.wire.errors import IncompleteStream, WireError
from ccgpt.llm.wire.ndjson import Event, Failed, Item, NDJSONDecoder

_UNREACHABLE_HINT = "start it with `ollama serve` or set OLLAMA_HOST"


def ollama_options(options: Options | None) -> dict[str, Any]:
    """Our Options as Ollama's `options` object (Modelfile parameter names)."""
    if options is None:
        return {}
    mapped = {
        "temperature": options.temperature,
        "top_p": options.top_p,
        "num_predict": options.max_tokens,
        "stop": options.stop,
        "seed": options.seed,
    }
    return {k: v for k, v in mapped.items() if v is not None}


def _model_info(entry: dict[str, Any], name: str | None = None) -> ModelInfo:
    details = entry.get("details") or {}
    return ModelInfo(
        name=name or entry.get("name") or entry.get("model") or "",
        backend="ollama",
        size_bytes=entry.get("size"),
        family=details.get("family"),
        parameter_size=details.get("parameter_size"),
        quantization=details.get("quantization_level"),
        modified_at=entry.get("modified_at"),
        details={k: v for k, v in entry.items() if k not in ("name", "model", "size", "modified_at")},
    )


class OllamaBackend:
    name = "ollama"

    def __init__(
        self,
        base_url: str | None = None,
        timeout_connect: float = 5,
        timeout_read: float = 300,
        api_key: str | None = None,
    ):
        """base_url None means OLLAMA_HOST (or http://127.0.0.1:11434).

        api_key is only for an Ollama behind an authenticating proxy such as `ccgpt serve`;
        plain Ollama has no keys. It is sent as `Authorization: Bearer …`.
        """
        self.base_url = (base_url or ollama_base_url()).rstrip("/")
        self.timeout_read = timeout_read
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = make_client(self.base_url, timeout_connect, timeout_read, headers)

    # -- plumbing ---------------------------------------------------------------------------

    def _fail(self, status: int, body: bytes, model: str | None) -> CcgptError:
        message = error_message(body)
        if status == 404 and model and "not found" in message.lower():
            return ModelNotFound(f"model '{model}' is not pulled — run `ccgpt models pull {model}`")
        if status in (401, 403):
            return BackendError(
                f"Ollama at {self.base_url} refused the request (HTTP {status}: {message}) — check the API key"
            )
        return BackendError(f"Ollama at {self.base_url} answered HTTP {status}: {message}")

    def _request(self, method: str, path: str, model: str | None = None, **kwargs: Any) -> Any:
        """One non-streamed request; returns the decoded JSON body (or None when empty)."""
        import httpx

        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise transport_error(exc, "Ollama", self.base_url, _UNREACHABLE_HINT, self.timeout_read) from None
        if response.status_code >= 400:
            raise self._fail(response.status_code, response.content, model)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise BackendError(
                f"Ollama at {self.base_url} sent something that is not JSON for {path}: {one_line(response.text, 120)}"
            ) from None

    def _stream(
        self, path: str, body: dict[str, Any], model: str | None, doing: str = "answering", require_done: bool = False
    ) -> Generator[Item, None, None]:
        """POST and yield each NDJSON object (`ccgpt.llm.wire.ndjson`). Closing the generator
        closes the connection, which is how a pull or a generation is interrupted (Ollama
        resumes pulls later)."""
        import httpx

        try:
            with self._client.stream("POST", path, json=body) as response:
                if response.status_code >= 400:
                    raise self._fail(response.status_code, response.read(), model)
                decoder = NDJSONDecoder(require_done=require_done)
                for data in response.iter_bytes():
                    yield from self._items(decoder.feed(data), doing)
                yield from self._items(decoder.close(), doing)
        except httpx.TransportError as exc:
            raise transport_error(exc, "Ollama", self.base_url, _UNREACHABLE_HINT, self.timeout_read) from None
        except IncompleteStream:
            # The connection ended cleanly but without the final object: the answer is cut.
            raise BackendError(f"Ollama at {self.base_url} ended the answer early (no final 'done' object)") from None
        except WireError as exc:
            raise BackendError(f"Ollama at {self.base_url} sent {exc}") from None

    @staticmethod
    def _items(events: list[Event], doing: str) -> Iterator[Item]:
        for event in events:
            if isinstance(event, Failed):
                raise BackendError(f"Ollama failed while {doing}: {event.message}")
            yield event

    def _chunks(self, path: str, body: dict[str, Any], model: str, text_of) -> Iterator[Chunk]:
        for item in self._stream(path, body, model, require_done=True):
            obj = item.obj
            if item.final:
                yield Chunk(
                    text=text_of(obj),
                    done=True,
                    finish_reason=obj.get("done_reason"),
                    prompt_tokens=obj.get("prompt_eval_count"),
                    completion_tokens=obj.get("eval_count"),
                )
                return
            text = text_of(obj)
            if text:
                yield Chunk(text=text)

    # -- the Backend interface -------------------------------------------------------------

    def stream_chat(self, model: str, messages: list[Message], options: Options | None = None) -> Iterator[Chunk]:
        body = {
            "model": model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "stream": True,
            "options": ollama_options(options),
        }
        return self._chunks("/api/chat", body, model, lambda o: (o.get("message") or {}).get("content") or "")

    def chat(self, model: str, messages: list[Message], options: Options | None = None) -> Completion:
        started = time.perf_counter()
        return collect(self.stream_chat(model, messages, options), model, self.name, started)

    def stream_generate(
        self, model: str, prompt: str, options: Options | None = None, system: str | None = None
    ) -> Iterator[Chunk]:
        body: dict[str, Any] = {"model": model, "prompt": prompt, "stream": True, "options": ollama_options(options)}
        if system is not None:
            body["system"] = system
        return self._chunks("/api/generate", body, model, lambda o: o.get("response") or "")

    def generate(
        self, model: str, prompt: str, options: Options | None = None, system: str | None = None
    ) -> Completion:
        started = time.perf_counter()
        return collect(self.stream_generate(model, prompt, options, system), model, self.name, started)

    def list_models(self) -> list[ModelInfo]:
        data = self._request("GET", "/api/tags") or {}
        return [_model_info(entry) for entry in data.get("models") or []]

    def model_info(self, model: str) -> ModelInfo:
        data = self._request("POST", "/api/show", model=model, json={"model": model}) or {}
        return _model_info(data, name=model)

    def ping(self) -> bool:
        import httpx

        try:
            return self._client.get("/api/version", timeout=min(2.0, self.timeout_read)).status_code == 200
        except httpx.HTTPError:
            return False

    def close(self) -> None:
        self._client.close()

    # -- model management (Ollama only) ----------------------------------------------------

    def version(self) -> str:
        data = self._request("GET", "/api/version") or {}
        return str(data.get("version", ""))

    def ps(self) -> list[ModelInfo]:
        """Models loaded in memory now; details keep expires_at and size_vram."""
        data = self._request("GET", "/api/ps") or {}
        return [_model_info(entry) for entry in data.get("models") or []]

    def pull(self, name: str) -> Iterator[dict[str, Any]]:
        """Yield the progress objects of a pull ({"status", "digest", "total", "completed"}).

        The last one has status "success". Stop iterating (or close the generator) to cancel.
        """
        items = self._stream("/api/pull", {"model": name, "stream": True}, model=None, doing=f"pulling '{name}'")
        try:
            for item in items:
                yield item.obj
        finally:
            items.close()

    def delete(self, name: str) -> None:
        try:
            self._request("DELETE", "/api/delete", model=name, json={"model": name})
        except ModelNotFound:
            raise ModelNotFound(f"model '{name}' is not pulled, so there is nothing to remove") from None

    def __enter__(self) -> OllamaBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
