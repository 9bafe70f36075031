"""The bubblewrap backend: the bwrap command line for a policy, and what its exit means.

The view a sandboxed command gets:
- `/` bound read-only; the working directory bound read-write on top (the only writable place
  besides a private, empty `/tmp`);
- a fresh minimal `/dev` (null, zero, random, tty, pts) and a `/proc` of its own pid namespace;
- every namespace unshared (user, ipc, pid, net, uts, cgroup); with `--net`, only the network
  is shared with the host;
- secrets hidden: an empty tmpfs over each secret directory, /dev/null over each secret file;
- paths whose content runs later, outside the sandbox (git hooks and config, shell start-up
  files when the working directory contains the home), bound read-only;
- `--die-with-parent` (nothing outlives ccgpt), `--new-session` (no TIOCSTI typing into the
  person's terminal), all capabilities dropped even when ccgpt runs as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from ccgpt.run import mounts
from ccgpt.run.backends.base import Backend, LaunchFds, Outcome, RawResult, exit_status
from ccgpt.run.errors import EXIT_NOT_FOUND, EXIT_SANDBOX, SandboxUnavailable
from ccgpt.run.policy import SandboxPolicy


def find_bwrap() -> str | None:
    return shutil.which("bwrap")


def build_argv(policy: SandboxPolicy, command: list[str], env: dict[str, str] | None = None,
               fds: LaunchFds = LaunchFds(), *, bwrap: str = "bwrap") -> list[str]:
    """The full bwrap argv for running `command` under `policy`.

    `env`: the complete environment of the command (bwrap starts from an empty one).
    """
    cwd = os.path.realpath(policy.cwd)
    source = os.path.realpath(policy.source)
    argv = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    if policy.tmp_mb:
        # /tmp is RAM: without a size a disk filler there would fill memory instead.
        argv += ["--size", str(policy.tmp_mb * 1024 * 1024)]
    argv += ["--tmpfs", "/tmp", "--unshare-all"]
    if policy.net:
        argv += ["--share-net"]
    argv += ["--die-with-parent", "--new-session"]
    if os.geteuid() == 0:
        # bwrap run by root keeps every capability unless told otherwise.
        argv += ["--cap-drop", "ALL"]
    argv += ["--bind", source, cwd]
    hidden = set()
    for real, is_dir in mounts.hidden_mounts(cwd, policy.hide):
        hidden.add(real)
        # The same path inside: cwd is mounted at its real path even for the preview's copy.
        argv += ["--tmpfs", real, "--remount-ro", real] if is_dir else ["--ro-bind", "/dev/null", real]
    for src, dst in mounts.late_code_paths(cwd, source, policy.protect_git):
        if dst not in hidden:
            argv += ["--ro-bind", src, dst]
    if fds.status is not None:
        argv += ["--json-status-fd", str(fds.status)]
    argv += ["--chdir", cwd]
    if env is not None:
        argv += ["--clearenv"]
        for key, value in env.items():
            argv += ["--setenv", key, value]
    argv += ["--", *command]
    return argv


class Bubblewrap(Backend):
    name = "bwrap"
    wants_status_pipe = True

    def check(self, policy: SandboxPolicy) -> None:
        why = mounts.check_workdir(os.path.realpath(policy.cwd), mounts.secret_paths(policy.hide))
        if why:
            raise SandboxUnavailable(why)

    def argv(self, policy: SandboxPolicy, command: list[str], env: dict[str, str], fds: LaunchFds) -> list[str]:
        argv = build_argv(policy, command, env, fds, bwrap=find_bwrap() or "bwrap")
        if policy.user:
            from ccgpt.run.backends.user import wrap

            argv = wrap(argv, policy.user)
        return argv

    def interpret(self, raw: RawResult) -> Outcome:
        code = exit_status(raw.returncode)
        if raw.timed_out or b'"exit-code"' in raw.status:
            return Outcome(code)
        # bwrap never reached the command: its last stderr line says why.
        lines = raw.stderr_tail.decode("utf-8", "replace").strip().splitlines()
        message = lines[-1] if lines else f"bwrap exited with {code}"
        if "execvp" in message:
            return Outcome(EXIT_NOT_FOUND)
        return Outcome(EXIT_SANDBOX, message)


BACKEND = Bubblewrap()


def probe(bwrap: str | None = None, *, timeout: float = 5.0) -> tuple[bool, str]:
    """Whether bwrap can build our sandbox here (user namespaces allowed, etc.), and why not."""
    bwrap = bwrap or find_bwrap()
    if not bwrap:
        return False, "bubblewrap (bwrap) is not installed"
    here = os.getcwd() if os.getcwd() != "/" else "/tmp"
    argv = build_argv(SandboxPolicy(cwd=here), ["true"], {}, bwrap=bwrap)
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap did not start: {exc}"
    if r.returncode != 0:
        return False, (r.stderr.strip().splitlines() or ["bwrap failed"])[-1]
    return True, ""
