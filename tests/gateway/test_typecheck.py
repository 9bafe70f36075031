"""mypy over the packages reshaped with types (the gateway and the wire parsers), so the test
command checks them; settings in pyproject.toml ([tool.mypy])."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_gateway_and_wire_parsers_type_check():
    proc = subprocess.run([sys.executable, "-m", "mypy", "src/ccgpt/gateway", "src/ccgpt/llm/wire"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
