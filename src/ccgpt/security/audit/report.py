"""Rendering findings: text for people, JSON for scripts, SARIF 2.1.0 for code-scanning tools."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ccgpt.security.audit.findings import SEVERITIES, Finding

_COLOURS = {"high": "\x1b[1;31m", "medium": "\x1b[33m", "low": "\x1b[36m", "info": "\x1b[2m"}
_RESET = "\x1b[0m"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub code scanning reads this property to rank security results (>= 7.0 is "high").
_SECURITY_SEVERITY = {"high": "8.0", "medium": "5.0", "low": "2.0", "info": "0.0"}


def counts(findings: list[Finding]) -> dict[str, int]:
    c = Counter(f.severity for f in findings)
    return {s: c.get(s, 0) for s in SEVERITIES}


def summary_line(findings: list[Finding]) -> str:
    c = counts(findings)
    return ", ".join(f"{c[s]} {s}" for s in SEVERITIES)


def render_text(findings: list[Finding], *, color: bool = False, verbose: bool = True, hide_info: bool = False) -> str:
    from ccgpt.term.sanitize import sanitize_line

    lines: list[str] = []
    for f in findings:
        if hide_info and f.severity == "info":
            continue
        tag = f"[{f.severity.upper()}]"
        if color:
            tag = f"{_COLOURS[f.severity]}{tag}{_RESET}"
        where = f" ({_shown(f.path)}{':' + str(f.line) if f.line else ''})" if f.path else ""
        # Paths, versions and image names come from the machine and the project: never let
        # them carry terminal escape sequences to the screen.
        lines.append(f"{tag} {sanitize_line(f.what)}{sanitize_line(where)}")
        if verbose and f.severity != "info":
            lines.append(f"    why: {sanitize_line(f.why)}")
            lines.append(f"    fix: {sanitize_line(f.fix)}")
    lines.append("")
    lines.append(f"{len(findings)} findings: {summary_line(findings)}")
    return "\n".join(lines)


def _shown(path: str) -> str:
    """A path under the working directory is shown relative to it: shorter, same meaning."""
    p = Path(path)
    if p.is_absolute():
        try:
            return str(p.relative_to(Path.cwd()))
        except ValueError:
            return path
    return path


def to_json(findings: list[Finding]) -> dict:
    return {"findings": [f.to_dict() for f in findings], "counts": counts(findings), "high": counts(findings)["high"] > 0}


def to_sarif(findings: list[Finding], *, version: str, base: Path | None = None) -> dict:
    rules: dict[str, dict] = {}
    results = []
    for f in findings:
        if f.rule not in rules:
            rules[f.rule] = {
                "id": f.rule,
                "name": "".join(part.capitalize() for part in f.rule.split("-")),
                "shortDescription": {"text": f.what},
                "fullDescription": {"text": f.why},
                "help": {"text": f.fix},
                "defaultConfiguration": {"level": _SARIF_LEVEL[f.severity]},
                "properties": {"security-severity": _SECURITY_SEVERITY[f.severity], "tags": ["security"]},
            }
        result = {
            "ruleId": f.rule,
            "ruleIndex": list(rules).index(f.rule),
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.what}. Why: {f.why}. Fix: {f.fix}"},
            "properties": {"severity": f.severity},
        }
        if f.path:
            location: dict = {"artifactLocation": {"uri": _uri(f.path, base)}}
            if f.line:
                location["region"] = {"startLine": f.line}
            result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ccgpt audit",
                        "version": version,
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
            }
        ],
    }


def _uri(path: str, base: Path | None) -> str:
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()  # relative to the project directory, as code scanning expects
    return p.as_uri()
