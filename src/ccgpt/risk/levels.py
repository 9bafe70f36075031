"""The four risk levels of RISK-POLICY.md as one ordered type, and the exit codes of `ccgpt check`.

`Level` is a `str` enum: `Level.BLOCKED == "blocked"`, it serialises to JSON as `"blocked"` and
looks up in any table keyed by level names, yet it compares by severity (`SAFE < REVIEW <
DANGEROUS < BLOCKED`), so `max(levels)` is the strictest one."""

from __future__ import annotations

from enum import Enum


class Level(str, Enum):
    SAFE = "safe"
    REVIEW = "review"
    DANGEROUS = "dangerous"
    BLOCKED = "blocked"

    # str's own ordering is alphabetical ("blocked" < "safe"): compare by severity instead.
    # `_rank` is set on each member below (a plain attribute: cheaper than a dict lookup,
    # which would compare a Level with its str key the slow way).
    _rank: int

    @property
    def rank(self) -> int:
        return self._rank

    def __lt__(self, other: object) -> bool:
        return self._rank < _rank_of(other)

    def __le__(self, other: object) -> bool:
        return self._rank <= _rank_of(other)

    def __gt__(self, other: object) -> bool:
        return self._rank > _rank_of(other)

    def __ge__(self, other: object) -> bool:
        return self._rank >= _rank_of(other)

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return self.value.__format__(spec)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.value]


def _rank_of(other: object) -> int:
    if type(other) is Level:
        return other._rank
    if isinstance(other, str) and other in RANK:
        return RANK[str.__str__(other)]
    raise TypeError(f"cannot compare a risk level with {other!r}")


LEVELS: tuple[Level, ...] = tuple(Level)
RANK: dict[str, int] = {"safe": 0, "review": 1, "dangerous": 2, "blocked": 3}
EXIT_CODES: dict[str, int] = {"safe": 0, "review": 3, "dangerous": 4, "blocked": 5}

for _i, _member in enumerate(Level):
    _member._rank = _i
