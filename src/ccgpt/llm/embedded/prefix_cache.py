"""Evaluate a fixed prompt prefix once, keep its KV state on disk, load it on later runs.

Almost all of a cold `ccgpt suggest` on the 1.5B model is spent evaluating the same system
prompt and worked examples. The caller says how many leading messages are fixed
(`Options.fixed_prefix`); their tokens are evaluated as one piece, and the sequence's KV state
(`llama_state_seq_get_data`, the cache cells only: no logits, ~28 KB a token on the 1.5B) is
written next to the models, keyed by the model's sha256, the prefix tokens, llama-cpp-python's
version and the context settings. A later process loads it and evaluates only what follows.

Greedy answers are identical with and without the file because both paths compute the same
thing: the prefix is always evaluated on its own first, and the rest after it. (Evaluating the
whole prompt in one batch instead can flip a borderline token on a small model, which is why
prefix reuse was once turned off.) Without the disk cache (`prefix_cache = false`) the split
is the same, only nothing is read or written.

The file is a magic, the token list, the state bytes and a sha256 of all of it: a truncated
or damaged file is deleted and the prefix evaluated again, never handed to llama.cpp.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import struct
from pathlib import Path

_MAGIC = b"CCGPTKV1"
_KEEP = 16  # prefix files kept per directory (oldest removed first)


def cache_key(model_id: str, tokens: list[int], llm) -> str:
    import llama_cpp

    h = hashlib.sha256()
    for part in (model_id, llama_cpp.__version__, str(llm.n_ctx()), str(llm.n_batch)):
        h.update(part.encode() + b"\0")
    h.update(struct.pack(f"<{len(tokens)}i", *tokens))
    return h.hexdigest()[:40]


def _encode(tokens: list[int], state: bytes) -> bytes:
    body = _MAGIC + struct.pack("<I", len(tokens)) + struct.pack(f"<{len(tokens)}i", *tokens) + state
    return body + hashlib.sha256(body).digest()


def _decode(data: bytes) -> tuple[list[int], bytes] | None:
    if len(data) < len(_MAGIC) + 4 + 32 or not data.startswith(_MAGIC):
        return None
    body, digest = data[:-32], data[-32:]
    if hashlib.sha256(body).digest() != digest:
        return None
    (n,) = struct.unpack_from("<I", body, len(_MAGIC))
    start = len(_MAGIC) + 4
    if len(body) < start + 4 * n:
        return None
    tokens = list(struct.unpack_from(f"<{n}i", body, start))
    return tokens, body[start + 4 * n:]


class PrefixCache:
    """One per loaded model. `directory` None: split the evaluation the same way, no files."""

    def __init__(self, directory: Path | None, model_id: str):
        self.directory = directory
        self.model_id = model_id
        self.last_source = ""  # "memory", "disk" or "computed": for tests and the benchmark

    def prepare(self, llm, tokens: list[int]) -> None:
        """Leave `llm` holding exactly the evaluated prefix `tokens`, as cheaply as possible."""
        n = len(tokens)
        if getattr(llm, "_ccgpt_prefix", None) == tuple(tokens) and llm.n_tokens >= n:
            llm._ctx.kv_cache_seq_rm(-1, n, -1)
            llm.n_tokens = n
            self.last_source = "memory"
            path = self._path(llm, tokens)
            if path is not None and not path.exists():  # evaluated while the disk cache was off
                self._save(llm, path, tokens)
            return
        llm.reset()
        llm._ccgpt_prefix = None
        path = self._path(llm, tokens)
        if path is not None and self._load(llm, path, tokens):
            self.last_source = "disk"
        else:
            llm.eval(tokens)
            self.last_source = "computed"
            if path is not None:
                self._save(llm, path, tokens)
        llm._ccgpt_prefix = tuple(tokens)

    def _path(self, llm, tokens: list[int]) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / f"{cache_key(self.model_id, tokens, llm)}.kv"

    def _load(self, llm, path: Path, tokens: list[int]) -> bool:
        import llama_cpp

        try:
            decoded = _decode(path.read_bytes())
        except OSError:
            return False
        if decoded is None or decoded[0] != tokens:
            path.unlink(missing_ok=True)
            return False
        state = decoded[1]
        buf = (ctypes.c_uint8 * len(state)).from_buffer_copy(state)
        if llama_cpp.llama_state_seq_set_data(llm._ctx.ctx, buf, len(state), 0) != len(state):
            llm.reset()
            path.unlink(missing_ok=True)
            return False
        llm.input_ids[: len(tokens)] = tokens
        llm.n_tokens = len(tokens)
        return True

    def _save(self, llm, path: Path, tokens: list[int]) -> None:
        import llama_cpp

        ctx = llm._ctx.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        buf = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx, buf, size, 0)
        if not written or written > size:
            return
        temp = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            temp.write_bytes(_encode(tokens, bytes(buf)[:written]))
            os.replace(temp, path)  # readers see the old file or the whole new one
        except OSError:
            temp.unlink(missing_ok=True)  # a cache is an optimisation: a full disk costs speed only
            return
        self._trim(path.parent)

    @staticmethod
    def _trim(folder: Path) -> None:
        def mtime(p: Path) -> float:
            try:
                return p.stat().st_mtime
            except OSError:  # removed by another process meanwhile
                return 0.0

        for old in sorted(folder.glob("*.kv"), key=mtime, reverse=True)[_KEEP:]:
            old.unlink(missing_ok=True)
