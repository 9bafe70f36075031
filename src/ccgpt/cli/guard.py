"""`ccgpt guard [--format claude|codex|gemini]`: the hook an agent CLI runs before each shell
command; `ccgpt guard install AGENT [--project | --user]` adds it to the agent's settings.

The hook fails closed: unreadable input, an exception or the internal deadline -> exit 2, the
code every supported agent reads as "block". It imports only the risk engine (no HTTP client,
no MCP SDK, no store), because it runs before every command an agent runs.
"""

from __future__ import annotations

import os
import sys

MAX_EVENT = 4 * 1024 * 1024  # a hook event larger than this is not one we can judge: block
DEFAULT_DEADLINE = 5.0  # seconds; below every agent's own hook timeout (which would let it run)


def configure(parser) -> None:
    parser.usage = ("ccgpt guard [--format claude|codex|gemini] < EVENT.json\n"
                    "       ccgpt guard install claude|codex|gemini [--project | --user] [--dry-run]")
    parser.add_argument("action", nargs="*", metavar="install AGENT", help="add the hook to an agent's settings file")
    parser.add_argument("--format", choices=("claude", "codex", "gemini"), default="claude",
                        help="the agent's hook protocol (default claude: Claude Code PreToolUse)")
    parser.add_argument("--deadline", type=float, default=DEFAULT_DEADLINE, metavar="S",
                        help=f"give up and block after S seconds (default {DEFAULT_DEADLINE:g})")
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument("--project", action="store_true", help="install into this project's settings file")
    scope.add_argument("--user", action="store_true", help="install into your user settings file (default)")
    parser.add_argument("--dry-run", action="store_true", help="show the change, write nothing")


def run(args) -> int:
    if args.action:
        return _install(args)
    try:
        from ccgpt.agents.guard import failure

        try:
            answer = _hook(args)
        except BaseException as exc:  # noqa: BLE001 - every failure, even an interrupt, blocks
            answer = failure(f"internal error ({type(exc).__name__}: {exc})")
        if answer.stdout:
            sys.stdout.write(answer.stdout)
            sys.stdout.flush()
        if answer.stderr:
            sys.stderr.write(answer.stderr)
            sys.stderr.flush()
        return answer.exit_code
    except BaseException:  # noqa: BLE001 - even the failure path failed (a broken install, a closed pipe)
        try:
            os.write(2, b"ccgpt guard: internal error; the command was not allowed (fail closed)\n")
        except OSError:
            pass
        return 2


def _hook(args):
    import json

    from ccgpt.agents.guard import Unreadable, answer, failure, shell_command

    if sys.stdin is not None and sys.stdin.isatty():
        return failure("no hook event: it reads the agent's event as JSON on stdin (see ccgpt guard --help)")
    try:
        data = sys.stdin.buffer.read(MAX_EVENT + 1) if sys.stdin is not None else b""
    except OSError as exc:
        return failure(f"cannot read the hook event ({exc})")
    if len(data) > MAX_EVENT:
        return failure("the hook event is larger than 4 MB")
    try:
        event = json.loads(data.decode("utf-8"))
        command = shell_command(event, args.format)
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError and Unreadable are ValueErrors
        detail = str(exc) if isinstance(exc, Unreadable) else "the hook event is not valid JSON"
        return failure(f"unreadable input: {detail}")
    if command is None:
        return answer(None, args.format)
    try:
        verdict = verdict_within(command, args.deadline, _rules(args), _working_directory(event))
    except TimeoutError:
        return failure(f"no verdict within {args.deadline:g} s")
    return answer(verdict, args.format)


def _rules(args) -> list:
    """`[ccgpt.rules]` of the configuration, as `ccgpt check` reads them, parsed once per change
    of the file (agents/guard_rules.py): tomllib alone costs ~15 ms, paid before every command."""
    from ccgpt.cli.check import _user_rules
    from ccgpt.config import find_config_file

    path, _ = find_config_file(getattr(args, "config", None))
    if path is None:
        return []
    if not path.is_file():
        return _user_rules(args, warn=False)  # says what is wrong with it; the guard fails closed
    from ccgpt.agents.guard_rules import load

    return load(path, lambda: _user_rules(args, warn=False))


def _working_directory(event: dict) -> str:
    """Where the agent runs the command: the event's `cwd` (every supported agent sends it) when
    that is a directory here, else the directory the agent started the hook in. The verdict
    depends on it: `rm -rf *` is a home wipe in home, `sed -i … .bashrc` a start-up file edit."""
    cwd = event.get("cwd")
    if isinstance(cwd, str) and cwd.startswith("/") and "\x00" not in cwd and os.path.isdir(cwd):
        # Where a symlink points is where `rm -rf *` deletes (`cwd` = a link to `/`); a home
        # reached through a link (/home -> /usr/home) keeps its spelling, which the probe knows.
        real, home = os.path.realpath(cwd), os.path.expanduser("~")
        real_home = os.path.realpath(home)
        if home.startswith("/") and real_home != home and (real == real_home or real.startswith(real_home + "/")):
            return home + real[len(real_home):]
        return real
    return os.getcwd()


def verdict_within(command: str, seconds: float, rules: list, cwd: str | None = None) -> dict:
    """The risk verdict, computed in a forked child so that no hang of any kind (a pathological
    regular expression, the parser's C code) can outlast the deadline; TimeoutError when it does.
    Like `ccgpt check`, with the real filesystem probe, here rooted at `cwd`."""
    from ccgpt.risk.classify import classify
    from ccgpt.run.fsprobe import FilesystemProbe

    probe = FilesystemProbe(cwd=cwd)
    if not hasattr(os, "fork"):
        return classify(command, extra_rules=rules, probe=probe, interactive=False).to_json()
    import json
    import select
    import signal
    import time

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: classify, send the verdict, leave without running any cleanup
        code = 1
        try:
            os.close(read_fd)
            data = json.dumps(classify(command, extra_rules=rules, probe=probe, interactive=False).to_json()).encode()
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view):]
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    chunks, deadline = [], time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_fd], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                raise TimeoutError
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        _, status = os.waitpid(pid, 0)
    if status != 0:
        raise RuntimeError("the risk engine failed")
    return json.loads(b"".join(chunks))


def _install(args) -> int:
    from ccgpt.agents.guard_install import install
    from ccgpt.errors import UsageError

    if args.action[0] != "install" or len(args.action) != 2:
        raise UsageError("usage: ccgpt guard install claude|codex|gemini [--project | --user] [--dry-run]")
    return install(args.action[1], project=args.project, dry_run=args.dry_run)
