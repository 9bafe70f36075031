"""Where writes land: redirections and the destination of cp/mv/tee/dd/…

One function, `write_target`, decides what writing to a path means, so `>`, `tee`, `cp` and
`dd of=` cannot disagree."""

from __future__ import annotations

import re

from ccgpt.risk.lazyre import lazy_re

from ccgpt.risk import paths as P
from typing import TYPE_CHECKING

from ccgpt.risk.model import Cmd
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

WRITE_FILES = rule("write-files")
UNRESOLVED_OPERAND = rule("unresolved-operand")
NETWORK_REDIRECT = rule("network-redirect")
DISK_WRITE = rule("disk-write")
SYSRQ = rule("sysrq")
TAKEOVER = rule("takeover")
SYSTEM_WRITE = rule("system-write")
ERASE_TRACES = rule("erase-traces")
CRITICAL_FILE = rule("critical-file")
PERSISTENCE = rule("persistence")
OVERWRITE_OUTSIDE = rule("overwrite-outside")


_PERSIST = lazy_re(
    r"^~/(\.ssh/authorized_keys2?|\.ssh/rc|\.ssh/config$|\.bash_aliases|\.gitconfig|\.config/git/config|\.vimrc|"
    r"\.config/nvim/init\.|\.tmux\.conf|\.xsessionrc|\.zlogout|\.config/environment\.d/|\.(bash|zsh)rc|\.profile|\.bash_profile|\.bash_login|\.bash_logout|"
    r"\.zprofile|\.zshenv|\.zlogin|\.config/fish/config\.fish|\.config/autostart/|\.config/systemd/|"
    r"\.local/share/systemd/|Library/LaunchAgents/|\.xinitrc|\.xprofile|\.pam_environment)"
    r"|^/etc/(systemd/|cron|crontab|profile|bash\.bashrc|zsh/|rc\.local|init\.d/|ld\.so\.preload|environment|"
    r"update-motd\.d/|xdg/autostart/)|^/var/spool/cron|^/(usr/)?lib/systemd/|^/Library/Launch"
    r"|(^|/)\.git/hooks/|(^|/)\.husky/|(^|/)\.git/config$"
    # An agent CLI's settings and MCP server list start programs and hooks later.
    r"|(^|/)\.claude/settings(\.local)?\.json$|(^|/)\.mcp\.json$|(^|/)\.codex/config\.toml$|(^|/)\.gemini/settings\.json$"
    # ccgpt's own config holds the user's allow rules: rewriting it can lower every later level.
    r"|(^|/)configs/dbgpt-proxy-ollama\.toml$|^~/\.config/ccgpt/config\.toml$")
_HISTORY = lazy_re(r"(^~/\.(bash|zsh|sh|python|node_repl|mysql|psql|lesshst|sqlite)_?history$)|(^~/\.local/share/fish/fish_history$)|^/var/log/")
_COMPUTABLE = frozenset("echo printf cat base64 base32 basenc xxd rev tr sed awk gawk openssl".split())
_SUDOERS = lazy_re(r"^/etc/sudoers(\.d/.*)?$")
_UID0 = lazy_re(r"^[^:\n]*:[^:\n]*:0:", re.M)
# System directories that hold served or installed data rather than the system itself: creating
# a new file there (`cp a.php /srv/site/`) is a create, not a system change.
_SERVED = lazy_re(r"^/(srv|opt|var/www|var/tmp|var/backups?)/")
_SETUID = lazy_re(r"(^|[ugoa]*)\+[rwx]*s|^[2467][0-7]{3}$")


