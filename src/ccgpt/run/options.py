"""How one `execute()` call behaves: typed options, built by the CLI (or a menu) from its flags."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunOptions:
    net: bool = False  # share the host's network
    preview: bool = False  # run against a throwaway copy first and show what would change
    assume_yes: bool = False  # answers y/N (never the typed word a dangerous command needs)
    timeout: float | None = None  # wall-clock seconds; None = the config's
    unsafe_no_sandbox: bool = False
    tty: bool = False  # a person is there to answer (fail closed: no one is, unless told)
    color: bool = False
    log_text: bool = True  # keep the command text in the audit trail
    interactive: bool = False  # the command reads the person's keystrokes through a sanitised pty
    json_output: bool = False  # capture the output; print one JSON object on stdout at the end
