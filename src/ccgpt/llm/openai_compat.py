"""The OpenAI-compatible backend: vLLM, llama.cpp's server, llama-cpp-python's server, LM Studio.

Wire format (OpenAI's chat completions reference):
- POST {api_base}/chat/completions and {api_base}/completions; with "stream": true the answer is
  server-sent events, one `data: {json}` per event and a final `data: [DONE]`. Lines starting
  with ':' are comments (keep-alive pings) and are skipped.
- `stream_options: {"include_usage": true}` asks for one more chunk before [DONE] whose
  `choices` is empty and whose `usage` carries the token counts. Servers that do not know the
  field mostly ignore it; one that rejects it with 400/422 gets the request again without it,
  and this backend remembers not to send it any more.
- GET {api_base}/models lists {"data": [{"id": ...}, ...]}.

api_base follows the OpenAI client's convention and includes the version prefix
(`http://localhost:8000/v1`); a bare `http://host:port` gets `/v1` appended.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from ccgpt.errors import BackendError, CcgptError, ModelNotFound
from ccgpt.llm._http import error_message, make_client, one_line, transport_error
from ccgpt.llm.base import Chunk, Completion, Message, ModelInfo, Options
from ccgpt.llm.wire.errors import IncompleteStream, WireError
from ccgpt.llm.wire.ndjson import Failed
from ccgpt.llm.wire.sse import Event, OpenAIStreamDecoder, Text, rejects_stream_options

_SERVER = "the OpenAI-compatible server"


def normalize_api_base(api_base: str) -> str:
    base = api_base.strip().rstrip("/")
    if "://" not in base:
        base = "http://" + base
    if urlsplit(base).path in ("", "/"):
        base += "/v1"
    return base


def openai_options(options: Options | None) -> dict[str, Any]:
    return options.openai_params() if options else {}


class OpenAIBackend:
    name = "openai"

    def __init__(
        self,
        api_base: str,
        api_key: str | None = None,
        timeout_connect: float = 5,
        timeout_read: float = 300,
        extra_body: dict[str, Any] | None = None,
    ):
        """api_key is the key itself; the caller reads it from the environment variable the
        config names, so that no key ever has to be written into a file. extra_body is merged
        into every request: server-specific knobs such as llama.cpp's repeat_penalty or vLLM's
        top_k, which the OpenAI API has no name for."""
        self.api_base = normalize_api_base(api_base)
        self.extra_body = dict(extra_body or {})
        self.timeout_read = timeout_read
        self._send_stream_options = True
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = make_client(self.api_base, timeout_connect, timeout_read, headers)
        self._hint = "start the server or fix api_base in the config"

    # -- plumbing ---------------------------------------------------------------------------

    def _fail(self, status: int, body: bytes, model: str | None) -> CcgptError:
        message = error_message(body)
        if status in (401, 403):
            return BackendError(
                f"{self.api_base} refused the API key (HTTP {status}: {message}) — "
                "set the right key in the environment variable your config names"
            )
        if status == 404 and model and "model" in message.lower():
            return ModelNotFound(
                f"model '{model}' is not served by {self.api_base} — "
                "`ccgpt models list --backend openai` shows the ones it serves"
            )
        if status == 404:
            return BackendError(
                f"{self.api_base} has no such endpoint (HTTP 404: {message}) — "
                "api_base usually ends in /v1"
            )
        return BackendError(f"{self.api_base} answered HTTP {status}: {message}")

    def _transport(self, exc: Exception) -> CcgptError:
        return transport_error(exc, _SERVER, self.api_base, self._hint, self.timeout_read)

    def _post(self, path: str, body: dict[str, Any], model: str) -> dict[str, Any]:
        import httpx

        try:
            response = self._client.post(path, json=body)
        except httpx.TransportError as exc:
            raise self._transport(exc) from None
        if response.status_code >= 400:
            raise self._fail(response.status_code, response.content, model)
        try:
            return response.json()
        except ValueError:
            raise BackendError(f"{self.api_base}{path} sent something that is not JSON: {one_line(response.text, 120)}") from None

    def _events(self, path: str, body: dict[str, Any], model: str) -> Iterator[Event]:
        """POST with stream=true and yield the decoded stream (`ccgpt.llm.wire.sse`)."""
        import httpx

        request = dict(body, stream=True)
        if self._send_stream_options:
            request["stream_options"] = {"include_usage": True}
        retry = False
        try:
            with self._client.stream("POST", path, json=request) as response:
                if response.status_code >= 400:
                    raw = response.read()
                    if "stream_options" in request and rejects_stream_options(response.status_code, raw):
                        self._send_stream_options = False
                        retry = True
                    else:
                        raise self._fail(response.status_code, raw, model)
                else:
                    decoder = OpenAIStreamDecoder()
                    for data in response.iter_bytes():
                        yield from decoder.feed(data)
                    yield from decoder.close()
        except httpx.TransportError as exc:
            raise self._transport(exc) from None
        except IncompleteStream:
            raise BackendError(f"{self.api_base} ended the answer early (no finish reason): the answer was cut") from None
        except WireError as exc:
            raise BackendError(f"{self.api_base} sent {exc}") from None
        if retry:
            yield from self._events(path, body, model)

    def _chunks(self, path: str, body: dict[str, Any], model: str) -> Iterator[Chunk]:
        for event in self._events(path, body, model):
            if isinstance(event, Text):
                yield Chunk(text=event.text)
            elif isinstance(event, Failed):
                raise BackendError(f"{self.api_base} failed while answering: {event.message}")
            else:
                # After [DONE] (or the end of the stream): only then are the usage totals known.
                yield Chunk(text="", done=True, finish_reason=event.finish_reason,
                            prompt_tokens=event.prompt_tokens, completion_tokens=event.completion_tokens)
                return

    @staticmethod
    def _completion(data: dict[str, Any], text: str, model: str, started: float) -> Completion:
        choice = (data.get("choices") or [{}])[0]
        usage = data.get("usage") or {}
        return Completion(
            text=text,
            model=model,
            backend="openai",
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
            duration_s=time.perf_counter() - started,
        )

    # -- the Backend interface -------------------------------------------------------------

    def _chat_body(self, model: str, messages: list[Message], options: Options | None) -> dict[str, Any]:
        return {
            "model": model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            **self.extra_body,
            **openai_options(options),
        }

    def stream_chat(self, model: str, messages: list[Message], options: Options | None = None) -> Iterator[Chunk]:
        body = self._chat_body(model, messages, options)
        return self._chunks("/chat/completions", body, model)

    def chat(self, model: str, messages: list[Message], options: Options | None = None) -> Completion:
        # Not streamed: servers without include_usage still report usage on a plain response.
        started = time.perf_counter()
        data = self._post("/chat/completions", self._chat_body(model, messages, options), model)
        choice = (data.get("choices") or [{}])[0]
        text = (choice.get("message") or {}).get("content") or ""
        return self._completion(data, text, model, started)

    def _generate_body(self, model: str, prompt: str, options: Options | None, system: str | None) -> dict[str, Any]:
        # /v1/completions has no system field: a system text is put in front of the prompt.
        full = f"{system}\n\n{prompt}" if system else prompt
        return {"model": model, "prompt": full, **self.extra_body, **openai_options(options)}

    def stream_generate(
        self, model: str, prompt: str, options: Options | None = None, system: str | None = None
    ) -> Iterator[Chunk]:
        body = self._generate_body(model, prompt, options, system)
        return self._chunks("/completions", body, model)

    def generate(
        self, model: str, prompt: str, options: Options | None = None, system: str | None = None
    ) -> Completion:
        started = time.perf_counter()
        data = self._post("/completions", self._generate_body(model, prompt, options, system), model)
        text = ((data.get("choices") or [{}])[0]).get("text") or ""
        return self._completion(data, text, model, started)

    def list_models(self) -> list[ModelInfo]:
        import httpx

        try:
            response = self._client.get("/models")
        except httpx.TransportError as exc:
            raise self._transport(exc) from None
        if response.status_code >= 400:
            raise self._fail(response.status_code, response.content, None)
        try:
            entries = response.json().get("data") or []
        except (ValueError, AttributeError):
            raise BackendError(f"{self.api_base}/models sent something that is not a model list") from None
        return [ModelInfo(name=str(e.get("id", "")), backend=self.name, details=e) for e in entries]

    def model_info(self, model: str) -> ModelInfo:
        # GET /models/{id} is not implemented by every compatible server; the list is.
        for info in self.list_models():
            if info.name == model:
                return info
        raise ModelNotFound(
            f"model '{model}' is not served by {self.api_base} — "
            "`ccgpt models list --backend openai` shows the ones it serves"
        )

    def ping(self) -> bool:
        """True when the server answers HTTP at all: a 401 means it is there but the key is
        wrong, which should be reported, not hidden behind a fallback to another backend."""
        import httpx

        try:
            return self._client.get("/models", timeout=min(2.0, self.timeout_read)).status_code < 500
        except httpx.HTTPError:
            return False

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> OpenAIBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
