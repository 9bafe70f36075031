"""awk, gawk, mawk, nawk: what an awk program runs and writes.

The options are read as gawk reads them (getopt with `+`: the scan stops at the first operand),
so the value of `-v x=1`, `-F :` or `-i inplace` is never taken for the program. The program
is the first operand unless `-f`/`-E` name a program file or `-e` gives its text. Literal
strings of the program (and `-v` assignments) that reach `system()`, a `| "cmd"` pipe or
`"cmd" | getline` are classified as the commands they are; `print > "FILE"` and gawk's
`-i inplace` edit go through the same write check as a shell redirection."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ccgpt.risk import paths as P
from ccgpt.risk.commands import SHELLS, getopt
from ccgpt.risk.model import Cmd
from ccgpt.risk.rules.catalog import rule
from ccgpt.risk.rules.files import write_target

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

RUNS_SCRIPT = rule("runs-script")
REVERSE_SHELL = rule("reverse-shell")
WRITE_FILES = rule("write-files")

# gawk's option string is "+F:f:v:W;bcCd::D::e:E:ghi:l:L::nNo::Op::MPrSstVYZ:" (mawk and busybox
# take a subset): these letters take a value, the `::` ones only when it is attached.
_REQUIRED = "FfvWeEilZ"
_OPTIONAL = "dDLop"
_LONG_REQUIRED = frozenset({"--field-separator", "--file", "--assign", "--source", "--exec", "--include",
                            "--load", "--locale"})
_LONG_OPTIONAL = frozenset({"--dump-variables", "--debug", "--lint", "--pretty-print", "--profile"})
_PROGRAM_FILE = frozenset({"-f", "--file", "-E", "--exec"})
_PROGRAM_TEXT = frozenset({"-e", "--source"})
_INCLUDE = frozenset({"-i", "--include", "-l", "--load"})
# gawk writes these files: `-o[FILE]` the pretty-printed program, `-p[FILE]` a profile, `-d[FILE]` the variables
_WRITES = {"-o": "awkprof.out", "--pretty-print": "awkprof.out", "-p": "awkprof.out", "--profile": "awkprof.out",
           "-d": "awkvars.out", "--dump-variables": "awkvars.out"}

# After masking, a string literal is `"\x00N\x00"` (N indexes the literal values) and regex
# literals are gone, so a `|` inside `"a|b"` or `/a|b/` is never read as a pipe.
_STR = r"\"\x00(\d+)\x00\""
_PIPE = r"(?<!\|)\|(?!\|)&?\s*"


def _mask(prog: str) -> tuple[str, list[str]]:
    """The program with each string literal replaced by a numbered placeholder, regex literals and
    comments removed, and the literals. One left-to-right scan, as awk's lexer reads it: a `"`
    inside `/…/` opens no string, a `/` inside a string no regex; linear in the program's length."""
    literals: list[str] = []
    out: list[str] = []
    i, n, prev = 0, len(prog), ""
    while i < n:
        c = prog[i]
        if c == '"':
            j, buf = i + 1, []
            while j < n and prog[j] != '"':
                if prog[j] == "\\" and j + 1 < n:
                    buf.append(prog[j:j + 2])
                    j += 2
                    continue
                buf.append(prog[j])
                j += 1
            literals.append(_unescape("".join(buf)))
            out.append('"\x00%d\x00"' % (len(literals) - 1))
            i, prev = j + 1, '"'
        elif c == "/" and (prev == "" or prev in "~(,{;!&|=\n?:[+-*%<>"):
            j = i + 1  # a regex literal: where an operand starts, up to the next unescaped `/`
            while j < n and prog[j] not in "/\n":
                j += 2 if prog[j] == "\\" else 1
            out.append(" ")
            i, prev = j + 1, "r"
        elif c == "#":
            j = prog.find("\n", i)  # a comment, to the end of the line
            i = n if j < 0 else j
        else:
            out.append(c)
            if not c.isspace() or c == "\n":
                prev = c
            i += 1
    return "".join(out), literals


