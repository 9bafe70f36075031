"""`ccgpt script TASK…` (alias `sh-script`): generate, lint, risk-scan and save a bash script.

Saved owner-only and not executable, with a header naming the task, model, date, ShellCheck and
risk summary. Never overwrites without --force. Never runs it (`ccgpt run FILE` does, sandboxed).
"""

from __future__ import annotations

import sys
from pathlib import Path

from ccgpt.errors import UsageError


def configure(parser) -> None:
    parser.add_argument("task", nargs="*", help="what the script should do, in words")
    parser.add_argument("-o", "--output", metavar="FILE", help="where to save it (default: a name derived from the task)")
    parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    parser.add_argument("--rounds", type=int, metavar="N", help="ShellCheck repair rounds (default: config, 2)")
    parser.add_argument("--stdout", action="store_true", help="print the script instead of saving it")


def _clip(text: str, width: int = 160) -> str:
    from ccgpt.term.sanitize import sanitize_line

    text = sanitize_line(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _review(result, saved: bool) -> list[str]:
    """Remaining ShellCheck findings and risk findings, with line numbers in the saved file."""
    from ccgpt.assist.script import saved_line
    from ccgpt.term.sanitize import sanitize_line

    where = saved_line if saved else (lambda n: n)
    lines = []
    if result.cut_off:
        lines.append("INCOMPLETE: the model's answer was cut off by its token limit; the script is unfinished")
    if result.lint_findings is None:
        lines.append(f"ShellCheck: not run ({sanitize_line(result.lint_error or '')})")
    elif result.lint_findings:
        lines.append(f"ShellCheck: {len(result.lint_findings)} finding(s) left after {result.rounds} repair round(s):")
        lines += [f"  line {where(f.line)}: SC{f.code} {f.level}: {_clip(f.message)}" for f in result.lint_findings]
    else:
        lines.append(f"ShellCheck: clean (after {result.rounds} repair round(s))")
    lines.append(f"Risk: {result.level}" + (":" if result.risks else ""))
    lines += [f"  line {where(r.line)}: {r.level} {r.rule}: {_clip(r.message)}" for r in result.risks]
    return lines


def run(args) -> int:
    from ccgpt.assist import context
    from ccgpt.assist import script as usecase
    from ccgpt.assist.trail import Trail
    from ccgpt.cli.common import common_options, load_config, print_json
    from ccgpt.llm.registry import resolve_backend
    from ccgpt.term.sanitize import sanitize
    from ccgpt.store.interactions import log_quietly

    task = " ".join(args.task).strip()
    if not task:
        raise UsageError('no task given: ccgpt script "back up ~/notes to a dated tar.gz"')
    cfg = load_config(args)
    rounds = args.rounds if args.rounds is not None else int(cfg.section("script").get("shellcheck_rounds", 2))
    if rounds < 0 or rounds > 10:
        raise UsageError("--rounds must be between 0 and 10")
    path = Path(args.output) if args.output else Path(usecase.default_name(task))
    if not args.stdout and path.exists() and not args.force:
        # Checked before asking the model: no point generating what cannot be saved.
        raise UsageError(f"{path} exists; choose another name with -o, or --force to overwrite it")

    opts = common_options(args)
    backend, model = resolve_backend(cfg, opts, task="code", quiet=opts.quiet)
    trail = Trail(cfg, opts, "script")
    try:
        from ccgpt.ui.waiting import with_progress

        result = usecase.generate(with_progress(backend, opts.quiet), model, task, context.from_config(cfg).render(), rounds=rounds)
    finally:
        backend.close()
    for completion in result.completions:
        log_quietly(cfg, opts, "script", task, completion)
    text = usecase.with_header(result)
    if not args.stdout:
        result.path = usecase.save(text, path, force=args.force)
    trail.record(task=task, command=str(result.path) if result.path else "<stdout>", level=result.level,
                 findings=[r.to_json() for r in result.risks], decision="saved" if result.path else "printed",
                 detail={"model": result.model, "backend": result.backend, "repair_rounds": result.rounds,
                         "shellcheck": None if result.lint_findings is None else len(result.lint_findings)})
    trail.close()

    if args.json:
        data = result.to_json()
        data["text"] = text
        print_json(data)
        return 0
    review = _review(result, saved=result.path is not None)
    if args.stdout:
        sys.stdout.write(sanitize(text))
        if not args.quiet:
            print("\n".join(review), file=sys.stderr)
        return 0
    out = sys.stderr if args.quiet else sys.stdout
    if not args.quiet:
        print(f"saved {sanitize(str(result.path))} (mode 600, not executable; never run by ccgpt script)", file=out)
        print("\n".join(review), file=out)
        print(f"review it, then: ccgpt run {sanitize(str(result.path))}", file=out)
    else:
        print(sanitize(str(result.path)))
    return 0
