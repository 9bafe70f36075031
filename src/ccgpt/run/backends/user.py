"""Running as a restricted user (`sudo -u USER`), when the person configures one.

On its own this is the weakest isolation (the user's permissions are all that stand between the
command and the system, and the network is open), so with `backend = "auto"` the configured user
*wraps* bubblewrap: `sudo -n -u USER -- bwrap …`. With `backend = "user"` it is used alone.
`-n`: sudo must never stop to ask for a password in the middle of our output; configure a
NOPASSWD rule for this one user instead.
"""

from __future__ import annotations

import re

from ccgpt.run.backends.base import Backend, LaunchContext, Outcome, RawResult, exit_status
from ccgpt.run.errors import EXIT_SANDBOX, SandboxUnavailable
from ccgpt.run.policy import SandboxPolicy

_USER = re.compile(r"^[a-z_][a-z0-9_.-]*\$?$", re.I)


def valid_user(name: str) -> bool:
    return bool(_USER.match(name)) and len(name) <= 32


def wrap(argv: list[str], user: str, *, sudo: str = "sudo") -> list[str]:
    """`argv` run as `user`. The environment is the one `argv` sets up (bwrap --clearenv, env -i)."""
    if not valid_user(user):
        from ccgpt.errors import ConfigError

        raise ConfigError(f"[ccgpt.sandbox] user {user!r} is not a valid user name")
    return [sudo, "-n", "-u", user, "--", *argv]


def plain_argv(command: list[str], env: dict[str, str]) -> list[str]:
    """The command with exactly `env` (sudo resets the environment; env -i makes it exact)."""
    # `--` before the assignments: after one, GNU env takes a `--` for the program's name
    return ["env", "-i", "--", *(f"{k}={v}" for k, v in env.items()), *command]


class RestrictedUser(Backend):
    name = "user"

    def check(self, policy: SandboxPolicy) -> None:
        if not policy.user:
            raise SandboxUnavailable('backend = "user" needs [ccgpt.sandbox] user = "NAME"')

    def argv(self, policy: SandboxPolicy, command: list[str], env: dict[str, str], ctx: LaunchContext) -> list[str]:
        return wrap(plain_argv(command, env), policy.user)

    def launch_env(self, policy: SandboxPolicy, env: dict[str, str]) -> dict[str, str] | None:
        return {"PATH": env.get("PATH", "")}

    def popen_cwd(self, policy: SandboxPolicy) -> str | None:
        return policy.source

    def interpret(self, raw: RawResult) -> Outcome:
        if raw.returncode == 1 and b"sudo:" in raw.stderr_tail:
            return Outcome(EXIT_SANDBOX, raw.stderr_tail.decode("utf-8", "replace").strip())
        return Outcome(exit_status(raw.returncode))


BACKEND = RestrictedUser()
