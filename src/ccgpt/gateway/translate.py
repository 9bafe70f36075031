"""Request validation and OpenAI <-> Ollama translation, as pure functions on dicts.

The gateway's internal shape is Ollama's (its native upstream): an OpenAI-API request is
translated to an Ollama request, sent to whatever upstream serves the model, and the
Ollama-shaped answer is translated back. OpenAI-compatible upstreams do the reverse trip
(`upstreams/openai_translate.py`).

Malformed OpenAI requests become a 400 naming the field, never a 5xx.
"""

from __future__ import annotations

import base64
import json
import secrets
import struct
import time
from datetime import datetime, timezone
from typing import Any

from ccgpt.gateway.errors import bad_request
from ccgpt.gateway.validate import ROLES, _is_int, _is_num, _str_list, require_model

# ---------------------------------------------------------------- shared helpers

def now_rfc3339() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def finish_reason(done_reason: str | None, tool_calls: bool = False) -> str:
    if tool_calls:
        return "tool_calls"
    return "length" if done_reason == "length" else "stop"


def done_reason(openai_finish: str | None) -> str:
    return "length" if openai_finish == "length" else "stop"


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(12)}"


# ---------------------------------------------------------------- OpenAI API -> Ollama

def _openai_content(content: Any, i: int) -> tuple[str, list[str]]:
    """OpenAI content (string or parts) -> (text, base64 images). Remote image URLs are refused:
    fetching them would make the gateway a server-side request forgery tool."""
    if content is None:
        return "", []
    if isinstance(content, str):
        return content, []
    if not isinstance(content, list):
        raise bad_request(f"messages[{i}].content must be a string or a list of parts", f"messages[{i}].content")
    texts, images = [], []
    for part in content:
        if not isinstance(part, dict):
            raise bad_request(f"messages[{i}].content parts must be objects", f"messages[{i}].content")
        kind = part.get("type")
        if kind == "text" and isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif kind == "image_url":
            url = part.get("image_url")
            url = url.get("url") if isinstance(url, dict) else url
            if not isinstance(url, str) or not url.startswith("data:") or ";base64," not in url:
                raise bad_request("only data: URLs (base64) are accepted for images", f"messages[{i}].content")
            images.append(url.split(";base64,", 1)[1])
        else:
            raise bad_request(f"unsupported content part type {kind!r}", f"messages[{i}].content")
    return "\n".join(texts), images


def _openai_sampling(body: dict) -> dict:
    opts: dict = {}
    for src, dst in (("temperature", "temperature"), ("top_p", "top_p"), ("frequency_penalty", "frequency_penalty"),
                     ("presence_penalty", "presence_penalty")):
        v = body.get(src)
        if v is not None:
            if not _is_num(v):
                raise bad_request(f"'{src}' must be a number", src)
            opts[dst] = v
    if body.get("seed") is not None:
        if not _is_int(body["seed"]):
            raise bad_request("'seed' must be an integer", "seed")
        opts["seed"] = body["seed"]
    mt = body.get("max_completion_tokens", body.get("max_tokens"))
    if mt is not None:
        if not _is_int(mt) or mt < 0:
            raise bad_request("'max_tokens' must be a non-negative integer", "max_tokens")
        opts["num_predict"] = mt
    if body.get("stop") is not None:
        opts["stop"] = _str_list(body["stop"], "stop")
    n = body.get("n")
    if n is not None and n != 1:
        raise bad_request("only n=1 is supported", "n")
    return opts


def _openai_stream(body: dict) -> tuple[bool, bool]:
    stream = body.get("stream", False)
    if stream is None:
        stream = False
    if not isinstance(stream, bool):
        raise bad_request("'stream' must be a boolean", "stream")
    so = body.get("stream_options")
    include_usage = isinstance(so, dict) and so.get("include_usage") is True
    return stream, include_usage


