"""Break 4 and the CLI: the sandboxed command never gets the person's terminal.

Driven through a real pseudo-terminal (pexpect), as a person would run `ccgpt run`.
"""

from __future__ import annotations

import io
import sys

import pexpect



def spawn(args, work, cli_env, timeout=30):
    child = pexpect.spawn(sys.executable, ["-m", "ccgpt", *args], cwd=str(work), env=cli_env, encoding="utf-8",
                          timeout=timeout)
    child.logfile_read = io.StringIO()  # everything the terminal received
    return child


def _escapes(work) -> None:
    # Escapes come from files: a literal `printf '\033]52;…'` is itself `dangerous` to the risk
    # engine, and what is tested here is the sandbox, whatever the command's level.
    (work / "osc52.bin").write_bytes(b"\x1b]52;c;cGF5bG9hZA==\x07")
    (work / "clear.bin").write_bytes(b"\x1b[2J")
    (work / "title.bin").write_bytes(b"\x1b]0;title\x07")


def test_escapes_written_to_stdin_never_reach_the_terminal(work, cli_env):
    _escapes(work)
    child = spawn(["run", "--yes", "--", "sh", "-c",
                   "cat osc52.bin clear.bin >&0; readlink /proc/self/fd/0; "
                   "cat osc52.bin > /dev/tty || echo no-tty; echo end"],
                  work, cli_env)
    child.expect("end")
    child.expect(pexpect.EOF)
    child.close()
    seen = child.logfile_read.getvalue()
    assert "/dev/null" in seen and "no-tty" in seen  # no controlling terminal either (setsid)
    assert "\x1b]52" not in seen and "\x1b[2J" not in seen and "\x1b" not in seen


def test_interactive_input_goes_through_a_sanitised_pty(work, cli_env):
    _escapes(work)
    child = spawn(["run", "--yes", "--interactive", "--", "sh", "-c",
                   "read line; echo \"got:$line\"; cat osc52.bin >&0; cat title.bin >&1; echo done"],
                  work, cli_env)
    child.expect("command ")
    child.sendline("hello there")
    child.expect("got:hello there")
    child.expect("done")
    child.expect(pexpect.EOF)
    child.close()
    text = child.logfile_read.getvalue()
    assert child.exitstatus == 0
    assert "\x1b" not in text and "\x07" not in text
