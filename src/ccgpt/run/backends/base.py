"""The interface every backend implements, and the records passed across it."""

from __future__ import annotations

from dataclasses import dataclass

from ccgpt.run.policy import SandboxPolicy
from ccgpt.run.protect import Plan

@dataclass(frozen=True)
class LaunchContext:
    """What the runner prepared for this launch and a backend may refer to."""

    status: int | None = None  # write end of bwrap's --json-status-fd pipe
    seccomp: int | None = None  # a readable fd holding the compiled seccomp program
    container: str | None = None  # docker's --name, so a timeout can `docker kill` it
    protect: Plan | None = None  # what inside the working directory stays read-only


@dataclass(frozen=True)
class RawResult:
    """How the launched process ended, before the backend says what that means."""

    returncode: int  # as Popen reports it (negative: killed by that signal)
    timed_out: bool
    stderr_tail: bytes  # the last 2 KB of stderr: where bwrap/sudo/docker say what failed
    status: bytes = b""  # bwrap's JSON status lines (empty for other backends)


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    sandbox_error: str | None = None  # set when the sandbox, not the command, failed


class Backend:
    """Defaults shared by the backends; each module subclasses it once."""

    name = ""
    host_limits = True  # our rlimits and cgroup apply to the launched process (docker: its own)
    drops_root = False  # as root, start the sandbox as `policy.run_as` (an unprivileged uid)
    resolves_on_host = True  # a missing program is reported as 127 before anything starts
    wants_status_pipe = False
    wants_seccomp = False

    def check(self, policy: SandboxPolicy) -> None:
        """Raise SandboxUnavailable when this policy cannot be enforced here."""

    def argv(self, policy: SandboxPolicy, command: list[str], env: dict[str, str], ctx: LaunchContext) -> list[str]:
        raise NotImplementedError

    def launch_env(self, policy: SandboxPolicy, env: dict[str, str]) -> dict[str, str] | None:
        """The environment of the launched process (None: inherit ours)."""
        return {"PATH": env.get("PATH", "/usr/bin:/bin")}

    def popen_cwd(self, policy: SandboxPolicy) -> str | None:
        return None

    def interpret(self, raw: RawResult) -> Outcome:
        return Outcome(exit_status(raw.returncode))

    def container_name(self) -> str | None:
        """A name for what a timeout must stop besides our process group (docker's container)."""
        return None

    def kill(self, ctx: LaunchContext) -> None:
        """Extra clean-up on a timeout, beyond killing our process group."""


def exit_status(returncode: int) -> int:
    """A shell's view of a status: killed by signal N is 128 + N."""
    return returncode if returncode >= 0 else 128 - returncode
