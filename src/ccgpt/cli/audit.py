"""`ccgpt audit`: security self-check of this installation.

Exit codes: 0 no high-severity finding; 3 at least one high-severity finding (after --fix,
what remains); 1 an error (including --fix refused without a terminal and without --yes);
2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_HIGH = 3


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Check this installation: config file permissions and secrets, Ollama exposure, CORS and "
        "version, gateway settings, store permissions, sandbox availability, and the Dockerfiles "
        "and compose files of the current directory. Exit code 3 when a high-severity finding exists."
    )
    parser.add_argument("--sarif", metavar="FILE", help="also write the findings as SARIF 2.1.0 to FILE ('-' for stdout)")
    parser.add_argument("--fix", action="store_true", help="apply the safe fixes (file permissions) after confirmation")
    parser.add_argument("-y", "--yes", action="store_true", help="with --fix: do not ask (required without a terminal)")
    parser.add_argument("--project", metavar="DIR", help="where to look for Dockerfiles and compose files (default: .)")
    parser.add_argument("--offline", action="store_true", help="open no network connection (skips Ollama's version and address probes)")


def run(args: argparse.Namespace) -> int:
    from ccgpt import __version__
    from ccgpt.cli import common
    from ccgpt.errors import CcgptError, UsageError
    from ccgpt.security.audit import build_context, has_high, report, run_audit

    project = Path(args.project) if args.project else Path.cwd()
    if not project.is_dir():
        raise UsageError(f"--project {args.project}: not a directory")
    if args.json and args.sarif == "-":
        raise UsageError("--json and --sarif - both want stdout; write the SARIF to a file")

    ctx = build_context(args.config, project, probe_network=not args.offline)
    findings = run_audit(ctx)

    if args.fix:
        fixes = [fx for f in findings for fx in f.fixes]
        if fixes:
            _apply_fixes(fixes, args)
            findings = run_audit(ctx)
        else:
            print("ccgpt: nothing to fix automatically", file=sys.stderr)

    if args.sarif:
        import json

        doc = report.to_sarif(findings, version=__version__, base=project)
        text = json.dumps(doc, indent=2, ensure_ascii=True) + "\n"
        if args.sarif == "-":
            sys.stdout.write(text)
        else:
            try:
                Path(args.sarif).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CcgptError(f"cannot write {args.sarif}: {exc.strerror or exc}") from None
    if args.json:
        common.print_json(report.to_json(findings))
    elif args.sarif != "-":
        quiet = args.quiet
        print(report.render_text(findings, color=common.use_color(args), verbose=not quiet, hide_info=quiet))
    return EXIT_HIGH if has_high(findings) else 0


def _apply_fixes(fixes, args) -> None:
    from ccgpt.cli import common
    from ccgpt.errors import CcgptError

    print("ccgpt audit --fix would run:", file=sys.stderr)
    for fx in fixes:
        print(f"  {fx.describe()}", file=sys.stderr)
    if not args.yes:
        if not common.interactive():
            raise CcgptError("not a terminal: nothing was changed; re-run with --fix --yes to apply these fixes")
        print(f"Apply these {len(fixes)} change(s)? [y/N] ", end="", file=sys.stderr, flush=True)
        answer = sys.stdin.readline().strip().lower()
        if answer not in ("y", "yes"):
            print("ccgpt: nothing changed", file=sys.stderr)
            return
    failed = 0
    for fx in fixes:
        try:
            fx.apply()
        except OSError as exc:
            failed += 1
            print(f"ccgpt: {fx.describe()} failed: {exc.strerror or exc}", file=sys.stderr)
    print(f"ccgpt: applied {len(fixes) - failed} of {len(fixes)} fix(es)", file=sys.stderr)
