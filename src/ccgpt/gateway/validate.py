"""Validation of Ollama-API requests: strict types, documented fields only.

A wrong type is a 400 naming the field (never a 5xx), and only documented fields are kept, so
nothing unexpected reaches an upstream. Options that change how a model is *loaded* for
everyone sharing the server (GPU layers, threads, mmap...) need an admin key.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from ccgpt.gateway.errors import bad_request

# ---------------------------------------------------------------- Ollama request validation

_INT_OPTS = {"num_keep", "seed", "num_predict", "top_k", "repeat_last_n", "mirostat", "num_ctx"}
_FLOAT_OPTS = {"top_p", "min_p", "typical_p", "tfs_z", "temperature", "repeat_penalty",
               "presence_penalty", "frequency_penalty", "mirostat_tau", "mirostat_eta"}
_BOOL_OPTS = {"penalize_newline"}
# Options that change how a model is loaded for everyone sharing the server: admin keys only.
LOAD_OPTS = {"numa", "num_batch", "num_gpu", "main_gpu", "low_vram", "f16_kv", "logits_all", "vocab_only",
             "use_mmap", "use_mlock", "embedding_only", "num_thread"}
ROLES = ("system", "user", "assistant", "tool")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _str_list(v: Any, field: str) -> list[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, list) and all(isinstance(s, str) for s in v):
        return list(v)
    raise bad_request(f"'{field}' must be a string or a list of strings", field)


def validate_options(opts: Any, *, admin: bool = False) -> dict[str, Any]:
    if opts is None:
        return {}
    if not isinstance(opts, dict):
        raise bad_request("'options' must be an object", "options")
    out = {}
    for k, v in opts.items():
        if v is None:
            continue
        if k in _INT_OPTS and _is_int(v):
            out[k] = v
        elif k in _FLOAT_OPTS and _is_num(v):
            out[k] = v
        elif k in _BOOL_OPTS and isinstance(v, bool):
            out[k] = v
        elif k == "stop":
            out[k] = _str_list(v, "options.stop")
        elif k in LOAD_OPTS:
            if not admin:
                raise bad_request(f"option '{k}' changes how the model is loaded; it needs an admin key", f"options.{k}")
            out[k] = v
        elif k in _INT_OPTS | _FLOAT_OPTS | _BOOL_OPTS:
            raise bad_request(f"option '{k}' has the wrong type", f"options.{k}")
        # other keys: unknown to Ollama too; dropped rather than forwarded
    return out


# Control (C0, C1), format (bidi overrides such as U+202E, zero-width), surrogate and line/paragraph
# separator characters: none belongs in a model name, and each could forge or hide a log line.
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def check_model_name(model: str, field: str = "model") -> str:
    """The one rule for a model name on every route (chat, generate, show, the admin routes)."""
    if len(model) > 300 or any(unicodedata.category(c) in _BAD_CATEGORIES for c in model):
        raise bad_request("invalid model name", field)
    return model


def require_model(body: dict) -> str:
    model = body.get("model", body.get("name"))
    if not isinstance(model, str) or not model.strip():
        raise bad_request("model is required", "model")
    return check_model_name(model)


def _common(body: dict, out: dict, admin: bool) -> None:
    if "stream" in body and body["stream"] is not None:
        if not isinstance(body["stream"], bool):
            raise bad_request("'stream' must be a boolean", "stream")
        out["stream"] = body["stream"]
    if body.get("options") is not None:
        out["options"] = validate_options(body["options"], admin=admin)
    fmt = body.get("format")
    if fmt is not None and fmt != "":
        if fmt != "json" and not isinstance(fmt, dict):
            raise bad_request("'format' must be \"json\" or a JSON schema object", "format")
        out["format"] = fmt
    ka = body.get("keep_alive")
    if ka is not None:
        if not (isinstance(ka, str) or _is_num(ka)):
            raise bad_request("'keep_alive' must be a duration string or a number", "keep_alive")
        out["keep_alive"] = ka
    think = body.get("think")
    if think is not None:
        if not isinstance(think, (bool, str)):
            raise bad_request("'think' must be a boolean or a string", "think")
        out["think"] = think


def _images(v: Any, field: str) -> list[str]:
    if not isinstance(v, list) or not all(isinstance(i, str) for i in v):
        raise bad_request(f"'{field}' must be a list of base64 strings", field)
    return v


def validate_chat(body: Any, *, admin: bool = False) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object")
    out: dict = {"model": require_model(body)}
    msgs = body.get("messages")
    if msgs is None:
        msgs = []
    if not isinstance(msgs, list):
        raise bad_request("'messages' must be a list", "messages")
    clean = []
    for i, m in enumerate(msgs):
        if not isinstance(m, dict):
            raise bad_request(f"messages[{i}] must be an object", f"messages[{i}]")
        role = m.get("role")
        if role not in ROLES:
            raise bad_request(f"messages[{i}].role must be one of {', '.join(ROLES)}", f"messages[{i}].role")
        content = m.get("content", "")
        if content is None:
            content = ""
        if not isinstance(content, str):
            raise bad_request(f"messages[{i}].content must be a string", f"messages[{i}].content")
        cm = {"role": role, "content": content}
        if m.get("images") is not None:
            cm["images"] = _images(m["images"], f"messages[{i}].images")
        if m.get("tool_calls") is not None:
            if not isinstance(m["tool_calls"], list):
                raise bad_request(f"messages[{i}].tool_calls must be a list", f"messages[{i}].tool_calls")
            cm["tool_calls"] = m["tool_calls"]
        for extra in ("tool_name", "thinking"):
            if isinstance(m.get(extra), str):
                cm[extra] = m[extra]
        clean.append(cm)
    out["messages"] = clean
    if body.get("tools") is not None:
        if not isinstance(body["tools"], list):
            raise bad_request("'tools' must be a list", "tools")
        out["tools"] = body["tools"]
    _common(body, out, admin)
    return out


def validate_generate(body: Any, *, admin: bool = False) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object")
    out: dict = {"model": require_model(body)}
    for f in ("prompt", "suffix", "system", "template"):
        v = body.get(f)
        if v is not None:
            if not isinstance(v, str):
                raise bad_request(f"'{f}' must be a string", f)
            out[f] = v
    if body.get("raw") is not None:
        if not isinstance(body["raw"], bool):
            raise bad_request("'raw' must be a boolean", "raw")
        out["raw"] = body["raw"]
    ctx = body.get("context")
    if ctx is not None:
        if not isinstance(ctx, list) or not all(_is_int(t) for t in ctx):
            raise bad_request("'context' must be a list of integers", "context")
        out["context"] = ctx
    if body.get("images") is not None:
        out["images"] = _images(body["images"], "images")
    _common(body, out, admin)
    return out


def validate_embed(body: Any, *, admin: bool = False) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object")
    out: dict = {"model": require_model(body)}
    inp = body.get("input", body.get("prompt"))
    if inp is None:
        raise bad_request("'input' is required", "input")
    out["input"] = _str_list(inp, "input")
    if body.get("truncate") is not None:
        if not isinstance(body["truncate"], bool):
            raise bad_request("'truncate' must be a boolean", "truncate")
        out["truncate"] = body["truncate"]
    if body.get("dimensions") is not None:
        if not _is_int(body["dimensions"]) or body["dimensions"] <= 0:
            raise bad_request("'dimensions' must be a positive integer", "dimensions")
        out["dimensions"] = body["dimensions"]
    _common(body, out, admin)
    out.pop("stream", None)
    return out


