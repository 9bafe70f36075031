"""Break 3: Unix sockets outside the working tree must not be connectable without --net.

Real listeners in several places (the home directory, a directory next to the working one,
/var/tmp, a runtime directory, /run); each must stay silent while the sandbox tries to connect,
and a listener inside the working directory stays reachable (it is the command's own tree).
"""

from __future__ import annotations

import io
import os
import socket
import tempfile
import threading

import pytest

from ccgpt.run.limits import Limits
from ccgpt.run.sandbox import run_sandboxed

CONNECT = ("import socket, sys\n"
           "for p in sys.argv[1:]:\n"
           "    s = socket.socket(socket.AF_UNIX)\n"
           "    try:\n"
           "        s.connect(p); s.sendall(b'leak'); print('connected', p)\n"
           "    except OSError as e:\n"
           "        print('refused', p, e.errno)\n")


class UnixListener:
    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(self.path)
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.received = b""
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                self.received += conn.recv(100)
            except OSError:
                pass
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass


@pytest.fixture
def listeners(area, monkeypatch):
    runtime = area / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    run_dir = tempfile.mkdtemp(prefix="ccgpt-test-", dir="/run") if os.access("/run", os.W_OK) else None
    paths = [area / "home" / "agent.sock", area / "home" / ".cache" / "deep" / "bus.sock", area / "outside" / "svc.sock",
             runtime / "bus", tempfile.mktemp(prefix="ccgpt-test-", suffix=".sock", dir="/var/tmp")]
    if run_dir:
        paths.append(os.path.join(run_dir, "docker.sock"))
    (area / "home" / ".cache" / "deep").mkdir(parents=True)
    made = [UnixListener(p) for p in paths]
    yield made
    for lst in made:
        lst.close()
    if run_dir:
        os.rmdir(run_dir)


def test_sockets_outside_the_tree_are_unreachable(work, listeners):
    inside = UnixListener(work / "own.sock")
    try:
        out = io.StringIO()
        paths = [lst.path for lst in listeners] + [inside.path]
        result = run_sandboxed(["python3", "-c", CONNECT, *paths], cwd=work, limits=Limits(timeout=20), section={},
                               stdout=out, stderr=out)
        text = out.getvalue()
        for lst in listeners:
            assert f"refused {lst.path}" in text, text
            assert lst.received == b"", lst.path
        assert f"connected {inside.path}" in text  # the working tree's own socket is the command's
    finally:
        inside.close()
    assert result.exit_code == 0


def test_run_and_runtime_dirs_are_empty_without_net(work, listeners):
    out = io.StringIO()
    # As root the runtime dir's 0700 parent is covered (`bwrap._workdir`): then it is not there at all.
    script = 'ls -A /run | wc -l; ls -A "$XDG_RUNTIME_DIR" 2>/dev/null | wc -l'
    run_sandboxed(["sh", "-c", script], cwd=work, limits=Limits(timeout=20),
                  section={"pass_env": ["XDG_RUNTIME_DIR"]}, stdout=out, stderr=out)
    assert out.getvalue().split() == ["0", "0"]
