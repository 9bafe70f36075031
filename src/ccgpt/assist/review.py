"""The `review` use case: deterministic findings first, then the model's, each at a diff line.

The model sees the diff with every line led by `PATH:LINE:` and answers one finding per line as
`PATH:LINE: SEVERITY: MESSAGE`. Its answer is untrusted: a finding must name a file of the
diff and a line the diff shows (added or context), or it is dropped and counted; its
message is made one safe line; and its severity is capped at `review`, because how
dangerous a command is comes from the risk engine, never from a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ccgpt.assist.diffdigest import budget_chars, context_tokens, digest
from ccgpt.assist.gitdiff import FileDiff
from ccgpt.assist.review_checks import EXIT_CODES, SEVERITIES, ReviewFinding, deterministic
from ccgpt.llm.base import Backend, Message, Options

RESERVED_TOKENS = 900
MAX_MESSAGE = 300
_FINDING = re.compile(
    r"^\s*(?:[-*]|\d+[.)])?\s*[`*]*(?P<path>[^\s:`*]+)[`*]*\s*:\s*(?:line\s*)?(?P<line>\d+)(?::\d+)?[`*]*\s*[:\-]?\s*"
    r"\[?(?P<sev>error|warning|note|info|critical|high|medium|low)\]?\s*[:\-]\s*(?P<msg>\S.*)$",
    re.IGNORECASE,
)
_MODEL_SEVERITY = {"error": "review", "critical": "review", "high": "review", "warning": "review", "medium": "review"}

INSTRUCTIONS = (
    "You are reviewing the change below. List every bug, security risk or data-loss risk it adds. Every line "
    "of the diff starts with PATH:LINE: (`+` marks an added line, `-` a removed one). Write each problem on its "
    "own line as PATH:LINE: SEVERITY: MESSAGE, where SEVERITY is error, warning or note. Write nothing else."
)


@dataclass
class Review:
    findings: list[ReviewFinding] = field(default_factory=list)
    dropped: int = 0  # model findings naming no line of the diff
    notes: list[str] = field(default_factory=list)  # what could not be checked, and why
    model: str | None = None

    @property
    def worst(self) -> str:
        return max((f.severity for f in self.findings), key=SEVERITIES.index, default="info")

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.worst]

    def to_json(self) -> dict:
        return {"findings": [f.to_json() for f in self.findings]}


def review_messages(diff_text: str, system: str) -> list[Message]:
    diff_text = re.sub(r"<\s*/\s*diff\s*>", "</ diff>", diff_text, flags=re.IGNORECASE)
    return [Message("system", system), Message("user", f"{INSTRUCTIONS}\n\n<diff>\n{diff_text}\n</diff>")]


def _resolve_path(named: str, files: dict[str, FileDiff]) -> FileDiff | None:
    named = named.strip().lstrip("./")
    if named.startswith(("a/", "b/")) and named[2:] in files:
        named = named[2:]
    if named in files:
        return files[named]
    if named.upper() == "PATH" and len(files) == 1:  # the placeholder of the asked-for form, copied
        return next(iter(files.values()))
    # The model may drop a leading directory; accept a suffix only when it is unambiguous.
    matches = [f for p, f in files.items() if p.endswith("/" + named)]
    return matches[0] if len(matches) == 1 else None


def _echoes(message: str, f: FileDiff, line: int) -> bool:
    shown = next((r.text for r in f.rows if r.new == line and r.kind in "+ "), None)
    return shown is not None and message.lstrip("+ ").strip() == shown.strip()


def parse_model_findings(text: str, files: list[FileDiff], model: str) -> tuple[list[ReviewFinding], int]:
    """(findings on lines the diff shows, how many named no such line). A line counts as a
    finding only in the asked-for form, severity included: echoed diff lines are not findings."""
    from ccgpt.term.sanitize import sanitize_line

    by_path = {f.path: f for f in files}
    kept: dict[tuple, ReviewFinding] = {}
    dropped = 0
    for raw in text.replace("\r\n", "\n").split("\n"):
        m = _FINDING.match(raw)
        if not m:
            continue
        f = _resolve_path(m.group("path"), by_path)
        line = int(m.group("line"))
        if f is None or line not in f.shown:
            dropped += 1
            continue
        message = sanitize_line(m.group("msg")).strip()[:MAX_MESSAGE]
        if _echoes(message, f, line):
            continue  # the model copied the diff line back: not a finding
        severity = _MODEL_SEVERITY.get((m.group("sev") or "").lower(), "info")
        kept.setdefault((f.path, line, message.lower()), ReviewFinding(f.path, line, severity, message, f"model:{model}"))
    return list(kept.values()), dropped


def model_review(backend: Backend, model: str, files: list[FileDiff], *, cfg, system: str,
                 temperature: float | None = 0.1) -> tuple[list[ReviewFinding], int, list[str], object]:
    """(findings, dropped, notes, completion) from the model."""
    planned = digest(files, budget_chars(context_tokens(cfg, backend), RESERVED_TOKENS), numbered=True)
    notes = [f"{p}: not sent to the model (binary, generated or no room)" for p in planned.skipped]
    notes += [f"{p}: sent to the model in part (too long)" for p in planned.cut]
    if not planned.sent and not planned.cut:
        return [], 0, notes, None
    completion = backend.chat(model, review_messages(planned.text, system),
                              Options(temperature=temperature, max_tokens=400))
    found, dropped = parse_model_findings(completion.text, files, model)
    return found, dropped, notes, completion


def order(findings: list[ReviewFinding]) -> list[ReviewFinding]:
    source_rank = {"risk": 0, "shellcheck": 1}
    return sorted(findings, key=lambda f: (f.path, f.line, -SEVERITIES.index(f.severity),
                                           source_rank.get(f.source, 2), f.message))


def run_review(files: list[FileDiff], content_of, *, model_step=None, classify_script=None, lint=None) -> Review:
    """Deterministic checks, then `model_step(files) -> (findings, dropped, notes)` when given."""
    findings, notes = deterministic(files, content_of, classify_script, lint)
    result = Review(findings=findings, notes=notes)
    if model_step is not None:
        found, dropped, more = model_step(files)
        result.findings += found
        result.dropped = dropped
        result.notes += more
    result.findings = order(result.findings)
    return result
