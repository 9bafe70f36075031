"""Static evaluation of the small pipelines attackers use to build a payload:
`echo …`, `printf '\\x72\\x6d …'`, `base64 -d`, `xxd -r -p`, `rev`, `cat` of a heredoc.

Only literal input is evaluated; anything else stays unknown (and is treated pessimistically
by the caller)."""

from __future__ import annotations

import re

from ccgpt.shell.lazyre import lazy_re

from ccgpt.shell.model import TEXT, Cmd, Output
from ccgpt.shell.words import decode_ansi_c

_PRINTF_SPEC = lazy_re(r"%(?:%|[-+ #0]*\d*(?:\.\d+)?[sbcdiouxXq])")


def _b64(text: str) -> str | None:
    import base64  # only when a payload is actually decoded: keeps start-up lean
    import binascii

    data = re.sub(r"\s+", "", text)
    data += "=" * (-len(data) % 4)
    for decoder in (base64.b64decode, base64.urlsafe_b64decode):  # noqa: B023
        try:
            return decoder(data).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            continue
    return None


def _hex(text: str) -> str | None:
    data = re.sub(r"[\s:]|\\x|0x", "", text)
    try:
        return bytes.fromhex(data).decode("utf-8", "replace")
    except ValueError:
        return None


def printf(args: list[str]) -> str:
    if not args:
        return ""
    fmt, rest = args[0], list(args[1:])

    def one(m: re.Match) -> str:
        spec = m.group()
        if spec == "%%":
            return "%"
        value = rest.pop(0) if rest else ""
        if spec.endswith("b"):
            return decode_ansi_c(value)
        if spec.endswith("c"):
            return value[:1]
        return value

    out = _PRINTF_SPEC.sub(one, decode_ansi_c(fmt))
    while rest and _PRINTF_SPEC.search(fmt):  # printf reuses the format for leftover args
        out += _PRINTF_SPEC.sub(one, decode_ansi_c(fmt))
    return out


def static_output(cmd: Cmd) -> Output | None:
    """The stdout of `cmd` when it is computable from literals, else None."""
    argv = cmd.argv
    prog = argv[0]
    stdin = cmd.stdin
    if prog == "echo":
        args = argv[1:]
        escapes = False
        while args and args[0] in ("-n", "-e", "-E", "-ne", "-en"):
            escapes = escapes or "e" in args[0]
            args = args[1:]
        text = " ".join(args)
        return Output(TEXT, decode_ansi_c(text) if escapes else text + "\n")
    if prog == "printf":
        args = argv[1:]
        if args[:1] == ["--"]:
            args = args[1:]
        if args[:1] == ["-v"]:
            return None
        return Output(TEXT, printf(args))
    literal = stdin.text if stdin is not None and stdin.kind == TEXT else None
    files = [a for a in argv[1:] if not a.startswith("-")]
    if prog == "cat" and not files:
        return stdin
    flags = "".join(a for a in argv[1:] if a.startswith("-"))
    decoded = None
    if prog in ("base64", "base32", "basenc") and ("d" in flags or "D" in flags or "--decode" in argv):
        decoded = _b64(literal) if literal is not None and prog != "base32" else None
    elif prog == "openssl" and "base64" in argv and "-d" in argv:
        decoded = _b64(literal) if literal is not None else None
    elif prog == "xxd" and "r" in flags:
        decoded = _hex(literal) if literal is not None else None
    elif prog == "rev":
        decoded = "\n".join(line[::-1] for line in literal.split("\n")) if literal is not None else None
    elif prog == "tr" or prog == "gunzip" or prog == "zcat" and not files:
        if stdin is not None and (stdin.decoded or stdin.kind == TEXT):
            return Output("unknown", decoded=True)
        return None
    else:
        return None
    if files and literal is None:
        return Output("unknown", decoded=True)
    if decoded is None:
        return Output("unknown", decoded=True)
    return Output(TEXT, decoded, decoded=True)
