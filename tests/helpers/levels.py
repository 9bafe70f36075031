"""The red-team tables' one check: a command's level against the bound the policy sets."""

from __future__ import annotations

from ccgpt.risk import classify
from ccgpt.risk.levels import Level


def check_bound(op: str, level: str, command: str, probe=None) -> None:
    """op "min": the level is at least `level` (a miss otherwise); "max": at most (a false alarm)."""
    got = classify(command, probe=probe).level
    if op == "min":
        assert got >= Level(level), f"{command!r}: {got.value}, policy requires at least {level}"
    else:
        assert op == "max", op
        assert got <= Level(level), f"{command!r}: {got.value}, policy allows at most {level}"
