"""The sandbox package type-checks (issue 11: type checking in the test command for reshaped packages)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from run_helpers import SRC


@pytest.mark.slow
def test_mypy_is_clean_on_the_run_package(tmp_path):
    pytest.importorskip("mypy", reason="mypy is in the test extra: pip install '.[test]'")
    r = subprocess.run([sys.executable, "-m", "mypy", "--ignore-missing-imports", "--follow-imports=silent",
                        "--no-error-summary", "--cache-dir", str(tmp_path / "cache"),
                        f"{SRC}/ccgpt/run", f"{SRC}/ccgpt/cli/run.py"],
                       capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
