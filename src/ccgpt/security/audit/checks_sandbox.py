"""Whether `ccgpt run` has a real sandbox here: bubblewrap that works, or a Docker engine."""

from __future__ import annotations

import shutil
import subprocess

from ccgpt.security.audit.findings import AuditContext, Finding


def bwrap_works(timeout: float = 5.0) -> tuple[bool, str]:
    path = shutil.which("bwrap")
    if not path:
        return False, "bwrap is not installed"
    try:
        proc = subprocess.run(
            [path, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
            capture_output=True,
            timeout=timeout,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap failed to start: {exc}"
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip().splitlines()
        return False, f"bwrap is installed but cannot create a sandbox: {err[-1] if err else proc.returncode}"
    return True, path


def docker_engine_answers(timeout: float = 5.0) -> bool:
    path = shutil.which("docker")
    if not path:
        return False
    try:
        proc = subprocess.run([path, "info", "--format", "{{.ServerVersion}}"], capture_output=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0 and bool(proc.stdout.strip())


def check(ctx: AuditContext, *, bwrap=bwrap_works, docker=docker_engine_answers) -> list[Finding]:
    cfg = ctx.config
    chosen = str(cfg.get("sandbox.backend", "auto")) if cfg is not None else "auto"
    if chosen == "none":
        return [
            Finding(
                "sandbox-disabled",
                "medium",
                "the sandbox is turned off ([ccgpt.sandbox] backend = \"none\")",
                "with --unsafe-no-sandbox, approved commands run with your full rights: every file and network you can reach",
                "set [ccgpt.sandbox] backend = \"auto\" and install bubblewrap: sudo apt-get install bubblewrap",
                path=str(ctx.config_path) if ctx.config_path else None,
            )
        ]
    ok, detail = bwrap()
    if ok:
        return [
            Finding(
                "sandbox-available",
                "info",
                f"sandbox: bubblewrap works ({detail})",
                "`ccgpt run` isolates commands with it",
                "nothing to do",
            )
        ]
    if docker():
        return [
            Finding(
                "sandbox-available",
                "info",
                f"sandbox: the Docker engine answers ({detail}; Docker is used instead)",
                "`ccgpt run` isolates commands in a container",
                "nothing to do (bubblewrap starts faster: sudo apt-get install bubblewrap)",
            )
        ]
    return [
        Finding(
            "sandbox-unavailable",
            "medium",
            f"no sandbox backend is available ({detail}; no Docker engine answers)",
            "`ccgpt run` refuses to run anything, and --unsafe-no-sandbox would run commands with your full rights",
            "install bubblewrap: sudo apt-get install bubblewrap (Fedora: sudo dnf install bubblewrap)",
        )
    ]
