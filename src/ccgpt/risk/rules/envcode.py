"""Environment variables whose value a program runs or loads (RISK-POLICY reading 12: an option
of a program that can run programs): `GIT_SSH_COMMAND='rm -rf ~' git fetch`, `PAGER=… man`,
`EDITOR=… crontab -e`, `LESSOPEN='|CMD %s'`, `export PROMPT_COMMAND=…`, `LD_PRELOAD=…`.

The table says how each value is read: `sh` a command line (analysed as nested code when it is
more than a bare program name: `EDITOR=vim` is what the user asked for), `lessopen` a `|CMD %s`
input filter, `load` a file or library loaded into what runs (`code-in-setting`: dangerous,
whatever it holds), `prompt` code run before every prompt of the running shell (both)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccgpt.risk.lazyre import lazy_re
from ccgpt.risk.model import Cmd
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

CODE_IN_SETTING = rule("code-in-setting")

CODE_VARIABLES = {
    **dict.fromkeys("GIT_SSH_COMMAND GIT_SSH GIT_PAGER PAGER MANPAGER SYSTEMD_PAGER GIT_EDITOR EDITOR VISUAL "
                    "SUDO_EDITOR GIT_SEQUENCE_EDITOR GIT_ASKPASS SSH_ASKPASS SUDO_ASKPASS GIT_EXTERNAL_DIFF "
                    "GIT_PROXY_COMMAND BROWSER LESSCLOSE RSYNC_RSH CVS_RSH".split(), "sh"),
    "LESSOPEN": "lessopen",
    **dict.fromkeys("LD_PRELOAD LD_AUDIT DYLD_INSERT_LIBRARIES BASH_ENV ENV PERL5OPT PYTHONSTARTUP".split(), "load"),
    "NODE_OPTIONS": "node",
    "PROMPT_COMMAND": "prompt",
}
_COMMAND_LINE = lazy_re(r"[\s;|&$`<>()]")


def check_variable(name: str, value: str, span: tuple[int, int], ctx: Context) -> None:
    kind = CODE_VARIABLES.get(name)
    if name.startswith("BASH_FUNC_") and value.lstrip().startswith("()"):
        # bash imports `BASH_FUNC_ls%%='() { …; }'` as a function `ls`: the body runs when any bash
        # started with this environment calls that name (fail closed: as if it does)
        ctx.add(CODE_IN_SETTING, span, f"{name} defines a bash function that replaces a command")
        body = value.lstrip()[2:].strip()
        ctx.nested(body[1:-1] if body.startswith("{") and body.endswith("}") else body, span)
        return
    if kind is None or not value:
        return
    if kind == "load" or kind == "node" and ("--require" in value or "-r " in value or "--import" in value):
        ctx.add(CODE_IN_SETTING, span, f"{name} makes every program started here load {value}")
        return
    if kind == "prompt":
        ctx.add(CODE_IN_SETTING, span, f"{name} runs its value before every prompt of this shell")
    if kind == "lessopen":
        value = value.lstrip("|").replace("%s", "x")
    program_path = "/" in value and name not in _EDITORS and "PAGER" not in name  # GIT_ASKPASS=/tmp/x.sh
    if kind in ("sh", "lessopen", "prompt") and (_COMMAND_LINE.search(value.strip()) or program_path):
        ctx.nested(value, span)
        if name in _EDITORS:
            ctx.bind(name, value)  # the edited file is appended when it runs (edited() below)


_EDITORS = ("SUDO_EDITOR", "VISUAL", "EDITOR")
_EDITED = {"visudo": "/etc/sudoers", "vipw": "/etc/passwd", "vigr": "/etc/group", "crontab": "/var/spool/cron/crontab"}


def edited(cmd: Cmd, ctx: Context) -> None:
    """`EDITOR='tee -a' visudo`: the editor runs with the file it edits as its last word, and
    whatever it reads (`echo 'x ALL=… NOPASSWD:ALL' | sudo EDITOR='tee -a' visudo` appends it)."""
    import shlex

    prog = cmd.argv[0]
    if prog == "crontab" and "-e" not in cmd.argv:
        return
    editor = next((v for v in (ctx.value(n) for n in _EDITORS) if v), None)
    if editor is None:
        return
    try:
        words = shlex.split(editor)
    except ValueError:
        return
    targets = [_EDITED[prog]] if prog in _EDITED else [a for a in cmd.argv[1:] if not a.startswith("-")]
    for target in targets[:4]:
        argv = words + [target]
        sub = Cmd(argv, [cmd.span] * len(argv), cmd.span, [], cmd.stdin, False, cmd.cwd)
        sub.bases = [cmd.span] * len(argv)  # type: ignore[attr-defined]
        ctx.run(sub)


PROGRAMS = {p: [edited] for p in ("visudo", "vipw", "vigr", "crontab", "sudoedit")}
