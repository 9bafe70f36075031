"""Every MCP tool call in the audit trail (`ccgpt history --kind mcp`), with the client's name.

A call that only reads (check, explain, suggest) is answered even when the store is broken (a
warning on stderr); a run is not: the record is written before the command starts, and a run
that cannot be recorded does not happen (as in `ccgpt run`).
"""

from __future__ import annotations

import sys

KIND = "mcp"


class ToolAudit:
    def __init__(self, *, log_text: bool = True, store=None):
        self.log_text = log_text
        self._store = store
        self._warned = False

    def _open(self):
        if self._store is None:
            from ccgpt.store.db import open_store

            self._store = open_store()
        return self._store

    def ensure_open(self) -> None:
        """Raise when the trail cannot be written (called before anything runs)."""
        self._open()

    def record(self, tool: str, client: dict, *, command: str | None = None, task: str | None = None,
               level: str | None = None, findings: list | None = None, decision: str | None = None,
               exit_code: int | None = None, duration_ms: float | None = None, detail: dict | None = None) -> None:
        from ccgpt.store.audit import record

        if not self.log_text:
            command = "<not logged>" if command is not None else None
            task = "<not logged>" if task is not None else None
        # The task column is what `ccgpt history` shows and searches: the client's name goes there.
        via = f"{tool} via MCP client {client.get('name', 'unknown')}"
        task = f"{task} ({via})" if task else via
        try:
            record(self._open(), KIND, task=task, command=command, level=level, findings=findings,
                   decision=decision, exit_code=exit_code, duration_ms=duration_ms,
                   detail={"tool": tool, "client": client, **(detail or {})})
        except Exception as exc:  # noqa: BLE001 - sqlite3.Error, OSError, CcgptError
            if not self._warned:
                from ccgpt.term.sanitize import sanitize_line

                print(f"ccgpt mcp: warning: not recorded in the audit trail: {sanitize_line(str(exc))}",
                      file=sys.stderr)
                self._warned = True

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
