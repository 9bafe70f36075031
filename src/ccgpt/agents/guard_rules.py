"""The guard's copy of `[ccgpt.rules]`: the configuration parsed once per change, not per command.

`ccgpt guard` runs before every command an agent runs, and reading the TOML configuration
(tomllib compiles its regular expressions on import) costs about as much as the whole risk
verdict. So the parsed rule list is kept in ccgpt's data directory (private, and hidden from
the sandbox like the store), keyed by the configuration file's identity and the shipped
defaults'; any change to either, or an unreadable cache, means a fresh parse. The rules are
those `ccgpt check` applies (one parser: the caller's). One staleness is accepted: a rule
whose text comes from `${env:…}` keeps the value it had when the file last changed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

CACHE_NAME = "guard-rules.json"
# Bumped when what a parse keeps changes (2: a project's allow rules are dropped), so a cache
# written by an earlier build of the same version is not trusted.
_FORMAT = 2


def _key(path: Path) -> list:
    import ccgpt.config

    from ccgpt import __version__

    defaults = Path(ccgpt.config.__file__).parent / "data" / "default_config.toml"
    st, dt = os.stat(path), os.stat(defaults)
    return [os.path.realpath(path), st.st_mtime_ns, st.st_size, st.st_ino, dt.st_mtime_ns, dt.st_size, __version__,
            _FORMAT]


def load(path: Path, parse: Callable[[], list]) -> list:
    """The rule list for the configuration file at `path`; `parse()` computes it when the cache
    does not hold it (its errors propagate: the guard then fails closed)."""
    from ccgpt.paths import data_dir

    key = _key(path)
    cache = data_dir() / CACHE_NAME
    try:
        saved = json.loads(cache.read_text(encoding="utf-8"))
        if isinstance(saved, dict) and saved.get("key") == key and isinstance(saved.get("rules"), list):
            return saved["rules"]
    except (OSError, ValueError):
        pass
    rules = parse()
    _save(cache, {"key": key, "rules": rules})
    return rules


def _save(cache: Path, value: dict) -> None:
    """Write owner-only and atomically; a cache that cannot be written is simply not kept."""
    tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
    try:
        os.makedirs(cache.parent, mode=0o700, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(value, fh)
        os.replace(tmp, cache)
    except (OSError, TypeError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass
