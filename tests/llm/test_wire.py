"""The pure stream parsers (`ccgpt.llm.wire`): NDJSON as Ollama streams it, SSE as
OpenAI-compatible servers do. Both the sync backends and the gateway's upstreams use them, so
the behaviour pinned here is the behaviour of both."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccgpt.llm.wire.errors import IncompleteStream, MalformedStream, WireError
from ccgpt.llm.wire.lines import LineSplitter
from ccgpt.llm.wire.ndjson import Failed, Item, NDJSONDecoder
from ccgpt.llm.wire.sse import End, OpenAIStreamDecoder, SSEDecoder, Text, rejects_stream_options


def run(decoder, chunks: list[bytes]) -> list:
    out = []
    for c in chunks:
        out += decoder.feed(c)
    return out + decoder.close()


def outcome(make, chunks: list[bytes]):
    """Events, or the error type and message, for one chunking of a stream."""
    try:
        return run(make(), chunks)
    except WireError as exc:
        return (type(exc).__name__, str(exc))


OLLAMA = (b'{"model":"m","message":{"role":"assistant","content":"Hel"},"done":false}\n'
          b'{"model":"m","message":{"role":"assistant","content":"lo \xc3\xa9"},"done":false}\r\n'
          b'\n'
          b'{"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop",'
          b'"prompt_eval_count":5,"eval_count":2}\n')


def test_ndjson_objects_keep_their_raw_line_and_the_final_one_is_marked():
    events = run(NDJSONDecoder(), [OLLAMA])
    assert [type(e) for e in events] == [Item, Item, Item]
    assert [e.final for e in events] == [False, False, True]
    assert events[1].obj["message"]["content"] == "lo é"
    assert events[0].raw == OLLAMA.split(b"\n")[0]
    assert events[1].raw.endswith(b"}")  # the \r of \r\n is not part of the line
    assert events[2].obj["eval_count"] == 2


def test_ndjson_error_line_is_an_event_and_ends_the_stream():
    stream = b'{"message":{"content":"a"},"done":false}\n{"error":"out of memory"}\n{"done":true}\n'
    events = run(NDJSONDecoder(), [stream])
    assert events[-1] == Failed("out of memory") and len(events) == 2


def test_ndjson_without_done_is_cut_unless_it_is_a_progress_stream():
    cut = b'{"message":{"content":"a"},"done":false}\n'
    with pytest.raises(IncompleteStream, match="no final 'done' object"):
        run(NDJSONDecoder(), [cut])
    progress = b'{"status":"pulling manifest"}\n{"status":"success"}'  # last line without newline
    assert [e.obj["status"] for e in run(NDJSONDecoder(require_done=False), [progress])] == ["pulling manifest", "success"]


@pytest.mark.parametrize("line", [b"not json\n", b"[1, 2]\n", b'{"a":\n'])
def test_ndjson_malformed_lines(line):
    with pytest.raises(MalformedStream):
        run(NDJSONDecoder(), [line])


def test_a_lazy_decoder_parses_ordinary_pieces_only_when_read():
    """For a relay that passes lines on: `"done":false` lines are not parsed until `obj` is read;
    final and error lines always are."""
    events = run(NDJSONDecoder(lazy=True), [OLLAMA])
    assert [e.parsed is None for e in events] == [True, True, False] and events[2].final
    assert events == run(NDJSONDecoder(), [OLLAMA])  # the same objects once read
    odd = run(NDJSONDecoder(lazy=True), [b'{"done":false, oops\n{"done":true}\n'])
    with pytest.raises(MalformedStream):
        odd[0].obj
    assert run(NDJSONDecoder(lazy=True), [b'{"done":false,"error":"boom"}\n']) == [Failed("boom")]


def test_nothing_after_the_final_object_counts():
    events = run(NDJSONDecoder(), [OLLAMA + b"garbage that is not json\n"])
    assert events[-1].final and len(events) == 3


def test_a_line_without_end_is_bounded():
    with pytest.raises(MalformedStream, match="longer than 64"):
        LineSplitter(max_line=64).feed(b"x" * 65)
    with pytest.raises(MalformedStream):
        LineSplitter(max_line=64).feed(b"ok\n" + b"x" * 65)


def sse_chunk(content=None, finish=None, usage=None, text=None) -> bytes:
    choice = {"index": 0, "finish_reason": finish}
    if text is not None:
        choice["text"] = text
    else:
        choice["delta"] = {"content": content} if content is not None else {}
    obj = {"id": "c", "choices": [choice] if usage is None else [], "usage": usage}
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


OPENAI = (b": ping\n\n" + sse_chunk("") + sse_chunk("Hel") + b"event: message\n" + sse_chunk("lo")
          + sse_chunk(finish="stop") + sse_chunk(usage={"prompt_tokens": 4, "completion_tokens": 2})
          + b"data: [DONE]\n\n")


def test_sse_text_then_one_end_with_usage():
    assert run(OpenAIStreamDecoder(), [OPENAI]) == [Text("Hel"), Text("lo"), End("stop", 4, 2, 2)]


def test_sse_completions_chunks_carry_text():
    stream = sse_chunk(text="a") + sse_chunk(text="b", finish="length") + b"data: [DONE]\n\n"
    assert run(OpenAIStreamDecoder(), [stream]) == [Text("a"), Text("b"), End("length", None, None, 2)]


def test_sse_without_finish_reason_is_cut_with_or_without_done():
    for tail in (b"data: [DONE]\n\n", b""):
        with pytest.raises(IncompleteStream, match="without a finish reason"):
            run(OpenAIStreamDecoder(), [sse_chunk("a") + tail])


def test_sse_error_event_and_malformed_event():
    events = run(OpenAIStreamDecoder(), [sse_chunk("a") + b'data: {"error":{"message":"context window exceeded"}}\n\n'])
    assert events == [Text("a"), Failed("context window exceeded")]
    with pytest.raises(MalformedStream, match="not JSON"):
        run(OpenAIStreamDecoder(), [b"data: {oops\n\n"])


def test_sse_event_format_details():
    # several data lines join with a newline; CRLF works; a missing last blank line loses nothing
    assert run(SSEDecoder(), [b"data: a\r\ndata:b\r\n\r\n: c\n\nid: 3\ndata: last"]) == ["a\nb", "last"]


def test_the_stream_options_refusal_is_recognised():
    body = b'{"error":{"message":"Unrecognized request argument supplied: stream_options"}}'
    assert rejects_stream_options(400, body) and rejects_stream_options(422, body)
    assert not rejects_stream_options(500, body) and not rejects_stream_options(400, b'{"error":"bad model"}')


def _chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0] + points, points + [len(data)])]


STREAMS = [
    (NDJSONDecoder, OLLAMA),
    (NDJSONDecoder, OLLAMA[:-40]),  # cut inside the final object
    (NDJSONDecoder, b'{"done":false,"response":"x"}\n{"error":"boom"}\n'),
    (lambda: NDJSONDecoder(lazy=True), OLLAMA),
    (OpenAIStreamDecoder, OPENAI),
    (OpenAIStreamDecoder, OPENAI[: OPENAI.index(b"data: {", 100)]),  # cut before the finish reason
    (OpenAIStreamDecoder, sse_chunk("\u00e9\u4e2d") + b"data: {\"error\":\"x\"}\n\n"),
]


@settings(max_examples=300, deadline=None)
@given(which=st.integers(0, len(STREAMS) - 1), cuts=st.lists(st.integers(0, 10_000), max_size=40))
def test_any_chunking_of_a_stream_gives_the_same_events(which, cuts):
    make, data = STREAMS[which]
    assert outcome(make, _chunked(data, cuts)) == outcome(make, [data])
    assert outcome(make, [data[i:i + 1] for i in range(len(data))]) == outcome(make, [data])
