"""Every rule's own examples: each `must_match` produces that rule (at the rule's level) and
each `must_not_match` does not. This is what keeps the catalog honest."""

import pytest

from ccgpt.risk.levels import LEVELS
from ccgpt.risk.classify import classify
from ccgpt.risk.rules import RULES, registry

CASES = [(r.name, ex, True) for r in RULES for ex in r.must_match] + \
        [(r.name, ex, False) for r in RULES for ex in r.must_not_match]


def test_catalog_is_well_formed():
    names = [r.name for r in RULES]
    assert len(names) == len(set(names)), "duplicate rule names"
    for r in RULES:
        assert r.level in LEVELS and r.level != "safe", r.name
        assert r.message and r.must_match, f"{r.name} needs a message and at least one must_match example"
    registry()  # every checker module imports


@pytest.mark.parametrize("rule,example,should", CASES, ids=[f"{r}:{'+' if s else '-'}:{e[:30]}" for r, e, s in CASES])
def test_rule_example(rule, example, should):
    v = classify(example)
    hits = [f for f in v.findings if f.rule == rule]
    if should:
        assert hits, f"{example!r} should trigger {rule}; got {[(f.rule, f.level) for f in v.findings]}"
        level = next(r.level for r in RULES if r.name == rule)
        assert all(f.level == level for f in hits)
        assert LEVELS.index(v.level) >= LEVELS.index(level)
    else:
        assert not hits, f"{example!r} must not trigger {rule}"
