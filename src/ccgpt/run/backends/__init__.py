"""Sandbox backends: one module each, behind one small interface.

A backend turns a `SandboxPolicy` and a command into the process to start (`argv`, its
environment and working directory), and turns how that process ended into an `Outcome`
(`interpret`): the command's exit code, or a sandbox failure with bwrap's/docker's/sudo's
own message. `run_sandboxed` (ccgpt.run.sandbox) knows no backend by name.
"""

from __future__ import annotations

from ccgpt.run.backends.base import Backend

NAMES = ("bwrap", "docker", "user", "none")


def get(name: str) -> Backend:
    """The backend called `name` (its module is imported only when asked for)."""
    import importlib

    if name not in NAMES:
        raise ValueError(name)
    backend: Backend = importlib.import_module(f"ccgpt.run.backends.{name}").BACKEND
    return backend
