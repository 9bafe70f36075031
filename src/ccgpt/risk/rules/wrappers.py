"""Wrappers: programs that run the rest of their words as a command (`sudo`, `env`, `nohup`,
`timeout`, …). The table of their options is `commands.WRAPPERS`; here is what some of them do
beyond "skip my options": `env -S`/`-C`, `flock -c`, `command -v`, and what a wrapper given no
command does (`exec 3>/etc/passwd` truncates it, bare `env` prints the environment, `sudo -i`
opens a root shell).

A peeler returns the index where the wrapped command starts, or an Output when it has dealt
with the whole command itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccgpt.risk import commands as C
from ccgpt.risk.model import TEXT, UNKNOWN, UNKNOWN_OUTPUT, Cmd, Output
from ccgpt.risk.rules import runners
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from typing import Callable, Union

    from ccgpt.risk.context import Context

    Peeled = Union[int, Output]

PRIVILEGED = rule("privileged")


def env(cmd: Cmd, ctx: Context, value_opts: frozenset) -> Peeled:
    argv, i = cmd.argv, 1
    while i < len(argv):
        a = argv[i]
        if a in ("-C", "--chdir") and i + 1 < len(argv) or a.startswith(("--chdir=", "-C")) and len(a) > 2:
            d = argv[i + 1] if a in ("-C", "--chdir") else a.split("=", 1)[1] if "=" in a else a[2:]
            from ccgpt.risk.rules.builtins import directory_of

            ctx.chdir(directory_of(["cd", d], ctx.cwd), scoped=True)  # `env -C / rm -rf *` runs in /
        if a in ("-S", "--split-string") and i + 1 < len(argv):
            ctx.nested(" ".join(argv[i + 1:]), cmd.span)
            return UNKNOWN_OUTPUT
        if a.startswith("--split-string=") or a.startswith("-S") and len(a) > 2:
            a = "-S" + a.split("=", 1)[1] if a.startswith("--") else a
            ctx.nested(a[2:] + " " + " ".join(argv[i + 1:]), cmd.span)
            return UNKNOWN_OUTPUT
        if a in value_opts:
            i += 2
        elif a.startswith("-"):
            i += 1
        elif "=" in a and not a.startswith("="):
            name, _, value = a.partition("=")
            from ccgpt.risk.rules.envcode import check_variable

            check_variable(name, value, cmd.spans[i], ctx)
            i += 1
        else:
            break
    return i


def flock(cmd: Cmd, ctx: Context, value_opts: frozenset) -> Peeled:
    """`flock [OPTS] LOCK CMD…` or `flock [OPTS] LOCK -c CMD` (CMD runs through sh -c)."""
    argv = cmd.argv
    lock = C.skip_options(argv, 1, value_opts)
    k = lock + 1
    if k < len(argv) and argv[k] in ("-c", "--command"):
        if k + 1 < len(argv):
            ctx.nested(argv[k + 1], ctx.word_base(cmd, k + 1))
        return UNKNOWN_OUTPUT
    return k


def command(cmd: Cmd, ctx: Context, value_opts: frozenset) -> Peeled:
    argv = cmd.argv
    if "-v" in argv[1:3] or "-V" in argv[1:3]:
        names = [x for x in argv[1:] if not x.startswith("-")]
        return Output(TEXT, "/usr/bin/" + names[0] + "\n") if names else UNKNOWN_OUTPUT
    return C.skip_options(argv, 1, value_opts)


def runuser(cmd: Cmd, ctx: Context, value_opts: frozenset) -> Peeled:
    """`runuser -u USER CMD…` wraps a command; `runuser [-l] USER -c CMD` is su's form."""
    if any(a in ("-c", "--command") or a.startswith("--command=") for a in cmd.argv[1:]):
        from ccgpt.risk.rules.code import su

        su(cmd, ctx)
        return UNKNOWN_OUTPUT
    return C.skip_options(cmd.argv, 1, value_opts)


def bare_exec(cmd: Cmd, ctx: Context) -> Output:
    ctx.check(Cmd([], [], cmd.span, cmd.redirects, cwd=ctx.cwd))  # `exec 3>/etc/passwd` truncates it
    return UNKNOWN_OUTPUT


def bare_env(cmd: Cmd, ctx: Context) -> Output:
    return Output(UNKNOWN, secret=True)  # bare `env` prints the environment


def root_shell(cmd: Cmd, ctx: Context) -> Output:
    if set(cmd.argv[1:3]) & {"-i", "-s", "--login", "--shell", "-e"}:
        ctx.add(PRIVILEGED, cmd.span, f"opens a root shell through {cmd.argv[0]}")
    return UNKNOWN_OUTPUT


PEELERS: dict[str, Callable[[Cmd, "Context", frozenset], Peeled]] = {"env": env, "flock": flock, "command": command,
                                                                   "runuser": runuser}
BARE: dict[str, Callable[[Cmd, "Context"], Output]] = {
    "exec": bare_exec, "env": bare_env, "sudo": root_shell, "doas": root_shell, "run0": root_shell, "pkexec": root_shell}


def peel(prog: str, cmd: Cmd, ctx: Context) -> Peeled | None:
    """Where the command wrapped by `prog` starts (None: `prog` is not a wrapper)."""
    w = C.WRAPPERS.get(prog)
    if w is None:
        found = runners.find(prog, cmd.argv)
        return runners.peel(cmd, ctx, found[0], found[1]) if found is not None else None
    value_opts, positional, privileged = w
    if privileged:
        ctx.add(PRIVILEGED, cmd.span, f"runs as another user or root through {prog}")
    special = PEELERS.get(prog)
    i = special(cmd, ctx, value_opts) if special else C.skip_options(cmd.argv, 1, value_opts) + positional
    chdir = C.WRAPPER_CHDIR.get(prog)
    if chdir is not None and not isinstance(i, Output):
        d = C.option_value(cmd.argv[:i], chdir[0] or "-\0", chdir[1])
        if d is not None:
            from ccgpt.risk.rules.builtins import directory_of

            ctx.chdir(directory_of(["cd", d], ctx.cwd), scoped=True)  # `sudo -D / rm -rf *` runs in /
    if isinstance(i, Output):
        return i
    from ccgpt.risk.rules.files import named_outputs

    named_outputs(cmd, ctx, cmd.argv[:i])  # the wrapper's own output files: `strace -o F ls`, `time -o F ls`
    if i >= len(cmd.argv):
        bare = BARE.get(prog)
        return bare(cmd, ctx) if bare else UNKNOWN_OUTPUT
    return i
