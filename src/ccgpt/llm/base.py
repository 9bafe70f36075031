"""The one small interface every model backend implements (ollama, openai, embedded).

Everything above this layer (ask, chat, suggest, script, explain's narrative, the gateway's
embedded upstream) talks to a `Backend` and never to a server's wire format. Backends are
synchronous: the CLI is synchronous, and the gateway runs them in a thread pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass
class Options:
    """Sampling options; None means the backend's default."""

    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    stop: list[str] | None = None
    seed: int | None = None
    # How many leading messages are the same on every call (system prompt, worked examples):
    # a backend may keep their evaluation (the embedded one caches it on disk). Not sent anywhere.
    fixed_prefix: int = 0

    def openai_params(self) -> dict:
        """The options under OpenAI's names (also llama-cpp-python's), unset ones left out."""
        mapped = {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "stop": self.stop,
            "seed": self.seed,
        }
        return {k: v for k, v in mapped.items() if v is not None}


@dataclass
class Chunk:
    """One piece of a streamed answer. The last chunk has done=True and carries the totals."""

    text: str
    done: bool = False
    finish_reason: str | None = None  # "stop" | "length" | None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@dataclass
class Completion:
    text: str
    model: str
    backend: str
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    duration_s: float | None = None  # wall time of the whole request
    first_token_s: float | None = None  # time to the first streamed token, when streamed


@dataclass
class ModelInfo:
    name: str
    backend: str
    size_bytes: int | None = None
    family: str | None = None
    parameter_size: str | None = None
    quantization: str | None = None
    modified_at: str | None = None
    details: dict = field(default_factory=dict)


class Backend(Protocol):
    name: str  # "ollama" | "openai" | "embedded"

    def chat(self, model: str, messages: list[Message], options: Options | None = None) -> Completion: ...

    def stream_chat(self, model: str, messages: list[Message], options: Options | None = None) -> Iterator[Chunk]: ...

    def generate(self, model: str, prompt: str, options: Options | None = None, system: str | None = None) -> Completion: ...

    def stream_generate(
        self, model: str, prompt: str, options: Options | None = None, system: str | None = None
    ) -> Iterator[Chunk]: ...

    def list_models(self) -> list[ModelInfo]: ...

    def model_info(self, model: str) -> ModelInfo: ...

    def ping(self) -> bool:
        """True when the server answers (cheap; used for fallback decisions)."""
        ...

    def close(self) -> None: ...


def collect(chunks: Iterator[Chunk], model: str, backend: str, started: float) -> Completion:
    """Drain a stream into a Completion, timing the first token. Shared by every backend."""
    import time

    parts: list[str] = []
    first: float | None = None
    last = Chunk("")
    for chunk in chunks:
        if chunk.text and first is None:
            first = time.perf_counter() - started
        parts.append(chunk.text)
        last = chunk
    return Completion(
        text="".join(parts),
        model=model,
        backend=backend,
        finish_reason=last.finish_reason,
        prompt_tokens=last.prompt_tokens,
        completion_tokens=last.completion_tokens,
        duration_s=time.perf_counter() - started,
        first_token_s=first,
    )
