"""Break 1, root's own directory: as root in a root-owned working directory the command is an
unprivileged host uid, given that directory through an idmapped mount (`ccgpt.run.idmap`).

Every case runs for real as root (CI); as an ordinary user there is no root to drop from.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from ccgpt.run import idmap
from ccgpt.run.identity import Identity
from ccgpt.run.limits import Limits
from ccgpt.run.policy import SandboxPolicy
from ccgpt.run.sandbox import run_policy, run_sandboxed
from ccgpt.run.backends import bwrap
from run_helpers import FAKE_KEY, SRC

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="only root has a root-owned directory to map")


@pytest.fixture
def rootdir(area, work):
    """The root-owned working directory, under parents the mapped uid may search."""
    os.chmod(area, 0o755)
    (work / "existing").write_text("before\n")
    os.chmod(work / "existing", 0o600)  # only its owner (root) may write it, or even read it
    return work


def mount_lines(path) -> list[str]:
    with open("/proc/self/mountinfo") as f:
        return [line for line in f if f" {path} " in line or f" {path}/" in line]


def test_cli_runs_as_the_mapped_uid_and_root_owns_what_it_writes(run_cli, rootdir, area):
    before = mount_lines(rootdir)
    r = run_cli("run", "--yes", "--json", "--", "sh", "-c", "id -u; touch new; echo x >> existing")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["stdout"].splitlines()[0] == str(idmap.UID) != "0"
    assert report["isolation"]["host_uid"] == idmap.UID
    assert "idmapped working directory" in report["isolation"]["uid_reason"]
    new = os.stat(rootdir / "new")
    assert (new.st_uid, new.st_gid) == (0, 0)  # stored as root on disk, not as the mapped uid
    assert (rootdir / "existing").read_text() == "before\nx\n"
    assert os.stat(rootdir / "existing").st_uid == 0
    assert mount_lines(rootdir) == before == []  # the mount lived in the child's namespace only


def test_cli_prints_no_host_root_note(run_cli, rootdir):
    r = run_cli("run", "--yes", "--", "sh", "-c", "echo hello > greeting")
    assert r.returncode == 0, r.stderr
    assert "host uid 0" not in r.stderr and (rootdir / "greeting").read_text() == "hello\n"


def sh(script, cwd):
    out = io.StringIO()
    result = run_sandboxed(["sh", "-c", script], cwd=cwd, limits=Limits(timeout=20), section={}, stdout=out,
                           stderr=out)
    return result, out.getvalue()


def test_outside_the_directory_it_is_a_stranger(rootdir, area):
    secret = area / "outside" / "root-only"
    secret.write_text("root's\n")
    os.chmod(secret, 0o600)
    ratio = open("/proc/sys/vm/overcommit_ratio").read()
    result, out = sh(f"cat {secret}; echo 51 > /proc/sys/vm/overcommit_ratio; echo y >> /etc/hostname; "
                     "cat existing; echo done", rootdir)
    assert result.isolation["host_uid"] == idmap.UID
    # uid 0 without capabilities could still read its own 0600 file; the mapped uid cannot.
    assert f"{secret}: Permission denied" in out and "root's" not in out
    assert "before" in out and "done" in out  # the same mode inside the working directory: its own
    assert open("/proc/sys/vm/overcommit_ratio").read() == ratio


def test_the_preview_copy_is_mapped_too(run_cli, rootdir):
    r = run_cli("run", "--preview", "--yes", "--", "sh", "-c", "id -u; touch made")
    assert r.returncode == 0, r.stderr
    assert f"| {idmap.UID}" in r.stderr  # the preview's report quotes the copy's run
    assert r.stdout.strip() == str(idmap.UID)  # then the real run
    assert os.stat(rootdir / "made").st_uid == 0


FALLBACK = """
import io, json, sys
from ccgpt.run.identity import Identity
from ccgpt.run.policy import SandboxPolicy
from ccgpt.run.sandbox import run_policy, run_sandboxed
from ccgpt.run.backends import bwrap
from ccgpt.run.limits import Limits
out = io.StringIO()
r = run_sandboxed(["sh", "-c", "id -u; touch made"], cwd=sys.argv[1], limits=Limits(timeout=20), section={},
                  stdout=out, stderr=out)
