"""Ollama's streamed answers: one JSON object per line (NDJSON).

Following Ollama's API documentation: every line is checked for `{"error": …}` first (an error
that happens after streaming began arrives that way, under HTTP 200); the last object of an
answer has `"done": true` and the totals. A stream that ends without it was cut
(`IncompleteStream`). Progress streams (`/api/pull`) have no `done` object: decode them with
`require_done=False`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ccgpt.llm.wire.errors import IncompleteStream, MalformedStream
from ccgpt.llm.wire.lines import MAX_LINE, LineSplitter


_decode_json = json.JSONDecoder().decode


def parse_line(line: bytes) -> dict[str, Any]:
    """One NDJSON line as an object (NDJSON is UTF-8; bytes that are not stay visible as U+FFFD)."""
    try:
        obj = _decode_json(line.decode("utf-8", "replace"))
    except ValueError:
        raise MalformedStream(f"a line that is not JSON: {_short(line)}") from None
    if not isinstance(obj, dict):
        raise MalformedStream(f"a line that is not a JSON object: {_short(line)}")
    return obj


class Item:
    """One object of the stream. `raw` is the line as received (no newline), so a relay whose
    client speaks the same dialect can pass it on without encoding it again. With a lazy
    decoder, an ordinary piece of an answer (`"done":false`, no `"error"`) is parsed only when
    `obj` is first read: a relay that passes lines on never pays for it."""

    __slots__ = ("_obj", "raw", "final")

    def __init__(self, obj: dict[str, Any] | None, raw: bytes, final: bool = False) -> None:
        self._obj = obj
        self.raw = raw
        self.final = final

    @property
    def obj(self) -> dict[str, Any]:
        if self._obj is None:
            self._obj = parse_line(self.raw)
        return self._obj

    @property
    def parsed(self) -> dict[str, Any] | None:
        """The object if it has been parsed, else None (without parsing it)."""
        return self._obj

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Item) and (self.obj, self.raw, self.final) == (other.obj, other.raw, other.final)

    def __repr__(self) -> str:
        return f"Item({self.raw!r}, final={self.final})"


@dataclass(frozen=True, slots=True)
class Failed:
    """The server reported an error in the stream."""

    message: str


Event = Item | Failed


def _short(data: bytes) -> str:
    text = " ".join(data.decode("utf-8", "replace").split())
    return text if len(text) <= 120 else text[:119] + "…"


def error_text(err: Any) -> str:
    """An error value as one line: Ollama sends a string, OpenAI servers an object."""
    if isinstance(err, dict):
        err = err.get("message", err)
    text = " ".join(str(err).split())
    return text if len(text) <= 300 else text[:299] + "…"


class NDJSONDecoder:
    """feed(bytes) -> events; close() at the end of the stream. Not thread-safe; one per stream."""

    __slots__ = ("_lines", "require_done", "lazy", "done", "failed")

    def __init__(self, *, require_done: bool = True, lazy: bool = False, max_line: int = MAX_LINE) -> None:
        self._lines = LineSplitter(max_line)
        self.require_done = require_done
        self.lazy = lazy
        self.done = False
        self.failed = False

    def feed(self, data: bytes) -> list[Event]:
        return self._decode(self._lines.feed(data))

    def close(self) -> list[Event]:
        out = self._decode(self._lines.close())
        if self.require_done and not self.done and not self.failed:
            raise IncompleteStream("the stream ended before the answer did (no final 'done' object)")
        return out

    def _decode(self, lines: list[bytes]) -> list[Event]:
        out: list[Event] = []
        for line in lines:
            if self.done or self.failed:
                break  # nothing after the end of an answer or an error belongs to it
            if not line.strip():
                continue
            if self.lazy and (b'"done":false' in line or b'"done": false' in line) and b'"error"' not in line:
                out.append(Item(None, line))
                continue
            obj = parse_line(line)
            final = obj.get("done") is True
            if obj.get("error") and not final:
                self.failed = True
                out.append(Failed(error_text(obj["error"])))
                continue
            if final and self.require_done:
                self.done = True
            out.append(Item(obj, line, final))
        return out
