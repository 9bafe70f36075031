"""Static evaluation of the small pipelines attackers use to build a payload:
`echo …`, `printf '\\x72\\x6d …'`, `base64 -d`, `xxd -r -p`, `rev`, `cat` of a heredoc.

Only literal input is evaluated; anything else stays unknown (and is treated pessimistically
by the caller)."""

from __future__ import annotations

import re

from ccgpt.risk.lazyre import lazy_re

from ccgpt.risk.model import TEXT, Cmd, Output
from ccgpt.risk.paths import DYNAMIC
from ccgpt.risk.words import decode_ansi_c

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


def _b32(text: str) -> str | None:
    import base64
    import binascii

    data = re.sub(r"\s+", "", text).upper()
    data += "=" * (-len(data) % 8)
    try:
        return base64.b32decode(data).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None


_SED_S = lazy_re(r"^s(.)((?:\\.|(?!\1).)*)\1((?:\\.|(?!\1).)*)\1([gI]*)$")
_BRE_SWAP = {"\\(": "(", "\\)": ")", "\\{": "{", "\\}": "}", "\\|": "|", "\\+": "+", "\\?": "?",
             "(": "\\(", ")": "\\)", "{": "\\{", "}": "\\}", "|": "\\|", "+": "\\+", "?": "\\?"}


def sed(argv: list[str], text: str) -> str | None:
    """`sed 's/a/b/g'` (and several `-e` substitutions) on known text; None for anything else."""
    scripts, ere, i = [], False, 1
    while i < len(argv):
        a = argv[i]
        if a in ("-e", "--expression") and i + 1 < len(argv):
            scripts.append(argv[i + 1])
            i += 2
            continue
        if a in ("-E", "-r", "--regexp-extended"):
            ere = True
        elif a.startswith("-") or scripts:
            return None
        else:
            scripts.append(a)
        i += 1
    for script in (x.strip() for s in scripts for x in s.split(";") if x.strip()):
        m = _SED_S.match(script)
        if m is None:
            return None
        pat, rep, fl = m.group(2), m.group(3), m.group(4)
        if not ere:
            pat = re.sub(r"\\[(){}|+?]|[(){}|+?]", lambda t: _BRE_SWAP[t.group()], pat)

        def expand(hit: re.Match, rep: str = rep) -> str:  # sed's `&` and `\N` in the replacement
            return re.sub(r"\\(.)|&", lambda t: hit.group(0) if t.group() == "&" else (
                hit.group(int(t.group(1))) or "" if t.group(1).isdigit() else t.group(1)), rep)

        try:
            rx = re.compile(pat, re.I if "I" in fl else 0)
            text = "\n".join(rx.sub(expand, line, count=0 if "g" in fl else 1) for line in text.split("\n"))
        except (re.error, IndexError):
            return None
    return text


_AWK_IDENTITY = lazy_re(r"^\s*(1|\{\s*print\s*(\$0)?\s*;?\s*\})\s*$")
_AWK_CASE = lazy_re(r"^\s*\{\s*print\s+(tolower|toupper)\(\s*\$0\s*\)\s*;?\s*\}\s*$")


def awk(argv: list[str], text: str) -> str | None:
    """awk programs that print each line as it is or in one case; None for anything else."""
    if len(argv) != 2:
        return None
    if _AWK_IDENTITY.match(argv[1]):
        return text
    m = _AWK_CASE.match(argv[1])
    if m is None:
        return None
    return text.lower() if m.group(1) == "tolower" else text.upper()


def _hex(text: str) -> str | None:
    data = re.sub(r"[\s:]|\\x|0x", "", text)
    try:
        return bytes.fromhex(data).decode("utf-8", "replace")
    except ValueError:
        return None


_TR_CLASSES = {"lower": "abcdefghijklmnopqrstuvwxyz", "upper": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "digit": "0123456789",
               "space": " \t\n\r\f\v", "blank": " \t"}


def _tr_set(spec: str) -> str | None:
    """Expand a tr SET: escapes, `a-z` ranges, `[:lower:]`-style classes; None for what is not
    modelled (`[c*n]` repeats, equivalence classes)."""
    spec = decode_ansi_c(spec) if "\\" in spec else spec
    for name, chars in _TR_CLASSES.items():
        spec = spec.replace(f"[:{name}:]", chars)
    if "[:" in spec or "[=" in spec or "*]" in spec:
        return None
    out: list[str] = []
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-" and ord(spec[i]) <= ord(spec[i + 2]):
            out.extend(chr(c) for c in range(ord(spec[i]), ord(spec[i + 2]) + 1))
            i += 3
        else:
            out.append(spec[i])
            i += 1
    return "".join(out) if len(out) <= 4096 else None


