"""Real bash, zsh and fish in a pseudo-terminal: the aliases exist, the key binding puts the
suggested command in the line buffer and does not run it, completions offer ccgpt's commands.

`ccgpt` on PATH is a stand-in script (the real suggest menu belongs to `ccgpt suggest`): it logs
its arguments and, for `suggest --print-only`, prints a command that would create a marker file.
So "not executed" is checked by the marker's absence, and "in the buffer" by pressing Enter.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

from tests.helpers.system import require

SRC = Path(__file__).resolve().parents[2] / "src"
SHELLS = ("bash", "zsh", "fish")
pytestmark = pytest.mark.slow  # starts real shells in pseudo-terminals

STANDIN = """#!/bin/sh
printf '%s\\n' "$*" >> "$CCGPT_STANDIN_LOG"
if [ "$1" = suggest ] && [ "$2" = --print-only ]; then
    printf '%s\\n' "touch $CCGPT_STANDIN_MARKER"
    exit 0
fi
printf 'STANDIN %s\\n' "$*"
"""


def _init_file(tmp_path: Path, shell: str, *extra: str) -> Path:
    """The integration as the real CLI prints it."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "HOME": str(tmp_path)}
    env.pop("CCGPT_CONFIG", None)
    proc = subprocess.run([sys.executable, "-m", "ccgpt", "shell-init", shell, *extra], capture_output=True,
                          text=True, env=env, check=True, timeout=60)
    f = tmp_path / f"init.{shell}"
    f.write_text(proc.stdout)
    return f


def _default_signals() -> None:
    """A person's terminal starts its shell with Ctrl-C working. A test run started in the
    background by a non-interactive shell (`make test &`, some CI runners) inherits SIGINT
    ignored, and a shell started with it ignored cannot un-ignore it for its children: the
    picker would never see Ctrl-C. Start the shell as a terminal would."""
    for sig in (signal.SIGINT, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_DFL)


