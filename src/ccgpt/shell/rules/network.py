"""Network: downloads, uploads, remote shells, reverse shells, exfiltration, and inline code
(python -c, perl -e, awk system()) that opens sockets or shells out."""

from __future__ import annotations

import re

from ccgpt.shell.lazyre import lazy_re

from ccgpt.shell import paths as P
from ccgpt.shell.commands import NET_SINKS, SHELLS, skip_options, short_flags

_SOCKET = lazy_re(r"socket|fsockopen|TCPSocket|net\.connect|Net::|IO::Socket|/dev/tcp/", re.I)
_SPAWN = lazy_re(r"pty\.spawn|dup2|subprocess|/bin/(ba|z|da)?sh|exec\s*\(|os\.system|popen|spawn|IO\.popen|child_process|exec\s+[\"']|proc_open|\bsh\b\s*-i", re.I)
_SHELL_OUT = lazy_re(
    r"(?:os\.system|os\.popen|system|popen|shell_exec|passthru|proc_open|execSync|exec|spawnSync|check_output|"
    r"check_call|subprocess\.(?:run|call|Popen)|Popen|getoutput|getstatusoutput|IO\.popen|%x)\s*[\(\{]\s*(\[[^\]]*\]|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')",
    re.S)
_BACKTICK = lazy_re(r"`([^`]+)`")
_STRING = lazy_re(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'", re.S)
_RMTREE = lazy_re(r"(?:shutil\.rmtree|rmSync|rmdirSync|FileUtils\.rm_rf|rm_r|remove_tree|rmtree)\s*\(\s*([\"'])([^\"']*)\1")
_DELETE = lazy_re(r"os\.remove|os\.unlink|unlink\s*\(|\.unlink\(|fs\.rm|os\.rmdir|File\.delete|\.rmdir\(|shutil\.rmtree|rm_rf")
_SSH_VALUE = frozenset("-p -i -l -o -L -R -D -F -J -b -c -E -e -m -O -Q -S -W -w -B -I".split())


_FORK_LOOP = lazy_re(r"fork\s+while\s+fork|(while|for|loop|until)\b[^\n]{0,40}\bfork\s*\(|\bfork\s*\(\)\s*(while|until)\b", re.I)


def check_code_text(code: str, cmd, a) -> None:
    """Inline program text for python/perl/ruby/node/php/awk, or text piped into them."""
    if _FORK_LOOP.search(code):
        a.add("fork-bomb", cmd.span, "inline code forks in a loop")
        return
    if _SOCKET.search(code) and _SPAWN.search(code):
        a.add("reverse-shell", cmd.span, "inline code connects a shell to a network socket")
        return
    found = False
    for m in _SHELL_OUT.finditer(code):
        lit = m.group(1)
        if lit.startswith("["):
            parts = [x.group(1) if x.group(1) is not None else x.group(2) for x in _STRING.finditer(lit)]
            text = " ".join(parts)
        else:
            text = lit[1:-1]
        a.nested(text, cmd.span)
        found = True
    for m in _BACKTICK.finditer(code) if cmd.argv[0] in ("perl", "ruby", "php") else ():
        a.nested(m.group(1), cmd.span)
        found = True
    for m in _RMTREE.finditer(code):
        from ccgpt.shell.model import Cmd

        sub = Cmd(["rm", "-r", "-f", "--", m.group(2)], [cmd.span] * 5, cmd.span, [], None, False, cmd.cwd)
        a.apply_rules(sub)
        found = True
    if not found and _DELETE.search(code):
        a.add("forced-delete", cmd.span, "inline code deletes files")
        found = True
    if not found:
        a.add("runs-script", cmd.span, f"runs inline {cmd.argv[0]} code")


def curl(cmd, a) -> None:
    flags, _, _ = short_flags(cmd.argv)
    argv = cmd.argv
    for i, x in enumerate(argv[:-1]):
        if x in ("-o", "--output"):
            a.st.downloads.add(P.resolve(argv[i + 1]))
    if flags & {"-O", "--remote-name"}:
        for x in argv[1:]:
            if "://" in x or "." in x.split("/")[-1]:
                a.st.downloads.add(P.resolve(x.rstrip("/").rsplit("/", 1)[-1]))
    if flags & {"-o", "-O", "--output", "--remote-name", "--remote-name-all", "-J", "--output-dir"}:
        a.add("network-save", cmd.span, "downloads to a file")
    elif flags & {"-d", "--data", "--data-binary", "--data-raw", "--data-urlencode", "-F", "--form", "-T",
                  "--upload-file", "--json"} or any(x in ("POST", "PUT", "DELETE", "PATCH") for x in cmd.argv):
        a.add("network-send", cmd.span, "sends data to a server")


def wget(cmd, a) -> None:
    argv = cmd.argv
    to_stdout = any(x in ("-O-", "-qO-", "-qO", "--output-document=-", "--spider", "-O", "--output-document") and
                    (x.endswith("-") or x == "--spider" or argv[i + 1:i + 2] == ["-"]) for i, x in enumerate(argv))
    if any(x.startswith(("--post-data", "--post-file", "--body-file", "--method")) for x in argv):
        a.add("network-send", cmd.span, "sends data to a server")
    elif not to_stdout:
        for i, x in enumerate(argv):
            if x in ("-O", "--output-document") and i + 1 < len(argv):
                a.st.downloads.add(P.resolve(argv[i + 1]))
            elif "://" in x:
                a.st.downloads.add(P.resolve(x.rstrip("/").rsplit("/", 1)[-1]))
        a.add("network-save", cmd.span, "downloads to a file")


def netcat(cmd, a) -> None:
    # openssl's options are single-dash words (-connect): never split them into letters.
    flags = set(cmd.argv[1:]) if cmd.argv[0] == "openssl" else short_flags(cmd.argv)[0]
    if flags & {"-e", "-c", "--exec", "--sh-exec", "--lua-exec"}:
        a.add("reverse-shell", cmd.span, f"{cmd.argv[0]} -e/-c connects a program to the network")
    elif cmd.argv[0] == "socat" and any(x.lower().startswith(("exec:", "system:")) for x in cmd.argv[1:]):
        a.add("reverse-shell", cmd.span, "socat exec:/system: connects a program to the network")
    elif cmd.argv[0] == "openssl" and (len(cmd.argv) < 2 or cmd.argv[1] not in ("s_client", "s_server")):
        from ccgpt.shell.rules.files import write_target

        argv = cmd.argv
        for i, x in enumerate(argv[:-1]):
            if x in ("-out", "-keyout"):
                write_target(cmd, a, argv[i + 1], cmd.span)  # `openssl genrsa -out key.pem`
        return
    else:
        a.add("network-send", cmd.span, f"{cmd.argv[0]} opens a raw network connection")


def transfer(cmd, a) -> None:
    a.add("network-save", cmd.span, f"{cmd.argv[0]} copies files over the network")


def ssh(cmd, a) -> None:
    i = skip_options(cmd.argv, 1, _SSH_VALUE)
    if i + 1 < len(cmd.argv):
        a.nested(" ".join(cmd.argv[i + 1:]), cmd.span)
    a.add("network-save", cmd.span, "opens an ssh session on another machine")


def exfiltration(cmd, a) -> None:
    """Generic: a secret flowing into a network sink."""
    if not cmd.argv or cmd.argv[0] not in NET_SINKS:
        return
    if cmd.argv[0] == "openssl" and cmd.argv[1:2] not in (["s_client"], ["s_server"]):
        return  # `openssl x509 -in cert.pem`, `openssl genrsa -out key.pem`: local crypto, no network
    secret = cmd.secret_args or (cmd.stdin is not None and cmd.stdin.secret)
    if not secret:
        argv = cmd.argv
        for i, x in enumerate(argv[1:], 1):
            if "://" in x or (argv[0] in ("ssh", "scp", "sftp", "rsync") and (argv[i - 1] in ("-i", "-F", "-o") or x.startswith("-i"))):
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
        a.add("exfiltration", cmd.span)


def shell_socket(cmd, a) -> None:
    """Generic: a shell whose input or output is a /dev/tcp socket."""
    if cmd.argv and cmd.argv[0] in SHELLS and ("/dev/tcp/" in a.text or "/dev/udp/" in a.text):
        a.add("reverse-shell", cmd.span, "a shell wired to a /dev/tcp socket")


PROGRAMS = {"curl": [curl], "wget": [wget], "nc": [netcat], "ncat": [netcat], "netcat": [netcat],
            "socat": [netcat], "telnet": [netcat], "openssl": [netcat], "cryptcat": [netcat],
            "scp": [transfer], "sftp": [transfer], "ftp": [transfer], "rclone": [transfer], "aria2c": [transfer],
            "ssh": [ssh], "mosh": [ssh]}
GENERIC = [exfiltration, shell_socket]
