"""Terminal picture of an explanation: the command on top, each part below it, joined to its
span by a line (explainshell's picture, in text), coloured by risk on a terminal, wrapped to
the terminal's width, plain otherwise. Everything printed is sanitised first.
"""

from __future__ import annotations

import os
import shutil
import textwrap

from ccgpt.term.sanitize import sanitize_line

_LEVEL_COLOR = {"safe": "32", "review": "33", "dangerous": "31", "blocked": "1;31"}
_KIND_COLOR = {"command": "1", "subcommand": "1", "option": "36", "operator": "35", "redirect": "35",
               "keyword": "35", "substitution": "34", "assignment": "34", "argument": "2"}


_MIN_TEXT = 32  # narrowest help column the tree picture may leave


def _c(text: str, code: str | None, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color and code else text


def _width() -> int:
    try:
        return max(40, min(shutil.get_terminal_size((100, 24)).columns, 160))
    except (OSError, ValueError):
        return 100


def _flat(text: str) -> str:
    """One display line: newlines in a script shown as ⏎ so columns stay aligned."""
    return sanitize_line(text.replace("\n", "⏎").replace("\t", " "))


def render(result: dict, color: bool = False, width: int | None = None, full: bool = False) -> str:
    max_lines = None if full else 3
    width = width or int(os.environ.get("COLUMNS", 0) or 0) or _width()
    command = result["command"]
    level = result.get("level")
    findings = result.get("findings") or []
    out: list[str] = []
    head = f"risk: {level}" if level else "risk: not assessed (risk engine unavailable)"
    out.append(_c(head, _LEVEL_COLOR.get(level or ""), color))
    for f in findings:
        msg = sanitize_line(str(f.get("message", "")))
        out.append(_c(f"  ! {f.get('level')}: {msg} [{f.get('rule')}]", _LEVEL_COLOR.get(f.get("level", "")), color))
    out.append("")
    # The picture needs a readable text column right of the deepest part; without one, a list.
    deepest = max((p["span"][0] for p in result["parts"]), default=0)
    if "\n" in command.strip() or len(command) > width - 4 or deepest + _MIN_TEXT > width:
        return "\n".join(out + _render_long(result, color, width, max_lines)) + "\n"
    line = _flat(command)
    out.append("  " + line)
    parts = [p for p in result["parts"]]
    # one marker line under the command: ─ under each part's span
    marks = [" "] * len(line)
    for p in parts:
        s, e = p["span"]
        for k in range(s, min(e, len(marks))):
            if marks[k] == " ":
                marks[k] = "─" if k > s else "┬"
    out.append("  " + "".join(marks).rstrip())
    # then each part, last first, so lines do not cross: │ carries the earlier parts down
    starts = [p["span"][0] for p in parts]
    for idx in range(len(parts) - 1, -1, -1):
        p = parts[idx]
        s = p["span"][0]
        prefix = [" "] * (s + 1)
        for other in starts[:idx]:
            if other < s:
                prefix[other] = "│"
        lead = "  " + "".join(prefix[:s]) + "└─ "
        out += _entry(p, lead, "  " + "".join(prefix[:s]) + "   ", color, width, max_lines)
    if result.get("narrative"):
        out += ["", _c("narrative (model-written, " + sanitize_line(result.get("narrative_source", "model")) + "):", "2", color)]
        out += textwrap.wrap(sanitize_line(result["narrative"]), width - 2, initial_indent="  ", subsequent_indent="  ")
    return "\n".join(out) + "\n"


def _entry(p: dict, lead: str, cont: str, color: bool, width: int, max_lines: int | None = None) -> list[str]:
    text = _flat(p["text"])
    head = f"{_c(text, _KIND_COLOR.get(p['kind']), color)} ({p['kind']})"
    if p.get("findings"):
        head += " " + _c("⚠ " + ", ".join(sanitize_line(str(r)) for r in p["findings"]), "31", color)
    lines = [lead + head]
    body = sanitize_line(p["help"]) if p.get("help") else "(no documentation found)"
    src = f"  [{p['source']}]" if p.get("source") else ""
    wrapped = textwrap.wrap(body + src, max(20, width - len(cont))) or [""]
    if max_lines and len(wrapped) > max_lines:  # the quote goes on; --full shows all of it
        wrapped = wrapped[:max_lines]
        wrapped[-1] += f" … [{p['source']}]" if p.get("source") else " …"
    for ln in wrapped:
        lines.append(cont + ln)
    if p.get("note"):
        for ln in textwrap.wrap("note: " + sanitize_line(p["note"]), max(20, width - len(cont))):
            lines.append(cont + _c(ln, "2", color))
    return lines


def _render_long(result: dict, color: bool, width: int, max_lines: int | None = None) -> list[str]:
    """Scripts and long lines: each part with its line:column instead of a drawing."""
    command = result["command"]
    out = []
    for p in result["parts"]:
        s = p["span"][0]
        line_no = command.count("\n", 0, s) + 1
        col = s - (command.rfind("\n", 0, s) + 1) + 1
        out += _entry(p, f"{line_no}:{col}  ", "      ", color, width, max_lines)
    return out
