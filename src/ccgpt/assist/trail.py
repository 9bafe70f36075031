"""Audit trail for suggest and script: task -> candidates with levels -> decision -> exit code.

A broken or read-only store warns once on stderr and is then ignored: the person's answer
matters more than its log. `--no-log` and `[ccgpt] log = false` turn it off.
"""

from __future__ import annotations

import sys

from ccgpt.options import CommonOptions


class Trail:
    def __init__(self, cfg, opts: CommonOptions, kind: str):
        from ccgpt.store.interactions import logging_enabled

        self.kind = kind
        self.enabled = logging_enabled(cfg, opts)
        self.event_id: int | None = None
        self._store = None
        self._warned = False

    def _open(self):
        if self._store is None:
            from ccgpt.store.db import open_store

            self._store = open_store()
        return self._store

    def _warn(self, exc: Exception) -> None:
        if not self._warned:
            print(f"ccgpt: warning: not logged to history: {exc}", file=sys.stderr)
            self._warned = True
        self.enabled = False

    def record(self, **fields) -> None:
        if not self.enabled:
            return
        from ccgpt.store.audit import record

        try:
            self.event_id = record(self._open(), self.kind, **fields)
        except Exception as exc:  # sqlite3.Error, OSError, CcgptError
            self._warn(exc)

    def update(self, **fields) -> None:
        if not self.enabled or self.event_id is None:
            return
        from ccgpt.store.audit import update

        try:
            update(self._open(), self.event_id, **fields)
        except Exception as exc:
            self._warn(exc)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