forced = SandboxPolicy(cwd=sys.argv[1], run_as=Identity(2147479552, 2147479552, (), "forced", idmapped=True))
f = run_policy(["touch", "forced"], forced, bwrap.BACKEND, stdout=out, stderr=out)
print(json.dumps([r.isolation, r.exit_code, out.getvalue(), f.exit_code, f.sandbox_error]))
"""


def test_a_filesystem_that_refuses_idmapping_falls_back_to_uid_0_and_says_why(area, home_env):
    # ramfs has no idmapped mounts; it is mounted in a private mount namespace of the child only.
    os.chmod(area, 0o755)
    ram = area / "ram"
    ram.mkdir()
    script = f'mount -t ramfs none "$1" && chmod 755 "$1" && cd "$1" && exec "{sys.executable}" -c "$2" "$1"'
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", str(ram), FALLBACK],
                       env=dict(os.environ, PYTHONPATH=SRC), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    isolation, code, out, forced_code, forced_error = json.loads(r.stdout)
    assert (code, out.splitlines()[0]) == (0, "0")  # the old behaviour: uid 0 without capabilities
    assert isolation["host_uid"] == 0
    assert "belongs to root and cannot be idmapped" in isolation["uid_reason"]
    assert "refuses an idmapped mount" in isolation["uid_reason"]
    # An identity that claims a mapping the kernel then refuses fails closed: nothing runs as root.
    assert forced_code == 125 and "idmapped" in forced_error
    assert not os.listdir(ram)  # ramfs was the child's; nothing of it, nor `made`, is left here


def test_a_parent_the_mapped_uid_cannot_search_is_covered_and_the_run_is_still_mapped(work, area):
    # `area` is 0700 (mkdtemp) under /var/tmp: the mapped uid cannot search it on the host, and the
    # sandbox's private /tmp does not replace it. bwrap binds from the clone's own place instead,
    # under an empty read-only tmpfs over `area` (hiding only what the uid could not reach anyway).
    assert os.stat(area).st_mode & 0o777 == 0o700
    (work / "existing").write_text("before\n")
    os.chmod(work / "existing", 0o600)
    secret = area / "outside" / "root-only"
    secret.write_text("root's\n")
    os.chmod(secret, 0o600)
    result, out = sh(f"id -u; pwd; touch new; echo x >> existing; cat {secret}; ls {area}; touch {area}/planted",
                     work)
    lines = out.splitlines()
    assert lines[:2] == [str(idmap.UID), str(work)], out
    assert result.isolation["host_uid"] == idmap.UID
    assert os.stat(work / "new").st_uid == 0 and (work / "existing").read_text() == "before\nx\n"
    assert "root's" not in out and "root-only: No such file" in out
    assert "work" in lines and "outside" not in lines  # nothing else of the 0700 parent is there
    assert "Read-only file system" in out and not (area / "planted").exists()


def test_a_0700_parent_in_tmp_like_pytests_tmp_path(home_env):
    parent = tempfile.mkdtemp(prefix="ccgpt-idmap-")  # in /tmp, 0700, root's: /tmp/pytest-of-root's case
    try:
        work = os.path.join(parent, "work")
        os.mkdir(work)
        with open(os.path.join(parent, "sibling"), "w") as f:
            f.write("root's sibling\n")
        result, out = sh("id -u; pwd; echo made > made; cat ../sibling", work)
        assert result.isolation["host_uid"] == idmap.UID
        assert out.splitlines()[:2] == [str(idmap.UID), work], out
        assert "root's sibling" not in out  # /tmp inside is the sandbox's own
        assert os.stat(os.path.join(work, "made")).st_uid == 0
    finally:
        shutil.rmtree(parent)


def test_a_home_inside_the_working_directory_keeps_its_secrets_hidden(area, home_env):
    # The working directory contains $HOME: its start-up files are pinned by binding home onto
    # itself, which must not bring back ~/.ssh from under the tmpfs that hides it.
    result, out = sh("id -u; cat home/.ssh/id_ed25519 home/.netrc; ls -a home/.ssh", area)
    assert result.isolation["host_uid"] == idmap.UID
    assert FAKE_KEY.splitlines()[1] not in out and "hunter2" not in out, out
    assert out.splitlines()[0] == str(idmap.UID)


def test_docker_keeps_root_in_its_container_for_an_idmapped_identity():
    from ccgpt.run.backends import docker
    from ccgpt.run.backends.base import LaunchContext

    policy = SandboxPolicy(cwd="/srv/p", run_as=Identity(idmap.UID, idmap.GID, (), "mapped", idmapped=True))
    argv = docker.BACKEND.argv(policy, ["true"], {}, LaunchContext())
    assert argv[argv.index("--user") + 1] == "0:0"  # the mapped uid could not write the bind mount there

