"""The one door from `agents/` into `run/`: run a command line, or preview it, in the sandbox.

Everything the MCP server needs from the sandbox goes through `run_line` and `preview_line`, so
when `run/` changes shape (a typed sandbox policy) only this module is re-pointed. Both return
an `Outcome` with the output captured (already sanitised by the sandbox's stream sanitiser),
the command's stdin closed (it must never read the MCP protocol stream), and no exception for
the command's own failure or an unavailable sandbox.
"""

from __future__ import annotations

import dataclasses
import io
import subprocess
from dataclasses import dataclass, field

EXIT_SANDBOX = 125
# Agent configuration inside the root: what an agent CLI or editor reads and acts on later,
# outside the sandbox (permissions, hooks, MCP servers to start). A command run for an agent
# must not be able to rewrite the rules that govern that agent, so the existing ones are hidden
# (unreadable and unwritable) in its sandbox.
AGENT_CONFIG = (".claude", ".mcp.json", ".codex", ".gemini", ".vscode", ".cursor")


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    truncated: bool
    duration_s: float
    error: str | None = None  # the sandbox (not the command) failed, or none could be built
    changes: dict | None = None  # preview only
    detail: dict = field(default_factory=dict)  # what the audit trail keeps about the run


def limits_for(section: dict, timeout: float | None, output_kb: int):
    """`ccgpt run`'s limits from `[ccgpt.sandbox]`; the caller may only lower time and output."""
    from ccgpt.run.limits import Limits

    limits = Limits.from_config(section)
    wall = limits.timeout
    if timeout is not None:
        wall = min(float(timeout), wall) if wall else float(timeout)
    shown = min(limits.output_limit_kb, output_kb) if limits.output_limit_kb else output_kb
    return dataclasses.replace(limits, timeout=wall, output_limit_kb=shown)


def protected(section: dict, root: str) -> dict:
    """`section` with the agent configuration that exists under `root` added to `hide`."""
    import os

    present = [os.path.join(root, name) for name in AGENT_CONFIG if os.path.lexists(os.path.join(root, name))]
    return dict(section, hide=list(section.get("hide") or []) + present) if present else section


def _run(argv: list[str], root: str, *, net: bool, section: dict, limits, workdir_source: str | None = None):
    from ccgpt.run.sandbox import run_sandboxed

    section = protected(section, root)
    out, err = io.StringIO(), io.StringIO()
    result = run_sandboxed(argv, cwd=root, net=net, section=section, limits=limits, stdout=out, stderr=err,
                           stdin=subprocess.DEVNULL, workdir_source=workdir_source)
    return result, out.getvalue(), err.getvalue()


def _outcome(result, stdout: str, stderr: str, net: bool) -> Outcome:
    detail = dict(result.detail(), net=net)
    return Outcome(result.exit_code, stdout, stderr, bool(result.output_truncated),
                   round(result.duration_ms / 1000, 3), error=result.sandbox_error, detail=detail)


def _unavailable(exc) -> Outcome:
    return Outcome(getattr(exc, "exit_code", EXIT_SANDBOX), "", "", False, 0.0, error=str(exc),
                   detail={"sandbox_error": str(exc)})


def run_line(command: str, *, root: str, net: bool, section: dict, limits) -> Outcome:
    """Run `bash -c COMMAND` with `root` as the only writable tree."""
    from ccgpt.run.sandbox import SandboxUnavailable

    try:
        result, stdout, stderr = _run(["bash", "-c", command], root, net=net, section=section, limits=limits)
    except SandboxUnavailable as exc:
        return _unavailable(exc)
    return _outcome(result, stdout, stderr, net)


def preview_line(command: str, *, root: str, section: dict, limits) -> Outcome:
    """Run it on a throwaway copy of `root` (mounted at root's path, no network) and report what
    it created, modified and deleted there. The real tree is only read."""
    from ccgpt.errors import CcgptError
    from ccgpt.run import preview as pv
    from ccgpt.run.sandbox import SandboxUnavailable

    try:
        copy = pv.make_copy(root, int(section.get("preview_max_mb", 200) or 0))
    except CcgptError as exc:
        return _unavailable(exc)
    try:
        before = pv.snapshot(root)
        result, stdout, stderr = _run(["bash", "-c", command], root, net=False, section=section, limits=limits,
                                      workdir_source=copy)
        changes = pv.compare(before, pv.snapshot(copy), root, copy)
    except SandboxUnavailable as exc:
        return _unavailable(exc)
    finally:
        pv.remove_copy(copy)
    outcome = _outcome(result, stdout, stderr, False)
    outcome.changes = {"created": changes.created, "modified": changes.modified, "deleted": changes.deleted,
                       "summary": pv.diffstat(changes)}
    outcome.detail["preview"] = True
    return outcome
