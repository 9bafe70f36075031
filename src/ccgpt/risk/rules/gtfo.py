"""Options that make an ordinary tool run a command (the GTFOBins family): the command they
carry is analysed like any other. `tar --checkpoint-action=exec=…`, `rsync -e …`,
`ssh -o ProxyCommand=…`, `git -c core.pager=…`, `zip -TT …`, `man -P …`, `vim -c ':!…'`,
`less +'!…'`, `at`/`batch` reading commands, `sed 'e …'`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccgpt.risk import paths as P
from ccgpt.risk.model import Cmd
from ccgpt.risk.words import decode_ansi_c
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

RUNS_SCRIPT = rule("runs-script")
WRITE_FILES = rule("write-files")
PERSISTENCE = rule("persistence")


_GIT_CMD_KEYS = ("core.pager", "core.sshcommand", "core.editor", "core.fsmonitor", "sequence.editor",
                 "diff.external", "core.hookspath", "pager.", "credential.helper", "gpg.program", "ssh.variant")




def _value_after(argv: list[str], i: int, opt: str) -> str | None:
    a = argv[i]
    if a == opt:
        return argv[i + 1] if i + 1 < len(argv) else None
    if a.startswith(opt + "="):
        return a[len(opt) + 1:]
    return None


def carried(cmd: Cmd, ctx: Context) -> None:
    argv = cmd.argv
    prog = argv[0]
    codes: list[str] = []
    for i, x in enumerate(argv):
        if prog in ("tar", "bsdtar"):
            for opt in ("--checkpoint-action", "--to-command", "--use-compress-program", "--rsh-command", "--info-script",
                        "--new-volume-script", "-I", "-F"):
                v = _value_after(argv, i, opt)
                if v is not None:
                    codes.append(v.split("=", 1)[1] if v.startswith(("exec=", "shell=")) else v)
        elif prog == "rsync":
            v = _value_after(argv, i, "-e") or _value_after(argv, i, "--rsh") or _value_after(argv, i, "--rsync-path")
            if v is not None:
                codes.append(v)
        elif prog in ("scp", "sftp") and x == "-S" and i + 1 < len(argv):
            codes.append(" ".join(argv[i + 1:]))  # `scp -S PROG …`: PROG runs instead of ssh, given scp's words
        elif prog in ("ssh", "scp", "sftp"):
            v = _value_after(argv, i, "-o")
            if v is None and x.startswith("-o") and len(x) > 2:
                v = x[2:]
            if v is not None and v.lower().startswith(("proxycommand", "localcommand", "knownhostscommand")):
                codes.append(v.split("=", 1)[1] if "=" in v else v.split(None, 1)[-1])
        elif prog == "git":
            v = _value_after(argv, i, "-c")
            if v is None and x.startswith("-c") and len(x) > 2 and "=" in x:
                v = x[2:]  # attached: `git -ccore.pager=CMD log`
            if v is not None and "=" in v:
                key, value = v.split("=", 1)
                if value.startswith("!"):
                    codes.append(value[1:])
                elif key.lower().startswith(_GIT_CMD_KEYS):
                    codes.append(value)
            elif x.startswith(("--upload-pack=", "--receive-pack=", "--exec=")):
                codes.append(x.split("=", 1)[1])
        elif prog == "zip":
            v = _value_after(argv, i, "-TT") or _value_after(argv, i, "--unzip-command")
            if v is not None:
                codes.append(v)
        elif prog in ("man", "git", "psql", "mysql") and x in ("-P", "--pager") and i + 1 < len(argv):
            codes.append(argv[i + 1])
        elif prog in ("vim", "vi", "nvim", "ex", "view") and (x in ("-c", "--cmd") and i + 1 < len(argv) or x[:1] == "+"):
            c = (x[1:] if x[:1] == "+" else argv[i + 1]).lstrip(":")  # `vim +'!CMD'` is `vim -c '!CMD'`
            if c.startswith("!"):
                codes.append(c[1:])
            elif c.startswith(("sh", "terminal", "call system")):
                ctx.add(RUNS_SCRIPT, cmd.span, f"{prog} runs a command on start")
        elif prog in ("less", "more") and x.startswith("+") and "!" in x:
            codes.append(x.split("!", 1)[1])
        elif prog in ("rg", "ripgrep"):
            v = _value_after(argv, i, "--pre") or _value_after(argv, i, "--hostname-bin")
            if v is not None:
                ctx.add(RUNS_SCRIPT, cmd.span, f"{prog} runs {v} on every file it searches")
                codes.append(v + " FILE")  # the program runs with each file as its argument
    for code in codes:
        if code:
            ctx.nested(code, cmd.span)
    if prog in ("vim", "vi", "nvim", "ex"):
        ctx.add(WRITE_FILES, cmd.span, f"{prog} is an editor: it can change files")


def _sed_files(cmd: Cmd, ctx: Context) -> list[str] | None:
    """The scripts of `sed -f FILE`: stdin (`-f /dev/stdin <<< …`) or a file written in the line."""
    argv = cmd.argv
    files = [argv[k + 1] for k, a in enumerate(argv[:-1]) if a in ("-f", "--file")]
    if not files:
        return None
    out = []
    for f in files:
        if f in ("-", "/dev/stdin") and cmd.stdin is not None and cmd.stdin.kind == "text":
            out.append(cmd.stdin.text)
        elif P.resolve(f, cmd.cwd) in ctx.files:
            out.append(ctx.files[P.resolve(f, cmd.cwd)])
    return out


def sed_exec(cmd: Cmd, ctx: Context) -> None:
    """GNU sed runs commands two ways: the `e` command (`sed -n '1e rm -rf ~'`; without a
    command, each input line is run) and the `e` flag of `s`, which runs the pattern space
    after the substitution (`s/x/rm -rf ~/e`)."""
    from ccgpt.risk.rules.code import consume_stdin
    from ccgpt.risk.rules.sedscript import sed_commands, sed_scripts

    from_files = _sed_files(cmd, ctx)
    for script in from_files if from_files is not None else sed_scripts(cmd.argv):
        for c in sed_commands(script):
            if c.name == "e" and c.arg.strip():
                ctx.nested(c.arg, cmd.span)
            elif c.name == "e":
                ctx.add(RUNS_SCRIPT, cmd.span, "sed's e command runs each input line as a command")
                consume_stdin(cmd, ctx, shell=True)  # `echo 'rm -rf /' | sed e`
            elif c.name == "s" and "e" in c.flags:
                ctx.add(RUNS_SCRIPT, cmd.span, "sed's e flag runs each substituted line as a command")
                ctx.nested(c.arg, cmd.span)
                _substituted_lines(cmd, ctx, c)


def _substituted_lines(cmd: Cmd, ctx: Context, c) -> None:
    """`echo / | sed 's/^/rm -rf /e'`: with the input known, each line the substitution changes
    is the command that runs (`rm -rf /`)."""
    from ccgpt.risk.rules.sedscript import substitute

    if cmd.stdin is None or cmd.stdin.kind != "text":
        return
    extended = any(a in ("-E", "-r", "--regexp-extended") or (a[:1] == "-" and a[1:2] != "-" and set(a[1:]) & set("Er"))
                   for a in cmd.argv[1:])
    for line in cmd.stdin.text.splitlines()[:50]:
        changed = substitute(c, line, extended)
        if changed is not None:
            ctx.nested(changed, cmd.span)


def make_eval(cmd: Cmd, ctx: Context) -> None:
    """`make --eval='x:;CMD' x`, `make -E TEXT`: makefile text given on the command line; its
    recipes (after `;` on a rule line, or tab-indented lines) run through the shell."""
    argv = cmd.argv
    texts = [argv[k + 1] for k, a in enumerate(argv[:-1]) if a in ("-E", "--eval")]
    texts += [a.split("=", 1)[1] for a in argv if a.startswith("--eval=")]
    for text in texts:
        for line in decode_ansi_c(text).split("\n") if "\\n" in text else text.split("\n"):
            if line.startswith("\t"):
                ctx.nested(line.strip().lstrip("@-+"), cmd.span)
            elif ":" in line and ";" in line.split(":", 1)[1]:
                ctx.nested(line.split(":", 1)[1].split(";", 1)[1].strip().lstrip("@-+"), cmd.span)


def at(cmd: Cmd, ctx: Context) -> None:
    """`at`/`batch` run commands read from stdin (or -f FILE) later: persistence plus payload."""
    ctx.add(PERSISTENCE, cmd.span, f"{cmd.argv[0]} schedules commands to run later")
    if cmd.stdin is not None and cmd.stdin.kind == "text":
        ctx.nested(cmd.stdin.text, getattr(cmd.stdin, "origin", None) or cmd.span)


_TMUX_RUNS = frozenset("new new-session new-window neww split-window splitw respawn-pane respawnp respawn-window "
                       "respawnw run-shell run send-keys send display-popup popup".split())
_TMUX_VALUE = frozenset("-s -n -t -c -x -y -e -F -l -f -L -S -T -d -w -h -b -E".split()) - {"-d", "-h", "-b", "-E"}


def command_option(cmd: Cmd, ctx: Context) -> None:
    """Tools that take a command to run as an option or operand: `script -c CMD`,
    `gdb -ex 'shell CMD'`, `tmux new 'CMD'`, `tmux send-keys 'CMD' Enter`."""
    argv, prog, codes = cmd.argv, cmd.argv[0], []
    if prog == "script":
        for i, x in enumerate(argv[1:], 1):
            if x.startswith("--command="):
                codes.append(x.split("=", 1)[1])
            elif (x == "--command" or x.startswith("-") and not x.startswith("--") and x.endswith("c")) and i + 1 < len(argv):
                codes.append(argv[i + 1])
    elif prog == "gdb":
        for i, x in enumerate(argv[1:], 1):
            if x.lstrip("-") in ("ex", "eval-command", "iex", "init-eval-command") and i + 1 < len(argv):
                v = argv[i + 1].strip()
                if v.startswith(("shell ", "!", "pipe ", "|")):
                    codes.append(v.split(None, 1)[1] if v.startswith(("shell ", "pipe ")) else v[1:])
    elif prog == "tmux":
        i = 1
        while i < len(argv) and argv[i].startswith("-"):
            i += 2 if argv[i] in ("-L", "-S", "-f", "-c", "-T") else 1
        if i < len(argv) and argv[i] in _TMUX_RUNS:
            sub, i = argv[i], i + 1
            while i < len(argv) and argv[i].startswith("-"):
                i += 2 if argv[i] in _TMUX_VALUE else 1
            rest = argv[i:]
            if sub in ("send-keys", "send"):
                rest = [x for x in rest if x not in ("Enter", "C-m", "KPEnter")]
            if rest:
                codes.append(" ".join(rest))
        elif i < len(argv) and argv[i] in ("ls", "list-sessions", "list-windows", "lsw", "list-panes", "lsp", "info"):
            return
    for code in codes:
        ctx.nested(code, cmd.span)
    if not codes:
        ctx.add(RUNS_SCRIPT, cmd.span, f"{prog} runs commands")


PROGRAMS = {p: [carried] for p in ("tar", "bsdtar", "rsync", "ssh", "scp", "sftp", "git", "zip", "man", "vim", "vi",
                                    "nvim", "ex", "view", "less", "more", "psql", "mysql", "rg", "ripgrep")}
PROGRAMS.update({"sed": [sed_exec], "at": [at], "batch": [at], "script": [command_option], "gdb": [command_option],
                 "tmux": [command_option], "make": [make_eval], "gmake": [make_eval]})
GENERIC: list = []
