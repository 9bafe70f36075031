"""`ccgpt shell-init bash|zsh|fish`: print the shell integration to eval (fish: `| source`).

Fast on purpose: it runs in every new shell, so it imports no model, HTTP or rich-text code.
"""

from __future__ import annotations

import argparse
import os
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Print shell code that defines ask, sh-help, sh-explain and sh-script, binds a key "
        "(default Ctrl-G) that turns the typed line into a suggested command placed back in the "
        "line for you to edit or run (it never runs it), and completes ccgpt's commands. "
        'bash: eval "$(ccgpt shell-init bash)"   zsh: eval "$(ccgpt shell-init zsh)"   '
        "fish: ccgpt shell-init fish | source"
    )
    parser.add_argument("shell", nargs="?", choices=("bash", "zsh", "fish"), help="default: from $SHELL")
    parser.add_argument("--key", help="key for the suggest binding, e.g. '\\C-g', ctrl-t, alt-s (default: [ccgpt.shell_init] key, else Ctrl-G)")


def _configured_key(args) -> str | None:
    from ccgpt.errors import CcgptError

    try:
        from ccgpt.config import load_config

        cfg = load_config(getattr(args, "config", None), warn=False)
    except CcgptError as exc:
        # A broken config must not leave the shell without its integration: warn, use the default.
        print(f"ccgpt: warning: {exc}; using the default key", file=sys.stderr)
        return None
    key = cfg.get("shell_init.key")
    return str(key) if key else None


def run(args: argparse.Namespace) -> int:
    from ccgpt.cli.main import COMMANDS
    from ccgpt.errors import UsageError
    from ccgpt.shell_integration import DEFAULT_KEY, KeySpecError, render

    shell = args.shell or os.path.basename(os.environ.get("SHELL", ""))
    if shell not in ("bash", "zsh", "fish"):
        raise UsageError("name the shell: ccgpt shell-init bash|zsh|fish")
    key = args.key or _configured_key(args) or DEFAULT_KEY
    try:
        text = render(shell, key, COMMANDS)
    except KeySpecError as exc:
        source = "--key" if args.key else "[ccgpt.shell_init] key"
        raise UsageError(f"{source}: {exc}") from None
    sys.stdout.write(text)
    return 0
