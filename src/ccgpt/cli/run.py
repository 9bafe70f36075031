"""`ccgpt run [--preview] [--net] [--yes] [--timeout S] -- COMMAND…` and `ccgpt run SCRIPT [ARG…]`.

This module turns flags into typed `RunOptions`; nothing below `cli/` sees argparse.
"""

from __future__ import annotations

import argparse
import os
import shutil

COMMAND_WORDS = True  # `ccgpt run ls -q`: -q is ls's, not ccgpt's
MAX_SCRIPT_BYTES = 100_000  # passed as one argument to bash -c; the kernel caps one at 128 KiB


def configure(parser: argparse.ArgumentParser) -> None:
    parser.usage = "ccgpt run [--preview] [--net] [--yes] [--timeout S] -- COMMAND [ARG...]\n       ccgpt run [options] SCRIPT [ARG...]"
    parser.epilog = (
        "The command runs inside a sandbox (bubblewrap, else Docker): the file system is read-only "
        "except the current directory and a private /tmp, secrets (~/.ssh, ~/.aws, ...) are hidden, "
        "there is no network unless --net, and CPU, memory, processes, file size and time are "
        "limited. Exit code: the command's; 124 timeout, 125 sandbox failure, 127 not found, "
        "1 refused or declined."
    )
    parser.add_argument("--preview", action="store_true",
                        help="first run against a throwaway copy of the directory and show what would change")
    parser.add_argument("--net", action="store_true", help="allow network access (off by default)")
    parser.add_argument("-y", "--yes", action="store_true",
                        help="answer the y/N question (safe and review only; dangerous still needs typing)")
    parser.add_argument("--timeout", type=_seconds, metavar="S", help="wall-clock limit in seconds (default: config, 60)")
    parser.add_argument("--script", action="store_true",
                        help="treat the first argument as a script file to run with bash (the rest are its arguments)")
    parser.add_argument("--interactive", action="store_true",
                        help="let the command read your keystrokes, through a pty whose output is sanitised "
                             "(default: its stdin is /dev/null)")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="run WITHOUT isolation when no sandbox is available (loud warning, still confirmed)")
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="COMMAND", help="the command and its arguments, after --")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value <= 0 or value > 86400:
        raise argparse.ArgumentTypeError("the timeout must be between 0 and 86400 seconds")
    return value


def _is_script(words: list[str], explicit: bool) -> bool:
    """Whether `words` is SCRIPT [ARG...]: a bash script file in reach, not a program on PATH."""
    if explicit:
        return True
    word = words[0]
    # A bare word that names a program (`ccgpt run -- ls`) is a command, not a file in cwd.
    if not (os.path.isfile(word) and ("/" in word or shutil.which(word) is None)):
        return False
    # A file with another interpreter (#!/usr/bin/env python3) is run as a program, not fed to bash.
    try:
        with open(word, "rb") as fh:
            first = fh.readline(200)
    except OSError:
        return True  # reported by _read_script
    if first.startswith(b"#!"):
        interpreter = os.path.basename(first[2:].split(b" -")[0].strip().split(b" ")[-1].decode("utf-8", "replace"))
        return interpreter in ("sh", "bash", "dash")
    return True


def run(args: argparse.Namespace) -> int:
    import sys

    from ccgpt.cli.common import interactive, load_config, use_color
    from ccgpt.errors import UsageError
    from ccgpt.run.execute import execute
    from ccgpt.run.options import RunOptions

    words = list(args.command)
    if words and words[0] == "--":
        words = words[1:]
    if not words:
        raise UsageError("nothing to run: ccgpt run [options] -- COMMAND [ARG...]  or  ccgpt run SCRIPT [ARG...]")
    section = load_config(args).section("sandbox")
    script_text = None
    command: str | list[str] = words
    script_args: tuple[str, ...] = ()
    if _is_script(words, args.script):
        script_text, command, script_args = _read_script(words[0]), words[0], tuple(words[1:])
    options = RunOptions(
        net=args.net, preview=args.preview, assume_yes=args.yes, timeout=args.timeout,
        unsafe_no_sandbox=args.unsafe_no_sandbox, tty=interactive(), color=use_color(args, sys.stderr),
        log_text=not args.no_log, interactive=args.interactive, json_output=bool(getattr(args, "json", False)),
    )
    return execute(command, options, script_text=script_text, script_args=script_args, section=section)


def _read_script(path: str) -> str:
    from ccgpt.errors import CcgptError

    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_SCRIPT_BYTES + 1)
    except OSError as exc:
        raise CcgptError(f"cannot read script {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_SCRIPT_BYTES:
        raise CcgptError(f"script {path} is larger than {MAX_SCRIPT_BYTES // 1000} KB; run it with `ccgpt run -- bash {path}`")
    if b"\0" in data:
        raise CcgptError(f"{path} is not a text script (it contains NUL bytes)")
    return data.decode("utf-8", errors="replace")
