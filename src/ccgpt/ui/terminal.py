"""Questions asked at the terminal from inside a shell's key binding.

bash's `bind -x`, zsh's widgets and fish's bindings run `ccgpt suggest --print-only` while the
line editor owns the terminal: no line buffering, no echo, and Enter sends a carriage return
that is not turned into a newline. A plain `readline()` then never returns (only Ctrl-J does).
So the question puts the terminal into ordinary line mode for the time of the answer (line
editing, echo, Enter as newline, Ctrl-C as an interrupt) and gives the shell its mode back.
"""

from __future__ import annotations

import sys
from typing import TextIO


def ask_line(prompt: str, stdin: TextIO | None = None, out: TextIO | None = None) -> str | None:
    """One line typed by the person, without its newline; None for end of input or Ctrl-C."""
    stdin = stdin or sys.stdin
    out = out or sys.stderr
    saved = _line_mode(stdin)
    try:
        out.write(prompt)
        out.flush()
        line = stdin.readline()
    except KeyboardInterrupt:
        out.write("\n")
        return None
    finally:
        if saved is not None:
            _restore(stdin, saved)
    return line.rstrip("\r\n") if line else None


def _line_mode(stream: TextIO) -> list | None:
    """Switch the terminal behind `stream` to line mode; its previous mode (None: not a terminal)."""
    try:
        import termios

        fd = stream.fileno()
        saved = termios.tcgetattr(fd)
    except (ImportError, OSError, ValueError, AttributeError):
        return None
    except termios.error:
        return None
    mode = termios.tcgetattr(fd)
    mode[0] = (mode[0] | termios.ICRNL) & ~(termios.INLCR | termios.IGNCR)  # Enter ends the line
    mode[1] |= termios.OPOST | termios.ONLCR  # the echoed newline goes to the start of a line
    mode[3] |= termios.ICANON | termios.ECHO | termios.ECHOE | termios.ECHOK | termios.ISIG
    termios.tcsetattr(fd, termios.TCSANOW, mode)
    return saved


def _restore(stream: TextIO, saved: list) -> None:
    import termios

    try:
        termios.tcsetattr(stream.fileno(), termios.TCSADRAIN, saved)
    except (OSError, termios.error):
        pass
