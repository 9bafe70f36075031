"""Run one command inside the chosen sandbox, stream its output safely, and say how it ended.

This is the one function every part of ccgpt uses to run something (`ccgpt run`, the suggest
and script menus, the preview): `run_sandboxed(...) -> RunResult`. It does *not* confirm or
classify; callers do that first (see `ccgpt.run.execute`).

Backend choice (`[ccgpt.sandbox] backend`): "bwrap", "docker", "user" (sudo -u alone) or
"none" (only with the explicit unsafe flag); "auto" = bwrap when it is installed, else Docker
when an engine answers, else refuse.

Exit codes: the command's own; 124 when the wall clock ran out (as timeout(1)); 125 when the
sandbox itself failed (as `docker run`), so that is never mistaken for the command failing;
127 when the command does not exist.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from dataclasses import dataclass, field

from ccgpt.errors import CcgptError
from ccgpt.run.limits import Limits

EXIT_TIMEOUT = 124
EXIT_SANDBOX = 125
EXIT_NOT_FOUND = 127
BACKENDS = ("auto", "bwrap", "docker", "user", "none")


class SandboxUnavailable(CcgptError):
    """No isolation can be built here (and the unsafe flag was not given)."""

    exit_code = EXIT_SANDBOX


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

    def detail(self) -> dict:
        """What the audit trail keeps about this run."""
        d = {"sandbox": self.backend, "limits": self.limits, "output_bytes": self.output_bytes}
        if self.timed_out:
            d["timed_out"] = True
        if self.output_truncated:
            d["output_truncated"] = True
        if self.sandbox_error:
            d["sandbox_error"] = self.sandbox_error
        return d


def choose_backend(section: dict, *, unsafe_no_sandbox: bool = False) -> str:
    """The backend to use, or SandboxUnavailable with what to do about it."""
    from ccgpt.run import bwrap, docker

    wanted = str(section.get("backend", "auto") or "auto")
    if wanted not in BACKENDS:
        from ccgpt.errors import ConfigError

        raise ConfigError(f"[ccgpt.sandbox] backend {wanted!r} is unknown (use {', '.join(BACKENDS)})")
    if unsafe_no_sandbox:
        return "none"
    if wanted == "none":
        raise SandboxUnavailable(
            'backend = "none" in the config only takes effect with --unsafe-no-sandbox on the command line'
        )
    if wanted == "bwrap":
        if not bwrap.find_bwrap():
            raise SandboxUnavailable("backend = \"bwrap\" but bubblewrap is not installed (apt-get install bubblewrap)")
        return "bwrap"
    if wanted == "docker":
        return "docker"  # a dead engine is reported by the run itself as a sandbox failure
    if wanted == "user":
        if not str(section.get("user") or ""):
            raise SandboxUnavailable('backend = "user" needs [ccgpt.sandbox] user = "NAME"')
        return "user"
    # auto: no probe run on the fast path; a bwrap that cannot build the sandbox fails with 125.
    if bwrap.find_bwrap():
        return "bwrap"
    ok, _ = docker.engine_answers()
    if ok:
        return "docker"
    raise SandboxUnavailable(
        "no sandbox available: install bubblewrap (apt-get install bubblewrap) or start a Docker "
        "engine; --unsafe-no-sandbox runs without isolation"
    )


def build_command(
    backend: str,
    command: list[str],
    *,
    cwd: str,
    net: bool,
    section: dict,
    limits: Limits,
    env: dict[str, str],
    status_fd: int | None = None,
    workdir_source: str | None = None,
    container: str | None = None,
) -> tuple[list[str], dict[str, str] | None]:
    """(argv, environment of the launched process; None = inherit) for a backend."""
    from ccgpt.run import bwrap, docker, restricted_user

    user = str(section.get("user") or "")
    tmp_mb = int(section.get("tmp_mb", 256) or 0)
    if backend == "bwrap":
        argv = bwrap.build_argv(
            command, cwd=cwd, net=net, hide=list(section.get("hide") or []), env=env,
            bwrap=bwrap.find_bwrap() or "bwrap", status_fd=status_fd, workdir_source=workdir_source,
            protect_git=bool(section.get("protect_git", True)), tmp_mb=tmp_mb,
        )
        if user:
            argv = restricted_user.wrap(argv, user)
        return argv, {"PATH": env.get("PATH", "/usr/bin:/bin")}
    if backend == "docker":
        names, client_env = docker.docker_env(env)
        argv = docker.build_argv(
            command, cwd=cwd, source=workdir_source, image=str(section.get("docker_image") or "debian:stable-slim"),
            limits=limits, env_names=names, net=net, cpus=float(section.get("cpus", 1) or 0),
            name=container, docker=docker.find_docker() or "docker", tmp_mb=tmp_mb,
        )
        return argv, client_env
    if backend == "user":
        return restricted_user.wrap(restricted_user.plain_argv(command, env), user), {"PATH": env.get("PATH", "")}
    if backend == "none":
        return list(command), env
    raise ValueError(backend)


class _Output:
    """Streams one pipe to a terminal stream: decoded, sanitised, capped."""

    def __init__(self, sink, shared: dict):
        import codecs

        from ccgpt.term.sanitize import StreamSanitizer

        self.sink = sink
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.sanitizer = StreamSanitizer()
        self.shared = shared  # {"bytes": int, "cap": int, "truncated": bool} across both pipes

    def feed(self, data: bytes) -> None:
        shared = self.shared
        shared["bytes"] += len(data)
        if shared["truncated"]:
            return  # keep draining so the command never blocks on a full pipe
        room = shared["cap"] - (shared["bytes"] - len(data))
        if shared["cap"] and len(data) > room:
            data = data[: max(room, 0)]
            shared["truncated"] = True
        self._write(self.sanitizer.feed(self.decoder.decode(data)))
        if shared["truncated"]:
            self._write(self.sanitizer.flush() + self.decoder.decode(b"", final=True))
            notice = f"\n[ccgpt: output cut at {shared['cap'] // 1024} KB; the command keeps running]\n"
            sys.stderr.write(notice)
            sys.stderr.flush()

    def close(self) -> None:
        if not self.shared["truncated"]:
            self._write(self.sanitizer.feed(self.decoder.decode(b"", final=True)) + self.sanitizer.flush())

    def _write(self, text: str) -> None:
        if text and self.sink is not None:
            try:
                self.sink.write(text)
                self.sink.flush()
            except (BrokenPipeError, ValueError):
                self.sink = None  # the reader went away; still drain the pipe


def run_sandboxed(
    command: list[str],
    *,
    cwd: str | os.PathLike | None = None,
    net: bool = False,
    section: dict | None = None,
    limits: Limits | None = None,
    backend: str | None = None,
    unsafe_no_sandbox: bool = False,
    stdout=None,
    stderr=None,
    stdin=None,
    workdir_source: str | None = None,
) -> RunResult:
    """Run `command` (an argv list) with `cwd` as the only writable directory.

    section: the `[ccgpt.sandbox]` config table (`load_config().section("sandbox")`).
    stdout/stderr: text streams that receive the command's sanitised output (default: ours).
    stdin: file object or fd for the command's stdin (default: ours; None-able via DEVNULL).
    workdir_source: for the preview, a copy of cwd that is mounted at cwd's path instead.
    Raises SandboxUnavailable when no backend can be used; never raises for the command's
    own failure.
    """
    from ccgpt.run import bwrap, docker, limits as limits_mod
    from ccgpt.run.environment import sandbox_env

    section = dict(section or {})
    limits = limits or Limits.from_config(section)
    cwd = os.path.realpath(os.fspath(cwd) if cwd is not None else os.getcwd())
    if not command:
        raise CcgptError("nothing to run", 2)
    backend = backend or choose_backend(section, unsafe_no_sandbox=unsafe_no_sandbox)
    if backend == "bwrap":
        why = bwrap.check_workdir(cwd, bwrap.secret_paths(list(section.get("hide") or [])))
        if why:
            raise SandboxUnavailable(why)

    started = time.monotonic()
    env = sandbox_env(pass_env=list(section.get("pass_env") or []))
    env["PWD"] = cwd
    if backend in ("bwrap", "none", "user"):
        # Resolve on the host (same / inside): a clear 127 instead of a sandbox error.
        import shutil

        if shutil.which(command[0], path=env.get("PATH")) is None and not (
            os.sep in command[0] and os.access(os.path.join(cwd, command[0]), os.X_OK)
        ):
            return RunResult(EXIT_NOT_FOUND, backend, 0.0, sandbox_error=None, limits=limits.as_dict())

    status_r = status_w = None
    if backend == "bwrap":
        status_r, status_w = os.pipe()
    container = docker.container_name() if backend == "docker" else None
    argv, launch_env = build_command(
        backend, command, cwd=cwd, net=net, section=section, limits=limits, env=env,
        status_fd=status_w, workdir_source=workdir_source, container=container,
    )

    use_cgroup = os.geteuid() == 0 and limits.max_processes and backend != "docker"
    nproc_base = 0 if backend == "docker" or os.geteuid() == 0 else limits_mod.count_user_processes()
    pairs = [] if backend == "docker" else limits_mod.rlimit_pairs(limits, nproc_base=nproc_base)
    # The wall clock and output cap apply to every backend; docker applies its own rlimits.
    cgroup = limits_mod.PidsCgroup(limits.max_processes + 8) if use_cgroup else None
    shared = {"bytes": 0, "cap": limits.output_limit_kb * 1024, "truncated": False}
    out = _Output(stdout if stdout is not None else sys.stdout, shared)
    err = _Output(stderr if stderr is not None else sys.stderr, shared)
    last_err = bytearray()
    timed_out = False
    try:
        if cgroup:
            cgroup.__enter__()
        try:
            proc = subprocess.Popen(
                argv,
                cwd=workdir_source or cwd if backend in ("none", "user") else None,
                env=launch_env,
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(status_w,) if status_w is not None else (),
                preexec_fn=limits_mod.make_preexec(pairs, cgroup.join_path if cgroup else None),
                start_new_session=True,  # our Ctrl-C is ours; the group is killed on timeout
            )
        except OSError as exc:
            return RunResult(EXIT_SANDBOX, backend, _ms(started), sandbox_error=f"could not start {argv[0]}: {exc.strerror or exc}", limits=limits.as_dict())
        finally:
            if status_w is not None:
                os.close(status_w)

        deadline = started + limits.timeout if limits.timeout else None
        timed_out = _pump(proc, out, err, last_err, deadline)
        if timed_out:
            _kill(proc, backend, container)
        code = proc.wait()
        out.close()
        err.close()
    except KeyboardInterrupt:
        _kill(proc, backend, container)
        proc.wait()
        raise
    finally:
        if cgroup:
            cgroup.__exit__(None, None, None)
    status = _read_all(status_r) if status_r is not None else b""
    result = RunResult(
        code if code >= 0 else 128 - code, backend, _ms(started), timed_out=timed_out,
        output_bytes=shared["bytes"], output_truncated=shared["truncated"], limits=limits.as_dict(),
    )
    if timed_out:
        result.exit_code = EXIT_TIMEOUT
    elif backend == "bwrap" and b'"exit-code"' not in status:
        message = bytes(last_err).decode("utf-8", "replace").strip().splitlines()
        message = message[-1] if message else f"bwrap exited with {code}"
        if "execvp" in message:
            result.exit_code = EXIT_NOT_FOUND
        else:
            result.exit_code, result.sandbox_error = EXIT_SANDBOX, message
    elif backend == "docker" and code == 125:
        result.sandbox_error = "docker could not start the container (see its message above)"
    elif backend == "user" and code == 1 and b"sudo:" in bytes(last_err):
        result.exit_code, result.sandbox_error = EXIT_SANDBOX, bytes(last_err).decode("utf-8", "replace").strip()
    return result


def _pump(proc, out: _Output, err: _Output, last_err: bytearray, deadline: float | None) -> bool:
    """Copy both pipes until they close; True when the deadline passed first."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, out)
    sel.register(proc.stderr, selectors.EVENT_READ, err)
    open_pipes = 2
    try:
        while open_pipes:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                return True
            for key, _ in sel.select(wait):
                data = os.read(key.fileobj.fileno(), 65536)
                if not data:
                    sel.unregister(key.fileobj)
                    open_pipes -= 1
                    continue
                if key.data is err:
                    last_err.extend(data)
                    del last_err[:-2048]
                key.data.feed(data)
        # Pipes closed (a daemonised child may still hold none): wait for the exit, on the clock.
        while proc.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                return True
            time.sleep(0.01)
        return False
    finally:
        sel.close()


def _kill(proc, backend: str, container: str | None) -> None:
    import signal

    if backend == "docker" and container:
        from ccgpt.run import docker

        docker.kill(container)
    try:
        # bwrap is pid 1's parent: killing it tears down the pid namespace (--die-with-parent).
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _read_all(fd: int) -> bytes:
    chunks = []
    try:
        os.set_blocking(fd, False)
        while True:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(fd)
    return b"".join(chunks)


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)