def _full_names(name: str) -> list[str]:
    """gawk takes any unique prefix of a long option (`--so=…` is `--source`); an ambiguous one
    reads as every option it could be (fail closed)."""
    if not name.startswith("--"):
        return [name]
    known = _LONG_REQUIRED | _LONG_OPTIONAL
    if name in known:
        return [name]
    return [x for x in known if x.startswith(name)] or [name]


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def _read(argv: list[str]) -> tuple[str, list[str], dict[str, str], list[tuple[str, str | None]], bool]:
    """(program text, file operands, known string variables, options, program read from a file)."""
    got, first = getopt(argv, 1, _REQUIRED, _OPTIONAL, _LONG_REQUIRED, _LONG_OPTIONAL)
    opts = [(full, value) for name, value in got for full in _full_names(name)]
    for name, value in list(opts):  # `-W source=TEXT`, `-W exec FILE` (mawk, gawk): the same options
        if name == "-W" and value:
            key, eq, rest = value.partition("=")
            full = _full_names("--" + key) if key else []
            opts += [(f, rest if eq else None) for f in full if f in _PROGRAM_TEXT | _PROGRAM_FILE | _INCLUDE]
    strings: dict[str, str] = {}
    for name, value in opts:
        if name in ("-v", "--assign") and value and "=" in value:
            var, _, val = value.partition("=")
            strings[var] = _unescape(val)
    from_file = any(name in _PROGRAM_FILE for name, _ in opts)
    texts = [value or "" for name, value in opts if name in _PROGRAM_TEXT]
    operands = argv[first:]
    if not from_file and not texts and operands:
        texts, operands = [operands[0]], operands[1:]
    files = []
    for word in operands:
        m = re.fullmatch(r"([A-Za-z_]\w*)=(.*)", word, re.S)  # `awk '…' x=1 file`: an assignment operand
        if m:
            strings[m.group(1)] = _unescape(m.group(2))
        else:
            files.append(word)
    return "\n".join(texts), files, strings, opts, from_file


def awk(cmd: Cmd, ctx: Context) -> None:
    prog, files, strings, opts, from_file = _read(cmd.argv)
    _option_writes(cmd, ctx, opts, files)
    if from_file:
        ctx.add(RUNS_SCRIPT, cmd.span, "runs an awk program file")
    masked, lits = _mask(prog)
    if "/inet/" in prog and ("|&" in masked or "getline" in masked):
        ctx.add(REVERSE_SHELL, cmd.span, "gawk /inet/ socket wired to commands")
        return
    # `"rm -rf " ENVIRON["HOME"]`: awk's concatenation with the home directory
    for m in re.finditer(_STR + r"\s*ENVIRON\[\s*" + _STR + r"\s*\]", masked):
        if lits[int(m.group(2))] == "HOME":
            lits[int(m.group(1))] += "~"
    masked = re.sub(r"(" + _STR + r")\s*ENVIRON\[\s*" + _STR + r"\s*\]", r"\1", masked)
    strings.update((k, lits[int(i)]) for k, i in re.findall(r"\b(\w+)\s*=\s*" + _STR + r"\s*(?=[;}\n]|$)", masked))
    found = _commands(cmd, ctx, masked, lits, strings, files)
    _print_writes(cmd, ctx, masked, lits, strings)
    if not found and re.search(r"system\s*\(|" + _PIPE + r"[\"\w(]|\|&", masked):
        ctx.add(RUNS_SCRIPT, cmd.span, "awk program runs commands")


def _option_writes(cmd: Cmd, ctx: Context, opts: list[tuple[str, str | None]], files: list[str]) -> None:
    for name, value in opts:
        if name in _WRITES:
            write_target(cmd, ctx, value or _WRITES[name], cmd.span)
        if name in _INCLUDE and value and re.fullmatch(r"inplace(?:\.awk|\.so)?", value):
            for path in files or [P.DYNAMIC]:
                if path != "-":
                    write_target(cmd, ctx, path, cmd.span)  # gawk's in-place edit rewrites every file operand


def _value(m: re.Match, lits: list[str], strings: dict[str, str], lit: int, var: int) -> str | None:
    """The text of a string literal or of a variable whose value is known, else None."""
    if m.group(lit) is not None:
        return lits[int(m.group(lit))]
    return strings.get(m.group(var) or "")


