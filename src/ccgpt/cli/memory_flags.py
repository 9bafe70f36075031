"""The memory flags of `ask`, `chat` and `suggest`: --no-memory and --show-context."""

from __future__ import annotations

import sys


def add_flags(parser) -> None:
    parser.add_argument("--no-memory", action="store_true", help="leave remembered facts out of the prompt")
    parser.add_argument("--show-context", action="store_true",
                        help="say on stderr what was added to the prompt (remembered facts, role)")


def recall_for(cfg, args, backend, text: str):
    """The facts relevant to `text` for this backend; described on stderr with --show-context."""
    from ccgpt.assist.memory import recall

    result = recall(cfg, backend, text, enabled=not getattr(args, "no_memory", False))
    show(args, result.describe())
    return result


def show(args, line: str) -> None:
    if getattr(args, "show_context", False):
        from ccgpt.term.sanitize import sanitize_line

        print(f"ccgpt: {sanitize_line(line)}", file=sys.stderr)
