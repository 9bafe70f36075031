"""`ccgpt check`: classify commands by the risk policy. Offline, no model, fast start-up.

Exit code: 0 safe, 3 review, 4 dangerous, 5 blocked (the highest level seen), 2 usage, 1 other.
"""

from __future__ import annotations

import sys



COMMAND_WORDS = True  # `ccgpt check grep -q x`: the -q is grep's


def configure(parser) -> None:
    import argparse

    # REMAINDER: `ccgpt check sudo rm -rf /` must not read `-rf` as a flag of check itself.
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="COMMAND",
                        help="the command to classify (several words are joined by spaces); '-' or none reads stdin")
    parser.add_argument("-f", "--file", metavar="SCRIPT", help="classify a whole script file")
    parser.add_argument("--each", action="store_true",
                        help="read one command per stdin line; with --json print one JSON object per line")


def _user_rules(args, *, warn: bool = True) -> list:
    """User rules from `[ccgpt.rules]` of the configuration file, when there is one.

    Allow rules lower verdicts, so they are taken only from a file the person chose (--config,
    $CCGPT_CONFIG, their user config). The checkout's own `configs/` file is one a cloned
    repository can ship, or an agent can write: its deny rules apply, its allow rules do not."""
    from ccgpt.config import find_config_file, load_config
    from ccgpt.errors import ConfigError

    path, why = find_config_file(getattr(args, "config", None))
    if path is None:
        return []  # the common case: no file, nothing more to import or read
    from ccgpt.risk.user_rules import compile_rules, from_config, is_allow

    config = load_config(str(path), warn=warn)
    try:
        rules = from_config(config.get("rules", {}))
        compile_rules(rules)
    except ValueError as e:
        raise ConfigError(f"[ccgpt.rules]: {e}") from None
    if why == "checkout" and any(is_allow(r) for r in rules):
        if warn:
            print(f"ccgpt: warning: {path}: allow rules in a project's configuration are ignored (it may come "
                  "from the repository, not from you); put them in your own (ccgpt config path)", file=sys.stderr)
        rules = [r for r in rules if not is_allow(r)]
    return rules


def _read_stdin() -> str:
    if sys.stdin is None:
        return ""
    try:
        return sys.stdin.read()
    except UnicodeDecodeError:
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else b""
        return data.decode("utf-8", "replace")


def run(args) -> int:
    from ccgpt.errors import CcgptError, UsageError
    from ccgpt.risk.levels import EXIT_CODES, RANK
    from ccgpt.risk.classify import classify, classify_script

    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if args.file and args.command:
        raise UsageError("give either COMMAND or --file SCRIPT, not both")
    if args.each and (args.file or (args.command and args.command != ["-"])):
        raise UsageError("--each reads commands from stdin, one per line; do not give COMMAND or --file")
    rules = _user_rules(args)
    if args.file:
        try:
            with open(args.file, encoding="utf-8", errors="surrogateescape") as fh:
                inputs = [fh.read()]
        except OSError as e:
            raise CcgptError(f"cannot read {args.file}: {e.strerror or e}") from None
    elif args.each:
        inputs = [line for line in _read_stdin().splitlines() if line.strip()]
    elif not args.command or args.command == ["-"]:
        if sys.stdin is not None and sys.stdin.isatty():
            raise UsageError("no command given; usage: ccgpt check COMMAND… | --file SCRIPT | --each < commands.txt")
        inputs = [_read_stdin().rstrip("\n")]
    else:
        inputs = [" ".join(args.command)]
    if not args.each and not inputs[0].strip():
        raise UsageError("the command is empty")
    from ccgpt.run.fsprobe import FilesystemProbe

    probe = FilesystemProbe()  # overwrite or create, where home is, what a script run by name holds
    try:
        judge = classify_script if args.file else classify  # a script file expands no history
        verdicts = [judge(text, extra_rules=rules, probe=probe) for text in inputs]
    except ValueError as e:
        raise CcgptError(str(e)) from None
    out = sys.stdout
    if args.json:
        import json

        for v in verdicts:
            out.write(json.dumps(v.to_json(), ensure_ascii=True) + "\n")
    else:
        from ccgpt.cli.common import use_color

        color = use_color(args)
        for v in verdicts:
            _render(v, out, color, quiet=args.quiet)
    worst = max((RANK[v.level] for v in verdicts), default=0)
    return list(EXIT_CODES.values())[worst]


def _render(v, out, color: bool, quiet: bool) -> None:
    from ccgpt.term.palette import paint_level
    from ccgpt.term.sanitize import sanitize

    def paint(level: str, text: str) -> str:
        return paint_level(level, text, color)

    if quiet:
        out.write(v.level + "\n")
        return
    lines = v.command.split("\n")
    multi = len(lines) > 1
    count = len(v.command.rstrip("\n").split("\n"))
    out.write(f"{paint(v.level, v.level.upper())}  {sanitize(lines[0]) if not multi else f'({count} lines)'}\n")
    starts = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    for f in v.findings:
        out.write(f"  {paint(f.level, f.level)}  {f.rule}: {sanitize(f.message)}\n")
        # Caret line under the span, on the line where the span starts.
        row = max(i for i, s in enumerate(starts) if s <= f.span[0])
        line = lines[row]
        start = f.span[0] - starts[row]
        end = min(f.span[1] - starts[row], len(line))
        shown = sanitize(line[:start])
        marked = sanitize(line[start:end]) or " "
        prefix = f"    {row + 1:>4} | " if multi else "    "
        out.write(f"{prefix}{sanitize(line)}\n")
        out.write(" " * (len(prefix) + len(shown)) + "^" * max(1, len(marked)) + "\n")
