"""No isolation at all: only with --unsafe-no-sandbox (limits and the wall clock still apply)."""

from __future__ import annotations

from ccgpt.run.backends.base import Backend, LaunchContext
from ccgpt.run.policy import SandboxPolicy


class NoSandbox(Backend):
    name = "none"

    def argv(self, policy: SandboxPolicy, command: list[str], env: dict[str, str], ctx: LaunchContext) -> list[str]:
        return list(command)

    def launch_env(self, policy: SandboxPolicy, env: dict[str, str]) -> dict[str, str] | None:
        return dict(env)

    def popen_cwd(self, policy: SandboxPolicy) -> str | None:
        return policy.source


BACKEND = NoSandbox()
