"""OpenAIBackend's SSE handling against a loopback server (fast).

The events follow OpenAI's chat completions streaming reference: `data: {chunk}` events with
`choices[].delta`, a usage-only chunk (empty `choices`) when `stream_options.include_usage` is
set, and `data: [DONE]`. The end-to-end test against a real server is test_llm_openai_server.py.
"""

from __future__ import annotations

import json
import socket

import pytest
from fakeserver import FakeServer, Reply

from ccgpt.errors import BackendError, BackendUnavailable, ModelNotFound
from ccgpt.llm.base import Message, Options
from ccgpt.llm.openai_compat import OpenAIBackend, normalize_api_base


def _chunk(delta: dict, finish=None, usage=None, choices=True) -> bytes:
    obj = {
        "id": "chatcmpl-123",
        "object": "chat.completion.chunk",
        "created": 1694268190,
        "model": "m",
        "system_fingerprint": "fp_44709d6fcb",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}] if choices else [],
        "usage": usage,
    }
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


EVENTS = [
    b": ping - keep-alive comment\n\n",
    _chunk({"role": "assistant", "content": ""}),
    _chunk({"content": "Hello"}),
    _chunk({"content": " wörld"}),
    _chunk({}, finish="stop"),
    _chunk({}, usage={"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}, choices=False),
    b"data: [DONE]\n\n",
]


@pytest.fixture
def server():
    srv = FakeServer().start()
    srv.route("POST", "/v1/chat/completions", lambda r: Reply(lines=EVENTS, content_type="text/event-stream"))
    yield srv
    srv.stop()


def test_stream_chat_with_usage(server):
    with OpenAIBackend(server.url + "/v1") as b:
        chunks = list(b.stream_chat("m", [Message("user", "hi")], Options(temperature=0, max_tokens=5, seed=1)))
    assert [c.text for c in chunks] == ["Hello", " wörld", ""]
    last = chunks[-1]
    assert (last.done, last.finish_reason, last.prompt_tokens, last.completion_tokens) == (True, "stop", 9, 2)
    sent = server.last("/v1/chat/completions").json()
    assert sent == {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "temperature": 0,
        "max_tokens": 5,
        "seed": 1,
        "stream": True,
        "stream_options": {"include_usage": True},
    }


def test_extra_body_is_sent_and_options_take_precedence(server):
    with OpenAIBackend(server.url + "/v1", extra_body={"repeat_penalty": 1.0, "temperature": 0.9}) as b:
        list(b.stream_chat("m", [Message("user", "hi")], Options(temperature=0)))
    sent = server.last("/v1/chat/completions").json()
    assert sent["repeat_penalty"] == 1.0 and sent["temperature"] == 0


def test_server_rejecting_stream_options_gets_a_retry_without(server):
    def strict(req):
        if "stream_options" in req.json():
            return Reply(400, b'{"error":{"message":"Unrecognized request argument supplied: stream_options","type":"invalid_request_error"}}')
        return Reply(lines=EVENTS[:5] + [EVENTS[-1]], content_type="text/event-stream")

    server.route("POST", "/v1/chat/completions", strict)
    with OpenAIBackend(server.url) as b:  # bare host:port gets /v1
        first = list(b.stream_chat("m", [Message("user", "hi")]))
        second = list(b.stream_chat("m", [Message("user", "again")]))
    assert "".join(c.text for c in first) == "Hello wörld" == "".join(c.text for c in second)
    assert first[-1].prompt_tokens is None  # no usage without include_usage
    sent = [r.json() for r in server.requests]
    assert ["stream_options" in s for s in sent] == [True, False, False]  # remembered after one refusal


def test_error_shapes(server):
    cases = [
        (401, b'{"detail":"Invalid API key"}', BackendError, "refused the API key (HTTP 401: Invalid API key)"),
        (404, b'{"error":{"message":"The model `nosuch` does not exist.","type":"invalid_request_error","code":"model_not_found"}}',
         ModelNotFound, "model 'nosuch' is not served by"),
        (404, b"404 page not found", BackendError, "api_base usually ends in /v1"),
        (500, b'{"error":{"message":"out of memory\\nwhile loading"}}', BackendError, "HTTP 500: out of memory while loading"),
    ]
    for status, body, exc, text in cases:
        server.route("POST", "/v1/chat/completions", lambda r, s=status, b=body: Reply(s, b))
        with OpenAIBackend(server.url + "/v1/") as b:
            with pytest.raises(exc) as err:
                b.chat("nosuch", [Message("user", "hi")])
        assert text in str(err.value)
        assert "\n" not in str(err.value)


def test_error_event_mid_stream(server):
    events = EVENTS[1:3] + [b'data: {"error":{"message":"context window exceeded"}}\n\n']
    server.route("POST", "/v1/chat/completions", lambda r: Reply(lines=events, content_type="text/event-stream"))
    with OpenAIBackend(server.url) as b:
        with pytest.raises(BackendError, match="context window exceeded"):
            list(b.stream_chat("m", [Message("user", "hi")]))


def test_unreachable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with OpenAIBackend(f"http://127.0.0.1:{port}/v1", timeout_connect=2) as b:
        assert b.ping() is False
        with pytest.raises(BackendUnavailable, match=f"not reachable at http://127.0.0.1:{port}/v1"):
            b.list_models()


@pytest.mark.parametrize(
    "given,expected",
    [
        ("http://localhost:8000", "http://localhost:8000/v1"),
        ("http://localhost:8000/", "http://localhost:8000/v1"),
        ("http://localhost:8000/v1/", "http://localhost:8000/v1"),
        ("localhost:1234", "http://localhost:1234/v1"),
        ("https://example.com/openai/v1", "https://example.com/openai/v1"),
    ],
)
def test_normalize_api_base(given, expected):
    assert normalize_api_base(given) == expected


def test_stream_without_finish_reason_is_an_error_as_in_the_gateway(server):
    """The same rule as the gateway's upstream (tests/gateway/test_units.py): a stream that ends
    without a finish reason was cut, and is never returned as a complete answer."""
    events = EVENTS[1:3] + [EVENTS[-1]]
    server.route("POST", "/v1/chat/completions", lambda r: Reply(lines=events, content_type="text/event-stream"))
    with OpenAIBackend(server.url) as b:
        with pytest.raises(BackendError, match="ended the answer early"):
            list(b.stream_chat("m", [Message("user", "hi")]))
