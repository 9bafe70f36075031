"""Incremental line splitting: bytes in any chunking -> the same complete lines."""

from __future__ import annotations

from ccgpt.llm.wire.errors import MalformedStream

# A hostile or broken server must not make us buffer without bound while waiting for a newline.
MAX_LINE = 16 * 1024 * 1024


class LineSplitter:
    """Splits at "\\n"; a "\\r" before it is dropped (so "\\r\\n" works too). Lines are bytes."""

    __slots__ = ("_buf", "max_line")

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self._buf = b""
        self.max_line = max_line

    def feed(self, data: bytes) -> list[bytes]:
        if b"\n" not in data:
            self._buf += data
            if len(self._buf) > self.max_line:
                raise MalformedStream(f"a line longer than {self.max_line} bytes")
            return []
        parts = data.split(b"\n")
        if self._buf:
            parts[0] = self._buf + parts[0]
        self._buf = parts.pop()
        if len(self._buf) > self.max_line:
            raise MalformedStream(f"a line longer than {self.max_line} bytes")
        return [p[:-1] if p.endswith(b"\r") else p for p in parts]

    def close(self) -> list[bytes]:
        """The last line when the stream did not end with a newline."""
        rest, self._buf = self._buf, b""
        rest = rest[:-1] if rest.endswith(b"\r") else rest
        return [rest] if rest else []
