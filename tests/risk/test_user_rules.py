"""User allow/deny rules: the strictest rule wins and nothing lowers `blocked`."""

import pytest

from ccgpt.risk.classify import classify
from ccgpt.risk.user_rules import from_config


def test_deny_by_pattern_adds_a_finding():
    v = classify("terraform destroy -auto-approve",
                 extra_rules=[{"pattern": "^terraform destroy", "level": "blocked", "message": "never from the assistant"}])
    assert v.level == "blocked"
    f = next(f for f in v.findings if f.rule.startswith("user:"))
    assert f.message == "never from the assistant" and f.span == (0, 31)


def test_deny_sees_through_wrappers_and_paths():
    rules = [{"program": "kubectl", "level": "dangerous"}]
    assert classify("sudo /usr/local/bin/kubectl get pods", extra_rules=rules).level == "dangerous"
    assert classify("bash -c 'kubectl get pods'", extra_rules=rules).level == "dangerous"


def test_deny_default_level_is_dangerous():
    assert classify("ls -la", extra_rules=[{"pattern": "^ls"}]).level == "dangerous"


def test_allow_lowers_review_only():
    allow = [{"pattern": "^make( |$)", "allow": True}]
    assert classify("make", extra_rules=allow).level == "safe"
    assert classify("make && rm -rf build", extra_rules=allow).level == "dangerous"


def test_allow_can_go_to_dangerous_but_never_lowers_blocked():
    allow = [{"pattern": "^rm ", "allow": True, "max_level": "dangerous"}]
    assert classify("rm -rf build", extra_rules=allow).level == "safe"
    assert classify("rm -rf /", extra_rules=allow).level == "blocked"
    assert classify("rm -rf ~", extra_rules=allow).level == "blocked"


def test_allow_never_removes_obfuscation():
    allow = [{"pattern": "^ls", "allow": True, "max_level": "dangerous"}]
    assert classify("l''s -la", extra_rules=allow).level == "dangerous"


def test_deny_beats_allow():
    rules = [{"pattern": "^make", "allow": True}, {"pattern": "^make deploy", "level": "dangerous"}]
    assert classify("make deploy", extra_rules=rules).level == "dangerous"
    assert classify("make test", extra_rules=rules).level == "safe"


@pytest.mark.parametrize("bad", [
    [{"level": "dangerous"}],
    [{"pattern": "(", "level": "dangerous"}],
    [{"pattern": "x", "level": "safe-ish"}],
    [{"pattern": "x", "allow": True, "max_level": "blocked"}],
    ["not a table"],
])
def test_bad_rules_are_value_errors(bad):
    with pytest.raises(ValueError):
        classify("ls", extra_rules=bad)


def test_from_config_shape():
    rules = from_config({"deny": [{"pattern": "a", "level": "review"}], "allow": [{"pattern": "b"}]})
    assert rules == [{"pattern": "a", "level": "review"}, {"pattern": "b", "allow": True}]
    assert from_config(None) == [] and from_config({}) == []
