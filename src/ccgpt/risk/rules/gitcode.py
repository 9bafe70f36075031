"""git subcommands and options that run a command of the user's choosing: the command is
analysed as nested code (`git submodule foreach CMD`, `git bisect run CMD`, `git rebase
--exec CMD`, `git difftool -x CMD`, `git filter-branch --tree-filter CMD`), as are `ext::CMD`
remote URLs (git-remote-ext runs CMD; `% ` is a space inside one argument) and `--config-env`
settings of a code-running key (the command is an environment variable's value: unknown)."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from ccgpt.risk.model import Cmd
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

CODE_IN_SETTING = rule("code-in-setting")
UNRESOLVED_CODE = rule("unresolved-code")

_GLOBAL_VALUE = frozenset(["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env", "--exec-path"])
# subcommand -> options whose value is a shell command
_CODE_OPTIONS = {
    "rebase": ("-x", "--exec"),
    "difftool": ("-x", "--extcmd"),
    "mergetool": ("--tool-cmd",),
    "filter-branch": ("--tree-filter", "--index-filter", "--msg-filter", "--env-filter", "--commit-filter",
                      "--parent-filter", "--tag-name-filter"),
    "fetch": ("--upload-pack",), "clone": ("-u", "--upload-pack"), "ls-remote": ("--upload-pack",),
    "push": ("--receive-pack", "--exec"), "archive": ("--exec",),
}
_URL_SUBCOMMANDS = frozenset("clone fetch pull push ls-remote remote submodule archive".split())
_CODE_KEYS = ("core.pager", "core.sshcommand", "core.editor", "core.fsmonitor", "core.hookspath", "sequence.editor",
              "diff.external", "pager.", "credential.helper", "gpg.program", "alias.", "core.askpass")


def _ext_command(url: str) -> str | None:
    """`ext::sh -c rm% -rf% ~` → `sh -c 'rm -rf ~'` (git-remote-ext's escapes: `% ` a space
    inside an argument, `%%` a percent sign, `%S`/`%s`/`%G` the service and repository)."""
    if not url.startswith("ext::"):
        return None
    args, cur, k, text = [], "", 0, url[5:]
    while k < len(text):
        ch = text[k]
        if ch == "%" and k + 1 < len(text):
            nxt = text[k + 1]
            cur += " " if nxt == " " else "%" if nxt == "%" else "git-upload-pack" if nxt in "sS" else "x"
            k += 2
            continue
        if ch == " ":
            if cur:
                args.append(cur)
            cur = ""
        else:
            cur += ch
        k += 1
    if cur:
        args.append(cur)
    return " ".join(shlex.quote(a) for a in args)


def git_code(cmd: Cmd, ctx: Context) -> None:
    argv = cmd.argv
    i = 1
    while i < len(argv) and argv[i].startswith("-"):
        a = argv[i]
        if a.startswith("--config-env") and any(x in a.lower() for x in _CODE_KEYS):
            ctx.add(UNRESOLVED_CODE, cmd.span, "git --config-env takes a command from an environment variable")
        setting = argv[i + 1] if a == "-c" and i + 1 < len(argv) else a[2:] if a.startswith("-c") else ""
        if setting.lower().startswith(("core.hookspath=", "include.path=", "includeif.")):
            ctx.add(CODE_IN_SETTING, cmd.span, f"git -c {setting.split('=', 1)[0]} runs hooks or reads settings from elsewhere")
        i += 2 if a in _GLOBAL_VALUE else 1
    if i >= len(argv):
        return
    sub, rest = argv[i], argv[i + 1:]
    for a in rest if sub in _URL_SUBCOMMANDS else ():
        ext = _ext_command(a)
        if ext is not None:
            ctx.add(CODE_IN_SETTING, cmd.span, "an ext:: URL makes git run a command")
            ctx.nested(ext, cmd.span)
    sub_words = [w for w in rest if w not in ("--quiet", "-q")] if sub == "submodule" else rest
    if sub == "submodule" and sub_words[:1] == ["foreach"]:
        words = sub_words[1:]
        while words and words[0] in ("--recursive", "--quiet", "-q", "--"):
            words = words[1:]
        if words:  # one word is a command line for sh; several are joined the same way
            ctx.nested(" ".join(words), ctx.word_base(cmd, len(argv) - len(words)) if len(words) == 1 else cmd.span)
        return
    if sub == "bisect" and rest[:1] == ["run"] and len(rest) > 1:
        k = len(argv) - len(rest) + 1  # the words are already expanded: run them as they are
        sub = Cmd(argv[k:], cmd.spans[k:], cmd.span, [], None, cmd.tree, cmd.cwd, cmd.secret_args, cmd.net_args)
        sub.bases = (getattr(cmd, "bases", None) or [cmd.span] * len(argv))[k:]  # type: ignore[attr-defined]
        ctx.run(sub)
        return
    opts = _CODE_OPTIONS.get(sub, ())
    for k, a in enumerate(rest):
        name, eq, value = a.partition("=")
        if name in opts:
            code = value if eq else rest[k + 1] if k + 1 < len(rest) else None
        elif not a.startswith("--") and a[:2] in opts and len(a) > 2:
            code = a[2:]
        else:
            continue
        if code:
            ctx.nested(code, cmd.span)


PROGRAMS = {"git": [git_code]}