def openai_chat_to_ollama(body: Any) -> tuple[dict, bool, bool]:
    """-> (Ollama chat request, stream?, include_usage?)"""
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object")
    model = require_model(body)
    msgs = body.get("messages")
    if not isinstance(msgs, list) or not msgs:
        raise bad_request("'messages' must be a non-empty list", "messages")
    out_msgs = []
    for i, m in enumerate(msgs):
        if not isinstance(m, dict):
            raise bad_request(f"messages[{i}] must be an object", f"messages[{i}]")
        role = m.get("role")
        if role == "developer":  # OpenAI's newer name for system instructions
            role = "system"
        if role not in ROLES:
            raise bad_request(f"messages[{i}].role must be system, developer, user, assistant or tool",
                              f"messages[{i}].role")
        text, images = _openai_content(m.get("content"), i)
        om: dict = {"role": role, "content": text}
        if images:
            om["images"] = images
        if role == "assistant" and isinstance(m.get("tool_calls"), list):
            calls = []
            for tc in m["tool_calls"]:
                fn = tc.get("function") if isinstance(tc, dict) else None
                if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
                    raise bad_request("tool_calls entries need a function name", f"messages[{i}].tool_calls")
                args = fn.get("arguments") or "{}"
                try:
                    args = json.loads(args) if isinstance(args, str) else args
                except ValueError:
                    raise bad_request("tool call arguments must be JSON", f"messages[{i}].tool_calls") from None
                calls.append({"function": {"name": fn["name"], "arguments": args}})
            om["tool_calls"] = calls
        if role == "tool" and isinstance(m.get("name"), str):
            om["tool_name"] = m["name"]
        out_msgs.append(om)
    req: dict = {"model": model, "messages": out_msgs}
    opts = _openai_sampling(body)
    if opts:
        req["options"] = opts
    if body.get("tools") is not None:
        if not isinstance(body["tools"], list):
            raise bad_request("'tools' must be a list", "tools")
        req["tools"] = body["tools"]
    rf = body.get("response_format")
    if isinstance(rf, dict):
        if rf.get("type") == "json_object":
            req["format"] = "json"
        elif rf.get("type") == "json_schema":
            schema = (rf.get("json_schema") or {}).get("schema") if isinstance(rf.get("json_schema"), dict) else None
            if not isinstance(schema, dict):
                raise bad_request("response_format.json_schema.schema must be an object", "response_format")
            req["format"] = schema
    elif rf is not None:
        raise bad_request("'response_format' must be an object", "response_format")
    stream, usage = _openai_stream(body)
    req["stream"] = stream
    return req, stream, usage


def openai_completion_to_ollama(body: Any) -> tuple[dict, bool, bool]:
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object")
    model = require_model(body)
    prompt = body.get("prompt", "")
    if isinstance(prompt, list):
        if len(prompt) != 1 or not isinstance(prompt[0], str):
            raise bad_request("'prompt' must be a string (or a list of exactly one string)", "prompt")
        prompt = prompt[0]
    if not isinstance(prompt, str):
        raise bad_request("'prompt' must be a string", "prompt")
    if body.get("echo"):
        raise bad_request("'echo' is not supported", "echo")
    req: dict = {"model": model, "prompt": prompt}
    if body.get("suffix") is not None:
        if not isinstance(body["suffix"], str):
            raise bad_request("'suffix' must be a string", "suffix")
        req["suffix"] = body["suffix"]
    opts = _openai_sampling(body)
    if opts:
        req["options"] = opts
    stream, usage = _openai_stream(body)
    req["stream"] = stream
    return req, stream, usage


def openai_embed_to_ollama(body: Any) -> tuple[dict, str]:
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object")
    req = {"model": require_model(body), "input": _str_list(body.get("input"), "input")}
    enc = body.get("encoding_format") or "float"
    if enc not in ("float", "base64"):
        raise bad_request("'encoding_format' must be float or base64", "encoding_format")
    if body.get("dimensions") is not None:
        if not _is_int(body["dimensions"]) or body["dimensions"] <= 0:
            raise bad_request("'dimensions' must be a positive integer", "dimensions")
        req["dimensions"] = body["dimensions"]
    return req, enc


# ---------------------------------------------------------------- Ollama answers -> OpenAI API

