"""The sanitiser against a battery of terminal escape sequences and invisible characters."""

import pytest

from ccgpt.term.sanitize import StreamSanitizer, has_unsafe, sanitize, sanitize_line

ESC = "\x1b"

BATTERY = [
    # (name, hostile input, what must be printed)
    ("CSI colour", f"{ESC}[31mred{ESC}[0m", "red"),
    ("CSI cursor up + erase line", f"ok{ESC}[1A{ESC}[2Kfake", "okfake"),
    ("CSI clear screen", f"{ESC}[2J{ESC}[Hhi", "hi"),
    ("CSI private mode (alt screen)", f"{ESC}[?1049hx", "x"),
    ("8-bit CSI", "\x9b2Jx", "x"),
    ("OSC title BEL", f"{ESC}]0;pwned\x07t", "t"),
    ("OSC title ST", f"{ESC}]2;pwned{ESC}\\t", "t"),
    ("OSC 52 clipboard write", f"{ESC}]52;c;cm0gLXJmIH4K\x07done", "done"),
    ("OSC 8 hyperlink", f"{ESC}]8;;https://evil.example{ESC}\\click{ESC}]8;;{ESC}\\", "click"),
    ("8-bit OSC", "\x9d0;t\x9cx", "x"),
    ("DCS", f"{ESC}P+q544e{ESC}\\x", "x"),
    ("APC", f"{ESC}_Gf=100;AAAA{ESC}\\x", "x"),
    ("PM", f"{ESC}^secret{ESC}\\x", "x"),
    ("SOS", f"{ESC}Xsos{ESC}\\x", "x"),
    ("RIS reset", f"{ESC}cx", "x"),
    ("charset designation", f"{ESC}(0x", "x"),
    ("save cursor", f"{ESC}7x{ESC}8", "x"),
    ("backspace overwrite", "rm -rf ~\x08\x08\x08\x08\x08\x08\x08\x08ls     ", "rm -rf ~ls     "),
    ("carriage return overwrite", "rm -rf /\rls -la  ", "rm -rf /ls -la  "),
    ("bell and NUL", "a\x07\x00b", "ab"),
    ("DEL", "a\x7fb", "ab"),
    ("C1 NEL", "a\x85b", "ab"),
    ("newline and tab survive", "a\tb\nc", "a\tb\nc"),
    ("CRLF becomes LF", "a\r\nb", "a\nb"),
    ("lone ESC", f"a{ESC}", "a"),
]


@pytest.mark.parametrize("name,hostile,expected", BATTERY, ids=[b[0] for b in BATTERY])
def test_escape_battery(name, hostile, expected):
    out = sanitize(hostile)
    assert out == expected
    assert ESC not in out and "\x9b" not in out and "\x07" not in out


@pytest.mark.parametrize(
    "char", ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u061c"]
)
def test_invisible_characters_are_made_visible(char):
    out = sanitize(f"ls{char}x")
    assert char not in out
    assert f"<U+{ord(char):04X}>" in out


def test_unicode_text_that_is_not_hidden_is_kept():
    text = "café — naïve 日本語 emoji 🎉"
    assert sanitize(text) == text
    assert not has_unsafe(text)


def test_sanitize_line_is_one_line():
    assert sanitize_line("a\nb\tc\x1b[2K") == "a b c"


def test_stream_sanitizer_handles_sequences_split_across_chunks():
    s = StreamSanitizer()
    pieces = ["hello ", f"{ESC}]52;c;", "cm0gLXJm", "IH4K\x07 world", f" {ESC}[", "31", "mred", f"{ESC}"]
    out = "".join(s.feed(p) for p in pieces) + s.flush()
    assert out == "hello  world red"


def test_stream_sanitizer_never_emits_escape_whatever_the_split():
    hostile = f"a{ESC}[31mb{ESC}]0;t\x07c{ESC}P1{ESC}\\d\x9b1Ae"
    for cut in range(len(hostile) + 1):
        s = StreamSanitizer()
        out = s.feed(hostile[:cut]) + s.feed(hostile[cut:]) + s.flush()
        assert ESC not in out and "\x9b" not in out and "\x07" not in out
        assert out.replace("\n", "") == "abcde"
