"""The embedded backend: a GGUF model from the catalog (or any GGUF file) run in-process.

The catalog's models ship on PyPI (see `catalog.py`); `assemble.py` turns chunk packages into
one verified file on first use. llama_cpp is imported on first use, and each model is loaded
once per process (a module-level cache keyed by path and context settings): `chat`, the
gateway and the tests share it. One llama.cpp context cannot serve two generations at once, so
every use of a model holds that model's lock; a stream holds it until it is exhausted or closed.

`generate` applies the model's chat template (a system message, then the prompt as the user
turn), as Ollama's /api/generate does for an instruct model.

Two guards on every answer: a default token cap (`DEFAULT_MAX_TOKENS`) when the caller sets
none, and a repetition stop (`repetition.py`): a small model asked something it cannot answer
may print `bash:` hundreds of times. Both end the answer with finish_reason "length".
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
from ccgpt.llm.embedded import assemble, catalog
from ccgpt.llm.embedded.prefix_cache import PrefixCache
from ccgpt.llm.embedded.repetition import looping

# An answer with no max_tokens from the caller stops here: enough for a long explanation or
# a script, and it bounds a runaway answer to ~20 s on the 1.5B model on two cores.
DEFAULT_MAX_TOKENS = 768

_Key = tuple[str, int, int | None]
_cache: dict[_Key, Any] = {}
_locks: dict[_Key, threading.Lock] = {}
_prefixes: dict[_Key, PrefixCache] = {}
_cache_lock = threading.Lock()


def embedded_model_path(name: str | None = None) -> Path:
    """The GGUF file of a catalog model (default: the one configured), assembling it if needed."""
    model = catalog.get(name or catalog.selected_name())
    return assemble.ensure(model)


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


def _sampling(options: Options | None) -> dict[str, Any]:
    params = options.openai_params() if options else {}
    params.setdefault("max_tokens", DEFAULT_MAX_TOKENS)
    return params


def _as_messages(prompt: str, system: str | None) -> list[Message]:
    return ([Message("system", system)] if system else []) + [Message("user", prompt)]


def _payload(messages: list[Message]) -> list[Any]:  # llama-cpp-python's message TypedDicts
    return [{"role": m.role, "content": m.content} for m in messages]


def _tokens(llm, messages: list[Message], generation_prompt: bool) -> list[int]:
    """The prompt tokens exactly as llama-cpp-python's chat handler makes them."""
    from llama_cpp import llama_chat_format

    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        return []
    eos, bos = llm.token_eos(), llm.token_bos()
    formatter = llama_chat_format.Jinja2ChatFormatter(
        template=template, eos_token=llm._model.token_get_text(eos) if eos != -1 else "",
        bos_token=llm._model.token_get_text(bos) if bos != -1 else "", add_generation_prompt=generation_prompt)
    result = formatter(messages=_payload(messages))
    return llm.tokenize(result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True)


