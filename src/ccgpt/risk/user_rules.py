"""User rules from configuration.

Config shape (TOML), read by `ccgpt check` from the `[ccgpt.rules]` table:

    [ccgpt.rules]
    deny = [
      { pattern = "^terraform (apply|destroy)", level = "dangerous", message = "changes infrastructure" },
      { program = "kubectl", level = "review" },
    ]
    allow = [
      { pattern = "^make( |$)", message = "our Makefile is trusted" },
    ]

Each rule matches a simple command after normalisation and wrapper removal: `pattern` is a
regular expression searched in the normalised command text (words joined by spaces, program
name without its path), `program` an exact program name; with both, both must match.

Deny rules add a finding `user:<name or pattern>` at their level (default `dangerous`).
Allow rules remove the built-in findings of that command up to `max_level` (default
`review`, at most `dangerous`). The strictest rule wins: a deny rule beats an allow rule, and
nothing lowers `blocked` or the findings about obfuscation, hidden characters or parse
errors, which are not tied to one command.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ccgpt.risk.levels import LEVELS, RANK, Level
from ccgpt.risk.model import Finding

# Findings an allow rule may never remove: they are about the text, not about a command.
UNSUPPRESSIBLE = frozenset(["obfuscation", "hidden-unicode", "homoglyph", "terminal-escape", "parse-error",
                            "decoded-payload", "too-deep"])


class UserRule(NamedTuple):  # not a dataclass: `dataclasses` imports inspect, ~10 ms of every `ccgpt check`
    allow: bool
    level: str
    message: str
    name: str
    pattern: re.Pattern | None
    program: str | None

    def matches(self, cmd) -> bool:
        if self.program is not None and cmd.argv[0] != self.program:
            return False
        return self.pattern is None or self.pattern.search(" ".join(cmd.argv)) is not None


def is_allow(rule: dict) -> bool:
    """Whether a rule dict lowers verdicts: one from `allow = […]`, or a deny-list entry at `safe`."""
    return bool(rule.get("allow")) or rule.get("level") == "safe"


def compile_rules(rules) -> tuple[UserRule, ...]:
    """Validate and compile rule dicts; ValueError with a one-line reason on bad input."""
    out = []
    for i, r in enumerate(rules or ()):
        if isinstance(r, UserRule):
            out.append(r)
            continue
        if not isinstance(r, dict):
            raise ValueError(f"rule #{i + 1} must be a table, not {type(r).__name__}")
        allow = is_allow(r)
        pattern = r.get("pattern")
        program = r.get("program")
        if pattern is None and program is None:
            raise ValueError(f"rule #{i + 1} needs 'pattern' or 'program'")
        try:
            rx = re.compile(pattern) if pattern is not None else None
        except re.error as e:
            raise ValueError(f"rule #{i + 1}: bad pattern {pattern!r}: {e}") from None
        if allow:
            level = r.get("max_level", "review")
            if level not in LEVELS or RANK[level] > RANK["dangerous"]:
                raise ValueError(f"rule #{i + 1}: allow max_level must be safe, review or dangerous")
        else:
            level = r.get("level", "dangerous")
            if level not in LEVELS or level == "safe":
                raise ValueError(f"rule #{i + 1}: deny level must be review, dangerous or blocked, not {level!r}")
        name = str(r.get("name") or pattern or program)
        message = str(r.get("message") or ("allowed by your configuration" if allow else "denied by your configuration"))
        out.append(UserRule(allow, Level(level), message, name, rx, program))
    return tuple(out)


def from_config(table: dict | None) -> list[dict]:
    """`[ccgpt.rules]` → the `extra_rules` list for `classify`."""
    if not table:
        return []
    if not isinstance(table, dict):
        raise ValueError("[ccgpt.rules] must be a table with 'deny' and 'allow' arrays")
    rules = [dict(r) for r in table.get("deny", []) if isinstance(r, dict)]
    rules += [dict(r, allow=True) for r in table.get("allow", []) if isinstance(r, dict)]
    return rules


def make_checker(rules: tuple[UserRule, ...]):
    """A per-command hook for the analyzer: adds deny findings, removes allowed ones."""

    def check(cmd, a) -> None:
        findings = a.st.findings
        for rule in rules:
            if not rule.matches(cmd):
                continue
            if rule.allow:
                if any(r.matches(cmd) for r in rules if not r.allow):
                    continue  # strictest wins
                cap = RANK[rule.level]
                findings[:] = [f for f in findings if not (
                    f.span == cmd.span and f.rule not in UNSUPPRESSIBLE and RANK[f.level] <= cap and f.level != "blocked")]
            else:
                findings.append(Finding(f"user:{rule.name}", rule.level, rule.message, tuple(cmd.span)))

    return check
