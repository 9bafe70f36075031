"""Programs whose arguments or input are code: shells (`bash -c`, a script, a heredoc or
pipe fed to `sh`), interpreters (`python -c`), `eval`, `source`, `su -c`, `watch`, `trap`,
`read`, `make -f -` (fan-out — xargs, find, parallel — is in fanout.py). Each hands the code it
carries back to the engine through the rule context."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccgpt.risk import commands as C
from ccgpt.risk import paths as P
from ccgpt.risk.model import NET, TEXT, Cmd
from ccgpt.risk.words import ARRAY
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

RUNS_SCRIPT = rule("runs-script")
REMOTE_CODE = rule("remote-code")
DECODED_PAYLOAD = rule("decoded-payload")
PRIVILEGED = rule("privileged")

_SHELL_VALUE_OPTS = frozenset(["-o", "+o", "-O", "+O", "--rcfile", "--init-file"])


def code_args(cmd: Cmd, ctx: Context) -> bool:
    """Arguments of a shell, `eval`, `source` or an interpreter that came from the network or
    out of a decoder are code from there: `bash -c "$(curl …)"`, `eval "$(echo … | base64 -d)"`."""
    if cmd.net_args:
        ctx.add(REMOTE_CODE, cmd.span)
    if cmd.decoded_args:
        ctx.add(DECODED_PAYLOAD, cmd.span)
    return False


def shell(cmd: Cmd, ctx: Context) -> bool:
    """`bash -c CODE`, `bash script`, `bash` reading a pipe or heredoc, `bash -i`."""
    argv = cmd.argv
    flags: set[str] = set()
    i = 1
    while i < len(argv):
        a = argv[i]
        if a in _SHELL_VALUE_OPTS:
            i += 2
            continue
        if a == "--" or a == "-":
            i += 1
            break
        if a.startswith("--"):
            flags.add(a)
        elif a.startswith(("-", "+")) and len(a) > 1:
            flags.update(a[1:])
        else:
            break
        i += 1
    if "c" in flags:
        if i < len(argv) and argv[i] == P.DYNAMIC and cmd.net_args:
            pass  # code from the network: remote-code (code_args) says it
        elif i < len(argv):
            ctx.nested(argv[i], ctx.word_base(cmd, i), positional=argv[i + 1:] or [argv[0]])
        return False
    if i < len(argv) and "s" not in flags:
        run_file(cmd, ctx, argv[i], shell=True)
        return False
    consume_stdin(cmd, ctx, shell=True)
    if cmd.stdin is None and "i" not in flags and not any(r.op.startswith("<") and r.fd in ("", "0") for r in cmd.redirects):
        ctx.add(RUNS_SCRIPT, cmd.span, "starts a new shell")
    return False

def consume_stdin(cmd: Cmd, ctx: Context, shell: bool) -> None:
    src = cmd.stdin
    if src is None:
        # `bash < script.sh`, `sh < <(curl …)`, `python3 < x.py`: the file read on stdin is the program.
        r = next((r for r in reversed(cmd.redirects) if r.op in ("<", "<>") and r.fd in ("", "0")), None)
        if r is not None and r.info is not None and r.info.procsub is not None:
            cmd.stdin = r.info.procsub
            consume_stdin(cmd, ctx, shell)
        elif r is not None:
            run_file(cmd, ctx, r.target, shell=shell)
        return
    if src.kind == NET:
        ctx.add(REMOTE_CODE, ctx.pipe_span or cmd.span)
    elif src.kind == TEXT:
        if src.decoded:
            ctx.add(DECODED_PAYLOAD, ctx.pipe_span or cmd.span)
        if shell:
            ctx.nested(src.text, getattr(src, "origin", None) or cmd.span)
        else:
            from ccgpt.risk.rules.inline import check_code_text

            check_code_text(src.text, cmd, ctx)
    elif src.decoded:
        ctx.add(DECODED_PAYLOAD, cmd.span)
    elif shell:
        ctx.add(RUNS_SCRIPT, cmd.span, "runs commands read from a pipe")

def interpreter(cmd: Cmd, ctx: Context) -> bool:
    """python -c CODE / perl -e CODE / node -e CODE …, a script file, or code on stdin."""
    from ccgpt.risk.rules.inline import check_code_text, inline_code, powershell_encoded, runs_its_input

    argv = cmd.argv
    code = inline_code(argv)
    if code is not None and powershell_encoded(argv):
        ctx.add(DECODED_PAYLOAD, cmd.span, "PowerShell runs a command hidden as base64 (-EncodedCommand)")
    if code is not None:
        if code:
            check_code_text(code, cmd, ctx)
        if runs_its_input(code):  # `perl -ne 'system($_)'`: each line it reads is a command
            consume_stdin(cmd, ctx, shell=True)
        return False
    if argv[1:2] in (["--version"], ["-V"], ["--help"]) or argv[1:3] in (["-m", "json.tool"], ["-m", "site"]):
        return False  # prints a version, help or pretty-printed JSON
    operands = [a for a in argv[1:] if not a.startswith("-")]
    if not operands or operands[0] in ("-", "/dev/stdin"):
        consume_stdin(cmd, ctx, shell=False)
    else:
        run_file(cmd, ctx, operands[0], shell=False)
    return False

def source(cmd: Cmd, ctx: Context) -> bool:
    if len(cmd.argv) > 1:
        run_file(cmd, ctx, cmd.argv[1], shell=True)
    return False

def run_file(cmd: Cmd, ctx: Context, path: str, shell: bool) -> None:
    """A script argument: a <(…) substitution, a file written or downloaded earlier in the
    line, or an unknown file."""
    if path in ("/dev/fd/63", "/dev/stdin", "-"):
        if path == "/dev/fd/63" and cmd.procsub is not None:
            cmd.stdin = cmd.procsub
        consume_stdin(cmd, ctx, shell=shell)
        return
    key = P.resolve(path, ctx.cwd)
    if downloaded(ctx, key):
        ctx.add(REMOTE_CODE, cmd.span, f"runs {path}, downloaded from the network in the same line")
    elif key in ctx.files:
        if shell:
            ctx.nested(ctx.files[key], cmd.span)
        else:
            from ccgpt.risk.rules.inline import check_code_text

            check_code_text(ctx.files[key], cmd, ctx)
    elif not _read_by_probe(cmd, ctx, path, shell):
        ctx.add(RUNS_SCRIPT, cmd.span, f"runs the script {path}")


SCRIPT_LIMIT = 65536
SHELL_NAMES = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox", "fish"})


def shebang_program(text: str) -> str | None:
    """The program a `#!` line names (`env`'s target for `#!/usr/bin/env -S python3 -u`)."""
    first = text.split("\n", 1)[0]
    if not first.startswith("#!"):
        return None
    words = first[2:].split()
    if not words:
        return None
    program = words[0].rsplit("/", 1)[-1]
    if program == "env":
        rest = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
        program = rest[0].rsplit("/", 1)[-1] if rest else "env"
    return program


def downloaded(ctx: Context, key: str) -> bool:
    """`key` was saved from the network earlier in the line: a download, or a file inside a
    tree fetched whole (`git clone URL DIR` records `DIR/`)."""
    return key in ctx.downloads or any(d.endswith("/") and key.startswith(d) for d in ctx.downloads)


def makefile_from_stdin(cmd: Cmd, ctx: Context) -> bool:
    """`curl URL | make -f -`: the Makefile, recipes and all, comes from the pipe."""
    argv = cmd.argv
    reads_stdin = any(a in ("-f", "--file", "--makefile") and b in ("-", "/dev/stdin") for a, b in zip(argv, argv[1:])) \
        or any(a in ("-f-", "--file=-", "--makefile=-", "-f/dev/stdin") for a in argv)
    src = cmd.stdin
    if not reads_stdin or src is None:
        return False
    if src.kind == NET:
        ctx.add(REMOTE_CODE, ctx.pipe_span or cmd.span, "make runs a Makefile fetched from the network")
    elif src.kind == TEXT:
        for line in src.text.splitlines():
            if line.startswith("\t"):
                ctx.nested(line.strip().lstrip("@-+"), cmd.span)  # a recipe line runs through sh
    elif src.decoded:
        ctx.add(DECODED_PAYLOAD, cmd.span)
    return False


def _read_by_probe(cmd: Cmd, ctx: Context, path: str, shell: bool) -> bool:
    """`bash deploy.sh` with a probe that can read deploy.sh: classify what it runs. A script
    that reads clean is still a script run (runs-script), never safe by omission."""
    if ctx.probe is None or path == P.DYNAMIC:
        return False
    text = ctx.probe.read(P.resolve(path, ctx.cwd), SCRIPT_LIMIT)
    if text is None:
        return False
    ctx.add(RUNS_SCRIPT, cmd.span, f"runs the script {path} (its content is classified too)")
    interpreter = shebang_program(text)
    if shell and interpreter is not None and interpreter not in SHELL_NAMES:
        shell = False  # `./tool.py` with `#!/usr/bin/env python3`: python reads it, not the shell
    if shell:
        ctx.nested(text, cmd.span)
    else:
        from ccgpt.risk.rules.inline import check_code_text

        check_code_text(text, cmd, ctx)
    return True

_READ_VALUES = frozenset("-a -d -i -n -N -p -t -u".split())
_MAPFILE_VALUES = frozenset("-d -n -O -s -u -C -c".split())


def read(cmd: Cmd, ctx: Context) -> bool:
    """`read -r d <<< /` binds d to `/`; from any other input the value is unknown
    (DYNAMIC), never "unset": `while read f; do rm -rf "$f"; done` deletes what it reads."""
    argv, names, i = cmd.argv, [], 1
    while i < len(argv):
        a = argv[i]
        values = _READ_VALUES if argv[0] == "read" else _MAPFILE_VALUES  # mapfile -t is a flag
        if a in values:
            i += 2
            continue
        if not a.startswith("-"):
            names.append(a)
        i += 1
    if not names:
        names = ["REPLY"] if argv[0] == "read" else ["MAPFILE"]
    text = cmd.stdin.text if cmd.stdin is not None and cmd.stdin.kind == TEXT else None
    if argv[0] != "read":  # `mapfile -t a <<< /`: one element per line (-t drops the newline)
        lines = text.splitlines() if text is not None else [P.DYNAMIC]
        ctx.bind(names[0] + ARRAY, ARRAY.join(lines))
        ctx.bind(names[0], lines[0] if lines else "")
        return False
    fields = text.splitlines()[0].split() if text and text.strip() else []
    for k, name in enumerate(names):
        if text is None:
            value = P.DYNAMIC
        elif k == len(names) - 1:
            value = " ".join(fields[k:])
        else:
            value = fields[k] if k < len(fields) else ""
        ctx.bind(name, value)
    return False

def printf_v(cmd: Cmd, ctx: Context) -> bool:
    """`printf -v NAME FORMAT ARGS…` prints nothing: it binds NAME (`printf -v D /; rm -rf $D`)."""
    from ccgpt.risk.decode import printf

    argv = cmd.argv
    if argv[1:2] == ["-v"] and len(argv) > 3:
        args = argv[3:]
        ctx.bind(argv[2], P.DYNAMIC if P.DYNAMIC in args else printf(args))
        return True
    return False


def trap(cmd: Cmd, ctx: Context) -> bool:
    """`trap 'CMD' EXIT`: CMD runs when the shell exits or gets the signal."""
    argv = cmd.argv
    if len(argv) > 2 and argv[1] not in ("-", "--", "-p", "-l", "-P"):
        ctx.nested(argv[1], ctx.word_base(cmd, 1))
    return True

def watch(cmd: Cmd, ctx: Context) -> bool:
    """`watch [-n N] CMD…` runs CMD through `sh -c` again and again."""
    i = C.skip_options(cmd.argv, 1, frozenset(["-n", "--interval", "-q", "--equexit"]))
    if i < len(cmd.argv):
        base = ctx.word_base(cmd, i) if len(cmd.argv) == i + 1 else cmd.span
        ctx.nested(" ".join(cmd.argv[i:]), base)
    return True

def su(cmd: Cmd, ctx: Context) -> bool:
    ctx.add(PRIVILEGED, cmd.span, "runs as another user or root through su")
    from ccgpt.risk.commands import getopt

    # util-linux su: -c/--command, --session-command, -g, -G, -s, -w take a value (`su -mc CMD`,
    # `su -c'CMD'`, `su --command=CMD` alike)
    longs = frozenset({"--command", "--session-command", "--group", "--supp-group", "--shell",
                       "--whitelist-environment"})
    opts, _ = getopt(cmd.argv, 1, "cgGsw", "", longs, permute=True)
    for name, value in opts:
        # getopt_long takes a unique prefix (`--comm=CMD`); an ambiguous one reads as each option
        names = [x for x in longs if x.startswith(name)] if name.startswith("--") else [name]
        if set(names) & {"-c", "--command", "--session-command"} and value is not None:
            ctx.nested(value, cmd.span)
    if "--" in cmd.argv:  # `su root -- -c CMD`: the words after `--` go to the user's shell
        rest = cmd.argv[cmd.argv.index("--") + 1:]
        if "-c" in rest and rest.index("-c") + 1 < len(rest):
            ctx.nested(rest[rest.index("-c") + 1], cmd.span)
    return True

def eval_(cmd: Cmd, ctx: Context) -> bool:
    if len(cmd.argv) > 1:
        base = ctx.word_base(cmd, 1) if len(cmd.argv) == 2 else cmd.span
        ctx.nested(" ".join(cmd.argv[1:]), base)
    return False



# Programs whose words are code, or that change what the rest of the line means: they run
# before the program rules; a handler that returns True has said everything about the command.
HANDLERS = {
    "eval": [code_args, eval_],
    "source": [code_args, source],
    ".": [code_args, source],
    "su": [su],
    "watch": [watch],
    "read": [read],
    "trap": [trap],
    "mapfile": [read],
    "printf": [printf_v],
    "readarray": [read],
    **{s: [code_args, shell] for s in C.SHELLS},
    **{s: [code_args, interpreter] for s in C.INTERPRETERS if s != "awk"},
    "awk": [code_args],
    **{m: [makefile_from_stdin] for m in ("make", "gmake", "bmake")},
}
