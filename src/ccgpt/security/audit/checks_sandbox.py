"""Whether `ccgpt run` has a real sandbox here: bubblewrap that works, or a Docker engine; and
whether the kernel lets it keep root out (a user namespace) and bound a whole command (cgroups).

Rules (rule id: severity):
  sandbox-disabled: medium, sandbox-unavailable: medium, sandbox-available: info
  sandbox-root-no-userns: high  running as root with no user namespace: sandboxed commands are host root
  sandbox-userns: info          running as root, and a user namespace can be created
  sandbox-no-cgroup: medium     no writable cgroup: memory/process limits are per process only
  sandbox-cgroup: info          a cgroup can bound the whole command
"""

from __future__ import annotations

import shutil
import subprocess

from ccgpt.security.audit import sandbox_probe
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


def check(ctx: AuditContext, *, bwrap=bwrap_works, docker=docker_engine_answers, root=sandbox_probe.is_root,
          userns=sandbox_probe.user_namespace, cgroup=sandbox_probe.cgroup_limits) -> list[Finding]:
    cfg = ctx.config
    chosen = str(cfg.get("sandbox.backend", "auto")) if cfg is not None else "auto"
    backend = _backend_findings(chosen, ctx, bwrap, docker)
    if chosen in ("none", "docker"):  # no sandbox, or Docker's own user mapping and cgroups
        return backend
    return backend + kernel_findings(root(), userns, cgroup)


def kernel_findings(root: bool, userns, cgroup) -> list[Finding]:
    findings: list[Finding] = []
    if root:
        ok, detail = userns()
        if ok:
            findings.append(Finding(
                "sandbox-userns", "info", f"running as root; a user namespace can be created ({detail})",
                "the sandbox can map a command to an unprivileged uid, so it is not root on the host",
                "nothing to do"))
        else:
            findings.append(Finding(
                "sandbox-root-no-userns", "high",
                f"ccgpt runs as root here and no user namespace can be created ({detail})",
                "a sandboxed command would be uid 0 on the host: it could change kernel settings under "
                "/proc/sys and files owned by root wherever the sandbox leaves them writable",
                "run ccgpt as an ordinary user, or allow user namespaces: sudo sysctl -w user.max_user_namespaces=15000 "
                "(Debian/Ubuntu also: kernel.unprivileged_userns_clone=1, kernel.apparmor_restrict_unprivileged_userns=0)"))
    ok, detail = cgroup()
    if ok:
        findings.append(Finding(
            "sandbox-cgroup", "info", f"cgroup limits are available: {detail}",
            "memory and the number of processes can be bounded for the whole command", "nothing to do"))
    else:
        findings.append(Finding(
            "sandbox-no-cgroup", "medium", f"cgroup limits are not available: {detail}",
            "[ccgpt.sandbox] memory_mb and max_processes then apply to each process separately (rlimits): "
            "several processes together can use more, and a fork bomb is bounded only by the process rlimit",
            "run ccgpt from a delegated systemd user scope: systemd-run --user --scope -p Delegate=yes ccgpt run …"))
    return findings


def _backend_findings(chosen: str, ctx: AuditContext, bwrap, docker) -> list[Finding]:
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