def _usage(resp: dict) -> dict:
    p = int(resp.get("prompt_eval_count") or 0)
    c = int(resp.get("eval_count") or 0)
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def openai_tool_calls(calls: Any) -> list[dict]:
    out = []
    for i, tc in enumerate(calls or []):
        fn = tc.get("function", {}) if isinstance(tc, dict) else {}
        args = fn.get("arguments", {})
        out.append({"index": i, "id": f"call_{secrets.token_hex(8)}", "type": "function",
                    "function": {"name": fn.get("name", ""),
                                 "arguments": args if isinstance(args, str) else json.dumps(args)}})
    return out


def ollama_chat_to_openai(resp: dict, model: str, cid: str, created: int) -> dict:
    msg = resp.get("message") or {}
    calls = openai_tool_calls(msg.get("tool_calls"))
    message: dict = {"role": "assistant", "content": msg.get("content", "")}
    if calls:
        for c in calls:
            c.pop("index")
        message["tool_calls"] = calls
    return {"id": cid, "object": "chat.completion", "created": created, "model": model,
            "system_fingerprint": "ccgpt",
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": finish_reason(resp.get("done_reason"), bool(calls))}],
            "usage": _usage(resp)}


def ollama_chunk_to_openai(chunk: dict, model: str, cid: str, created: int, first: bool) -> dict:
    msg = chunk.get("message") or {}
    delta: dict = {}
    if first:
        delta["role"] = "assistant"
    if msg.get("content") or first:
        delta["content"] = msg.get("content", "")
    calls = openai_tool_calls(msg.get("tool_calls"))
    if calls:
        delta["tool_calls"] = calls
    fr = finish_reason(chunk.get("done_reason"), bool(calls)) if chunk.get("done") else None
    return {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
            "system_fingerprint": "ccgpt",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": fr}]}


def usage_chunk(obj: str, final: dict, model: str, cid: str, created: int) -> dict:
    return {"id": cid, "object": obj, "created": created, "model": model, "choices": [], "usage": _usage(final)}


def ollama_generate_to_openai(resp: dict, model: str, cid: str, created: int) -> dict:
    return {"id": cid, "object": "text_completion", "created": created, "model": model,
            "system_fingerprint": "ccgpt",
            "choices": [{"text": resp.get("response", ""), "index": 0, "logprobs": None,
                         "finish_reason": finish_reason(resp.get("done_reason"))}],
            "usage": _usage(resp)}


def ollama_generate_chunk_to_openai(chunk: dict, model: str, cid: str, created: int) -> dict:
    fr = finish_reason(chunk.get("done_reason")) if chunk.get("done") else None
    return {"id": cid, "object": "text_completion", "created": created, "model": model,
            "choices": [{"text": chunk.get("response", ""), "index": 0, "logprobs": None, "finish_reason": fr}]}


def ollama_embed_to_openai(resp: dict, model: str, encoding: str) -> dict:
    data = []
    for i, vec in enumerate(resp.get("embeddings") or []):
        if encoding == "base64":
            emb = base64.b64encode(struct.pack(f"<{len(vec)}f", *vec)).decode("ascii")
        else:
            emb = vec
        data.append({"object": "embedding", "embedding": emb, "index": i})
    p = int(resp.get("prompt_eval_count") or 0)
    return {"object": "list", "data": data, "model": model, "usage": {"prompt_tokens": p, "total_tokens": p}}


def ollama_tags_to_openai_models(models: list[dict]) -> dict:
    data = []
    for m in models:
        created = int(time.time())
        ts = m.get("modified_at")
        if isinstance(ts, str):
            try:  # Ollama writes nanoseconds, which fromisoformat cannot read; seconds suffice
                created = int(datetime.fromisoformat(ts[:19]).replace(tzinfo=timezone.utc).timestamp())
            except ValueError:
                pass
        data.append({"id": m.get("name") or m.get("model"), "object": "model", "created": created,
                     "owned_by": m.get("owned_by") or "library"})
    return {"object": "list", "data": data}