class EmbeddedBackend:
    name = "embedded"

    def __init__(self, model_path: str | os.PathLike | None = None, n_ctx: int = 2048, n_threads: int | None = None,
                 model: str | None = None, prefix_cache: bool = True):
        """model_path: any GGUF file; else `model` (a catalog name; None: the configured one).
        Nothing is loaded, assembled or hashed until first use."""
        self._custom = model_path is not None
        self._path = Path(model_path) if model_path is not None else None
        self.entry: catalog.EmbeddedModel | None = None if self._custom else catalog.get(model or catalog.selected_name())
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.prefix_cache = prefix_cache

    # -- plumbing ---------------------------------------------------------------------------

    def _catalogued(self) -> catalog.EmbeddedModel:
        """The catalogue entry (a backend made without model_path always has one)."""
        if self.entry is None:
            raise ModelNotFound("this embedded backend runs a model file, not a catalogue model")
        return self.entry

    @property
    def model_path(self) -> Path:
        if self._path is None:
            self._path = assemble.ensure(self._catalogued())
        return self._path

    @property
    def model_name(self) -> str:
        return self.entry.name if self.entry else self.model_path.stem.lower()

    def answers_to(self, model: str | None) -> bool:
        if not model or model in catalog.GENERIC or model == self.model_name:
            return True
        return self.entry is not None and catalog.find(model) is self.entry

    def _check_name(self, model: str | None) -> None:
        if self.answers_to(model):
            return
        other = catalog.find(model or "")
        hint = (f"choose it with `[ccgpt.embedded] model = \"{other.name}\"` or -m {other.name} --backend embedded"
                if other else "use --backend ollama or openai for other models")
        raise ModelNotFound(f"the embedded backend is running '{self.model_name}', not '{model}' — {hint}")

    def _cache_key(self) -> _Key:
        return (str(self.model_path.resolve()), self.n_ctx, self.n_threads)

    def _model(self) -> tuple[Any, threading.Lock, PrefixCache]:
        path = self.model_path
        if not path.is_file():
            raise BackendUnavailable(f"the embedded model file {path} does not exist")
        llm, lock = _load(*self._cache_key())
        return llm, lock, self._prefix_cache_for(path)

    def _prefix_cache_for(self, path: Path) -> PrefixCache:
        key = self._cache_key()
        with _cache_lock:
            cache = _prefixes.get(key)
            want_dir = assemble.models_dir() / "prefix-cache" if self.prefix_cache else None
            if cache is None or cache.directory != want_dir:
                st = path.stat()
                model_id = self.entry.sha256 if self.entry else f"{path.resolve()}:{st.st_size}:{st.st_mtime_ns}"
                cache = _prefixes[key] = PrefixCache(want_dir, model_id)
            return cache

    def _prepare(self, llm, prefixes: PrefixCache, messages: list[Message], options: Options | None) -> None:
        """Leave in the context what this request may reuse: the fixed prefix, or nothing."""
        fixed = getattr(options, "fixed_prefix", 0) or 0
        if 0 < fixed < len(messages):
            prefix = _tokens(llm, messages[:fixed], generation_prompt=False)
            full = _tokens(llm, messages, generation_prompt=True)
            if prefix and full[: len(prefix)] == prefix and len(full) > len(prefix):
                prefixes.prepare(llm, prefix)
                return
        # Everything else is evaluated from scratch: a prefix computed in another batch shape
        # can flip a borderline token, and the same greedy request must give the same answer.
        llm.reset()
        llm._ccgpt_prefix = None

    def _stream(self, messages: list[Message], options: Options | None) -> Iterator[Chunk]:
        llm, lock, prefixes = self._model()
        with lock:
            try:
                self._prepare(llm, prefixes, messages, options)
                stream = llm.create_chat_completion(messages=_payload(messages), stream=True, **_sampling(options))
                prompt_tokens: int | None = None
                completion_tokens = 0
                finish: str | None = None
                text = ""
                for event in stream:
                    if prompt_tokens is None:
                        # The first event comes right after the prompt was evaluated and one token
                        # sampled, before that token is fed back: the context holds the prompt alone.
                        prompt_tokens = llm.n_tokens
                    choice = event["choices"][0]
                    piece = choice["delta"].get("content") or ""
                    if piece:
                        completion_tokens += 1  # llama-cpp-python streams one event per token
                        text += piece
                        yield Chunk(text=piece)
                        if looping(text[-400:]):
                            finish = "length"  # cut: the caller says so, as for the token cap
                            stream.close()
                            break
                    finish = choice.get("finish_reason") or finish
            except ValueError as exc:  # e.g. the prompt does not fit in n_ctx
                raise BackendError(f"the embedded model refused the request: {exc}") from None
        yield Chunk(text="", done=True, finish_reason=finish, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)

    def _complete(self, messages: list[Message], options: Options | None) -> Completion:
        started = time.perf_counter()
        parts: list[str] = []
        last = Chunk("")
        for chunk in self._stream(messages, options):
            parts.append(chunk.text)
            last = chunk
        return Completion(
            text="".join(parts), model=self.model_name, backend=self.name, finish_reason=last.finish_reason,
            prompt_tokens=last.prompt_tokens, completion_tokens=last.completion_tokens,
            duration_s=time.perf_counter() - started,
        )

    # -- the Backend interface -------------------------------------------------------------

    def stream_chat(self, model: str, messages: list[Message], options: Options | None = None) -> Iterator[Chunk]:
        self._check_name(model)
        return self._stream(messages, options)

    def chat(self, model: str, messages: list[Message], options: Options | None = None) -> Completion:
        self._check_name(model)
        return self._complete(messages, options)

    def stream_generate(
        self, model: str, prompt: str, options: Options | None = None, system: str | None = None
    ) -> Iterator[Chunk]:
        self._check_name(model)
        return self._stream(_as_messages(prompt, system), options)

    def generate(
        self, model: str, prompt: str, options: Options | None = None, system: str | None = None
    ) -> Completion:
        self._check_name(model)
        return self._complete(_as_messages(prompt, system), options)

    def list_models(self) -> list[ModelInfo]:
        return [self._info()] if self.ping() else []

    def model_info(self, model: str) -> ModelInfo:
        self._check_name(model)
        info = self._info()
        llm, _, _ = self._model()  # mapping the file is cheap and gives the real metadata
        meta = dict(llm.metadata)
        arch = meta.get("general.architecture", info.family)
        info.family = arch
        info.parameter_size = meta.get("general.size_label", info.parameter_size)
        info.details.update(
            context_length=int(meta.get(f"{arch}.context_length", 0) or 0) or None,
            n_ctx=self.n_ctx,
            license=meta.get("general.license", info.details.get("license")),
            chat_template=meta.get("tokenizer.chat_template"),
        )
        return info

    def _info(self) -> ModelInfo:
        """What the catalog knows (no loading, no hashing); the file's own size and date."""
        path = self._path if self._custom else assemble.installed_path(self._catalogued())
        stat = path.stat() if path else None
        e = self.entry
        details: dict[str, Any] = {"path": str(path) if path else None}
        if e:
            details |= {"license": e.license, "source": e.source, "sha256": e.sha256, "aliases": list(e.aliases),
                        "installed": path is not None}
        return ModelInfo(
            name=self.model_name, backend=self.name, size_bytes=stat.st_size if stat else (e.size if e else None),
            modified_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stat.st_mtime)) if stat else None,
            family=e.family if e else None, parameter_size=e.parameter_size if e else None,
            quantization=e.quantization if e else None, details=details,
        )

    def ping(self) -> bool:
        """True when the model can run: its file or all its chunks are there, and llama-cpp-python
        is installed (nothing is imported, assembled or loaded)."""
        if importlib.util.find_spec("llama_cpp") is None:
            return False
        if self._path is not None and self._custom:
            return self._path.is_file()
        return assemble.available(self._catalogued())

    def close(self) -> None:
        """Nothing to do: the loaded model is shared by the whole process and lives as long."""
