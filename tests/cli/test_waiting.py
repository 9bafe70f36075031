"""The waiting line during model calls: on stderr at a terminal only, with the elapsed time,
wiped before the answer; nothing at all when stderr is not a terminal."""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

import pexpect

from ccgpt.llm.base import Chunk, Completion
from ccgpt.ui.waiting import ProgressBackend, with_progress

ROOT = Path(__file__).resolve().parents[2]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class SlowBackend:
    name = "slow"

    def chat(self, model, messages, options=None):
        time.sleep(0.8)
        return Completion(text="done", model=model, backend=self.name)

    def stream_chat(self, model, messages, options=None):
        time.sleep(0.8)
        yield Chunk("first")
        time.sleep(0.3)
        yield Chunk(" second")

    def list_models(self):
        return ["passed through"]


def test_a_slow_call_shows_the_model_and_the_time_then_wipes_the_line(monkeypatch):
    monkeypatch.delenv("TERM", raising=False)
    err = Terminal()
    backend = with_progress(SlowBackend(), stream=err)
    assert isinstance(backend, ProgressBackend)
    assert backend.chat("tiny-model", []).text == "done"
    shown = err.getvalue()
    assert "waiting for tiny-model…" in shown and "s\x1b[K" in shown
    assert shown.endswith("\r\x1b[K")  # wiped: the answer starts on a clean line
    assert backend.list_models() == ["passed through"]  # everything else is the backend's own


def test_a_stream_shows_it_only_until_the_first_piece():
    err = Terminal()
    seen_before_first = []
    chunks = with_progress(SlowBackend(), stream=err).stream_chat("m", [])
    for chunk in chunks:
        seen_before_first.append(err.getvalue())
        if chunk.text == "first":
            drawn = len(err.getvalue())
    assert seen_before_first[0].endswith("\r\x1b[K")
    assert len(err.getvalue()) == drawn  # nothing drawn while the rest of the answer streamed


def test_no_terminal_or_quiet_means_no_waiting_line():
    backend = SlowBackend()
    assert with_progress(backend, stream=io.StringIO()) is backend
    assert with_progress(backend, quiet=True, stream=Terminal()) is backend


def test_ask_at_a_terminal_shows_it_on_stderr_only(tmp_path):
    """The real CLI on a pseudo-terminal against a model server that takes 1.5 s to answer."""
    server = tmp_path / "slow_ollama.py"
    server.write_text(SLOW_OLLAMA)
    port_file = tmp_path / "port"
    srv = pexpect.spawn(sys.executable, [str(server), str(port_file)], timeout=20)
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists() or not port_file.read_text():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HOME": str(tmp_path), "TERM": "xterm",
               "NO_COLOR": "1", "OLLAMA_HOST": f"127.0.0.1:{port_file.read_text()}"}
        child = pexpect.spawn(sys.executable, ["-m", "ccgpt", "ask", "--backend", "ollama", "-m", "m", "hi"],
                              env=env, encoding="utf-8", timeout=30)
        child.expect(r"waiting for m… \d+\.\ds")
        child.expect("slow answer")
        child.expect(pexpect.EOF)
        # without a terminal (pipes), the same call prints the answer and nothing else
        import subprocess

        piped = subprocess.run([sys.executable, "-m", "ccgpt", "ask", "--backend", "ollama", "-m", "m", "hi"],
                               env=env, capture_output=True, text=True, timeout=30)
        assert piped.stdout == "slow answer\n" and "waiting" not in piped.stderr
    finally:
        srv.terminate(force=True)


SLOW_OLLAMA = r'''
import json, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b'{"version": "0.5.0"}')

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(1.5)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        for part in ({"message": {"content": "slow answer"}, "done": False}, {"message": {"content": ""}, "done": True}):
            self.wfile.write((json.dumps({"model": "m", **part}) + "\n").encode())

srv = HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(srv.server_address[1]))
srv.serve_forever()
'''
