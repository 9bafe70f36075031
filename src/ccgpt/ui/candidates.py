"""Render suggested commands for a person: number, command, risk level, findings, explanation.

Every piece of model-derived text goes through `sanitize_line` before it reaches the terminal:
a candidate that carries escape sequences shows as plain characters, never as terminal control.
"""

from __future__ import annotations

from ccgpt.term.palette import DIM, level_tag, paint
from ccgpt.term.sanitize import sanitize_line


def render_candidate(index: int, cand, color: bool = False) -> list[str]:
    lines = [f"  {index}. {sanitize_line(cand.command)}  {level_tag(cand.level, color)}"]
    if cand.explanation:
        lines.append(f"     {paint(sanitize_line(cand.explanation), DIM, color)}")
    for f in cand.findings:
        lines.append(f"     ! {sanitize_line(str(f.get('message', '')))} ({f.get('level', '?')}, {f.get('rule', '?')})")
    if cand.note:
        lines.append(f"     ✗ {sanitize_line(cand.note)}")
    return lines


def render_candidates(result, color: bool = False) -> str:
    if not result.candidates:
        return "  (the model gave no usable command)"
    out = []
    for i, cand in enumerate(result.candidates, 1):
        out += render_candidate(i, cand, color)
    return "\n".join(out)
