"""The Docker backend: the same policy as bubblewrap, expressed as `docker run` flags.

Used when configured (`backend = "docker"`) or, with `backend = "auto"`, when bubblewrap is
missing and a Docker engine answers. The container gets no capabilities, no privilege
escalation, no network (unless --net), a read-only root with a small /tmp, memory/CPU/process
caps, the caller's uid:gid, and the working directory mounted read-write at the same path.
Environment values are passed by name (`--env NAME`) from the docker client's environment, so
they never show up in `ps` on the host.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from ccgpt.run.backends.base import Backend, LaunchContext, Outcome, RawResult, exit_status
from ccgpt.run.policy import SandboxPolicy
from ccgpt.run.protect import Mount


def find_docker() -> str | None:
    return shutil.which("docker")


def engine_answers(docker: str | None = None, *, timeout: float = 5.0) -> tuple[bool, str]:
    """Whether a Docker engine answers (`docker info`), and why not."""
    docker = docker or find_docker()
    if not docker:
        return False, "the docker client is not installed"
    try:
        r = subprocess.run(
            [docker, "info", "--format", "{{.ServerVersion}}"],
            capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return False, f"the Docker engine did not answer within {timeout:g} s"
    except OSError as exc:
        return False, f"docker did not start: {exc}"
    if r.returncode != 0 or not r.stdout.strip():
        last = (r.stderr.strip().splitlines() or ["no answer"])[-1]
        return False, f"no Docker engine: {last}"
    return True, r.stdout.strip()


def container_name() -> str:
    return f"ccgpt-run-{os.getpid()}-{os.urandom(3).hex()}"


def build_argv(
    policy: SandboxPolicy,
    command: list[str],
    *,
    env_names: list[str] | tuple[str, ...] = (),
    name: str | None = None,
    docker: str = "docker",
    uid: int | None = None,
    gid: int | None = None,
    protect_mounts: tuple[Mount, ...] = (),
) -> list[str]:
    """The full `docker run` argv. Environment *values* are not in it: see module doc."""
    cwd = os.path.realpath(policy.cwd)
    limits = policy.limits
    argv = [docker, "run", "--rm", "-i"]
    if name:
        argv += ["--name", name]
    argv += [
        "--init",  # a real pid 1 reaps orphans and forwards signals
        "--security-opt=no-new-privileges",
        "--cap-drop", "ALL",
        "--network", "bridge" if policy.net else "none",
        "--read-only",
        "--tmpfs", f"/tmp:rw,nosuid,nodev,size={policy.tmp_mb}m",
        "--user", f"{os.getuid() if uid is None else uid}:{os.getgid() if gid is None else gid}",
    ]
    if limits.memory_mb:
        # memory-swap equal to memory: no swap on top of the cap.
        argv += ["--memory", f"{limits.memory_mb}m", "--memory-swap", f"{limits.memory_mb}m"]
    if policy.cpus:
        argv += ["--cpus", f"{policy.cpus:g}"]
    if limits.max_processes:
        argv += ["--pids-limit", str(limits.max_processes)]
    for flag, value in (("nofile", limits.max_open_files), ("fsize", limits.max_file_mb * 1024 * 1024),
                        ("cpu", limits.cpu_seconds)):
        if value:
            argv += ["--ulimit", f"{flag}={value}:{value}"]
    # The preview mounts its throwaway copy (`source`) at the real path, like bwrap does.
    argv += ["--volume", f"{os.path.realpath(policy.source)}:{cwd}:rw", "--workdir", cwd]
    for mount in protect_mounts:  # .git and start-up paths: read-only, and their parents pinned
        argv += ["--volume", f"{mount.src}:{mount.dst}:{'ro' if mount.kind == 'ro' else 'rw'}"]
    for key in env_names:
        argv += ["--env", key]
    argv += ["--", policy.docker_image, *command]
    return argv


def docker_env(env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """Names to pass with `--env NAME`, and the client environment that carries their values.

    PATH is left to the image (the host's PATH means nothing inside it); HOME points at /tmp,
    the only writable place besides cwd.
    """
    inner = {k: v for k, v in env.items() if k not in ("PATH", "HOME", "SHELL")}
    inner["HOME"] = "/tmp"
    client = {k: os.environ[k] for k in ("PATH", "DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CONTEXT") if k in os.environ}
    client.update(inner)
    return sorted(inner), client


def kill(name: str, docker: str = "docker") -> None:
    """Stop a container that outlived its time (killing the client alone would not)."""
    try:
        subprocess.run([docker, "kill", name], capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        pass


class Docker(Backend):
    name = "docker"
    host_limits = False  # docker applies its own (--memory, --pids-limit, --ulimit)
    resolves_on_host = False  # the image has its own PATH

    def argv(self, policy: SandboxPolicy, command: list[str], env: dict[str, str], ctx: LaunchContext) -> list[str]:
        names, _ = docker_env(env)
        who = policy.run_as  # as root: the same unprivileged uid bwrap would use, where there is one
        uid, gid = (who.uid, who.gid) if who else (None, None)
        if who is not None and who.idmapped:
            uid, gid = 0, 0  # no idmapped mount in a container: root inside it, as before
        return build_argv(policy, command, env_names=names, name=ctx.container, docker=find_docker() or "docker",
                          uid=uid, gid=gid,
                          protect_mounts=ctx.protect.mounts if ctx.protect else ())

    def launch_env(self, policy: SandboxPolicy, env: dict[str, str]) -> dict[str, str] | None:
        return docker_env(env)[1]

    def interpret(self, raw: RawResult) -> Outcome:
        if raw.returncode == 125:
            return Outcome(125, "docker could not start the container (see its message above)")
        return Outcome(exit_status(raw.returncode))

    def container_name(self) -> str | None:
        return container_name()

    def kill(self, ctx: LaunchContext) -> None:
        if ctx.container:
            kill(ctx.container, find_docker() or "docker")


BACKEND = Docker()
