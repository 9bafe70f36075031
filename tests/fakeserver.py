"""A loopback HTTP/1.1 server for replaying recorded API responses in tests.

Routes map (method, path) to a handler returning a `Reply`. Streamed replies are sent with
chunked transfer encoding, as Ollama and OpenAI-compatible servers do, and each line is split
across two chunks so that the client's line reassembly is exercised too.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TRANSCRIPTS = Path(__file__).parent / "llm" / "transcripts"


def transcript(name: str) -> bytes:
    return (TRANSCRIPTS / name).read_bytes()


def ndjson_lines(name: str) -> list[bytes]:
    return [line + b"\n" for line in transcript(name).splitlines() if line.strip()]


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    lines: Iterable[bytes] | None = None  # streamed, one chunk pair per line
    content_type: str = "application/json; charset=utf-8"


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body) if self.body else None


Handler = Callable[[Request], Reply]


@dataclass
class FakeServer:
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    disconnects: list[str] = field(default_factory=list)  # paths whose client went away mid-stream
    stream_ended: threading.Event = field(default_factory=threading.Event)

    def start(self) -> "FakeServer":
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                req = Request(self.command, self.path, dict(self.headers), self.rfile.read(length))
                server.requests.append(req)
                route = server.routes.get((self.command, self.path))
                reply = route(req) if route else Reply(404, b"404 page not found", content_type="text/plain")
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                if reply.lines is None:
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    try:
                        self.wfile.write(reply.body)
                    except (BrokenPipeError, ConnectionResetError):
                        server.disconnects.append(self.path)  # e.g. the client timed out first
                    return
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for line in reply.lines:
                        half = len(line) // 2  # split mid-line (and maybe mid-UTF-8 character)
                        for part in (line[:half], line[half:]):
                            if part:
                                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                        self.wfile.flush()
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    server.disconnects.append(self.path)
                    self.close_connection = True
                finally:
                    server.stream_ended.set()

            do_GET = do_POST = do_DELETE = _handle

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        # a short poll interval: shutdown() waits for it, once per test
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    def last(self, path: str) -> Request:
        return [r for r in self.requests if r.path == path][-1]
