"""The caller-supplied probe (RISK-POLICY reading 11): overwrite or create, where home is, and
what a script run by name contains. Real filesystem, through the real probe `ccgpt check` uses."""

import json
import os
import subprocess
import sys
from pathlib import Path

from ccgpt.risk import classify
from ccgpt.run.fsprobe import FilesystemProbe

SRC = Path(__file__).resolve().parents[2] / "src"


def probe(tmp_path, home=None):
    return FilesystemProbe(cwd=str(tmp_path), home=home or str(tmp_path / "home"))


def test_without_a_probe_a_write_outside_is_assumed_to_overwrite(tmp_path):
    v = classify(f"cp a.php {tmp_path}/new.php")
    assert v.level == "dangerous" and "probe" not in v.to_json()


def test_a_new_file_is_a_create_an_existing_one_an_overwrite(tmp_path):
    (tmp_path / "old.txt").write_text("x")
    p = probe(tmp_path)
    new = classify(f"cp a.php {tmp_path}/new.php", probe=p)
    assert new.level == "review" and new.to_json()["probe"] == "filesystem"
    assert "creates" in new.findings[0].message
    assert classify(f"cp a.php {tmp_path}/old.txt", probe=p).level == "dangerous"
    assert classify(f"echo hi > {tmp_path}/old.txt", probe=p).level == "dangerous"
    assert classify(f"echo hi > {tmp_path}/fresh.txt", probe=p).level == "review"
    assert classify(f"tar -cf {tmp_path}/x.tar src", probe=p).level == "review"
    assert classify(f"ln -s /opt/app/bin/tool {tmp_path}/tool", probe=p).level == "review"


def test_copy_into_an_existing_directory_writes_dir_slash_name(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "a.php").write_text("x")
    p = probe(tmp_path)
    assert classify(f"cp b.php {tmp_path}/site/", probe=p).level == "review"
    assert classify(f"cp a.php {tmp_path}/site/", probe=p).level == "dangerous"
    assert classify(f"mv a.php b.php {tmp_path}/site", probe=p).level == "dangerous"


def test_a_probe_never_softens_what_it_cannot_see(tmp_path):
    p = probe(tmp_path)
    # the parent does not exist: absent cannot be told, so it stays an overwrite
    assert classify(f"cp a {tmp_path}/no/such/dir/x", probe=p).level == "dangerous"
    assert classify("echo hi > $OUT", probe=p).level == "dangerous"
    assert classify("echo x > /etc/passwd", probe=p).level == "blocked"
    assert classify("cp evil.service /etc/systemd/system/new.service", probe=p).level == "dangerous"
    assert classify("touch /usr/bin/newtool", probe=p).level == "dangerous"


def test_home_probe_makes_a_service_account_home_a_home(tmp_path):
    jenkins = FilesystemProbe(cwd=str(tmp_path), home="/var/lib/jenkins")
    assert classify("rm -rf /var/lib/jenkins", probe=jenkins).level == "blocked"
    assert classify("rm -rf /var/lib/jenkins/", probe=jenkins).findings[0].rule == "wipe-home"
    assert classify("rm -rf /var/lib/jenkins/workspace", probe=jenkins).level == "dangerous"
    assert classify("rm -rf /var/lib/jenkinsfoo", probe=jenkins).findings[0].rule != "wipe-home"
    assert classify("rm -rf /var/lib/jenkins").findings[0].rule != "wipe-home"  # no probe: no home known
    assert classify("rm -rf ~", probe=jenkins).level == "blocked"


def test_home_probe_does_not_leak_into_later_classifications(tmp_path):
    classify("ls", probe=FilesystemProbe(cwd=str(tmp_path), home="/srv/app"))
    assert classify("rm -rf /srv/app/cache").findings[0].rule == "recursive-delete"


def test_a_script_run_by_name_is_classified_by_its_content(tmp_path):
    (tmp_path / "evil.sh").write_text("echo cleaning\nrm -rf ~\n")
    (tmp_path / "ok.sh").write_text("ls -la\n")
    (tmp_path / "tool.py").write_text("import shutil\nshutil.rmtree('/')\n")
    (tmp_path / "blob.sh").write_bytes(b"\x7fELF\x00\x00rm -rf ~")
    p = probe(tmp_path)
    assert classify("bash evil.sh", probe=p).level == "blocked"
    assert classify("./evil.sh", probe=p).level == "blocked"
    assert classify("sudo sh ./evil.sh", probe=p).level == "blocked"
    assert classify("python3 tool.py", probe=p).level == "blocked"
    ok = classify("bash ok.sh", probe=p)
    assert ok.level == "review" and ok.findings[0].rule == "runs-script"  # never safe by omission
    assert classify("bash blob.sh", probe=p).level == "review"  # binary: not read
    assert classify("bash missing.sh", probe=p).level == "review"
    assert classify("bash evil.sh").level == "review"  # no probe: content unknown


def test_a_script_that_runs_itself_ends(tmp_path):
    (tmp_path / "loop.sh").write_text("bash loop.sh\n")
    assert classify("bash loop.sh", probe=probe(tmp_path)).level in ("review", "dangerous")


def test_ccgpt_check_passes_the_real_probe(tmp_path):
    (tmp_path / "evil.sh").write_text("rm -rf ~\n")
    env = {**os.environ, "PYTHONPATH": str(SRC), "NO_COLOR": "1"}
    r = subprocess.run([sys.executable, "-m", "ccgpt", "check", "--json", "bash evil.sh"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=60)
    j = json.loads(r.stdout)
    assert r.returncode == 5 and j["level"] == "blocked" and j["probe"] == "filesystem"
