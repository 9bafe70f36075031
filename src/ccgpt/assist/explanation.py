"""One command explained as data: the grounded parts of `explain/` with the risk engine's
verdict, each finding anchored on the part it concerns. Used by `ccgpt explain` and by the
suggest menu's **explain** action; the terminal view is `ui/explain_view.py`.
"""

from __future__ import annotations

from ccgpt.errors import UsageError


def risk(command: str) -> dict:
    """The risk engine's verdict as {"level", "findings"}; level None when it is not available."""
    try:
        from ccgpt.risk.classify import classify
    except ImportError:
        return {"level": None, "findings": [], "unavailable": True}
    v = classify(command).to_json()
    return {"level": v.get("level"), "findings": v.get("findings", [])}


def build(command: str) -> dict:
    from ccgpt.explain.engine import Explainer
    from ccgpt.explain.manpages import ManCache

    if not command.strip():
        raise UsageError("nothing to explain: the command is empty")
    cache = ManCache.open()
    try:
        parts = Explainer(cache).explain(command)
    finally:
        cache.close()
    verdict = risk(command)
    out_parts = [p.to_json() for p in parts]
    # Each finding is shown on the first part it covers: the command name for a finding about
    # the whole command, the redirect for "writes out.txt", the word holding a hidden character.
    # (On every part it covers, a whole-command finding would mark every word of the line.)
    for f in verdict["findings"]:
        anchor = next((d for p, d in zip(parts, out_parts) if _overlaps(f.get("span"), p.span)), None)
        if anchor is not None and f.get("rule") not in anchor.setdefault("findings", []):
            anchor["findings"].append(f.get("rule"))
    result = {"command": command, "level": verdict["level"], "findings": verdict["findings"],
              "parts": out_parts, "narrative": None}
    if verdict.get("unavailable"):
        result["_risk_unavailable"] = True
    return result


def _overlaps(span, other) -> bool:
    return bool(span) and span[0] < other[1] and other[0] < span[1]
