"""Break 1 of the outside test: the sandboxed command must never act as host root.

Each attempt runs for real in bubblewrap. As root (CI), the root cases are the real ones: a
writable /proc/sys there changed the host's kernel settings.
"""

from __future__ import annotations

import io
import os

import pytest

from ccgpt.run.limits import Limits
from ccgpt.run.sandbox import run_sandboxed

ROOT = os.geteuid() == 0


def sh(script, cwd, **kw):
    out = io.StringIO()
    result = run_sandboxed(["bash", "-c", script], cwd=cwd, limits=Limits(timeout=20), section=kw.pop("section", {}),
                           stdout=out, stderr=out, **kw)
    return result, out.getvalue()


def test_kernel_settings_cannot_be_changed(work):
    before = open("/proc/sys/vm/overcommit_ratio").read()
    pattern = open("/proc/sys/kernel/core_pattern").read()
    result, out = sh("echo 51 > /proc/sys/vm/overcommit_ratio; echo '|/tmp/x' > /proc/sys/kernel/core_pattern;"
                     "echo 1 > /proc/sysrq-trigger; echo 1 > /sys/kernel/mm/transparent_hugepage/enabled;"
                     "echo done", work)
    assert open("/proc/sys/vm/overcommit_ratio").read() == before
    assert open("/proc/sys/kernel/core_pattern").read() == pattern
    assert out.count("Read-only file system") >= 3 and "done" in out


def test_no_capabilities_no_new_privileges_and_a_seccomp_filter(work):
    result, out = sh("grep -E '^(CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status", work)
    fields = dict(line.split(":\t") for line in out.strip().splitlines())
    assert fields["CapEff"] == fields["CapPrm"] == fields["CapBnd"] == "0000000000000000"
    assert fields["NoNewPrivs"] == "1" and fields["Seccomp"] == "2"
    assert result.isolation["seccomp"] is True


PROBE = r"""
import ctypes, errno, fcntl, os, pty, termios
libc = ctypes.CDLL(None, use_errno=True)
def call(nr, *args):
    ctypes.set_errno(0)
    r = libc.syscall(nr, *args)
    return errno.errorcode.get(ctypes.get_errno(), "ok") if r == -1 else "ok"
print("ptrace", call(101, 0, 0, 0, 0))          # PTRACE_TRACEME
print("mount", call(165, b"none", b"/tmp", b"tmpfs", 0, 0))
print("keyctl", call(250, 0, 0, 0, 0))
print("bpf", call(321, 0, 0, 0))
print("perf_event_open", call(298, 0, 0, -1, -1, 0))
print("unshare", call(272, 0x10000000))         # CLONE_NEWUSER
m, s = pty.openpty()
try:
    fcntl.ioctl(s, termios.TIOCSTI, b"x")
    print("tiocsti ok")
except OSError as exc:
    print("tiocsti", errno.errorcode[exc.errno])
print("fork", "ok" if os.waitpid(os.fork() or os._exit(0), 0) else "")
"""


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="the probe uses x86-64 syscall numbers")
def test_seccomp_denies_what_escapes_lean_on(work):
    result, out = sh(f"python3 -c '{PROBE}'", work)
    lines = dict(line.split(" ", 1) for line in out.strip().splitlines())
    for name in ("ptrace", "mount", "keyctl", "bpf", "perf_event_open", "unshare", "tiocsti"):
        assert lines[name] == "EPERM", (name, out)
    assert lines["fork"] == "ok"  # ordinary process creation still works


def test_dev_is_read_only_and_shm_is_sized(work):
    result, out = sh("head -c 20000000 /dev/zero > /dev/filler; echo rc=$?; "
                     "head -c 20000000 /dev/zero > /dev/shm/filler; echo rc=$?; echo ok > /dev/null && echo null-ok",
                     work, section={"shm_mb": 4})
    assert "/dev/filler: Read-only file system" in out
    assert "No space left on device" in out and "null-ok" in out


@pytest.mark.skipif(not ROOT, reason="dropping from root to the directory's owner only happens as root")
def test_as_root_the_sandbox_runs_as_the_owner_of_the_directory(area):
    owned = area / "owned"
    owned.mkdir()
    os.chmod(area, 0o755)
    os.chown(owned, 65534, 65534)
    result, out = sh("id -u; touch made-inside; echo 51 > /proc/sys/vm/overcommit_ratio", owned)
    assert out.splitlines()[0] == "65534"
    assert os.stat(owned / "made-inside").st_uid == 65534  # host uid, not only the namespace's view
    assert result.isolation["host_uid"] == 65534
    assert "Read-only file system" in out


@pytest.mark.skipif(not ROOT, reason="only root has a root-owned directory to map")
def test_as_root_in_a_root_owned_directory_it_says_so(work):
    # `work` lies under a 0700 parent: it is mapped all the same (tests/run/test_run_idmap.py).
    result, out = sh("id -u", work)
    assert result.isolation["host_uid"] == 2147479552 == int(out.split()[0])
    assert "idmapped working directory" in result.isolation["uid_reason"]


def test_docker_backend_runs_as_the_same_identity():
    # The docker argv takes the uid the bwrap backend would use (a container run as root is root).
    from ccgpt.run.backends import docker
    from ccgpt.run.backends.base import LaunchContext
    from ccgpt.run.identity import Identity
    from ccgpt.run.policy import SandboxPolicy

    policy = SandboxPolicy(cwd="/srv/p", run_as=Identity(1234, 999, (999,), "owner"))
    argv = docker.BACKEND.argv(policy, ["true"], {}, LaunchContext())
    assert argv[argv.index("--user") + 1] == "1234:999"


def test_probe_reports_what_holds_here():
    from ccgpt.run.probe import capabilities

    caps = capabilities()
    assert caps.bwrap_works, caps.bwrap_reason
    assert caps.user_namespaces is True
    assert caps.seccomp is True
    assert caps.runs_as_root == ROOT
    if ROOT:
        assert caps.cgroup is not None and caps.cgroup.startswith("cgroup")
