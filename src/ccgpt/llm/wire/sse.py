"""Server-sent events as OpenAI-compatible servers stream them.

Two layers, both pure:
- `SSEDecoder`: bytes -> `data` payloads of events, after the SSE format (lines `field: value`;
  a blank line ends an event; lines starting with ':' are comments, e.g. `: ping` keep-alives;
  several `data:` lines of one event are joined with newlines). An event still open when the
  stream ends is delivered too: a server that omits the last blank line loses nothing.
- `OpenAIStreamDecoder`: those payloads read as chat/completion chunks (OpenAI's streaming
  reference) -> `Text` pieces and one `End` with the finish reason and the usage. `data: [DONE]`
  ends the stream; `{"error": …}` is a `Failed`. A stream without a finish reason was cut
  (llama-cpp-python's server does that to a running stream when another request arrives):
  `close()` raises `IncompleteStream`, never reports a complete answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ccgpt.llm.wire.errors import IncompleteStream, MalformedStream
from ccgpt.llm.wire.lines import MAX_LINE, LineSplitter
from ccgpt.llm.wire.ndjson import Failed, error_text

DONE = "[DONE]"


class SSEDecoder:
    __slots__ = ("_lines", "_data")

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self._lines = LineSplitter(max_line)
        self._data: list[str] | None = None

    def feed(self, data: bytes) -> list[str]:
        return self._decode(self._lines.feed(data))

    def close(self) -> list[str]:
        out = self._decode(self._lines.close())
        if self._data is not None:
            out.append("\n".join(self._data))
            self._data = None
        return out

    def _decode(self, lines: list[bytes]) -> list[str]:
        out: list[str] = []
        for raw in lines:
            if not raw:
                if self._data is not None:
                    out.append("\n".join(self._data))
                    self._data = None
                continue
            if raw.startswith(b"data:"):
                value = raw[5:]
                if value.startswith(b" "):
                    value = value[1:]
                text = value.decode("utf-8", "replace")
                if self._data is None:
                    self._data = [text]
                else:
                    self._data.append(text)
            # comments (':'), event:, id:, retry: and unknown fields carry nothing we use
        return out


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class End:
    """The answer is complete. Token counts are None when the server sent no usage (servers that
    ignore `stream_options.include_usage`); `pieces` is how many text pieces came."""

    finish_reason: str
    prompt_tokens: int | None
    completion_tokens: int | None
    pieces: int


Event = Text | End | Failed


def chunk_parts(chunk: dict[str, Any]) -> tuple[str, str | None, dict[str, Any] | None]:
    """One chunk -> (text, finish_reason, usage). Chat chunks carry `delta.content`,
    completion chunks `text`."""
    text, finish = "", None
    for choice in chunk.get("choices") or ():
        if not isinstance(choice, dict):
            continue
        if "text" in choice:
            piece = choice.get("text")
        else:
            delta = choice.get("delta")
            piece = delta.get("content") if isinstance(delta, dict) else None
        if isinstance(piece, str):
            text += piece
        fr = choice.get("finish_reason")
        if isinstance(fr, str) and fr:
            finish = fr
    usage = chunk.get("usage")
    return text, finish, usage if isinstance(usage, dict) else None


def _count(usage: dict[str, Any] | None, key: str) -> int | None:
    v = usage.get(key) if usage else None
    return v if isinstance(v, int) and not isinstance(v, bool) else None


class OpenAIStreamDecoder:
    """feed(bytes) -> Text/End/Failed events; close() at the end of the stream."""

    __slots__ = ("_sse", "finish", "usage", "pieces", "ended", "failed")

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self._sse = SSEDecoder(max_line)
        self.finish: str | None = None
        self.usage: dict[str, Any] | None = None
        self.pieces = 0
        self.ended = False
        self.failed = False

    def feed(self, data: bytes) -> list[Event]:
        return self._decode(self._sse.feed(data))

    def close(self) -> list[Event]:
        out = self._decode(self._sse.close())
        if not self.ended and not self.failed:
            out += self._end()
        return out

    def _end(self) -> list[Event]:
        self.ended = True
        if self.finish is None:
            raise IncompleteStream("the stream ended without a finish reason (the answer was cut)")
        return [End(self.finish, _count(self.usage, "prompt_tokens"), _count(self.usage, "completion_tokens"),
                    self.pieces)]

    def _decode(self, payloads: list[str]) -> list[Event]:
        out: list[Event] = []
        for data in payloads:
            if self.ended or self.failed:
                break
            data = data.strip()
            if data == DONE:
                out += self._end()
                continue
            if not data:
                continue
            try:
                chunk = json.loads(data)
            except ValueError:
                short = data if len(data) <= 120 else data[:119] + "…"
                raise MalformedStream(f"an event that is not JSON: {short}") from None
            if not isinstance(chunk, dict):
                continue
            if chunk.get("error"):
                self.failed = True
                out.append(Failed(error_text(chunk["error"])))
                continue
            text, finish, usage = chunk_parts(chunk)
            self.finish = finish or self.finish
            self.usage = usage or self.usage
            if text:
                self.pieces += 1
                out.append(Text(text))
        return out


def rejects_stream_options(status: int, body: bytes) -> bool:
    """A server that refuses `stream_options` (400/422 naming it): send the request again
    without it, and stop sending it to that server."""
    return status in (400, 422) and b"stream_options" in body
