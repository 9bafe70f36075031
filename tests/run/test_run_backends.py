"""Backends' command lines and choice. No Docker engine runs on the test machines, so the Docker
backend is checked by the exact command it would run (and `docker info` detection)."""

from __future__ import annotations

import os

import pytest

from ccgpt.errors import ConfigError
from ccgpt.run import mounts
from ccgpt.run.backends import bwrap, docker
from ccgpt.run.backends import user as restricted_user
from ccgpt.run.environment import sandbox_env
from ccgpt.run.limits import Limits
from ccgpt.run.policy import SandboxPolicy
from ccgpt.run.sandbox import SandboxUnavailable, choose_backend


def test_docker_argv_is_exact():
    limits = Limits(memory_mb=512, max_processes=64, max_open_files=128, max_file_mb=10, cpu_seconds=30)
    policy = SandboxPolicy(cwd="/srv/proj", limits=limits, cpus=1.5, docker_image="debian:stable-slim")
    argv = docker.build_argv(policy, ["sh", "-c", "echo hi"], env_names=["LANG", "HOME"], name="ccgpt-run-1-abc",
                             uid=1000, gid=1000)
    assert argv == [
        "docker", "run", "--rm", "-i", "--name", "ccgpt-run-1-abc", "--init",
        "--security-opt=no-new-privileges", "--cap-drop", "ALL", "--network", "none", "--read-only",
        "--tmpfs", "/tmp:rw,nosuid,nodev,size=256m", "--user", "1000:1000",
        "--memory", "512m", "--memory-swap", "512m", "--cpus", "1.5", "--pids-limit", "64",
        "--ulimit", "nofile=128:128", "--ulimit", f"fsize={10 * 1024 * 1024}:{10 * 1024 * 1024}",
        "--ulimit", "cpu=30:30", "--volume", "/srv/proj:/srv/proj:rw", "--workdir", "/srv/proj",
        "--env", "LANG", "--env", "HOME", "--", "debian:stable-slim", "sh", "-c", "echo hi",
    ]


def test_docker_net_and_preview_source():
    policy = SandboxPolicy(cwd="/srv/proj", docker_image="img", net=True, workdir_source="/var/tmp/copy")
    argv = docker.build_argv(policy, ["true"], uid=1, gid=2)
    assert argv[argv.index("--network") + 1] == "bridge"
    assert "/var/tmp/copy:/srv/proj:rw" in argv


def test_docker_env_values_stay_out_of_argv():
    names, client = docker.docker_env({"LANG": "C.UTF-8", "PATH": "/host/bin", "HOME": "/home/me"})
    assert names == ["HOME", "LANG"] and client["HOME"] == "/tmp" and client["LANG"] == "C.UTF-8"


def _fake_docker(tmp_path, body):
    path = tmp_path / "docker"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def test_docker_detection_reports_a_reason(tmp_path, monkeypatch):
    # Real programs standing in for the client: an engine that answers, one that does not,
    # a client that cannot start, and no client at all.
    assert docker.engine_answers(_fake_docker(tmp_path, 'echo 27.1.1')) == (True, "27.1.1")
    down = _fake_docker(tmp_path, 'echo "Cannot connect to the Docker daemon" >&2; exit 1')
    assert docker.engine_answers(down) == (False, "no Docker engine: Cannot connect to the Docker daemon")
    ok, why = docker.engine_answers(str(tmp_path / "missing"))
    assert not ok and why.startswith("docker did not start")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert docker.engine_answers() == (False, "the docker client is not installed")


def test_bwrap_argv_policy(area, home_env):
    work = str(area / "work")
    argv = bwrap.build_argv(SandboxPolicy(cwd=work), ["true"], {"PATH": "/bin"})
    joined = " ".join(argv)
    assert argv[:5] == [argv[0], "--ro-bind", "/", "/", "--dev"]
    assert "--unshare-all" in argv and "--share-net" not in argv
    assert "--die-with-parent" in argv and "--new-session" in argv
    assert f"--bind {work} {work}" in joined
    assert f"--tmpfs {area}/home/.ssh --remount-ro {area}/home/.ssh" in joined
    assert f"--ro-bind /dev/null {area}/home/.netrc" in joined
    assert "--clearenv" in argv and argv[-2:] == ["--", "true"]
    if os.geteuid() == 0:
        assert "--cap-drop ALL" in joined
    assert "--share-net" in bwrap.build_argv(SandboxPolicy(cwd=work, net=True), ["true"])


