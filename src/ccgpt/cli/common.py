"""Flags and helpers shared by every command."""

from __future__ import annotations

import argparse
import os
import sys

from ccgpt.options import CommonOptions

BACKENDS = ("ollama", "openai", "embedded")


def _columns() -> int:
    """The terminal's width as shutil.get_terminal_size() reads it ($COLUMNS, then stdout, then
    80), without importing shutil (and bz2, lzma) on every `ccgpt check`."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    stream = sys.__stdout__
    if stream is None:
        return 80
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


class SafeParser(argparse.ArgumentParser):
    """argparse, with what it prints sanitised: its errors repeat the words typed
    (`unrecognized arguments: …`, `invalid choice: …`), which may carry terminal escapes."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def _print_message(self, message: str, file=None) -> None:
        if message:
            from ccgpt.term.sanitize import sanitize

            super()._print_message(sanitize(message), file)


def add_common(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("common flags")
    g.add_argument("--json", action="store_true", help="machine-readable output on stdout, nothing else")
    g.add_argument("-m", "--model", help="model name (always wins over task routing)")
    g.add_argument("--backend", choices=BACKENDS, help="model backend (default: from config, then fallback to embedded)")
    g.add_argument("--config", metavar="PATH", help="configuration file (default: $CCGPT_CONFIG, ./configs/dbgpt-proxy-ollama.toml, user config)")
    g.add_argument("-q", "--quiet", action="store_true", help="print only the essential result")
    g.add_argument("--no-color", action="store_true", help="no colours (also: NO_COLOR set, or not a terminal)")
    g.add_argument("--no-log", action="store_true", help="do not record this interaction in the local history")


def use_color(args: argparse.Namespace, stream=None) -> bool:
    stream = stream or sys.stdout
    if getattr(args, "no_color", False) or os.environ.get("NO_COLOR") or getattr(args, "json", False):
        return False
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


def common_options(args: argparse.Namespace) -> CommonOptions:
    """The typed form of the common flags, for everything below the CLI."""
    return CommonOptions(
        config=getattr(args, "config", None),
        model=getattr(args, "model", None),
        backend=getattr(args, "backend", None),
        quiet=bool(getattr(args, "quiet", False)),
        no_log=bool(getattr(args, "no_log", False)),
        color=use_color(args, sys.stdout),
        color_err=use_color(args, sys.stderr),
    )


def interactive() -> bool:
    """True when a person can answer a prompt: stdin and stdout are both terminals."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def load_config(args: argparse.Namespace):
    from ccgpt.config import load_config as _load

    return _load(getattr(args, "config", None))


def print_json(obj) -> None:
    import json

    # ensure_ascii keeps every control or invisible character escaped (\\u001b, \\u202e):
    # JSON output is never a way to smuggle terminal sequences.
    sys.stdout.write(json.dumps(obj, ensure_ascii=True) + "\n")
