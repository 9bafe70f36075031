"""The bubblewrap backend: the bwrap command line for a policy, and what its exit means.

The view a sandboxed command gets:
- `/` bound read-only; the working directory bound read-write on top (the only writable place
  besides a private, sized `/tmp` and `/dev/shm`);
- a fresh minimal `/dev` (null, zero, random, tty, pts), read-only apart from its `shm`;
  a `/proc` of its own pid namespace with `/proc/sys`, `sysrq-trigger`, `irq`, `bus` read-only
  (`/sys` is read-only with `/`);
- every namespace unshared (user, ipc, pid, net, uts, cgroup); with `--net`, only the network
  is shared with the host;
- secrets hidden: an empty tmpfs over each secret directory, /dev/null over each secret file;
- Unix sockets outside the working tree unreachable (`ccgpt.run.sockets`);
- code that runs later, outside (git, shell start-up files, PATH directories), read-only and
  pinned in place (`ccgpt.run.protect`);
- `--die-with-parent` (nothing outlives ccgpt), `--new-session` (no TIOCSTI typing into the
  person's terminal), all capabilities dropped, a seccomp filter (`ccgpt.run.seccomp`), and,
  when ccgpt runs as root, an unprivileged uid where one can be had (`ccgpt.run.identity`).
"""

from __future__ import annotations

import os
import shutil
import subprocess

from ccgpt.run import identity, mounts, protect, sockets
from ccgpt.run.backends.base import Backend, LaunchContext, Outcome, RawResult, exit_status
from ccgpt.run.errors import EXIT_NOT_FOUND, EXIT_SANDBOX, SandboxUnavailable
from ccgpt.run.policy import SandboxPolicy


PROC_READ_ONLY = ("sys", "sysrq-trigger", "irq", "bus", "fs")


def find_bwrap() -> str | None:
    return shutil.which("bwrap")


