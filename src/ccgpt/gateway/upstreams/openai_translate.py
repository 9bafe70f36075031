"""The reverse trip for OpenAI-compatible upstreams: Ollama-shaped requests -> OpenAI requests,
and OpenAI answers -> Ollama-shaped answers and stream pieces. Pure functions on dicts."""

from __future__ import annotations

import json
import time
from typing import Any

from ccgpt.gateway.translate import done_reason, now_rfc3339, openai_tool_calls
from ccgpt.gateway.upstreams.base import Json
from ccgpt.llm.wire.sse import End


def to_openai_chat_request(req: dict) -> dict:
    msgs = []
    for m in req.get("messages", []):
        content = m.get("content", "")
        if m.get("images"):
            parts = [{"type": "text", "text": content}] if content else []
            parts += [{"type": "image_url", "image_url": {"url": f"data:image/png;base64,{img}"}} for img in m["images"]]
            content = parts
        om: dict = {"role": m["role"], "content": content}
        if m.get("tool_calls"):
            om["tool_calls"] = [{k: v for k, v in c.items() if k != "index"} for c in openai_tool_calls(m["tool_calls"])]
        msgs.append(om)
    out: dict = {"model": req["model"], "messages": msgs}
    to_openai_sampling(req, out)
    if req.get("tools"):
        out["tools"] = req["tools"]
    return out


def to_openai_completion_request(req: dict) -> dict:
    out: dict = {"model": req["model"], "prompt": req.get("prompt", "")}
    if req.get("suffix"):
        out["suffix"] = req["suffix"]
    to_openai_sampling(req, out)
    return out


def generate_as_chat(req: dict) -> dict:
    """Ollama's templated /api/generate is, on an OpenAI server, a chat with one user turn."""
    msgs = []
    if req.get("system"):
        msgs.append({"role": "system", "content": req["system"]})
    msgs.append({"role": "user", "content": req.get("prompt", ""), **({"images": req["images"]} if req.get("images") else {})})
    return {**{k: v for k, v in req.items() if k not in ("prompt", "system", "images", "suffix", "raw", "context")},
            "messages": msgs}


def to_openai_sampling(req: dict, out: dict) -> None:
    o = req.get("options") or {}
    for k in ("temperature", "top_p", "seed", "frequency_penalty", "presence_penalty", "stop"):
        if k in o:
            out[k] = o[k]
    if o.get("num_predict") is not None and o["num_predict"] >= 0:
        out["max_tokens"] = o["num_predict"]
    fmt = req.get("format")
    if fmt == "json":
        out["response_format"] = {"type": "json_object"}
    elif isinstance(fmt, dict):
        out["response_format"] = {"type": "json_schema", "json_schema": {"name": "response", "schema": fmt}}
    if req.get("stream"):
        out["stream"] = True
        out["stream_options"] = {"include_usage": True}


def from_openai_chat(resp: dict, model: str, started_ns: int) -> dict:
    choice = (resp.get("choices") or [{}])[0] or {}
    msg = choice.get("message") or {}
    message: Json = {"role": "assistant", "content": msg.get("content") or ""}
    out: Json = {"model": model, "created_at": now_rfc3339(), "message": message,
                 "done": True, "done_reason": done_reason(choice.get("finish_reason"))}
    if msg.get("tool_calls"):
        message["tool_calls"] = ollama_tool_calls(msg["tool_calls"])
    ollama_usage(resp.get("usage"), out, started_ns)
    return out


def from_openai_completion(resp: dict, model: str, started_ns: int) -> dict:
    choice = (resp.get("choices") or [{}])[0] or {}
    out = {"model": model, "created_at": now_rfc3339(), "response": choice.get("text") or "",
           "done": True, "done_reason": done_reason(choice.get("finish_reason"))}
    ollama_usage(resp.get("usage"), out, started_ns)
    return out


def ollama_tool_calls(calls: Any) -> list[dict]:
    out = []
    for tc in calls or []:
        fn = (tc or {}).get("function") or {}
        args = fn.get("arguments") or "{}"
        try:
            args = json.loads(args) if isinstance(args, str) else args
        except ValueError:
            args = {"_raw": args}
        out.append({"function": {"name": fn.get("name", ""), "arguments": args}})
    return out


def ollama_usage(usage: Any, out: dict, started_ns: int) -> None:
    if isinstance(usage, dict):
        if "prompt_tokens" in usage:  # absent when unknown: not reported as 0
            out["prompt_eval_count"] = int(usage.get("prompt_tokens") or 0)
        out["eval_count"] = int(usage.get("completion_tokens") or 0)
    out["total_duration"] = time.perf_counter_ns() - started_ns


def text_piece(model: str, text: str, generate: bool) -> Json:
    out: Json = {"model": model, "created_at": now_rfc3339(), "done": False}
    if generate:
        out["response"] = text
    else:
        out["message"] = {"role": "assistant", "content": text}
    return out


def final_piece(model: str, end: End, generate: bool, started_ns: int) -> Json:
    out: Json = {"model": model, "created_at": now_rfc3339(), "done": True, "done_reason": done_reason(end.finish_reason)}
    if generate:
        out["response"] = ""
    else:
        out["message"] = {"role": "assistant", "content": ""}
    if end.prompt_tokens is None and end.completion_tokens is None:
        # Servers that ignore stream_options.include_usage (llama-cpp-python's) send one token per
        # chunk: count them. The prompt's size is then unknown and not reported (not claimed 0).
        usage: Json = {"completion_tokens": end.pieces}
    else:
        usage = {"completion_tokens": end.completion_tokens}
        if end.prompt_tokens is not None:
            usage["prompt_tokens"] = end.prompt_tokens
    ollama_usage(usage, out, started_ns)
    return out