def _commands(cmd: Cmd, ctx: Context, masked: str, lits: list[str], strings: dict[str, str],
              files: list[str]) -> bool:
    """Classify the commands the program runs; True when at least one was read."""
    found = False
    piped = re.search(r"print\s*(?:\$\w+\s*)?" + _PIPE + r"\(?(?:" + _STR + r"|(\w+))", masked)
    if re.search(r"system\s*\(\s*\$\w*\s*\)", masked) or piped and _is_shell(_value(piped, lits, strings, 1, 2) or ""):
        from ccgpt.risk.rules.code import consume_stdin, run_file

        # `system($0)`, `print | "sh"`: each input line is a command, from the files or stdin
        ctx.add(RUNS_SCRIPT, cmd.span, "awk runs lines of its input as commands")
        for path in files:
            run_file(cmd, ctx, path, shell=True)
        if not files:
            consume_stdin(cmd, ctx, shell=True)
        found = True
    for m in re.finditer(r"system\s*\(\s*(?:" + _STR + r"(\s*\))?|(\w+)\s*\))", masked):
        code = _value(m, lits, strings, 1, 3)
        if code is not None:
            if m.group(1) is not None and not m.group(2):  # system("rm -rf " $1): the rest is input data
                ctx.bind("__awk_data", P.DYNAMIC)
                code += ' "$__awk_data"'
                ctx.add(RUNS_SCRIPT, cmd.span, "awk passes input data to a shell through system()")
            ctx.nested(code, cmd.span)
            ctx.bind("__awk_data", None)
            found = True
    # "CMD" | getline, print … | "CMD", print "CMD" | "sh": CMD runs through a shell
    for m in re.finditer(r"(?:(?:" + _STR + r"|\b([A-Za-z_]\w*+))\s*)?" + _PIPE + r"\(?\s*(?:" + _STR + r"|([A-Za-z_]\w*))", masked):
        left, right = _value(m, lits, strings, 1, 2), _value(m, lits, strings, 3, 4)
        if m.group(4) == "getline" or (right is not None and _is_shell(right)):
            code = left  # the left side is the command (getline) or the shell's input
        else:
            code = right
        if code is not None:
            ctx.nested(code, cmd.span)
            found = True
    return found


def _is_shell(text: str) -> bool:
    """`sh`, `/bin/bash -s`, `env sh`, `exec dash`: a shell that runs what it reads."""
    words = text.split()
    while words and (words[0] in ("env", "exec", "command", "nohup", "sudo") or words[0].startswith("-")
                     or "=" in words[0]):
        words = words[1:]
    return bool(words) and words[0].rsplit("/", 1)[-1] in SHELLS


def _print_writes(cmd: Cmd, ctx: Context, masked: str, lits: list[str], strings: dict[str, str]) -> None:
    """`print > "FILE"`, `printf … >> FILE`: literal or known targets are checked like `>`."""
    for m in re.finditer(r"\b(?:print|printf)\b[^;}\n]{0,400}?(>>?)\s*(?:" + _STR + r"|([A-Za-z_]\w*)\b(?!\s*[\"(\[$]))",
                         masked):
        path = _value(m, lits, strings, 2, 3)
        if path is not None:
            write_target(cmd, ctx, path, cmd.span, append=m.group(1) == ">>")
        else:
            ctx.add(WRITE_FILES, cmd.span, "awk program writes files")
    if re.search(r"\b(?:print|printf)\b[^;}\n]{0,400}?>>?\s*[$(]", masked):
        ctx.add(WRITE_FILES, cmd.span, "awk program writes files named by its input")


def printed_text(argv: list[str]) -> str | None:
    """What a `BEGIN { print "…"; printf "…" }` program prints, when it is made of literal
    prints only (`awk 'BEGIN{print "rm -rf /"}' | sh`); None otherwise."""
    prog, _, _, _, from_file = _read(argv)
    if from_file:
        return None
    masked, lits = _mask(prog)
    m = re.fullmatch(r"\s*BEGIN\s*\{(.*)\}\s*", masked, re.S)
    if m is None:
        return None
    out = []
    for stmt in re.split(r"[;\n]", m.group(1)):
        if not stmt.strip():
            continue
        p = re.fullmatch(r"\s*(print|printf)\s*\(?\s*((?:" + _STR + r"\s*)+)\)?\s*", stmt)
        if p is None:
            return None
        text = "".join(lits[int(i)] for i in re.findall(_STR, p.group(2)))
        out.append(text + ("\n" if p.group(1) == "print" else ""))
    return "".join(out)
