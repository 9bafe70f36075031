"""The code `ccgpt shell-init SHELL` prints: aliases, the suggest key binding, completions.

Kept free of heavy imports: it runs in every new shell. The templates live in data/shell/;
this module fills in the key (translated to each shell's notation) and the command list.
"""

from __future__ import annotations

import re
from pathlib import Path

SHELLS = ("bash", "zsh", "fish")
DEFAULT_KEY = "\\C-g"
_TEMPLATES = Path(__file__).parent / "data" / "shell"

# Sub-actions offered after the command name (kept in step with the commands' own parsers).
SUBCOMMANDS: dict[str, tuple[str, ...]] = {
    "models": ("list", "pull", "rm", "show", "recommend", "use"),
    "keys": ("create", "list", "revoke"),
    "config": ("show", "path", "init"),
    "shell-init": SHELLS,
}
COMMON_FLAGS = ("--help", "--json", "--model", "--backend", "--config", "--quiet", "--no-color", "--no-log")

# Ctrl with these letters is Tab, Enter, newline, interrupt, EOF, suspend or flow control:
# binding them would break the terminal, not add a feature.
_RESERVED_CTRL = set("cdijmqsz")


class KeySpecError(ValueError):
    """A key the shells cannot bind safely (the message says why)."""


def parse_key(spec: str) -> tuple[str, str]:
    """Return (modifier, char) with modifier "ctrl" or "alt" from readline, caret, or word notation:
    \\C-g, C-g, ctrl-g, ctrl+g, ^G, \\M-g, M-g, alt-g, \\eg."""
    s = spec.strip()
    patterns = [
        (r"\\?C-(.)", "ctrl"),
        (r"(?i)ctrl[-+](.)", "ctrl"),
        (r"\^(.)", "ctrl"),
        (r"\\?M-(.)", "alt"),
        (r"(?i)(?:alt|meta)[-+](.)", "alt"),
        (r"\\e(.)", "alt"),
    ]
    for pattern, modifier in patterns:
        m = re.fullmatch(pattern, s)
        if m:
            char = m.group(1).lower()
            if not re.fullmatch(r"[a-z]" if modifier == "ctrl" else r"[a-z0-9]", char):
                raise KeySpecError(f"key {spec!r}: use a letter{' or digit' if modifier == 'alt' else ''} after {modifier}")
            if modifier == "ctrl" and char in _RESERVED_CTRL:
                raise KeySpecError(f"key {spec!r} is Tab, Enter, interrupt, EOF, suspend or flow control; pick another (default \\C-g)")
            return modifier, char
    raise KeySpecError(f"key {spec!r} not understood; write it like \\C-g, ctrl-g, ^G or alt-g")


def key_for(shell: str, spec: str) -> str:
    modifier, char = parse_key(spec)
    if shell == "bash":
        return f"\\C-{char}" if modifier == "ctrl" else f"\\e{char}"
    if shell == "zsh":
        return f"^{char.upper()}" if modifier == "ctrl" else f"^[{char}"
    if shell == "fish":
        return f"\\c{char}" if modifier == "ctrl" else f"\\e{char}"
    raise ValueError(shell)


def _sq(text: str) -> str:
    """Single-quote for bash and zsh."""
    return "'" + text.replace("'", "'\\''") + "'"


def _fish_sq(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def render(shell: str, key: str, commands: dict[str, tuple[str, str]]) -> str:
    if shell not in SHELLS:
        raise ValueError(shell)
    text = (_TEMPLATES / f"ccgpt.{shell}").read_text(encoding="utf-8")
    names = " ".join(commands)
    flags = " ".join(COMMON_FLAGS)
    text = text.replace("__CCGPT_KEY__", key_for(shell, key))
    text = text.replace("__CCGPT_COMMANDS__", names).replace("__CCGPT_FLAGS__", flags)
    if shell == "bash":
        cases = "\n".join(
            f'            {cmd}) COMPREPLY=( $(compgen -W "{" ".join(subs)}" -- "$cur") ) ;;'
            for cmd, subs in SUBCOMMANDS.items()
        )
        text = text.replace("__CCGPT_BASH_SUBCOMMANDS__", cases)
    elif shell == "zsh":
        describe = "\n".join(f"        {_sq(name.replace(':', chr(92) + ':') + ':' + summary)}" for name, (_, summary) in commands.items())
        cases = "\n".join(f"            {cmd}) compadd -- {' '.join(subs)}; return ;;" for cmd, subs in SUBCOMMANDS.items())
        text = text.replace("__CCGPT_ZSH_DESCRIBE__", describe).replace("__CCGPT_ZSH_SUBCOMMANDS__", cases)
    else:
        lines = [
            f"complete -c ccgpt -f -n __fish_use_subcommand -a {_fish_sq(name)} -d {_fish_sq(summary)}"
            for name, (_, summary) in commands.items()
        ]
        lines += [
            f"complete -c ccgpt -f -n {_fish_sq('__fish_seen_subcommand_from ' + cmd)} -a {_fish_sq(' '.join(subs))}"
            for cmd, subs in SUBCOMMANDS.items()
        ]
        lines += [f"complete -c ccgpt -l {flag[2:]}" for flag in COMMON_FLAGS]
        text = text.replace("__CCGPT_FISH_COMPLETIONS__", "\n".join(lines))
    return text
