"""The environment a sandboxed command gets: a short allow-list, never the caller's secrets.

A person's shell environment is full of credentials (OPENAI_API_KEY, AWS_SECRET_ACCESS_KEY,
GITHUB_TOKEN, SSH_AUTH_SOCK, ...). A sandboxed command starts from nothing and gets only what a
command needs to behave normally; anything else must be named in `[ccgpt.sandbox] pass_env`.
Even then, names that look like secrets are passed only when named exactly (no wildcards).
"""

from __future__ import annotations

import fnmatch
import os
import re

ALLOWED = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TERM", "TZ", "SHELL", "COLUMNS", "LINES")
ALLOWED_PREFIXES = ("LC_",)
SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSW|PASSPHRASE|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE)", re.I)
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def sandbox_env(source: dict[str, str] | None = None, pass_env: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    """The full environment for the sandboxed command, built from `source` (default os.environ).

    `pass_env` entries are exact names or shell-style patterns (`PIP_*`); a pattern never lets
    through a name that looks like a secret, an exact name does (the person asked for it).
    """
    source = dict(os.environ if source is None else source)
    env: dict[str, str] = {}
    for name, value in source.items():
        if name in ALLOWED or name.startswith(ALLOWED_PREFIXES):
            env[name] = value
    for entry in pass_env:
        entry = str(entry)
        if any(c in entry for c in "*?["):
            for name, value in source.items():
                if fnmatch.fnmatchcase(name, entry) and not SECRET_NAME.search(name):
                    env[name] = value
        elif entry in source:
            env[entry] = source[entry]
    env.setdefault("PATH", DEFAULT_PATH)
    env["CCGPT_SANDBOX"] = "1"  # lets a script know, and makes nesting visible
    return env
