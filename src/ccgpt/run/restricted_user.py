"""Running as a restricted user (`sudo -u USER`), when the person configures one.

On its own this is the weakest isolation (the user's permissions are all that stand between the
command and the system, and the network is open), so with `backend = "auto"` the configured user
*wraps* bubblewrap: `sudo -n -u USER -- bwrap …`. With `backend = "user"` it is used alone.
`-n`: sudo must never stop to ask for a password in the middle of our output; configure a
NOPASSWD rule for this one user instead.
"""

from __future__ import annotations

import re
import shutil

_USER = re.compile(r"^[a-z_][a-z0-9_.-]*\$?$", re.I)


def valid_user(name: str) -> bool:
    return bool(_USER.match(name)) and len(name) <= 32


def find_sudo() -> str | None:
    return shutil.which("sudo")


def wrap(argv: list[str], user: str, *, sudo: str = "sudo") -> list[str]:
    """`argv` run as `user`. The environment is the one `argv` sets up (bwrap --clearenv, env -i)."""
    if not valid_user(user):
        from ccgpt.errors import ConfigError

        raise ConfigError(f"[ccgpt.sandbox] user {user!r} is not a valid user name")
    return [sudo, "-n", "-u", user, "--", *argv]


def plain_argv(command: list[str], env: dict[str, str]) -> list[str]:
    """The command with exactly `env` (sudo resets the environment; env -i makes it exact)."""
    return ["env", "-i", *(f"{k}={v}" for k, v in env.items()), "--", *command]
