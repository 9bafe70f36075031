"""The whole "run a proposed command" flow, shared by `ccgpt run` and the suggest/script menus.

    show the command with its level and findings  ->  blocked? explain, stop
    -> no terminal and not allowed? refuse (exit 1)  ->  preview (optional)
    -> confirm by level  ->  run in the sandbox  ->  record in the audit trail

Nothing runs without its level having been shown first: `execute` shows it itself, always.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from typing import Any
from dataclasses import dataclass, field
from shlex import join as shlex_join

from ccgpt.run import confirm as confirm_mod
from ccgpt.run.errors import EXIT_NOT_FOUND, SandboxUnavailable
from ccgpt.run.limits import Limits
from ccgpt.run.options import RunOptions
from ccgpt.run.process import PTY
from ccgpt.run.preview import run_preview
from ccgpt.run.sandbox import RunResult, run_sandboxed
from ccgpt.term.palette import level_tag
from ccgpt.term.sanitize import sanitize, sanitize_line


@dataclass
class Assessment:
    """A level and its findings, from the risk engine (or the conservative stand-in)."""

    level: str
    findings: list = field(default_factory=list)  # [{"rule", "level", "message", "span"}]


def assess(command: str, *, script: bool = False, cwd: str | None = None) -> Assessment:
    """Classify a command line (or a whole script) with the risk engine, with the real
    filesystem probe rooted at `cwd` (overwrite or create, where home is, scripts run by name)."""
    try:
        from ccgpt.risk.classify import classify, classify_script
    except ImportError:
        # The risk engine is not installed in this build: never call anything "safe" unseen.
        return Assessment("review", [{
            "rule": "risk-engine-missing", "level": "review", "span": [0, len(command)],
            "message": "the risk engine is not available; the command was not analysed",
        }])
    from ccgpt.run.fsprobe import FilesystemProbe

    probe = FilesystemProbe(cwd=cwd)  # the line runs in a non-interactive shell: no history expansion
    verdict = classify_script(command, probe=probe) if script else classify(command, probe=probe, interactive=False)
    return Assessment(verdict.level, [_finding(f) for f in verdict.findings])


def _finding(f) -> dict:
    if isinstance(f, dict):
        return f
    span = getattr(f, "span", None)
    return {"rule": f.rule, "level": f.level, "message": f.message, "span": list(span) if span else None}


def render(command: str, assessment: Assessment, *, color: bool, label: str = "command") -> str:
    """The block shown before any question: the command, its level, and why."""
    level = assessment.level
    tag = level_tag(level, color)
    shown = sanitize(command).rstrip("\n")
    if "\n" in shown:
        lines = [f"{label} {tag}:"] + ["  " + line for line in shown.splitlines()]
    else:
        lines = [f"{label} {tag}: {shown}"]
    for f in assessment.findings:
        lines.append(f"  - {sanitize_line(str(f.get('level', '')))}: {sanitize_line(str(f.get('message', '')))}"
                     f" ({sanitize_line(str(f.get('rule', '')))})")
    return "\n".join(lines)


def _terminal_io():
    def read() -> str:
        try:
            return sys.stdin.readline()
        except (OSError, ValueError):
            return ""

    def write(text: str) -> None:
        sys.stderr.write(text)
        sys.stderr.flush()

    return read, write


@dataclass(frozen=True)
class Prepared:
    text: str  # what is shown, classified and logged
    argv: list[str]  # what runs
    label: str  # "command" or "script"
    confirm_as: str | list[str]  # what the typed confirmation is taken from


def prepare(command: str | list[str], script_text: str | None, script_args: tuple[str, ...] = ()) -> Prepared:
    """The text to classify and show, and the argv to run, for a command line, argv or script."""
    if script_text is not None:
        # The text that was classified is the text that runs: no second read of the file.
        argv = ["bash", "-c", script_text, os.path.basename(str(command)), *script_args]
        return Prepared(script_text, argv, "script", str(command))
    if isinstance(command, list):
        return Prepared(shlex_join(command), list(command), "command", list(command))
    return Prepared(command, ["bash", "-c", command], "command", command)


def execute(
    command: str | list[str],
    options: RunOptions = RunOptions(),
    *,
    assessment: Assessment | None = None,
    script_text: str | None = None,
    script_args: tuple[str, ...] = (),
    cwd: str | None = None,
    section: dict | None = None,
    task: str | None = None,
    store=None,
) -> int:
    """Show, confirm, run and record one command. Returns the process exit code to use.

    command: an argv list (run as is) or a shell command line (run with `bash -c`).
    script_text: run this script's text with bash instead (`command` is then its file name,
    `script_args` its positional parameters). assessment: the level already computed by the
    caller; classified here when None. section: `[ccgpt.sandbox]` config. store: an open Store
    for the audit trail (default: `open_store()`); task: the request that produced the command.
    """
    section = dict(section or {})
    job = prepare(command, script_text, script_args)
    if assessment is None:
        assessment = assess(_classified_text(job, script_args), script=script_text is not None, cwd=cwd)
    read, write = _terminal_io()
    write(render(job.text, assessment, color=options.color, label=job.label) + "\n")
    if script_args:
        write(f"  arguments: {sanitize_line(shlex_join(script_args))}\n")

    recorder = _Recorder(store, job.text if options.log_text else "<not logged>", assessment, task,
                         json_text=job.text if options.json_output else None)
    decision = confirm_mod.decide(assessment.level, tty=options.tty, assume_yes=options.assume_yes)
    if decision.action == confirm_mod.REFUSE:
        write(f"ccgpt: {decision.reason}\n")
        recorder.done("blocked" if assessment.level == "blocked" else "refused")
        return 1
    try:
        recorder.open()  # before anything runs: a run that cannot be recorded does not happen
    except Exception as exc:  # noqa: BLE001
        write(f"ccgpt: cannot open the audit trail, so nothing runs: {sanitize_line(str(exc))}\n")
        return 1
    limits = Limits.from_config(section, timeout=options.timeout)
    if options.unsafe_no_sandbox:
        write("ccgpt: WARNING: --unsafe-no-sandbox: this command runs with YOUR full permissions, "
              "network and files. Nothing isolates it.\n")
    try:
        if options.preview:
            write(run_preview(job.argv, cwd=cwd, section=section, limits=limits, color=options.color,
                              unsafe_no_sandbox=options.unsafe_no_sandbox) + "\n")
            if decision.action == confirm_mod.RUN and options.tty:
                # --yes answers y/N, but a preview is shown to be looked at: ask anyway at a terminal.
                decision = confirm_mod.Decision(confirm_mod.ASK_YES_NO)
        if not confirm_mod.ask(decision, job.confirm_as, read=read, write=write):
            write("ccgpt: not run\n")
            recorder.done("declined")
            return 1
        result = run_sandboxed(job.argv, cwd=cwd, net=options.net, section=section, limits=limits,
                               unsafe_no_sandbox=options.unsafe_no_sandbox,
                               stdin=PTY if options.interactive else subprocess.DEVNULL, **recorder.streams())
    except SandboxUnavailable as exc:
        write(f"ccgpt: sandbox unavailable: {exc}\n")
        recorder.done("sandbox-unavailable", exit_code=exc.exit_code)
        return exc.exit_code
    except KeyboardInterrupt:
        recorder.done("interrupted", exit_code=130)
        raise
    _report(result, job, limits, write)
    recorder.done("ran", exit_code=result.exit_code, duration_ms=result.duration_ms,
                  detail=dict(result.detail(), net=options.net, preview=options.preview), result=result)
    return result.exit_code


def _classified_text(job: Prepared, script_args: tuple[str, ...]) -> str:
    """A script with arguments is classified as a whole: its positional parameters set first."""
    if not script_args:
        return job.text
    return f"set -- {shlex_join(script_args)}\n{job.text}"


def _report(result: RunResult, job: Prepared, limits: Limits, write) -> None:
    if result.sandbox_error:
        write(f"ccgpt: sandbox failure ({result.backend}), the command did not run: "
              f"{sanitize_line(result.sandbox_error)}\n")
    elif result.timed_out:
        write(f"ccgpt: stopped after {limits.timeout:g} s (wall-clock limit; --timeout to change)\n")
    elif result.exit_code == EXIT_NOT_FOUND and result.duration_ms == 0.0:
        write(f"ccgpt: command not found: {sanitize_line(job.argv[0])}\n")
    for note in result.notes:
        write(sanitize_line(note) + "\n")
    cgroup = result.limits.get("cgroup")
    if result.isolation.get("host_uid") == 0 and result.backend == "bwrap":
        write("ccgpt: note: the sandbox ran as host uid 0 without capabilities "
              f"({sanitize_line(str(result.isolation.get('uid_reason', '')))})\n")
    if cgroup is None and os.geteuid() == 0 and result.backend == "bwrap":
        write("ccgpt: note: no cgroup could be created: memory and processes were limited per process only\n")


class _Recorder:
    """One audit event per attempt, whatever the outcome. A broken store never blocks a refusal,
    but it does block a run: a run that leaves no trace is not allowed.

    With `json_text` set (`--json`), the command's output is captured instead of streamed and
    one JSON object describing the attempt is printed on stdout when it is recorded."""

    def __init__(self, store, text: str, assessment: Assessment, task: str | None, *, json_text: str | None = None):
        self.store, self.text, self.assessment, self.task = store, text, assessment, task
        self.json_text = json_text
        self.captured = (io.StringIO(), io.StringIO()) if json_text is not None else None

    def streams(self) -> dict[str, Any]:
        return {"stdout": self.captured[0], "stderr": self.captured[1]} if self.captured else {}

    def open(self):
        if self.store is None:
            from ccgpt.store.db import open_store

            self.store = open_store()
        return self.store

    def done(self, decision: str, *, exit_code=None, duration_ms=None, detail=None,
             result: RunResult | None = None) -> None:
        from ccgpt.store.audit import record

        try:
            record(self.open(), "run", task=self.task, command=self.text, level=self.assessment.level,
                   findings=self.assessment.findings, decision=decision, exit_code=exit_code,
                   duration_ms=duration_ms, detail=detail or {})
        except Exception as exc:  # noqa: BLE001 - reported, never a traceback
            sys.stderr.write(f"ccgpt: warning: could not record this run in the audit trail: {sanitize_line(str(exc))}\n")
        if self.json_text is not None:
            self._print_json(decision, exit_code, result)

    def _print_json(self, decision: str, exit_code: int | None, result: RunResult | None) -> None:
        import json

        obj: dict[str, Any] = {"command": self.json_text, "level": self.assessment.level,
                               "findings": self.assessment.findings, "decision": decision,
                               "ran": result is not None, "exit_code": exit_code if exit_code is not None else 1}
        if result is not None and self.captured:
            obj.update(stdout=self.captured[0].getvalue(), stderr=self.captured[1].getvalue(),
                       truncated=result.output_truncated, duration_s=round(result.duration_ms / 1000, 3),
                       sandbox=result.backend, limits=result.limits, isolation=result.isolation,
                       notes=result.notes, timed_out=result.timed_out, sandbox_error=result.sandbox_error)
        sys.stdout.write(json.dumps(obj, ensure_ascii=True) + "\n")
        sys.stdout.flush()