class Shell:
    def __init__(self, shell: str, tmp_path: Path, init: Path, standin_text: str = STANDIN):
        require(shell)
        bindir = tmp_path / "bin"
        bindir.mkdir(exist_ok=True)
        standin = bindir / "ccgpt"
        standin.write_text(standin_text)
        standin.chmod(0o755)
        self.log = tmp_path / "standin.log"
        self.marker = tmp_path / "ran-the-suggestion"
        env = {
            "PATH": f"{bindir}:{os.environ['PATH']}",
            "HOME": str(tmp_path),
            "TERM": "xterm",
            "LANG": "C.UTF-8",
            "CCGPT_STANDIN_LOG": str(self.log),
            "CCGPT_STANDIN_MARKER": str(self.marker),
        }
        argv = {
            "bash": ["--norc", "--noprofile", "-i"],
            "zsh": ["-f", "-i"],
            "fish": ["-N", "-i", "-C", "set -g fish_greeting ''"],
        }[shell]
        self.shell = shell
        self.child = pexpect.spawn(shell, argv, env=env, encoding="utf-8", dimensions=(50, 400), timeout=20,
                                   cwd=str(tmp_path), preexec_fn=_default_signals)
        if shell == "bash":
            self.run("PS1='READY> '; bind 'set enable-bracketed-paste off'")
        elif shell == "zsh":
            self.run("PS1='READY> '; PROMPT_EOL_MARK=''; autoload -Uz compinit && compinit -u -D")
        else:
            self.run("function fish_prompt; echo -n 'READY> '; end")
        self.run(f"source {init}")
        self._n = 0

    def run(self, line: str) -> str:
        """Send a command line and wait until it has finished (a sync echo comes back)."""
        self._n = getattr(self, "_n", 0) + 1
        token = f"SYNC{self._n}"
        split = f'SY""NC{self._n}' if self.shell != "fish" else f"SY''NC{self._n}"
        self.child.send(line + "\r")
        self.child.send(f"echo {split}\r")
        self.child.expect_exact(token + "\r\n")
        return self.child.before

    def close(self):
        # A late Ctrl-C (the picker's, echoed after the test moved on) can make the shell drop the
        # line being typed, `exit` included: on a busy machine, say it again before giving up.
        for _ in range(3):
            self.child.sendcontrol("u")
            self.child.send("exit\r")
            if self.child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=7) == 0:
                break
        else:
            raise AssertionError("the shell did not exit")
        self.child.close()

    def log_lines(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


@pytest.fixture(params=SHELLS)
def shell_name(request):
    return request.param


def test_aliases_call_the_matching_commands(tmp_path, shell_name):
    sh = Shell(shell_name, tmp_path, _init_file(tmp_path, shell_name))
    try:
        for alias, command in (("ask", "ask"), ("sh-help", "suggest"), ("sh-explain", "explain"), ("sh-script", "script")):
            out = sh.run(f"{alias} one two")
            assert f"STANDIN {command} one two" in out
    finally:
        sh.close()


@pytest.mark.parametrize("key, keyflag", [("g", None), ("t", "ctrl-t")])
def test_key_puts_the_suggestion_in_the_buffer_and_never_runs_it(tmp_path, shell_name, key, keyflag):
    init = _init_file(tmp_path, shell_name, *(["--key", keyflag] if keyflag else []))
    sh = Shell(shell_name, tmp_path, init)
    try:
        sh.child.send("list the biggest files")
        sh.child.sendcontrol(key)
        sh.child.expect_exact(f"touch {sh.marker}")
        # The binding has returned and redrawn the line: the command was not run...
        assert not sh.marker.exists()
        assert sh.log_lines() == ["suggest --print-only -- list the biggest files"]
        # ...it sits in the line buffer: Enter runs exactly it.
        sh.run("")
        assert sh.marker.exists()
    finally:
        sh.close()


def test_key_on_an_empty_line_asks_nothing(tmp_path, shell_name):
    sh = Shell(shell_name, tmp_path, _init_file(tmp_path, shell_name))
    try:
        sh.child.sendcontrol("g")
        sh.run("")
        assert sh.log_lines() == []
        assert not sh.marker.exists()
    finally:
        sh.close()


def test_completion_offers_ccgpt_commands(tmp_path, shell_name):
    sh = Shell(shell_name, tmp_path, _init_file(tmp_path, shell_name))
    try:
        sh.child.send("ccgpt mode")
        sh.child.send("\t")
        sh.child.expect_exact("models")
        sh.child.sendcontrol("u")
        sh.run("")
    finally:
        sh.close()


# The real picker of `ccgpt suggest --print-only` (ui/menu.py) behind each shell's key binding,
# with three scripted candidates. The shell's line editor leaves the terminal without line
# buffering or CR-to-NL translation; the picker must still take Enter, a number, q and Ctrl-C.
ROOT = SRC.parent
DRIVER = ROOT / "tests" / "cli" / "menu_driver.py"
PICKS = [f"```bash\ntouch picked-{i}\n```" for i in (1, 2, 3)]
# Ctrl-C reaches every process of the terminal's foreground group; `trap :` keeps this wrapper
# alive to report the picker's exit code (a handler, unlike an ignored signal, is not inherited).
PICKER = f"""#!/bin/sh
trap : INT
PYTHONPATH={SRC}:{ROOT} {sys.executable} {DRIVER} '{json.dumps(PICKS)}' 3 print-only as-binding
rc=$?
echo $rc > "$CCGPT_STANDIN_LOG.done"
exit $rc
"""


@pytest.mark.parametrize("answer, picked", [("\r", "picked-1"), ("2\r", "picked-2"), ("q\r", None), ("\x03", None)],
                         ids=["enter", "number", "q", "ctrl-c"])
def test_picker_answers_at_the_key_binding(tmp_path, shell_name, answer, picked):
    sh = Shell(shell_name, tmp_path, _init_file(tmp_path, shell_name), standin_text=PICKER)
    done = Path(f"{sh.log}.done")
    try:
        sh.child.send("touch kept-line")  # what was typed: it stays in the buffer when nothing is picked
        sh.child.sendcontrol("g")
        sh.child.expect_exact("pick 1-3 (Enter: 1, q: cancel): ")
        sh.child.send(answer)
        deadline = time.monotonic() + 20
        while not done.exists() or not done.read_text():  # the picker has exited: the shell has the terminal
            assert time.monotonic() < deadline, "the picker did not take the answer"
            time.sleep(0.05)
        assert done.read_text().strip() == ("0" if picked else "1")  # 1: cancelled by the picker, not killed
        sh.run("")  # Enter runs whatever the buffer now holds
        made = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("picked-", "kept-")))
        if answer == "\x03":  # bash and zsh drop the typed line on Ctrl-C themselves; fish keeps it
            assert not [m for m in made if m.startswith("picked-")]
        else:
            assert made == ([picked] if picked else ["kept-line"])
    finally:
        sh.close()
