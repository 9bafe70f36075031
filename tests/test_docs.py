"""The README's marked console blocks are re-run by scripts/docs-check (`make docs-check`): the
front door cannot drift from what the commands really print."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.system import require

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "docs-check"


def docs_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600)


@pytest.mark.slow  # runs every marked block: explain, check, run in the sandbox, config
def test_the_readme_blocks_print_what_they_show():
    require("bwrap", "man", "groff")  # the run and explain blocks drive them
    proc = docs_check()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " 0 drifted" in proc.stdout


def test_a_drifted_block_fails_and_update_rewrites_it(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        "Intro.\n\n<!-- docs-check -->\n```console\n$ ccgpt check 'ls -la'\nSAFE  ls -l\n$ echo $?\n0\n```\n\n"
        "```console\n$ ccgpt check unchecked\nanything\n```\n"
    )
    proc = docs_check("--readme", str(readme))
    assert proc.returncode == 1
    assert "output of `ccgpt check 'ls -la'` drifted" in proc.stdout and "+SAFE  ls -la" in proc.stdout
    assert "unchecked" not in proc.stdout  # an unmarked block is left alone

    assert docs_check("--readme", str(readme), "--update").returncode == 0
    text = readme.read_text()
    assert "$ ccgpt check 'ls -la'\nSAFE  ls -la\n$ echo $?\n0\n```" in text  # $? is the command's own
    assert "$ ccgpt check unchecked\nanything\n" in text
    assert docs_check("--readme", str(readme)).returncode == 0


def test_a_marker_without_a_console_fence_is_an_error(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("<!-- docs-check -->\n```sh\nls\n```\n")
    proc = docs_check("--readme", str(readme))
    assert proc.returncode != 0 and "must precede a ```console fence" in proc.stderr
