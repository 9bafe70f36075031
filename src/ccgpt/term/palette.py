"""The one colour table for risk levels, used by every screen that shows one (`ccgpt check`,
the run confirmation, the suggestion list).

Keyed by level *name*: `term` sits below `risk`, so it knows the four names of RISK-POLICY.md
but not the `Level` type (which is a `str` and looks up here unchanged)."""

from __future__ import annotations

# SGR parameters: green, yellow, bold red, bold white on red.
LEVEL_SGR: dict[str, str] = {"safe": "32", "review": "33", "dangerous": "1;31", "blocked": "1;97;41"}
DIM = "2"


def paint(text: str, sgr: str, color: bool) -> str:
    """`text` wrapped in one SGR colour sequence (and a reset) when `color` is on."""
    return f"\x1b[{sgr}m{text}\x1b[0m" if color and sgr else text


def paint_level(level: str, text: str, color: bool) -> str:
    """`text` in the colour of `level` (unknown names: bold)."""
    return paint(text, LEVEL_SGR.get(level, "1"), color)


def level_tag(level: str, color: bool) -> str:
    """`[level]`, coloured by level."""
    return paint_level(level, f"[{level}]", color)
