"""Typed options: what the CLI's flags decided, handed to the layers below it.

The CLI parses flags with argparse and builds these frozen values (`cli.common.common_options`);
nothing below `cli/` sees an argparse Namespace, so the UI, the use cases and the store can be
driven (and type-checked) without a command line.
"""

from __future__ import annotations

from typing import NamedTuple


# A NamedTuple, not a frozen dataclass: immutable all the same, and `ccgpt check` does not pay
# for importing dataclasses (with inspect, ~8 ms) on every run.
class CommonOptions(NamedTuple):
    """The common flags, resolved for one command run."""

    config: str | None = None  # --config PATH (None: the usual lookup order)
    model: str | None = None  # -m: always wins over the task routing
    backend: str | None = None  # --backend: used as is, no silent fallback
    quiet: bool = False  # -q: only the essential result, no notices
    no_log: bool = False  # --no-log: keep this run out of the local history
    color: bool = False  # colours on stdout (flag, NO_COLOR, TERM and a terminal all agree)
    color_err: bool = False  # the same for stderr
