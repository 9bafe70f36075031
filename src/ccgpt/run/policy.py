"""The sandbox policy: everything a backend needs to know to build its command line, typed.

Built once from the `[ccgpt.sandbox]` config table (`SandboxPolicy.from_config`) by whoever runs
something (the CLI, the menus, the preview, the eval runner); backends only read it. No backend
looks at the config dict or at argparse objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ccgpt.run import identity
from ccgpt.run.limits import Limits, config_number

@dataclass(frozen=True)
class SandboxPolicy:
    cwd: str  # the real path of the only writable directory (besides a private /tmp)
    net: bool = False
    limits: Limits = field(default_factory=Limits)
    hide: tuple[str, ...] = ()  # configured extra paths to hide (`~` and `$VARS` not yet expanded)
    pass_env: tuple[str, ...] = ()  # names or patterns let through the environment allow-list
    protect_git: bool = True  # `.git` (and its nested copies) read-only
    tmp_mb: int = 256  # size of the private /tmp
    shm_mb: int = 64  # size of the private /dev/shm (the rest of /dev is read-only)
    workdir_source: str | None = None  # the preview's copy, mounted at `cwd`'s path
    user: str = ""  # run through `sudo -n -u USER`
    docker_image: str = "debian:stable-slim"
    cpus: float = 1.0
    seccomp: bool = True
    run_as: identity.Identity | None = None  # as root: who the sandbox runs as (None: ourselves)

    @classmethod
    def from_config(
        cls,
        section: dict,
        *,
        cwd: str,
        net: bool = False,
        limits: Limits | None = None,
        workdir_source: str | None = None,
    ) -> "SandboxPolicy":
        return cls(
            cwd=cwd,
            net=net,
            limits=limits or Limits.from_config(section),
            hide=tuple(str(p) for p in section.get("hide") or ()),
            pass_env=tuple(str(p) for p in section.get("pass_env") or ()),
            protect_git=bool(section.get("protect_git", True)),
            tmp_mb=int(config_number(section, "tmp_mb", 256)),
            shm_mb=int(config_number(section, "shm_mb", 64)),
            workdir_source=workdir_source,
            user=str(section.get("user") or ""),
            docker_image=str(section.get("docker_image") or "debian:stable-slim"),
            cpus=float(config_number(section, "cpus", 1, float)),
            seccomp=bool(section.get("seccomp", True)),
            run_as=identity.for_workdir(cwd),
        )

    def with_(self, **changes) -> "SandboxPolicy":
        return replace(self, **changes)

    @property
    def source(self) -> str:
        """The host directory bound at `cwd` (itself, or the preview's copy)."""
        return self.workdir_source or self.cwd
