"""Helpers for the audit tests: contexts on a fixture HOME, a fake Ollama, rule sets."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from ccgpt.security.audit.findings import AuditContext


def make_ctx(home: Path, *, config_text: str | None = None, env: dict | None = None, project: Path | None = None,
             probe: bool = False) -> AuditContext:
    """An AuditContext on the fixture HOME; a config file is written (0600) when text is given."""
    from ccgpt.config import load_config
    from ccgpt.errors import CcgptError

    config_dir = home / ".config" / "ccgpt"
    data_dir = home / ".local" / "share" / "ccgpt"
    config_path = None
    cfg = None
    error = None
    if config_text is not None:
        config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        config_path = config_dir / "config.toml"
        config_path.write_text(config_text)
        os.chmod(config_path, 0o600)
        try:
            cfg = load_config(str(config_path), warn=False)
        except CcgptError as exc:
            error = str(exc)
    else:
        cfg = load_config(None, warn=False)
    return AuditContext(
        config_path=config_path,
        config=cfg,
        config_error=error,
        project_dir=project or Path.cwd(),
        env=dict(env or {}),
        config_dir=config_dir,
        data_dir=data_dir,
        store_file=data_dir / "ccgpt.db",
        probe_network=probe,
        probe_timeout=2.0,
    )


def rules(findings) -> set[str]:
    return {f.rule for f in findings}


class FakeOllama:
    """A loopback (or all-interfaces) HTTP server answering /api/version like Ollama."""

    def __init__(self, version: str, bind: str = "127.0.0.1"):
        version_ref = version

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                if self.path == "/api/version":
                    body = json.dumps({"version": version_ref}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_response(404)
                    self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer((bind, 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SRC = Path(__file__).resolve().parents[2] / "src"


def run_ccgpt(args: list[str], home: Path, stdin=None) -> subprocess.CompletedProcess:
    """The real `ccgpt` CLI in a subprocess, in the current directory, with HOME=`home` and no
    CCGPT_/OLLAMA_/XDG_ variables of the calling environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCGPT_", "OLLAMA_", "XDG_"))}
    env.update(HOME=str(home), PYTHONPATH=str(SRC))
    return subprocess.run([sys.executable, "-m", "ccgpt", *args], capture_output=True, text=True, env=env,
                          cwd=Path.cwd(), stdin=subprocess.DEVNULL if stdin is None else stdin, timeout=60)
