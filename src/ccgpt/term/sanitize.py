"""Make untrusted text (model output, file names, error bodies) safe to print to a terminal.

What a hostile or confused model could do with raw output: move the cursor and overwrite what
the person reads (CSI), set the window title or write the clipboard (OSC 52), plant a link whose
text lies about its target (OSC 8), talk to the terminal itself (DCS/APC/PM/SOS), or hide text
with bidirectional overrides and zero-width characters. So every escape sequence is removed,
every C0/C1 control except newline and tab is removed, and invisible formatting characters are
replaced by a visible `<U+XXXX>` marker, so the person sees that something was there.
"""

from __future__ import annotations

import re

from ccgpt.term.invisible import INVISIBLE as _INVISIBLE

# String terminator: BEL, ESC \, or the 8-bit ST.
_ST = r"(?:\x07|\x1b\\|\x9c)"
_ESCAPE_SEQUENCES = re.compile(
    r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*" + _ST  # OSC (title, clipboard 52, hyperlink 8, ...)
    + r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*" + _ST  # DCS, SOS, PM, APC
    + r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI (cursor, colour, erase, ...)
    # two-character and nF escapes (ESC c reset, ESC 7, ESC ( B ...); P X [ ] ^ _ open the
    # longer sequences above, so an unfinished one of those is not mistaken for a finished one.
    + r"|\x1b[ -/]*[0-OQ-WYZ\\`a-~]"
)
# Any control character left after the sequences are gone, except \t and \n.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Invisible characters that change how text reads (the one table, in term/invisible.py).
INVISIBLE = re.compile(f"[{_INVISIBLE}]")


def _mark(match: re.Match) -> str:
    return f"<U+{ord(match.group()):04X}>"


def sanitize(text: str) -> str:
    """Return `text` with escape sequences and controls removed and invisibles made visible."""
    text = text.replace("\r\n", "\n")
    text = _ESCAPE_SEQUENCES.sub("", text)
    text = _CONTROLS.sub("", text)
    return INVISIBLE.sub(_mark, text)


def sanitize_line(text: str) -> str:
    """Like `sanitize`, for one-line messages: newlines and tabs become spaces."""
    return sanitize(text).replace("\n", " ").replace("\t", " ")


def has_unsafe(text: str) -> bool:
    """True when `sanitize` would change the text (apart from CRLF)."""
    return sanitize(text) != text.replace("\r\n", "\n")


_INTRODUCER = re.compile("[\x1b\x90\x98\x9b\x9d\x9e\x9f]")


class StreamSanitizer:
    """Sanitise a stream of chunks, holding back an escape sequence split across chunks.

    Sanitising each chunk on its own would already be safe (a lone ESC is dropped, and what
    follows it prints as plain text); holding back a partial sequence only keeps its payload
    from showing up as stray text.
    """

    _HOLD_MAX = 512

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, chunk: str) -> str:
        text = self._pending + chunk
        self._pending = ""
        # After the last complete sequence, the first introducer starts an unfinished one.
        end_of_complete = 0
        for match in _ESCAPE_SEQUENCES.finditer(text):
            end_of_complete = match.end()
        unfinished = _INTRODUCER.search(text, end_of_complete)
        if unfinished and len(text) - unfinished.start() <= self._HOLD_MAX:
            self._pending = text[unfinished.start() :]
            text = text[: unfinished.start()]
        if text.endswith("\r"):
            self._pending = "\r" + self._pending
            text = text[:-1]
        return sanitize(text)

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return sanitize(text)
