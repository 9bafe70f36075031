"""Replay the rule catalogue's examples through the classifier: every `must_match` produces its
rule at the rule's level, no `must_not_match` produces it. The test suite runs it; a start-up of
`ccgpt check` does not (a few hundred classifications cost more than the check itself)."""

from __future__ import annotations

from ccgpt.risk.classify import classify
from ccgpt.risk.rules import catalog


def validate() -> list[str]:
    """Replay every example of every rule; the list of failures (empty when the catalogue and
    the checkers agree). Costs a few hundred classifications, so it runs in tests, not per check."""
    problems = []
    for r in catalog.RULES:
        for ex in r.must_match:
            v = classify(ex)
            hits = [f for f in v.findings if f.rule == r.name]
            if not hits:
                problems.append(f"{r.name}: {ex!r} should produce it; got {[f.rule for f in v.findings]}")
            elif any(f.level != r.level for f in hits) or v.level < r.level:
                problems.append(f"{r.name}: {ex!r} has the wrong level")
        for ex in r.must_not_match:
            if any(f.rule == r.name for f in classify(ex).findings):
                problems.append(f"{r.name}: {ex!r} must not produce it")
    return problems
