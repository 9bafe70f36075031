"""The four risk levels of RISK-POLICY.md, their order, and the exit codes of `ccgpt check`."""

from __future__ import annotations

LEVELS: tuple[str, ...] = ("safe", "review", "dangerous", "blocked")
RANK: dict[str, int] = {name: i for i, name in enumerate(LEVELS)}
EXIT_CODES: dict[str, int] = {"safe": 0, "review": 3, "dangerous": 4, "blocked": 5}


def rank(level: str) -> int:
    """Position of `level` in LEVELS (safe=0 … blocked=3); ValueError for an unknown name."""
    try:
        return RANK[level]
    except KeyError:
        raise ValueError(f"unknown risk level {level!r}; expected one of {', '.join(LEVELS)}") from None


def max_level(*levels: str) -> str:
    """The strictest of the given levels ('safe' when none are given)."""
    best = 0
    for level in levels:
        r = RANK[level]
        if r > best:
            best = r
    return LEVELS[best]


def at_least(level: str, floor: str) -> bool:
    return RANK[level] >= RANK[floor]


def exit_code(level: str) -> int:
    return EXIT_CODES[level]
