"""Read a sed script the way GNU sed does, for what it runs and what it writes.

A regex over the script text misses what sed's own grammar allows: an escaped delimiter
(`s/x/rm -rf \\//e`), another delimiter (`s|x|y|e`), a `;` inside a regex or replacement, `e`
with no command (it runs the pattern space: the input), `w FILE` as a command or as an `s` flag.
So the script is cut into commands here, with addresses, delimiters and escapes honoured, and
the rules (gtfo.sed_exec, tools.writer) read the commands.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

# Commands whose argument runs to the end of the line: file names, text, a command to run.
_TO_EOL = frozenset("aicrRwWe:bTt#")


class SedCommand(NamedTuple):
    name: str  # 's', 'e', 'w', 'y', 'a', …
    arg: str  # e/w/r/a…: the rest of the line; s: the replacement, unescaped
    flags: str = ""  # s: its flags (without a w file)
    file: str = ""  # w, W, and s///w: the file written
    pattern: str = ""  # s: the regular expression, as written (BRE unless sed -E)


def _delimited(script: str, i: int, delim: str) -> tuple[str, int]:
    """The text up to the next unescaped `delim` from i, with `\\delim` unescaped; and the index after it."""
    end = script.find(delim, i)
    if end >= 0 and "\\" not in script[i:end] and "\n" not in script[i:end]:
        return script[i:end], end + 1  # the usual case: nothing escaped
    out = []
    n = len(script)
    while i < n and script[i] != delim:
        c = script[i]
        if c == "\\" and i + 1 < n:
            nxt = script[i + 1]
            out.append(nxt if nxt == delim else ("\n" if nxt == "n" else c + nxt))
            i += 2
            continue
        if c == "\n":  # an unterminated s command: sed rejects the script; read what was written
            break
        out.append(c)
        i += 1
    return "".join(out), i + 1


def _skip_address(script: str, i: int) -> int:
    n = len(script)
    for _ in range(2):  # one address, or a range `a,b`
        while i < n and script[i] in " \t":
            i += 1
        if i < n and (script[i].isdigit() or script[i] in "$"):
            while i < n and (script[i].isdigit() or script[i] in "$~"):
                i += 1
        elif i < n and script[i] in "/\\":
            delim = script[i + 1] if script[i] == "\\" and i + 1 < n else "/"
            _, i = _delimited(script, i + (2 if script[i] == "\\" else 1), delim)
            while i < n and script[i] in "IM":
                i += 1
        if i < n and script[i] == ",":
            i += 1
            continue
        break
    while i < n and script[i] in " \t!":
        i += 1
    return i


@lru_cache(maxsize=256)
def sed_commands(script: str) -> tuple[SedCommand, ...]:
    """The commands of a sed script, in order (cached: the writer and the runner rules both read them)."""
    return tuple(_commands(script))


def _commands(script: str) -> list[SedCommand]:
    out: list[SedCommand] = []
    i, n = 0, len(script)
    while i < n:
        i = _skip_address(script, i)
        if i >= n:
            break
        c = script[i]
        i += 1
        if c in ";\n{} \t":
            continue
        if c in ("s", "y") and i < n:
            delim = script[i]
            pattern, i = _delimited(script, i + 1, delim)
            replacement, i = _delimited(script, i, delim)
            j = i
            while j < n and script[j] not in ";\n}w" and not script[j].isspace():
                j += 1
            flags, file = script[i:j], ""
            if j < n and script[j] == "w":  # `s/a/b/w FILE`: the file name runs to the end of the line
                end = script.find("\n", j)
                file = script[j + 1:end if end >= 0 else n].strip()
                flags, j = flags + "w", (end if end >= 0 else n)
            out.append(SedCommand(c, replacement, flags, file, pattern))
            i = j
        elif c in _TO_EOL:
            end = script.find("\n", i)
            arg = script[i:end if end >= 0 else n]
            i = end if end >= 0 else n
            if c == "#":
                continue
            arg = arg.lstrip() if c not in "aic" else arg
            out.append(SedCommand(c, arg, "", arg.strip() if c in "wW" else ""))
        else:
            out.append(SedCommand(c, ""))
    return out


def sed_files(argv: list[str]) -> list[str]:
    """The file operands of a sed command line: without -e or -f, the first operand is the
    script. Short options cluster (`-ne SCRIPT`, `-nf FILE`); `-i` takes the rest of its word
    as a backup suffix (`-i.bak`, and `-ie` is `-i` with suffix `e`)."""
    files: list[str] = []
    scripted, i = False, 1
    while i < len(argv):
        a = argv[i]
        if a == "--":
            files += argv[i + 1:]
            break
        if a.startswith("--"):
            name = a[2:].split("=", 1)[0]
            if name in ("expression", "file", "line-length"):
                scripted |= name != "line-length"
                i += "=" not in a  # the value is the next word
        elif a.startswith("-") and a != "-":
            for k, ch in enumerate(a[1:], 1):
                if ch == "i":
                    break
                if ch in "efl":
                    scripted |= ch != "l"
                    i += k == len(a) - 1
                    break
        else:
            files.append(a)
        i += 1
    return files if scripted else files[1:]


def sed_scripts(argv: list[str]) -> list[str]:
    """The scripts of a sed command line: every -e/--expression value, else the first operand."""
    scripts, operand, i = [], None, 1
    while i < len(argv):
        x = argv[i]
        if x in ("-e", "--expression") and i + 1 < len(argv):
            scripts.append(argv[i + 1])
            i += 2
            continue
        if x.startswith("--expression="):
            scripts.append(x.split("=", 1)[1])
        elif x.startswith("-e") and len(x) > 2:
            scripts.append(x[2:])
        elif not x.startswith("-") and operand is None:
            operand = x
        i += 1
    return scripts or ([operand] if operand is not None else [])


def substitute(command: SedCommand, line: str, extended: bool) -> str | None:
    """What `s/PATTERN/REPLACEMENT/` makes of one input line (the first match, or every one with
    `g`), or None when it does not match or the expression is beyond this reading."""
    import re

    try:
        regex = re.compile(command.pattern if extended else _bre(command.pattern))
    except re.error:
        return None
    if not regex.search(line):
        return None

    def expand(m: re.Match) -> str:
        out, r, i = [], command.arg, 0
        while i < len(r):
            c = r[i]
            if c == "\\" and i + 1 < len(r):
                d = r[i + 1]
                if d.isdigit():
                    out.append((m.group(int(d)) if int(d) <= (regex.groups or 0) else "") or "")
                else:
                    out.append("\n" if d == "n" else d)
                i += 2
                continue
            out.append(m.group(0) if c == "&" else c)
            i += 1
        return "".join(out)

    return regex.sub(expand, line, count=0 if "g" in command.flags else 1)


def _bre(pattern: str) -> str:
    """A POSIX basic regular expression as Python's: `\\( \\) \\{ \\} \\+ \\? \\|` are the operators and
    their bare forms literal."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append(nxt if nxt in "(){}+?|" else c + nxt)
            i += 2
            continue
        out.append("\\" + c if c in "(){}+?|" else c)
        i += 1
    return "".join(out)