def test_bwrap_refuses_root_and_secret_workdirs(area, home_env):
    hidden = mounts.secret_paths()
    assert "everything would be writable" in mounts.check_workdir("/", hidden)
    assert "hidden secret" in mounts.check_workdir(str(area / "home" / ".ssh"), hidden)
    assert mounts.check_workdir(str(area / "work"), hidden) is None


def test_home_as_workdir_keeps_startup_files_read_only(area, home_env):
    home = area / "home"
    (home / ".bashrc").write_text("# rc\n")
    argv = " ".join(bwrap.build_argv(SandboxPolicy(cwd=str(home)), ["true"]))
    assert f"--ro-bind {home}/.bashrc {home}/.bashrc" in argv


def test_a_home_pinned_inside_the_workdir_does_not_bring_back_its_secrets(area, home_env):
    # cwd contains $HOME: home is bound onto itself (a pin for its start-up files); that bind,
    # from the host path, would show the real ~/.ssh again if it came after the tmpfs hiding it.
    home = str(area / "home")
    (area / "home" / ".bashrc").write_text("# start-up file\n")
    argv = bwrap.build_argv(SandboxPolicy(cwd=str(area)), ["true"])
    pairs = list(zip(argv, argv[1:], argv[2:]))
    pin = pairs.index(("--bind", home, home))
    ssh = pairs.index(("--tmpfs", home + "/.ssh", "--remount-ro"))
    assert pin < ssh


def test_bwrap_probe_works_here():
    ok, why = bwrap.probe()
    assert ok, why


def test_restricted_user_wrap():
    assert restricted_user.wrap(["bwrap", "x"], "sandboxer") == ["sudo", "-n", "-u", "sandboxer", "--", "bwrap", "x"]
    with pytest.raises(ConfigError):
        restricted_user.wrap(["true"], "root; rm -rf /")

    # what runs as the other user: exactly the environment given, and the command (run here,
    # without sudo; an earlier spelling put `--` after the assignments, which env ran as a program)
    import subprocess

    argv = restricted_user.plain_argv(["sh", "-c", 'env | sort; echo "ran $0"'], {"A": "1", "B_2": "x y"})
    out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    shell_own = ("PWD=", "SHLVL=", "_=")  # what sh itself sets
    assert [x for x in out.stdout.splitlines() if not x.startswith(shell_own)] == ["A=1", "B_2=x y", "ran sh"]


def test_choose_backend():
    assert choose_backend({"backend": "auto"}) == "bwrap"
    assert choose_backend({"backend": "auto"}, unsafe_no_sandbox=True) == "none"
    with pytest.raises(SandboxUnavailable):
        choose_backend({"backend": "none"})
    with pytest.raises(SandboxUnavailable):
        choose_backend({"backend": "user"})
    with pytest.raises(ConfigError):
        choose_backend({"backend": "chroot"})


def test_sandbox_env_allow_list():
    env = sandbox_env({"PATH": "/bin", "HOME": "/h", "LC_ALL": "C", "AWS_SECRET_ACCESS_KEY": "s", "SSH_AUTH_SOCK": "/s",
                       "PIP_INDEX_URL": "u", "PIP_TOKEN": "t", "EXACT_TOKEN": "e"},
                      pass_env=["PIP_*", "EXACT_TOKEN"])
    assert env == {"PATH": "/bin", "HOME": "/h", "LC_ALL": "C", "PIP_INDEX_URL": "u", "EXACT_TOKEN": "e",
                   "CCGPT_SANDBOX": "1"}


def test_limits_from_config_rejects_nonsense():
    with pytest.raises(ConfigError):
        Limits.from_config({"memory_mb": "lots"})
    with pytest.raises(ConfigError):
        Limits.from_config({"timeout": -1})
    assert Limits.from_config({"timeout": 5}, timeout=2).timeout == 2
