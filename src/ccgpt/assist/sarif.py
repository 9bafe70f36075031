"""Review findings as SARIF 2.1.0, the format code-scanning tools (GitHub, GitLab, IDEs) read.

One run, tool `ccgpt`; each result names its rule (the risk rule, `SC1234`, or `model`), a
level (`error` for dangerous/blocked, `warning` for review, `note` for info), the message,
and the file and line. The finding's own severity and source are kept in `properties`.
"""

from __future__ import annotations

import re

from ccgpt.assist.review_checks import ReviewFinding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"blocked": "error", "dangerous": "error", "review": "warning", "info": "note"}
_RULE = re.compile(r"^([A-Za-z][\w-]*|SC\d+): ")


def rule_id(f: ReviewFinding) -> str:
    if f.source.startswith("model:"):
        return "model"
    m = _RULE.match(f.message)
    return m.group(1) if m else f.source


def to_sarif(findings: list[ReviewFinding], version: str, uri_base: str | None = None) -> dict:
    """uri_base: a `file:///…/` URI the relative paths are resolved against (the repository root)."""
    rules: dict[str, dict] = {}
    results = []
    for f in findings:
        rid = rule_id(f)
        rules.setdefault(rid, {"id": rid, "shortDescription": {"text": f"{f.source} finding {rid}"}})
        artifact = {"uri": f.path, **({"uriBaseId": "SRCROOT"} if uri_base else {})}
        location = {"artifactLocation": artifact, "region": {"startLine": max(1, f.line)}}
        results.append({
            "ruleId": rid,
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": location}],
            "properties": {"severity": f.severity, "source": f.source},
        })
    run = {
        "tool": {"driver": {"name": "ccgpt", "version": version, "rules": list(rules.values())}},
        "results": results,
    }
    if uri_base:
        run["originalUriBaseIds"] = {"SRCROOT": {"uri": uri_base}}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
