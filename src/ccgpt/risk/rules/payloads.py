"""What a persistence entry will run: the command of a crontab line, an `Exec…=` line of a
systemd unit, the text added to a shell rc file. It runs later, unattended; its level is the
level of the line that writes it (`echo '@reboot rm -rf /' | crontab -` is `blocked`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccgpt.risk.lazyre import lazy_re

if TYPE_CHECKING:
    from ccgpt.risk.context import Base, Context

_CRON_LINE = lazy_re(r"^\s*(?:@\w+|(?:\S+\s+){5})(.*)$")
_CRON_ENV = lazy_re(r"^\s*[A-Za-z_][A-Za-z0-9_]*\s*=")
_UNIT_EXEC = lazy_re(r"^\s*Exec\w*\s*=\s*[-@:+!]*(.+)$", 0)
_RC_FILE = lazy_re(r"(^|/)\.(bash|zsh|ksh|mksh)rc$|/\.(profile|bash_profile|bash_login|bash_logout|zprofile|zshenv|zlogin|"
                   r"zlogout|xinitrc|xprofile|xsessionrc)$|/\.config/fish/config\.fish$|^/etc/(profile|bash\.bashrc|rc\.local|"
                   r"zsh/)|^/etc/profile\.d/|/\.bash_aliases$")
_ALIAS = lazy_re(r"\balias\s+[\w.-]+=([\"'])(.*?)\1")
_CRON_FILE = lazy_re(r"^/etc/cron\.d/|^/etc/crontab$|^/var/spool/cron")
_UNIT_FILE = lazy_re(r"\.(service|timer|socket|path|desktop)$|/systemd/.*\.conf$")
_HOOK_FILE = lazy_re(r"(^|/)\.git/hooks/|(^|/)\.husky/")


def cron_commands(text: str, *, with_user: bool = False) -> list[str]:
    """The commands of crontab lines (`* * * * * CMD`, `@reboot CMD`; /etc/crontab and cron.d
    lines carry a user name first)."""
    out = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or _CRON_ENV.match(line):
            continue
        m = _CRON_LINE.match(line)
        if m:
            command = m.group(1)
            if with_user:  # `@reboot root CMD` carries the user too
                command = command.split(None, 1)[1] if len(command.split(None, 1)) > 1 else ""
            out.append(command)
    return out


def analyse_entry(path: str, text: str, ctx: Context, base: Base) -> None:
    """`text` written to persistence location `path`: analyse what will run from it."""
    if _RC_FILE.search(path) or _HOOK_FILE.search(path):
        ctx.nested(text, base)
        for m in _ALIAS.finditer(text):  # `alias ls='rm -rf ~'` runs the next time ls is typed
            ctx.nested(m.group(2), base)
    elif _CRON_FILE.search(path):
        for command in cron_commands(text, with_user=not path.startswith("/var/spool")):
            ctx.nested(command, base)
    elif _UNIT_FILE.search(path):
        for line in text.splitlines():
            m = _UNIT_EXEC.match(line)
            if m:
                ctx.nested(m.group(1), base)
