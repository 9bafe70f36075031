"""`ccgpt eval TASKS.json [--model M] [--backend B]`: benchmark a model on your own tasks.

Each task's command from the model and its gold command run in the sandbox (no network) on a
fresh copy of the fixture directory; outputs and resulting files are compared. Prints the
accuracy and each task's result (`--json` for machines). `--raw` measures the bare model (the
task as the only prompt) instead of the full suggest pipeline, for comparison.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ccgpt.errors import UsageError


def configure(parser) -> None:
    parser.add_argument("tasks", help='JSON file: a list of {"query", "gold", optional "fixture"} objects')
    parser.add_argument("--fixture", metavar="DIR", help="directory each command runs in (a fresh copy per run)")
    parser.add_argument("--raw", action="store_true", help="raw prompt (the task alone) instead of the full pipeline")
    parser.add_argument("--list-files", action="store_true", help="give the pipeline the fixture's file names as context")
    parser.add_argument("--allow-dangerous", action="store_true",
                        help="also run candidates the risk engine calls dangerous (still sandboxed, on a copy)")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N tasks")
    parser.add_argument("--timeout", type=float, default=15, help="seconds per command (default 15)")


def run(args) -> int:
    from ccgpt.assist import context
    from ccgpt.assist.evaluate import SandboxRunner, evaluate, load_tasks
    from ccgpt.cli.common import load_config, print_json
    from ccgpt.llm.registry import resolve_backend
    from ccgpt.term.sanitize import sanitize_line

    fixture = Path(args.fixture) if args.fixture else None
    if fixture is not None and not fixture.is_dir():
        raise UsageError(f"--fixture {fixture} is not a directory")
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    tasks = load_tasks(Path(args.tasks), fixture)[: args.limit]
    cfg = load_config(args)
    runner = SandboxRunner(cfg.section("sandbox"), timeout=args.timeout)
    backend, model = resolve_backend(cfg, args, task="shell", quiet=args.quiet)

    def context_for(task):
        return context.gather(args.list_files, 40, cwd=task.fixture).render() if task.fixture else None

    def progress(i, r):
        if not args.json and not args.quiet:
            mark = "ok  " if r.solved else "FAIL" if r.measurable else "n/a "
            cand = sanitize_line(r.candidate) if r.candidate else "-"
            print(f"{mark} {i + 1:>3}. {sanitize_line(r.query)[:50]:<50}  {cand[:60]}"
                  + (f"  ({sanitize_line(r.note)})" if r.note else ""), file=sys.stderr)

    try:
        report = evaluate(tasks, backend, model, runner, mode="raw" if args.raw else "pipeline",
                          context_for=context_for, allow_dangerous=args.allow_dangerous, progress=progress)
    finally:
        backend.close()
    if args.json:
        print_json(report.to_json())
    else:
        solved = sum(r.solved for r in report.results)
        skipped = len(report.results) - report.measured
        print(f"{report.mode}: {solved}/{report.measured} solved, accuracy {report.accuracy:.1%}"
              + (f" ({skipped} not measurable: the gold command fails or does nothing there)" if skipped else "")
              + f" ({sanitize_line(report.model)} on {sanitize_line(report.backend)})")
    return 0
