"""The shape of the pure classifier: its import closure holds no I/O module, risk/ and term/ have
no import cycle (imports inside functions included), and the rule catalogue is checked when it
loads (names) and by `validate()` (every example replayed)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from ccgpt.risk.levels import Level
from ccgpt.risk import validate
from ccgpt.risk.rules import catalog, registry

SRC = Path(__file__).resolve().parents[2] / "src"
FORBIDDEN = ("subprocess", "socket", "sqlite3", "http", "urllib", "ssl", "asyncio")


def test_import_closure_of_the_classifier_is_pure():
    # Every rule example exercises the lazily imported parts too (decoders, inline code, rules).
    code = (
        "import sys\n"
        "from ccgpt.risk import classify\n"
        "from ccgpt.risk.rules import RULES\n"
        "for r in RULES:\n"
        "    for e in r.must_match + r.must_not_match: classify(e)\n"
        f"bad = {FORBIDDEN!r}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in bad))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": str(SRC)},
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]", f"the classifier imports I/O modules: {r.stdout}"


def _imports(path: Path, module: str) -> set[str]:
    """Every ccgpt module `path` imports, at top level or inside functions (not TYPE_CHECKING)."""
    tree = ast.parse(path.read_text())
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("ccgpt."))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if not base.startswith("ccgpt"):
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                is_module = (SRC / sub.replace(".", "/")).with_suffix(".py").exists() or (SRC / sub.replace(".", "/")).is_dir()
                out.add(sub if is_module else base)
    return out


def _graph(packages: tuple[str, ...]) -> dict[str, set[str]]:
    graph = {}
    for pkg in packages:
        for path in (SRC / pkg.replace(".", "/")).rglob("*.py"):
            rel = path.relative_to(SRC).with_suffix("")
            name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
            graph[name] = _imports(path, name)
    # A module inside a package does not "import" the package's __init__ by naming a sibling.
    return {m: {d for d in deps if d in graph and not m.startswith(d + ".")} for m, deps in graph.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            if state.get(d) == 1:
                return stack[stack.index(d):] + [d]
            if d not in state:
                found = visit(d)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_no_import_cycle_in_risk_and_term():
    graph = _graph(("ccgpt.risk", "ccgpt.term"))
    assert "ccgpt.risk.analyze" in graph and graph["ccgpt.risk.analyze"]
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_term_does_not_import_risk():
    graph = _graph(("ccgpt.term",))
    assert not [d for deps in graph.values() for d in deps if d.startswith("ccgpt.risk")]


def test_a_misspelt_rule_name_fails_when_asked_for():
    with pytest.raises(catalog.UnknownRule, match="wipe-rot"):
        catalog.rule("wipe-rot")
    assert catalog.rule("wipe-root").level is Level.BLOCKED


def test_catalogue_refuses_duplicates_and_rules_without_examples():
    r = catalog.Rule("x", "review", "m", ("ls",))
    with pytest.raises(ValueError, match="twice"):
        catalog._index((r, r))
    with pytest.raises(ValueError, match="must_match"):
        catalog._index((catalog.Rule("y", "review", "m", ()),))
    with pytest.raises(ValueError):
        catalog.Rule("z", "fatal", "m", ("ls",))


def test_validate_replays_every_example():
    assert validate.validate() == []


def test_validate_reports_a_broken_example(monkeypatch):
    broken = catalog.Rule("wipe-root", "blocked", "m", ("ls -la",), ("rm -rf /",))
    monkeypatch.setattr(catalog, "RULES", (broken,))
    problems = validate.validate()
    assert len(problems) == 2 and "'ls -la' should produce it" in problems[0] and "must not" in problems[1]


def test_walker_knows_no_program_by_name():
    # Program names belong to the rule tables; the walker modules may not compare words with them.
    import re

    for name in ("analyze.py", "dispatch.py", "words.py"):
        text = (SRC / "ccgpt/risk" / name).read_text()
        hits = re.findall(r"prog(?:ram)? (?:==|in) \(?\"(\w+)\"", text)
        assert not hits, f"{name} compares program names: {hits}"


def test_registry_merges_the_rule_tables():
    reg = registry()
    assert reg.checks("rm") and reg.checks("mkfs.ext4") and reg.is_known("mkfs.xfs")
    assert "bash" in reg.handlers and reg.generic and reg.pipelines
