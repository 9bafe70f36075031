"""Regular expressions compiled on first use.

`ccgpt check "ls -la"` never needs most of the engine's patterns (base64 payloads, SQL, socket
code …); compiling them all at import would cost more than the classification itself."""

from __future__ import annotations

import re


class LazyRe:
    __slots__ = ("_args", "search", "match", "fullmatch", "sub", "subn", "finditer", "findall", "split")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)

    def __getattr__(self, name: str):
        # Only reached before the first compile: afterwards the methods are instance slots.
        if name not in LazyRe.__slots__ or name == "_args":
            raise AttributeError(name)
        compiled = re.compile(*self._args)
        for attr in LazyRe.__slots__[1:]:
            setattr(self, attr, getattr(compiled, attr))
        return getattr(compiled, name)


def lazy_re(pattern: str, flags: int = 0) -> LazyRe:
    return LazyRe(pattern, flags)
