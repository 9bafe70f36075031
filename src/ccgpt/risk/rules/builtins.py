"""Shell builtins that change what the rest of the line means: `cd`/`pushd`/`popd` (where
relative paths land), `set --` (the positional parameters), `alias` (names that expand), and
the lookups whose output is a program path (`which rm`, `command -v rm`: `$(which rm)` is rm)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccgpt.risk import paths as P
from ccgpt.risk.model import TEXT, Cmd, Output

from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

ERASE_TRACES = rule("erase-traces")


def directory_of(argv: list[str], cwd: str | None) -> str | None:
    """The directory `cd ARG` moves to, as far as later relative paths care: absolute, home and
    climbing (`..`) directories are kept (relative writes after them land outside the working
    directory); a plain subdirectory stays "here" (None), as does anything unknowable."""
    i = 1
    while i < len(argv) and argv[i][:1] == "-" and len(argv[i]) > 1 and set(argv[i][1:]) <= set("PLe@"):
        i += 1  # `cd -P /`, `cd -L ~`: cd's own options
    if i < len(argv) and argv[i] == "--":
        i += 1
    target = argv[i] if i < len(argv) else "~"
    if target == "-" or target == P.DYNAMIC or not target or "{" in target:
        return None
    p = P.resolve(target, cwd)
    return p if p.startswith(("/", "~")) or P.outside_workdir(p) else None


def cd(cmd: Cmd, ctx: Context) -> bool:
    found = directory_of(cmd.argv, ctx.cwd)
    if found is None and len(cmd.argv) > 1:
        inside = P.resolve(cmd.argv[-1], ctx.cwd)
        if any(d.endswith("/") and (inside + "/").startswith(d) for d in ctx.downloads):
            found = inside  # into a tree cloned in this line: `git clone URL r && cd r && ./install.sh`
    ctx.chdir(found, below=_below(ctx.below, cmd.argv) if found is None else None)
    return True


def _below(below: str | None, argv: list[str]) -> str | None:
    """The plain subdirectory `cd sub` moves into, below the one it started in (`cd .git &&
    cd hooks` is `.git/hooks`); None when the target is not a plain relative name."""
    target = argv[-1] if len(argv) > 1 else ""
    if not target or target[0] in "-/~" or target == P.DYNAMIC or any(c in target for c in "*?[{$`\\\x00"):
        return None
    p = P.resolve((below + "/" if below else "") + target)
    return None if p in (".", "") or p == ".." or p.startswith(("../", "/", "~")) else p


def popd(cmd: Cmd, ctx: Context) -> bool:
    ctx.chdir(None)
    return True


def set_(cmd: Cmd, ctx: Context) -> bool:
    """`set -- rm -rf /; "$@"`: the positional parameters for the rest of the line."""
    argv = cmd.argv
    if history_off(argv):
        ctx.add(ERASE_TRACES, cmd.span, "set +o history stops recording commands in the history")
    if "--" in argv:
        rest = argv[argv.index("--") + 1:]
        for k, v in enumerate(rest[:6], 1):
            ctx.bind(str(k), v)
        ctx.bind("@", " ".join(rest))
        ctx.bind("*", " ".join(rest))
    return False


def history_off(argv: list[str]) -> bool:
    """`set +o history`, `set +vo history` (a `+` cluster ending in o), `shopt -uo history`,
    `shopt -u -o history`: the shell stops recording commands (shopt -o reaches set's options)."""
    names = ("history", P.DYNAMIC)  # an option name not known here may be history (fail closed)
    if not any(a in names for a in argv[1:]):
        return False
    letters = "".join(a[1:] for a in argv[1:] if a[:1] == "-" and a != "--")
    if argv[0] == "shopt":
        return "u" in letters and "o" in letters
    return any(a[:1] == "+" and a.endswith("o") and b in names for a, b in zip(argv[1:], argv[2:]))


def shopt(cmd: Cmd, ctx: Context) -> bool:
    if history_off(cmd.argv):
        ctx.add(ERASE_TRACES, cmd.span, "shopt -uo history stops recording commands in the history")
    return False


def alias(cmd: Cmd, ctx: Context) -> bool:
    for a in cmd.argv[1:]:
        if "=" in a:
            k, v = a.split("=", 1)
            ctx.define_alias(k, v)
    return True


def which(cmd: Cmd, ctx: Context) -> Output | bool:
    argv = cmd.argv
    if len(argv) > 1 and not argv[1].startswith("-"):
        return Output(TEXT, "/usr/bin/" + argv[1] + "\n")
    return False


HANDLERS = {"cd": [cd], "pushd": [cd], "popd": [popd], "set": [set_], "shopt": [shopt], "alias": [alias],
            "which": [which], "whereis": [which]}
