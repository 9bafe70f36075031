"""Program runners: tools whose arguments are a command they run (`poetry run CMD`, `npx PKG`,
`nix-shell --run CODE`, `xterm -e CMD`, `gdb --args CMD`, `cmake -E rm -rf DIR` …).

One table, one walker. A runner is written as one line of words:
  `-o`        an option that takes the next word (`-o:2` two words, `-o:*` words up to the next option)
  `pos:N`     N operands (a directory, a group, a package) before the command
  `code:-c`   the option's value is shell code (`nix-shell --run 'rm -rf /'`)
  `rest:-e`   after the option the rest is the command (`xterm -e rm -rf /`)
  `str`       the operands are shell code joined (`sg group 'rm -rf /'`), not one argv
  `none`      the operands are not a command: only `code:`/`rest:` options run something
  `sh:-s`     with this flag the operands are shell code joined (`entr -s 'CMD'`)
  `as:NAME=CMD`  the first operand NAME means CMD (`cmake -E remove_directory` is `rm -rf`)
Keys are a program or a program and its subcommand (`"npm exec"`). Options not listed take no
value (a long option may carry `=VALUE`). A runner that reaches no command is read as the
program itself (its own rules, or `unknown-command`)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from ccgpt.risk.model import UNKNOWN_OUTPUT, Cmd, Output

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

_NODE = "-p --package -c --call --prefix -w --workspace"
_CMAKE_E = ("as:remove_directory=rm,-rf as:rm=rm as:remove=rm,-f as:copy_directory=cp,-r as:copy=cp as:rename=mv "
            "as:make_directory=mkdir,-p as:create_symlink=ln,-s as:create_hardlink=ln as:touch=touch "
            "as:chdir=env,-C as:env=env as:tar=tar as:cat=cat as:echo=echo as:true=true as:false=false")
_TERM_REST = "-T -title -geometry -g -fn -fa -fs -bg -fg -n -name -class -xrm -bd -cr -ms -hold rest:-e rest:-x " \
             "rest:-- rest:--command"
RUNNERS = {
    "poetry run": "-C --directory -P --project",
    "uv run": "--with --with-editable --with-requirements --python -p --project --directory --package --extra "
              "--group --env-file --index --from --only-group",
    "uvx": "--with --from --python -p --index",
    "pipx run": "--spec --python --pip-args --index-url",
    "pipenv run": "",
    "pdm run": "-p --project",
    "hatch run": "",
    "tox exec": "-e --env -c --conf",
    "rye run": "",
    "pixi run": "-e --environment --manifest-path",
    "conda run": "-n --name -p --prefix --cwd",
    "mamba run": "-n --name -p --prefix --cwd",
    "micromamba run": "-n --name -p --prefix --cwd",
    "bundle exec": "",
    "npm exec": _NODE,
    "npx": _NODE,
    "pnpm exec": "-C --dir --filter",
    "pnpm dlx": "--package",
    "yarn exec": "",
    "yarn dlx": "-p --package",
    "bunx": "-p --package",
    "bun x": "-p --package",
    "deno run": "none",
    "cargo run": "none rest:--",
    "go run": "none",
    "dotnet exec": "",
    "nix-shell": "none -p:* -I --arg:2 --argstr:2 -A --attr -E --expr code:--run code:--command",
    "nix develop": "none -i --impure --profile --override-input:2 rest:-c rest:--command",
    "nix shell": "none rest:-c rest:--command",
    "nix run": "none rest:--",
    "devbox run": "",
    "direnv exec": "pos:1",
    "mise exec": "none -C --cd rest:--",
    "mise x": "none -C --cd rest:--",
    "asdf exec": "",
    "fakeroot": "-l --lib --faked -s -i",
    "fakechroot": "-l --lib -e --environment",
    "bwrap": "--bind:2 --ro-bind:2 --dev-bind:2 --bind-try:2 --ro-bind-try:2 --dev-bind-try:2 --symlink:2 "
             "--setenv:2 --file:2 --bind-data:2 --ro-bind-data:2 --chmod:2 --chdir --dev --proc --tmpfs --dir "
             "--unsetenv --uid --gid --hostname --remount-ro --lock-file --sync-fd --info-fd --seccomp --cap-add "
             "--cap-drop --userns --pidns --perms --size --args --block-fd --argv0 --exec-label --file-label",
    "perf stat": "-e --event -p --pid -t --tid -o --output -r --repeat -C --cpu -G --cgroup -x -I -D --delay",
    "perf record": "-e --event -p --pid -t --tid -o --output -C --cpu -G --cgroup -F --freq -c --count "
                   "--call-graph -m --mmap-pages",
    "perf trace": "-e --event -p --pid -t --tid -o --output -C --cpu",
    "gdb": "none -ex -x -iex -ix -p -cd -d -s -e -se -c --pid --eval-command --command --init-command "
           "--directory rest:--args",
    "lldb": "none -o -O -s -S -k -K -p --one-line --source rest:--",
    "xterm": _TERM_REST, "uxterm": _TERM_REST, "urxvt": _TERM_REST, "rxvt": _TERM_REST, "st": _TERM_REST,
    "konsole": _TERM_REST, "alacritty": _TERM_REST, "x-terminal-emulator": _TERM_REST,
    "gnome-terminal": "none code:-e rest:-x rest:--",
    "xfce4-terminal": "none code:-e code:--command rest:-x",
    "terminator": "none code:-e code:--command rest:-x",
    "tilix": "none code:-e code:--command",
    "kitty": "-o --override -c --config --class --title -T -d --directory --session",
    "wezterm start": "--cwd --class rest:--",
    "sg": "str pos:1 code:-c",
    "sem": "-j --jobs --id --semaphorename --timeout",
    "watchexec": "-w --watch -e --exts -f --filter -i --ignore -d --debounce -s --signal --shell "
                 "--stop-signal --stop-timeout --delay-run -E --env --workdir --project-origin",
    "nodemon": "none -w --watch -e --ext -i --ignore -d --delay -s --signal code:--exec code:-x",
    "entr": "sh:-s",
    "chpst": "-u -U -e -/ -n -l -L -m -d -o -p -f -c",
    "cmake -E": _CMAKE_E,
    "flatpak-spawn": "--directory --env --forward-fd",
    "toolbox run": "-c --container -d --distro -r --release",
    "distrobox enter": "none -n --name rest:--",
    "distrobox-enter": "none -n --name rest:--",
    "schroot": "none -c --chroot -u --user -d --directory rest:--",
    "tsp": "-L -N",
    "nq": "",
    "ts": "-L -N",
    "daemonize": "-a -c -e -E -o -p -l -u",
}


_FIRST_WORDS = frozenset(key.split()[0] for key in RUNNERS)


class Runner:
    __slots__ = ("values", "pos", "code", "rest", "mode", "alias", "shflag")

    def __init__(self, spec: str) -> None:
        self.values: dict[str, int] = {}
        self.pos, self.mode = 0, "argv"
        self.code: set[str] = set()
        self.rest: set[str] = set()
        self.alias: dict[str, list[str]] = {}
        self.shflag = ""
        for word in spec.split():
            head, _, tail = word.partition(":")
            if head == "pos":
                self.pos = int(tail)
            elif head in ("code", "rest"):
                getattr(self, head).add(tail)
            elif head == "sh":
                self.shflag = tail
            elif head == "as":
                name, _, argv = tail.partition("=")
                self.alias[name] = argv.split(",")
            elif word in ("str", "none"):
                self.mode = word
            else:
                self.values[head] = -1 if tail == "*" else int(tail or 1)


@lru_cache(maxsize=None)
def runner(key: str) -> Runner | None:
    spec = RUNNERS.get(key)
    return None if spec is None else Runner(spec)


def find(prog: str, argv: list[str]) -> tuple[Runner, int] | None:
    """The runner `argv` invokes and where its own words start (after `prog SUB`)."""
    if prog not in _FIRST_WORDS:
        return None  # the common case, one set lookup
    if prog in RUNNERS:
        return runner(prog), 1  # type: ignore[return-value]
    if len(argv) > 1 and prog + " " + argv[1] in RUNNERS:
        return runner(prog + " " + argv[1]), 2  # type: ignore[return-value]
    return None


def peel(cmd: Cmd, ctx: Context, r: Runner, i: int) -> int | Output | None:
    """Where the command the runner runs starts, an Output when its code was analysed here,
    or None when it runs nothing we can see."""
    argv, n, pos, mode = cmd.argv, len(cmd.argv), r.pos, r.mode
    while i < n:
        a = argv[i]
        if a in r.rest:
            i += 1
            break
        if a == "--":
            i += 1
            break
        name, eq, value = a.partition("=") if a.startswith("--") else (a, "", "")
        if name in r.code or (a[:2] in r.code and len(a) > 2 and not a.startswith("--")):
            if name not in r.code:
                code, where = a[2:], ctx.word_base(cmd, i)
            elif eq:
                code, where = value, ctx.word_base(cmd, i)
            elif i + 1 < n:
                code, where = argv[i + 1], ctx.word_base(cmd, i + 1)
            else:
                return None
            ctx.nested(code, where)
            return UNKNOWN_OUTPUT
        if a.startswith("-") and a != "-":
            if r.shflag and a == r.shflag:
                mode = "str"
            arity = r.values.get(name, 0) if not eq else 0
            if arity == -1:
                i += 1
                while i < n and not argv[i].startswith("-"):
                    i += 1
                continue
            i += 1 + arity
            continue
        if pos:
            pos -= 1
            i += 1
            continue
        if mode == "none":
            return None
        break
    if i >= n:
        return None
    if mode == "str":
        ctx.nested(" ".join(argv[i:]), ctx.word_base(cmd, i))
        return UNKNOWN_OUTPUT
    alias = r.alias.get(argv[i])
    if alias is not None:
        sub = Cmd(alias + argv[i + 1:], [cmd.spans[i]] * len(alias) + cmd.spans[i + 1:], cmd.span, cmd.redirects,
                  cmd.stdin, cmd.tree, ctx.cwd, cmd.secret_args, cmd.net_args, cmd.decoded_args)
        sub.bases = [cmd.span] * len(sub.argv)  # type: ignore[attr-defined]
        ctx.run(sub)
        return UNKNOWN_OUTPUT
    return i
