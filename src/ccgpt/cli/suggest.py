"""`ccgpt suggest TASK…` (alias `sh-help`): a task in words -> shell command candidates.

With a terminal on stdin and stdout: candidates with their risk levels and an interactive
menu (run, edit, explain, copy, revise, quit). Without one: the best command on stdout (the
list on stderr), or `--json`; nothing is ever run without a person at a terminal.
`--print-only` is for the shell key binding: the menu is drawn on the terminal, and only the
chosen command goes to stdout, for the shell to put in its line buffer.
"""

from __future__ import annotations

import os
import sys

from ccgpt.errors import CcgptError, UsageError


def configure(parser) -> None:
    parser.add_argument("task", nargs="*", help="what you want to do, in words")
    parser.add_argument("-n", "--candidates", type=int, metavar="N", help="ask for up to N candidates (default: config, 3)")
    parser.add_argument("--print-only", action="store_true", help="print only the chosen command (for the key binding); never runs it")
    files = parser.add_mutually_exclusive_group()
    files.add_argument("--list-files", action="store_true", default=None, help="send the names (never contents) in this directory")
    files.add_argument("--no-list-files", dest="list_files", action="store_false", help="do not send any file names")
    from ccgpt.cli.memory_flags import add_flags

    add_flags(parser)


def _task(args) -> str:
    task = " ".join(args.task).strip()
    if not task and not sys.stdin.isatty():
        task = sys.stdin.read().strip()
    if not task:
        raise UsageError('no task given: ccgpt suggest "find the biggest files here"')
    return task


def _count(args, cfg) -> int:
    n = args.candidates if args.candidates is not None else int(cfg.section("suggest").get("candidates", 3) or 3)
    if n < 1 or n > 10:
        raise UsageError("-n must be between 1 and 10")
    return n


def record(trail, result, decision: str | None) -> None:
    best = result.candidates[0] if result.candidates else None
    trail.record(
        task=result.task,
        command=best.command if best else None,
        level=best.level if best else None,
        findings=best.findings if best else [],
        decision=decision,
        detail={"model": result.model, "backend": result.backend,
                "candidates": [{"command": c.command, "level": c.level} for c in result.candidates]},
    )


def pipeline_settings(section: dict, cwd: str) -> dict:
    """The Suggester settings `[ccgpt.suggest]` chooses for a user in `cwd` (the README says
    what each one costs and gains): voting and grounding off, the trial run on; the user's shell
    for ShellCheck; `cwd` for the task's paths."""
    try:
        vote = int(section.get("vote", 0) or 0)
    except (TypeError, ValueError):
        raise UsageError("[ccgpt.suggest] vote must be a whole number") from None
    from ccgpt.assist.context import user_shell

    return {"vote": vote, "vote_dir": cwd, "shell": user_shell(), "workdir": cwd,
            "ground": section.get("ground", False) is True,
            "trial_dir": None if section.get("trial", True) is False else cwd}


def log_interactions(cfg, opts, result) -> None:
    from ccgpt.store.interactions import log_quietly

    for completion in result.completions:
        log_quietly(cfg, opts, "suggest", result.prompt, completion)


def run(args) -> int:
    from ccgpt.assist import context
    from ccgpt.assist.suggest import Suggester
    from ccgpt.assist.trail import Trail
    from ccgpt.cli.common import common_options, interactive, load_config, print_json
    from ccgpt.llm.registry import resolve_backend
    from ccgpt.term.sanitize import sanitize_line
    from ccgpt.ui.candidates import render_candidates

    task = _task(args)
    opts = common_options(args)
    cfg = load_config(args)
    n = _count(args, cfg)
    ctx = context.from_config(cfg)
    if args.list_files is not None:
        section = cfg.section("suggest")
        ctx = context.gather(args.list_files, int(section.get("max_listing", 40)))
    backend, model = resolve_backend(cfg, opts, task="shell", quiet=opts.quiet)
    trail = Trail(cfg, opts, "suggest")
    try:
        # Remembered facts ride in the context block the use case already treats as data.
        from ccgpt.cli.memory_flags import recall_for
        from ccgpt.ui.waiting import with_progress

        memory = recall_for(cfg, args, backend, task).block()
        suggester = Suggester(with_progress(backend, opts.quiet), model, ctx.render() + (f"\n{memory}" if memory else ""),
                              cautious=bool(args.print_only), **pipeline_settings(cfg.section("suggest"), os.getcwd()))
        result = suggester.suggest(task, n)
        log_interactions(cfg, opts, result)

        if args.json:
            record(trail, result, "printed-json")
            print_json(result.to_json())
            return 0 if result.candidates else 1

        if args.print_only:
            from ccgpt.ui.menu import pick_for_line_buffer

            record(trail, result, None)
            return pick_for_line_buffer(result, trail, opts)

        if interactive():
            from ccgpt.ui.menu import Menu

            record(trail, result, None)
            return Menu(result, suggester, trail, cfg, opts).loop()

        # No terminal: show the list on stderr, the best command on stdout, run nothing.
        best = result.candidates[0] if result.candidates else None
        record(trail, result, "no-candidates" if best is None else "refused-blocked" if best.level == "blocked" else "printed")
        if not args.quiet:
            print(render_candidates(result, opts.color_err), file=sys.stderr)
        if best is None:
            raise CcgptError("the model gave no usable command; rephrase the task or try another model (-m)")
        if best.level == "blocked":
            raise CcgptError("the only candidates are blocked by the risk policy; nothing printed", exit_code=5)
        print(sanitize_line(best.command))
        if not args.quiet:
            print("ccgpt: not run (no terminal); review it, then run it yourself or with `ccgpt run`", file=sys.stderr)
        return 0
    finally:
        trail.close()
        backend.close()
