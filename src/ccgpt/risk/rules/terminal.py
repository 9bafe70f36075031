"""Commands that write terminal control sequences: `printf`/`echo -e` output reaches the
terminal, and two sequences act on more than the screen. OSC 52 sets the clipboard (the next
paste runs what the command chose); OSC 8 makes a link whose visible text can differ from
where it leads. Both are `terminal-escape` (dangerous); colours and cursor moves are not."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccgpt.risk import paths as P
from ccgpt.risk.decode import static_output
from ccgpt.risk.lazyre import lazy_re
from ccgpt.risk.model import TEXT, Cmd
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

TERMINAL_ESCAPE = rule("terminal-escape")

_ST = r"(?:\x07|\x1b\\|\x9c)"
_CLIPBOARD = lazy_re(r"(?:\x1b\]|\x9d)52;")
_LINK = lazy_re(r"(?:\x1b\]|\x9d)8;[^;\x07\x1b]*;([^\x07\x1b\x9c]*)" + _ST + r"(.*?)(?:\x1b\]|\x9d)8;;" + _ST, 0)


def _shown(text: str) -> str:
    return text.strip().rstrip("/").lower().removeprefix("https://").removeprefix("http://")


def escapes(cmd: Cmd, ctx: Context) -> None:
    if not any("\\" in a or "\x1b" in a for a in cmd.argv[1:]):
        return  # no escape written (the common case: plain echo)
    out = static_output(cmd)
    if out is not None and out.kind != TEXT and P.DYNAMIC in cmd.argv:
        # Unknown arguments (`printf '\033]52;c;%s\007' "$(…)"`): read the known words alone;
        # what fills the sequence does not change that the sequence is written.
        known = Cmd([a for a in cmd.argv if a != P.DYNAMIC], cmd.spans, cmd.span, [], None)
        out = static_output(known)
    if out is None or out.kind != TEXT or "\x1b" not in out.text and "\x9d" not in out.text:
        return
    if _CLIPBOARD.search(out.text):
        ctx.add(TERMINAL_ESCAPE, cmd.span, "writes the clipboard through the terminal (OSC 52)")
    for m in _LINK.finditer(out.text):
        target, text = m.group(1), m.group(2)
        if text and _shown(text) != _shown(target):
            ctx.add(TERMINAL_ESCAPE, cmd.span, f"a terminal link whose text ({text[:30]!r}) hides where it leads ({target[:60]!r})")


PROGRAMS = {"echo": [escapes], "printf": [escapes]}