def build_argv(policy: SandboxPolicy, command: list[str], env: dict[str, str] | None = None,
               ctx: LaunchContext = LaunchContext(), *, bwrap: str = "bwrap") -> list[str]:
    """The full bwrap argv for running `command` under `policy`.

    `env`: the complete environment of the command (bwrap starts from an empty one).
    """
    cwd = os.path.realpath(policy.cwd)
    argv = [bwrap, "--ro-bind", "/", "/", *_dev_and_proc(policy)]
    if policy.tmp_mb:
        # /tmp is RAM: without a size a disk filler there would fill memory instead.
        argv += ["--size", str(policy.tmp_mb * 1024 * 1024)]
    argv += ["--tmpfs", "/tmp"]
    covered = [d for d in sockets.runtime_dirs(policy.net) if not mounts.inside(cwd, d) and _reachable(policy, d)]
    for directory in covered:
        argv += ["--tmpfs", directory]
    argv += ["--unshare-all", *(["--share-net"] if policy.net else [])]
    argv += ["--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    if ctx.seccomp is not None:
        argv += ["--seccomp", str(ctx.seccomp)]
    argv += _workdir(policy, cwd, covered)
    argv += _hiding(policy, cwd, covered, ctx)
    if ctx.status is not None:
        argv += ["--json-status-fd", str(ctx.status)]
    argv += ["--chdir", cwd]
    if env is not None:
        argv += ["--clearenv"]
        for key, value in env.items():
            argv += ["--setenv", key, value]
    argv += ["--", *command]
    return argv


def _dev_and_proc(policy: SandboxPolicy) -> list[str]:
    argv = ["--dev", "/dev"]
    if policy.shm_mb:
        argv += ["--perms", "1777", "--size", str(policy.shm_mb * 1024 * 1024), "--tmpfs", "/dev/shm"]
    # /dev itself read-only: writing there would fill memory past every other limit.
    argv += ["--remount-ro", "/dev", "--proc", "/proc"]
    for name in PROC_READ_ONLY:
        argv += ["--ro-bind-try", f"/proc/{name}", f"/proc/{name}"]
    return argv


def _workdir(policy: SandboxPolicy, cwd: str, covered: list[str]) -> list[str]:
    """The working directory bound read-write at its own path.

    Idmapped (`ccgpt.run.idmap`), it is bound from where the child's namespace holds the mapped
    clone, and a parent the unprivileged uid cannot search (/root, 0700) is covered by an empty
    read-only tmpfs in which bwrap makes the way down: that hides nothing the uid could have
    reached anyway, and without it bwrap (and then the command) could not get to its cwd."""
    if not _mapped(policy):
        return ["--bind", os.path.realpath(policy.source), cwd]
    from ccgpt.run import idmap

    blocked = _first_unsearchable_parent(cwd, covered, policy)
    if blocked is None:
        return ["--bind", idmap.SOURCE, cwd]
    return ["--size", str(1024 * 1024), "--tmpfs", blocked, "--bind", idmap.SOURCE, cwd, "--remount-ro", blocked]


def _first_unsearchable_parent(cwd: str, covered: list[str], policy: SandboxPolicy) -> str | None:
    """The topmost directory above `cwd` the sandbox's uid cannot search on the host, unless the
    sandbox replaces it already (its private /tmp, a covered runtime directory)."""
    who = policy.run_as
    assert who is not None
    parts = cwd.split("/")
    for i in range(2, len(parts)):
        here = "/".join(parts[:i])
        if any(mounts.inside(here, d) for d in ["/tmp", *covered]):
            return None  # bwrap's own tmpfs: it makes the directories below itself
        if not identity.searchable(here, who.uid, {who.gid, *who.groups}):
            return here
    return None


def _mapped(policy: SandboxPolicy) -> bool:
    """Whether the run gets its working directory through an idmapped mount (see sandbox.py)."""
    who = policy.run_as
    return who is not None and who.idmapped and not policy.user


def _hiding(policy: SandboxPolicy, cwd: str, covered: list[str], ctx: LaunchContext) -> list[str]:
    """Secrets, sockets and the read-only code paths, in an order where no mount undoes another:
    the protected paths first, the secrets and sockets over them (a directory bound onto itself
    to pin it, e.g. a $HOME inside the working directory, would otherwise bring back the real
    content of the ~/.ssh hidden below it)."""
    hiding: list[str] = []
    hidden: list[str] = []
    for real, is_dir in mounts.hidden_mounts(cwd, policy.hide):
        if not _reachable(policy, real):
            continue  # the unprivileged uid cannot even get there: nothing to hide, nothing to mount
        hidden.append(real)
        # The same path inside: cwd is mounted at its real path even for the preview's copy.
        hiding += ["--tmpfs", real, "--remount-ro", real] if is_dir else ["--ro-bind", "/dev/null", real]
    for path in sockets.hidden_sockets(cwd, covered + hidden):
        if _reachable(policy, path):
            hiding += ["--ro-bind", "/dev/null", path]
    plan = ctx.protect or protect.plan(cwd, os.path.realpath(policy.source), protect_git=policy.protect_git,
                                       path_env=os.environ.get("PATH", ""))
    source = os.path.realpath(policy.source)
    protecting: list[str] = []
    for mount in plan.mounts:
        if any(mounts.inside(mount.dst, h) for h in hidden):
            continue  # a secret stays hidden: never bind its real content back
        src = mount.src
        if _mapped(policy) and mounts.inside(src, source):
            from ccgpt.run import idmap

            src = idmap.SOURCE + src[len(source):]  # through the mapped clone, as the workdir itself
        protecting += ["--ro-bind" if mount.kind == "ro" else "--bind", src, mount.dst]
    return protecting + hiding


def _reachable(policy: SandboxPolicy, path: str) -> bool:
    """Whether the sandbox's uid can get to `path` (always, unless ccgpt dropped from root).
    Inside an idmapped working directory, by what the mapping shows (root's is the uid's)."""
    who = policy.run_as
    if who is None or who.host_root:
        return True
    cwd = os.path.realpath(policy.cwd)
    mapped_from = cwd if _mapped(policy) and mounts.inside(os.path.realpath(path), cwd) else None
    return identity.can_reach(path, who.uid, {who.gid, *who.groups}, mapped_from=mapped_from)


class Bubblewrap(Backend):
    name = "bwrap"
    wants_status_pipe = True
    wants_seccomp = True
    drops_root = True

    def check(self, policy: SandboxPolicy) -> None:
        why = mounts.check_workdir(os.path.realpath(policy.cwd), mounts.secret_paths(policy.hide))
        if why:
            raise SandboxUnavailable(why)

    def argv(self, policy: SandboxPolicy, command: list[str], env: dict[str, str], ctx: LaunchContext) -> list[str]:
        argv = build_argv(policy, command, env, ctx, bwrap=find_bwrap() or "bwrap")
        if policy.user:
            from ccgpt.run.backends.user import wrap

            argv = wrap(argv, policy.user)
        return argv

    def interpret(self, raw: RawResult) -> Outcome:
        code = exit_status(raw.returncode)
        if raw.timed_out or b'"exit-code"' in raw.status:
            return Outcome(code)
        # bwrap never reached the command: its last stderr line says why.
        lines = raw.stderr_tail.decode("utf-8", "replace").strip().splitlines()
        message = lines[-1] if lines else f"bwrap exited with {code}"
        if "execvp" in message:
            return Outcome(EXIT_NOT_FOUND)
        return Outcome(EXIT_SANDBOX, message)


BACKEND = Bubblewrap()


def probe(bwrap: str | None = None, *, timeout: float = 5.0) -> tuple[bool, str]:
    """Whether bwrap can build our sandbox here (user namespaces allowed, etc.), and why not."""
    bwrap = bwrap or find_bwrap()
    if not bwrap:
        return False, "bubblewrap (bwrap) is not installed"
    here = os.getcwd() if os.getcwd() != "/" else "/tmp"
    argv = build_argv(SandboxPolicy(cwd=here), ["true"], {}, bwrap=bwrap)
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap did not start: {exc}"
    if r.returncode != 0:
        return False, (r.stderr.strip().splitlines() or ["bwrap failed"])[-1]
    return True, ""
