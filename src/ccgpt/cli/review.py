"""`ccgpt review [--staged | REV | PATH…] [--json] [--sarif] [--no-llm]`.

Findings with path, new-file line, severity, message and source: the risk engine and
ShellCheck on shell files first, then the model's review (dropped when it names no line of
the diff). Exit code by the highest severity, like `ccgpt check`: 0 none or info, 3 review,
4 dangerous, 5 blocked; 1 when there was nothing to review or it could not be read.
"""

from __future__ import annotations

import argparse
import sys

from ccgpt.errors import CcgptError, UsageError

_COLORS = {"info": "2", "review": "33", "dangerous": "31", "blocked": "1;37;41"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="*", metavar="REV|PATH",
                        help="a commit, a range (A..B), or files and directories (default: uncommitted changes)")
    parser.add_argument("--staged", action="store_true", help="review what is staged for the next commit")
    parser.add_argument("--sarif", action="store_true", help="SARIF 2.1.0 on stdout, for code-scanning tools")
    parser.add_argument("--no-llm", action="store_true", help="deterministic checks only (risk engine, ShellCheck), offline")
    parser.add_argument("--role", default="review", metavar="NAME", help="role whose instructions review (default: review)")


def _model_step(args, cfg):
    """The model's review as a step of run_review; a model that fails costs only its findings."""
    from ccgpt.assist.review import model_review
    from ccgpt.assist.roles import get_role, role_model
    from ccgpt.llm.registry import resolve_backend
    from ccgpt.store.interactions import log_quietly

    role = get_role(args.role)

    def step(files):
        try:
            backend, model = resolve_backend(cfg, args, task=role.task, quiet=True)
        except CcgptError as exc:
            return [], 0, [f"model review skipped: {exc}"]
        model = role_model(role, backend.name, args.model, model)
        try:
            found, dropped, notes, completion = model_review(backend, model, files, cfg=cfg, system=role.system,
                                                             temperature=role.temperature)
        except CcgptError as exc:
            return [], 0, [f"model review skipped: {exc}"]
        finally:
            backend.close()
        if completion is not None:
            log_quietly(cfg, args, "review", "review of: " + ", ".join(f.path for f in files), completion)
        if dropped:
            notes.append(f"{dropped} model finding(s) dropped: they named no line of the diff")
        return found, dropped, notes

    return step


def _render(review, color: bool) -> str:
    from ccgpt.term.sanitize import sanitize_line

    def paint(sev: str) -> str:
        return f"\x1b[{_COLORS[sev]}m{sev}\x1b[0m" if color else sev

    return "\n".join(f"{sanitize_line(f.path)}:{f.line}: {paint(f.severity)} [{sanitize_line(f.source)}] "
                     f"{sanitize_line(f.message)}" for f in review.findings)


def run(args: argparse.Namespace) -> int:
    from ccgpt import __version__
    from ccgpt.assist.review import run_review
    from ccgpt.assist.review_targets import resolve
    from ccgpt.cli.common import load_config, print_json, use_color
    from ccgpt.term.sanitize import sanitize_line

    if args.json and args.sarif:
        raise UsageError("choose --json or --sarif, not both")
    target = resolve(args.targets, args.staged)
    if not target.files:
        raise CcgptError(f"nothing to review: {target.what} are empty" if target.what.endswith("changes")
                         else f"nothing to review in {target.what}")
    cfg = load_config(args)
    step = None if args.no_llm else _model_step(args, cfg)
    review = run_review(target.files, target.content_of, model_step=step)
    if args.sarif:
        from ccgpt.assist.sarif import to_sarif

        print_json(to_sarif(review.findings, __version__, target.root.as_uri() + "/"))
    elif args.json:
        print_json(review.to_json())
    elif review.findings:
        print(_render(review, use_color(args)))
    if not args.quiet:
        for note in review.notes:
            print(f"ccgpt: {sanitize_line(note)}", file=sys.stderr)
        if not args.json and not args.sarif:
            count = len(review.findings)
            summary = f"{count} finding(s), highest: {review.worst}" if count else "no findings"
            print(f"ccgpt: reviewed {len(target.files)} file(s) of {target.what}: {summary}", file=sys.stderr)
    return review.exit_code
