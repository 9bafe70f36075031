"""The shape of the code, checked: no import cycles, the CLI and UI at the top, small files and
small functions (docs/architecture.md, "Arrows point down only").

Imports are read with `ast`, so an import inside a function counts as much as one at the top
of a module: a cycle closed by a late import is still a cycle (it only moves the crash to run
time). The classifier's own import closure (no subprocess, socket, sqlite3, ...) is checked in
tests/risk by the risk helper.

ALLOWED_* below are today's known offenders, each named with the helper who is reshaping that
code. They are temporary: the lead empties them when merging each branch. An entry that no
longer offends fails the test too, so the lists can only shrink.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "ccgpt"
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 80
TOP_LAYERS = ("ccgpt.cli", "ccgpt.ui")  # what nothing below them may import
ENTRY_POINTS = {"ccgpt.__main__"}  # `python -m ccgpt` is the CLI itself

# Import cycles (each one the set of modules that import each other, directly or not).
ALLOWED_CYCLES: dict[frozenset[str], str] = {}
# Modules below cli/ and ui/ that import them: module -> owner.
ALLOWED_UPWARD: dict[str, str] = {
}
# Files over MAX_FILE_LINES (path under src/ccgpt) -> owner.
ALLOWED_LONG_FILES: dict[str, str] = {}
# Functions over MAX_FUNCTION_LINES ("path:qualified name") -> owner.
ALLOWED_LONG_FUNCTIONS: dict[str, str] = {
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve_relative(module: str, node: ast.ImportFrom) -> str:
    package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
    return ".".join(base + ([node.module] if node.module else []))


def _runtime_nodes(tree: ast.AST):
    """Every node that can run: all of them but the bodies of `if TYPE_CHECKING:` (imports made
    for the type checker only never execute, so they close no cycle)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(module: str) -> set[str]:
    """Every ccgpt module `module` imports, anywhere in its body (functions included)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_relative(module, node) if node.level else (node.module or "")
            # `from pkg import mod` depends on pkg.mod, exactly as `import pkg.mod` does (both run
            # pkg/__init__ first, which is not a dependency of the importer); `from pkg import name`
            # depends on pkg.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for target in targets:
            # `import ccgpt.a.b` names ccgpt.a.b; keep the longest prefix that is one of our modules
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != module:
                found.add(target)
    return found


GRAPH: dict[str, set[str]] = {m: imports_of(m) for m in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[frozenset[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def _in_layer(module: str, layers: tuple[str, ...]) -> bool:
    return any(module == layer or module.startswith(layer + ".") for layer in layers)


def upward_imports() -> dict[str, list[str]]:
    return {m: sorted(t for t in targets if _in_layer(t, TOP_LAYERS))
            for m, targets in GRAPH.items()
            if not _in_layer(m, TOP_LAYERS) and m not in ENTRY_POINTS and any(_in_layer(t, TOP_LAYERS) for t in targets)}


def long_files() -> dict[str, int]:
    out = {}
    for path in MODULES.values():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_FILE_LINES:
            out[str(path.relative_to(PACKAGE))] = n
    return out


def long_functions() -> dict[str, int]:
    out = {}
    for path in MODULES.values():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for qualname, node in _functions(tree, ""):
            n = node.end_lineno - node.lineno + 1
            if n > MAX_FUNCTION_LINES:
                out[f"{path.relative_to(PACKAGE)}:{qualname}"] = n
    return out


def _functions(node: ast.AST, prefix: str):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = prefix + child.name
            if not isinstance(child, ast.ClassDef):
                yield name, child
            yield from _functions(child, name + ".")
        else:
            yield from _functions(child, prefix)


def _check(found: dict, allowed: dict, what: str) -> None:
    new = {k: v for k, v in found.items() if k not in allowed}
    stale = sorted(str(k) for k in allowed if k not in found)
    assert not new, f"{what}: {new}"
    assert not stale, f"no longer {what} (remove from the allow-list): {stale}"


def test_the_import_graph_was_read():
    # a parser that found nothing would pass every check below
    assert "ccgpt.risk.classify" in GRAPH["ccgpt.cli.check"] or "ccgpt.risk" in GRAPH["ccgpt.cli.check"]
    assert "ccgpt.ui.menu" in GRAPH["ccgpt.cli.suggest"]  # an import inside a function


def test_cycle_finder_sees_a_cycle_through_a_late_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [frozenset({"a", "b", "c"})]


def test_no_import_cycles():
    _check({c: sorted(c) for c in cycles(GRAPH)}, ALLOWED_CYCLES, "import cycles")


def test_nothing_below_cli_and_ui_imports_them():
    _check(upward_imports(), ALLOWED_UPWARD, f"modules outside {TOP_LAYERS} importing them")


def test_no_file_over_the_limit():
    _check(long_files(), ALLOWED_LONG_FILES, f"files over {MAX_FILE_LINES} lines")


def test_no_function_over_the_limit():
    _check(long_functions(), ALLOWED_LONG_FUNCTIONS, f"functions over {MAX_FUNCTION_LINES} lines")


def test_every_allowed_offender_has_an_owner_who_is_reshaping_it():
    # the front door's own packages (cli/ except serve, keys, run, models, eval; ui/) are clean
    owners = {"risk", "explain", "gateway", "sandbox", "model", "agents", "roles"}
    for allowed in (ALLOWED_CYCLES, ALLOWED_UPWARD, ALLOWED_LONG_FILES, ALLOWED_LONG_FUNCTIONS):
        assert set(allowed.values()) <= owners, allowed