def write_target(cmd: Cmd, ctx: Context, path: str, span, *, append: bool = False, content: str | None = None) -> None:
    if path == P.DYNAMIC:
        ctx.add(UNRESOLVED_OPERAND, span, "writes to a file whose name is not known here (it could be any file)")
        return
    if not path:
        ctx.add(WRITE_FILES, span, "writes to a file whose name is computed at run time")
        return
    if P.harmless_sink(path):
        return
    p = P.resolve(path, cmd.cwd)
    if cmd.tree and P.kind(p, cmd.cwd) in (P.ROOT, P.HOME, P.SYSTEM):
        from ccgpt.risk.rules.wipes import catastrophic

        # run over a tree (`find ~ -exec dd if=/dev/zero of={} \;`): every file overwritten
        if catastrophic(cmd, ctx, p, "overwrites every file of"):
            return
    if p.startswith(("/dev/tcp/", "/dev/udp/")):
        ctx.add(NETWORK_REDIRECT, span)
        return
    if P.block_device(p):
        ctx.add(DISK_WRITE, span)
        return
    if p == "/proc/sysrq-trigger":
        ctx.add(SYSRQ, span)
        return
    text = content or ""
    if _SUDOERS.match(p) and "NOPASSWD" in text and "ALL" in text:
        ctx.add(TAKEOVER, span, "grants password-less root through sudoers")
        return
    if p in ("/etc/passwd", "/etc/shadow") and append and _UID0.search(text):
        ctx.add(TAKEOVER, span, "adds a uid-0 (root) account")
        return
    if p in P.CRITICAL_FILES or _SUDOERS.match(p) or p.startswith("/boot/") or p == "/boot":
        if append:
            ctx.add(SYSTEM_WRITE, span, f"appends to {p}, a system file")
        else:
            ctx.add(CRITICAL_FILE, span, f"overwrites {p}")
        return
    if cmd.cwd is None and ctx.below and not p.startswith(("/", "~")):
        p = P.resolve(ctx.below + "/" + p)  # `cd .claude && echo {} > settings.json`
    if _PERSIST.search(p):
        ctx.add(PERSISTENCE, span, f"writes {p}, which runs code or grants access later")
        if text:
            from ccgpt.risk.rules.payloads import analyse_entry

            analyse_entry(p, text, ctx, span)  # what it will run later counts now
        return
    if _HISTORY.search(p):
        ctx.add(SYSTEM_WRITE if append else ERASE_TRACES, span)
        return
    if p.startswith("/proc/") or p.startswith("/sys/"):
        ctx.add(SYSTEM_WRITE, span, f"writes kernel settings through {p}")
        return
    exists = ctx.probe.exists(p) if ctx.probe is not None and P.outside_workdir(p) else None
    if P.in_system(p) and not (exists is False and _SERVED.match(p)):
        ctx.add(SYSTEM_WRITE, span, f"writes into {p}, a system location")
        return
    if not append and P.outside_workdir(p) and exists is not False:
        # Reading 11: an existing file is overwritten (dangerous); a new one is created.
        said = f"overwrites {p}, which exists" if exists else f"may overwrite {p}, outside the working directory"
        ctx.add(OVERWRITE_OUTSIDE, span, said)
        return
    ctx.add(WRITE_FILES, span, f"creates {p} (it does not exist yet)" if exists is False else f"writes {path}")


def check_redirects(cmd: Cmd, ctx: Context) -> None:
    """Generic rule: every `>`, `>>`, `&>`, `>|` on any command."""
    content = None
    if cmd.argv and cmd.redirects and cmd.argv[0] in _COMPUTABLE:  # `base64 -d > x; sh x` runs the payload
        from ccgpt.risk.decode import static_output

        out = static_output(cmd)
        content = out.text if out is not None else None
    for r in cmd.redirects:
        op = r.op
        if content is not None and op in (">", ">>", ">|") and r.target:
            key = P.resolve(r.target, cmd.cwd)
            ctx.files[key] = (ctx.files.get(key, "") if op == ">>" else "") + content
        if op == "<>" and r.target:
            write_target(cmd, ctx, r.target, r.span, append=True)
        elif op in (">", ">>", "&>", "&>>", ">|", ">&") and not (op == ">&" and (r.target.isdigit() or r.target == "-")):
            if not op.endswith(">>") and P.kind(r.target, cmd.cwd) in (P.ROOT, P.HOME, P.SYSTEM):
                from ccgpt.risk.rules.wipes import catastrophic

                # `> /`, `> ~` can only be a fan-out item (`find / -exec sh -c ': > "$1"' _ {} \;`):
                # every file of that tree truncated
                if catastrophic(cmd, ctx, r.target, "truncates every file of"):
                    continue
            write_target(cmd, ctx, r.target, r.span, append=op.endswith(">>"), content=content)
        elif op == "<" and r.target.startswith(("/dev/tcp/", "/dev/udp/")):
            ctx.add(NETWORK_REDIRECT, r.span)


def named_outputs(cmd: Cmd, ctx: Context, argv: list[str] | None = None) -> None:
    """Generic rule: files a program writes because an option or operand names them
    (`outputfiles.OUTPUTS`: `curl -o F`, `uniq IN F`, `perl -pi -e … F`), each checked as a
    redirection to it is. `argv`: a wrapper's own words (`strace -o F ls`), before it is peeled."""
    from ccgpt.risk.outputfiles import targets

    for path, append in targets(cmd, argv):
        write_target(cmd, ctx, path, cmd.span, append=append)


def setuid_mode(mode: str) -> bool:
    return bool(_SETUID.search(mode))


GENERIC = [check_redirects, named_outputs]
PROGRAMS: dict = {}
