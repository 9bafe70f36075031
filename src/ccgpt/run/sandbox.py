"""Run one command inside the chosen sandbox, stream its output safely, and say how it ended.

This is the one function every part of ccgpt uses to run something (`ccgpt run`, the suggest
and script menus, the preview, `ccgpt eval`): `run_sandboxed(...) -> RunResult`. It does *not*
confirm or classify; callers do that first (see `ccgpt.run.execute`).

Backend choice (`[ccgpt.sandbox] backend`): "bwrap", "docker", "user" (sudo -u alone) or
"none" (only with the explicit unsafe flag); "auto" = bwrap when it is installed, else Docker
when an engine answers, else refuse.

Exit codes: the command's own; 124 when the wall clock ran out (as timeout(1)); 125 when the
sandbox itself failed (as `docker run`), so that is never mistaken for the command failing;
127 when the command does not exist.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from typing import IO, Any

from ccgpt.errors import CcgptError, ConfigError
from ccgpt.run import aftercheck, backends, process, protect, seccomp
from ccgpt.run import limits as limits_mod
from ccgpt.run.backends.base import Backend, LaunchContext, RawResult
from ccgpt.run.cgroups import RunCgroup
from ccgpt.run.environment import sandbox_env
from ccgpt.run.identity import Identity
from ccgpt.run.errors import EXIT_NOT_FOUND, EXIT_SANDBOX, EXIT_TIMEOUT, SandboxUnavailable
from ccgpt.run.limits import Limits
from ccgpt.run.policy import SandboxPolicy

__all__ = ["EXIT_NOT_FOUND", "EXIT_SANDBOX", "EXIT_TIMEOUT", "RunResult", "SandboxUnavailable",
           "choose_backend", "run_policy", "run_sandboxed"]
BACKENDS = ("auto", *backends.NAMES)


@dataclass
class RunResult:
    exit_code: int
    backend: str
    duration_ms: float
    timed_out: bool = False
    sandbox_error: str | None = None  # set when the sandbox, not the command, failed
    output_bytes: int = 0
    output_truncated: bool = False
    limits: dict = field(default_factory=dict)
    isolation: dict = field(default_factory=dict)  # host uid, seccomp, protected paths
    notes: list[str] = field(default_factory=list)  # for the person: after-check actions, hints

    def detail(self) -> dict:
        """What the audit trail keeps about this run."""
        d: dict[str, Any] = {"sandbox": self.backend, "limits": self.limits, "output_bytes": self.output_bytes,
                             "isolation": self.isolation}
        if self.notes:
            d["notes"] = self.notes
        if self.timed_out:
            d["timed_out"] = True
        if self.output_truncated:
            d["output_truncated"] = True
        if self.sandbox_error:
            d["sandbox_error"] = self.sandbox_error
        return d


def choose_backend(section: dict, *, unsafe_no_sandbox: bool = False) -> str:
    """The backend to use, or SandboxUnavailable with what to do about it."""
    from ccgpt.run.backends import bwrap, docker

    wanted = str(section.get("backend", "auto") or "auto")
    if wanted not in BACKENDS:
        raise ConfigError(f"[ccgpt.sandbox] backend {wanted!r} is unknown (use {', '.join(BACKENDS)})")
    if unsafe_no_sandbox:
        return "none"
    if wanted == "none":
        raise SandboxUnavailable(
            'backend = "none" in the config only takes effect with --unsafe-no-sandbox on the command line'
        )
    if wanted == "bwrap" and not bwrap.find_bwrap():
        raise SandboxUnavailable('backend = "bwrap" but bubblewrap is not installed (apt-get install bubblewrap)')
    if wanted == "user" and not str(section.get("user") or ""):
        raise SandboxUnavailable('backend = "user" needs [ccgpt.sandbox] user = "NAME"')
    if wanted != "auto":
        return wanted  # a dead Docker engine is reported by the run itself as a sandbox failure
    # auto: no probe run on the fast path; a bwrap that cannot build the sandbox fails with 125.
    if bwrap.find_bwrap():
        return "bwrap"
    if docker.engine_answers()[0]:
        return "docker"
    raise SandboxUnavailable(
        "no sandbox available: install bubblewrap (apt-get install bubblewrap) or start a Docker "
        "engine; --unsafe-no-sandbox runs without isolation"
    )


def run_sandboxed(
    command: list[str],
    *,
    cwd: str | os.PathLike | None = None,
    net: bool = False,
    section: dict | None = None,
    limits: Limits | None = None,
    backend: str | None = None,
    unsafe_no_sandbox: bool = False,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    stdin: Any = subprocess.DEVNULL,
    workdir_source: str | None = None,
) -> RunResult:
    """Run `command` (an argv list) with `cwd` as the only writable directory.

    section: the `[ccgpt.sandbox]` config table (`load_config().section("sandbox")`).
    stdout/stderr: text streams that receive the command's sanitised output (default: ours).
    stdin: what the command reads (default /dev/null: never the person's terminal).
    workdir_source: for the preview, a copy of cwd that is mounted at cwd's path instead.
    Raises SandboxUnavailable when no backend can be used; never raises for the command's
    own failure.
    """
    section = dict(section or {})
    real_cwd = os.path.realpath(os.fspath(cwd) if cwd is not None else os.getcwd())
    policy = SandboxPolicy.from_config(section, cwd=real_cwd, net=net, limits=limits,
                                       workdir_source=workdir_source)
    name = backend or choose_backend(section, unsafe_no_sandbox=unsafe_no_sandbox)
    return run_policy(command, policy, backends.get(name), stdout=stdout, stderr=stderr, stdin=stdin)


def run_policy(command: list[str], policy: SandboxPolicy, backend: Backend, *,
               stdout: IO[str] | None = None, stderr: IO[str] | None = None,
               stdin: Any = subprocess.DEVNULL) -> RunResult:
    """The runner behind `run_sandboxed`, for callers that built their policy themselves."""
    import sys

    if not command:
        raise CcgptError("nothing to run", 2)
    backend.check(policy)
    limits = policy.limits
    env = sandbox_env(pass_env=policy.pass_env)
    env["PWD"] = policy.cwd
    if backend.resolves_on_host and not _found(command[0], env, policy.cwd):
        # Resolve on the host (same / inside): a clear 127 instead of a sandbox error.
        return RunResult(EXIT_NOT_FOUND, backend.name, 0.0, limits=limits.as_dict())
    started = time.monotonic()
    plan = protect.plan(policy.cwd, os.path.realpath(policy.source), protect_git=policy.protect_git,
                        path_env=env.get("PATH", ""))
    status_r, status_w = os.pipe() if backend.wants_status_pipe else (None, None)
    filter_fd = seccomp.program_fd() if backend.wants_seccomp and policy.seccomp else None
    ctx = LaunchContext(status=status_w, seccomp=filter_fd, container=backend.container_name(), protect=plan)
    pass_fds = tuple(fd for fd in (status_w, filter_fd) if fd is not None)
    argv: list[str] = []
    cgroup_info: dict[str, Any] = {}
    tree: int | None = None
    try:
        argv = backend.argv(policy, command, env, ctx)
        tree = _idmapped_tree(backend, policy)
        with _cgroup(backend, policy) as cgroup:
            cgroup_info = cgroup.describe()
            spawn = process.Spawn(argv, backend.launch_env(policy, env), backend.popen_cwd(policy), pass_fds,
                                  _preexec(backend, policy, cgroup.join_path, tree), stdin)
            ended = process.run(spawn, stdout=stdout if stdout is not None else sys.stdout,
                                stderr=stderr if stderr is not None else sys.stderr,
                                output_cap=limits.output_limit_kb * 1024,
                                deadline=started + limits.timeout if limits.timeout else None,
                                on_timeout=lambda: backend.kill(ctx))
    except (OSError, subprocess.SubprocessError) as exc:  # SubprocessError: the preexec step failed
        if status_r is not None:
            os.close(status_r)
        why = getattr(exc, "strerror", None) or str(exc)
        return RunResult(EXIT_SANDBOX, backend.name, process.elapsed_ms(started),
                         sandbox_error=f"could not start {(argv or command)[0]}: {why}", limits=limits.as_dict())
    except KeyboardInterrupt:
        # Interrupted, but the command did run: what it planted is still moved aside.
        from ccgpt.term.sanitize import sanitize_line

        for note in [] if policy.workdir_source else aftercheck.check(policy.cwd, plan):
            sys.stderr.write(sanitize_line(note) + "\n")
        raise
    finally:
        for fd in (status_w, filter_fd, tree):
            if fd is not None:
                os.close(fd)
    status = process.read_all(status_r) if status_r is not None else b""
    outcome = backend.interpret(RawResult(ended.returncode, ended.timed_out, ended.stderr_tail, status))
    notes = _notes(ended.stderr_tail, policy, plan)
    return RunResult(EXIT_TIMEOUT if ended.timed_out else outcome.exit_code, backend.name,
                     process.elapsed_ms(started), timed_out=ended.timed_out, sandbox_error=outcome.sandbox_error,
                     output_bytes=ended.output_bytes, output_truncated=ended.output_truncated,
                     limits=dict(limits.as_dict(), **cgroup_info), isolation=_isolation(backend, policy, ctx),
                     notes=notes)


def _found(program: str, env: dict[str, str], cwd: str) -> bool:
    if shutil.which(program, path=env.get("PATH")) is not None:
        return True
    return os.sep in program and os.access(os.path.join(cwd, program), os.X_OK)


def _cgroup(backend: Backend, policy: SandboxPolicy) -> RunCgroup:
    """RLIMIT_NPROC does not bind root, RLIMIT_AS is per process: a cgroup caps the whole
    sandbox's tasks and memory instead, when one can be made (as root, or in a cgroup delegated
    to this user; otherwise creating it fails and the rlimits alone hold)."""
    limits = policy.limits
    wanted = backend.host_limits
    return RunCgroup(limits.max_processes + 8 if wanted and limits.max_processes else 0,
                     limits.memory_mb if wanted else 0)


def _idmapped_tree(backend: Backend, policy: SandboxPolicy) -> int | None:
    """The idmapped clone of the directory bound at cwd, when the identity needs one. A refusal
    now (after `identity.for_workdir` got one) is an OSError: the run fails, never runs as root."""
    run_as = _run_as(backend, policy)
    if run_as is None or not run_as.idmapped:
        return None
    from ccgpt.run import idmap

    return idmap.prepare(os.path.realpath(policy.source))


def _preexec(backend: Backend, policy: SandboxPolicy, cgroup_procs: list[str], tree: int | None = None):
    if not backend.host_limits:
        return limits_mod.make_preexec([], None)
    run_as = _run_as(backend, policy)
    if run_as is not None and not run_as.host_root:
        base = limits_mod.count_user_processes(run_as.uid)
    else:
        base = 0 if os.geteuid() == 0 else limits_mod.count_user_processes()
    mount = None
    if tree is not None:
        from ccgpt.run import idmap

        mount = lambda: idmap.attach(tree)  # noqa: E731
    return limits_mod.make_preexec(limits_mod.rlimit_pairs(policy.limits, nproc_base=base), cgroup_procs, run_as,
                                   mount)


def _run_as(backend: Backend, policy: SandboxPolicy) -> Identity | None:
    """Who to drop to before starting the backend (never when sudo -u does the switching)."""
    return policy.run_as if backend.drops_root and not policy.user else None


def _isolation(backend: Backend, policy: SandboxPolicy, ctx: LaunchContext) -> dict[str, Any]:
    """What held for this run, for the audit trail and `--json`."""
    run_as = _run_as(backend, policy)
    out: dict[str, Any] = {"host_uid": run_as.uid if run_as is not None else os.geteuid(),
                           "seccomp": ctx.seccomp is not None}
    if policy.user:
        out["host_uid"], out["uid_reason"] = None, f"sudo -u {policy.user}"
    elif run_as is not None:
        out["uid_reason"] = run_as.reason
    if ctx.protect is not None:
        out["protected_paths"] = sum(1 for m in ctx.protect.mounts if m.kind == "ro")
    return out


def _notes(stderr_tail: bytes, policy: SandboxPolicy, plan: protect.Plan) -> list[str]:
    """Lines for the person after the run: what the after-check did, and why git may have failed."""
    notes = [] if policy.workdir_source else aftercheck.check(policy.cwd, plan)
    tail = stderr_tail.decode("utf-8", "replace")
    if ".git" in tail and "Read-only file system" in tail:
        notes.append("ccgpt: note: .git is read-only inside the sandbox (hooks and config would run outside "
                     "it later); run git commands that write outside `ccgpt run`, or set protect_git = false")
    return notes