def tr(argv: list[str], text: str) -> str | None:
    """`tr SET1 SET2`, `tr -d SET`, `tr -s SET`: the output for known input, else None."""
    flags = ""
    sets: list[str] = []
    for a in argv[1:]:
        if a.startswith("-") and len(a) > 1 and not sets:
            flags += a[1:]
        else:
            sets.append(a)
    if set(flags) - set("ds") or not sets or len(sets) > 2:
        return None  # -c/-t and long options are not modelled
    maybe = [_tr_set(x) for x in sets]
    expanded = [e for e in maybe if e is not None]
    if len(expanded) < len(maybe):
        return None
    if "d" in flags:
        out = "".join(ch for ch in text if ch not in expanded[0])
        squeeze = expanded[1] if len(expanded) > 1 else ""
    elif len(expanded) == 2:
        s1, s2 = expanded
        if not s2:
            return None
        s2 = (s2 + s2[-1] * len(s1))[:len(s1)]
        table: dict[int, str] = {}
        for a, b in zip(s1, s2):
            table[ord(a)] = b  # the last mapping of a repeated character wins, as in GNU tr
        out = text.translate(table)
        squeeze = s2 if "s" in flags else ""
    else:
        out, squeeze = text, expanded[0] if "s" in flags else ""
    if squeeze:
        out = re.sub("([" + re.escape(squeeze) + "])\\1+", r"\1", out)
    return out


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


_PATH_PROGRAMS = frozenset(["dirname", "basename", "realpath", "readlink", "pwd"])


def _path_program(prog: str, ops: list[str], cwd: str | None) -> str | None:
    """`dirname /etc` → `/`, `realpath /usr/..` → `/`, `pwd` after `cd /` → `/`: computed
    lexically (symbolic links are not followed: the engine has no filesystem)."""
    import posixpath

    if prog == "pwd":
        if cwd is None:
            return "."  # where the line starts, as `$PWD` reads: `rm -rf "$(pwd)/.."` climbs out of it
        return cwd if cwd.startswith(("/", "~")) else None
    if len(ops) != 1 or DYNAMIC in ops[0]:
        return None
    path = ops[0]
    if prog == "dirname":
        return posixpath.dirname(path.rstrip("/")) or ("/" if path.startswith("/") else ".")
    if prog == "basename":
        return posixpath.basename(path.rstrip("/")) or "/"
    if path.startswith(("/", "~")):
        return posixpath.normpath(path).replace("//", "/")
    return None


# The programs the tail of static_output() reads (each has a branch there; others are None).
_DECODERS = frozenset("cat base64 base32 basenc openssl sed awk gawk mawk nawk xxd head tail rev tr gunzip zcat".split())


def static_output(cmd: Cmd) -> Output | None:
    """The stdout of `cmd` when it is computable from literals, else None."""
    argv = cmd.argv
    prog = argv[0]
    stdin = cmd.stdin
    if prog in ("echo", "printf") and DYNAMIC in argv:
        # `echo $X | sh`: text not known here; `echo "$(curl URL)" | sh`: text from the network
        return Output("net") if cmd.net_args else Output("unknown")
    if prog in (":", "true", "false") and not cmd.redirects:
        return Output("text", "")  # prints nothing: `$(:)rm -rf /` is `rm -rf /`
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
    if prog in _PATH_PROGRAMS:
        computed = _path_program(prog, [a for a in argv[1:] if not a.startswith("-")], cmd.cwd)
        return Output(TEXT, computed + "\n") if computed is not None else None
    if prog not in _DECODERS:  # most commands: nothing below computes their output
        return None
    literal = stdin.text if stdin is not None and stdin.kind == TEXT else None
    files = [a for a in argv[1:] if not a.startswith("-")]
    if prog == "cat" and not files:
        return stdin
    flags = "".join(a for a in argv[1:] if a.startswith("-"))
    decoded = None
    if prog in ("base64", "base32", "basenc") and ("d" in flags or "D" in flags or "--decode" in argv):
        b32 = prog == "base32" or "--base32" in argv
        decoded = (_b32(literal) if b32 else _b64(literal)) if literal is not None else None
    elif prog == "openssl" and "-d" in argv and ("base64" in argv or "-a" in argv or "-base64" in argv):
        decoded = _b64(literal) if literal is not None else None
    elif prog in ("sed", "awk", "gawk", "mawk", "nawk") and literal is not None and not files[1:]:
        decoded = (sed(argv, literal) if prog == "sed" else awk(argv, literal))
        files = []
    elif prog == "xxd" and "r" in flags:
        decoded = _hex(literal) if literal is not None else None
    elif prog in ("head", "tail") and literal is not None and not files:
        n = next((a[1:] if a[1:].isdigit() else None for a in argv[1:] if a.startswith("-") and a != "-n"), None)
        n = n or next((argv[k + 1] for k, a in enumerate(argv[:-1]) if a == "-n"), "10")
        lines = literal.split("\n")
        decoded = "\n".join(lines[:int(n)] if prog == "head" else lines[-int(n):]) if n.isdigit() else None
    elif prog == "rev":
        decoded = "\n".join(line[::-1] for line in literal.split("\n")) if literal is not None else None
    elif prog == "tr":
        if stdin is None or not (stdin.decoded or stdin.kind == TEXT):
            return None
        decoded = tr(argv, literal) if literal is not None else None
        files = []  # tr's operands are sets, never files
    elif prog == "gunzip" or prog == "zcat" and not files:
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
