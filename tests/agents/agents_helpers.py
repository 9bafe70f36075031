"""Driving `ccgpt mcp` with the MCP SDK's own client, over stdio and streamable HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")
FAKE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nccgpt-agents-fake-key-5d1c\n-----END OPENSSH PRIVATE KEY-----\n"
CLIENT = "ccgpt-tests"


SHELL_TOOL = {"claude": "Bash", "codex": "Bash", "gemini": "run_shell_command"}
EVENT_NAME = {"claude": "PreToolUse", "codex": "PreToolUse", "gemini": "BeforeTool"}
CHECKOUT = str(Path(SRC).parent)  # an ordinary project directory: where a verdict means what it says


def guard(stdin, *args, env=None, cwd=None):
    """`ccgpt guard ARGS` as an agent runs it: a fresh process, the event as JSON on stdin."""
    full = {k: v for k, v in os.environ.items() if k != "CCGPT_CONFIG"}
    full.update({"PYTHONPATH": SRC, **(env or {})})
    data = stdin if isinstance(stdin, bytes) else json.dumps(stdin).encode()
    return subprocess.run([sys.executable, "-m", "ccgpt", "guard", *args], input=data, capture_output=True,
                          env=full, timeout=60, cwd=cwd)


def event(fmt, command, tool=None, cwd=CHECKOUT):
    """A shell tool call in `fmt`'s hook protocol; `cwd=None` leaves the key out."""
    ev = {"session_id": "s1", "cwd": cwd, "hook_event_name": EVENT_NAME[fmt],
          "tool_name": tool or SHELL_TOOL[fmt], "tool_input": {"command": command}}
    return ev if cwd is not None else {k: v for k, v in ev.items() if k != "cwd"}


class Elicitor:
    """An elicitation callback that answers as told and remembers what it was asked."""

    def __init__(self, action: str = "accept", run: bool = True):
        self.action, self.run, self.messages = action, run, []

    async def __call__(self, context, params):
        import mcp.types as types

        self.messages.append(params.message)
        content = {"run": self.run} if self.action == "accept" else None
        return types.ElicitResult(action=self.action, content=content)


@asynccontextmanager
async def stdio_session(args: list[str], *, env: dict, cwd, elicitor=None):
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client
    from mcp.types import Implementation

    params = StdioServerParameters(command=sys.executable, args=["-m", "ccgpt", "mcp", *args], env=env, cwd=str(cwd))
    with open(os.devnull, "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write, elicitation_callback=elicitor,
                                     client_info=Implementation(name=CLIENT, version="1.0")) as session:
                await session.initialize()
                yield session


@asynccontextmanager
async def http_session(url: str, *, elicitor=None, headers: dict | None = None):
    import httpx
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from mcp.types import Implementation

    async with httpx.AsyncClient(headers=headers or {}, timeout=httpx.Timeout(60, read=120)) as client:
        async with streamable_http_client(url, http_client=client) as (read, write, _):
            async with ClientSession(read, write, elicitation_callback=elicitor,
                                     client_info=Implementation(name=CLIENT, version="1.0")) as session:
                await session.initialize()
                yield session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpServer:
    """`ccgpt mcp --http` in a subprocess, on a free loopback port."""

    def __init__(self, args: list[str], *, env: dict, cwd):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self.proc = subprocess.Popen([sys.executable, "-m", "ccgpt", "mcp", "--http", "--port", str(self.port), *args],
                                     env=env, cwd=str(cwd), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}: {self.proc.stderr.read()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the MCP HTTP server did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def nobody_connected(sock: socket.socket) -> bool:
    """True when no connection is waiting on a listening socket (the kernel completes a TCP
    handshake into the backlog without an accept(), so a connection attempt would be there)."""
    sock.setblocking(False)
    try:
        sock.accept()[0].close()
        return False
    except BlockingIOError:
        return True


def history(env: dict, kind: str = "mcp") -> list[dict]:
    r = subprocess.run([sys.executable, "-m", "ccgpt", "history", "--json", "--kind", kind, "-n", "100"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["audit"]


def cli_json(args: list[str], env: dict, cwd) -> dict:
    r = subprocess.run([sys.executable, "-m", "ccgpt", *args], env=env, cwd=str(cwd), capture_output=True,
                       text=True, timeout=120)
    return json.loads(r.stdout)
