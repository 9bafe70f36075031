"""`ccgpt history [QUERY]`: show and search the local log — the audit trail (what was proposed,
decided, run, with exit codes) and the model interactions (prompts and answers).

QUERY is full-text (every word must match). Newest first. Everything shown is sanitised:
the log holds model output, which may carry terminal escape sequences.
"""

from __future__ import annotations

import time

from ccgpt.errors import UsageError

SOURCES = ("all", "audit", "interactions")
# What --kind accepts: the audit trail's kinds and the commands whose model calls are logged.
# `chat` lists the stored conversations instead.
KINDS = ("ask", "chat", "suggest", "script", "run", "explain", "eval", "commit", "review", "mcp")


def configure(parser) -> None:
    parser.add_argument("query", nargs="*", help="words to search for (full-text; all must match)")
    parser.add_argument("-n", "--limit", type=int, default=20, help="show at most N entries of each kind (default 20)")
    parser.add_argument("--kind", choices=KINDS, help="only entries of this kind; `chat` lists the stored conversations")
    parser.add_argument("--source", choices=SOURCES, default="all", help="audit trail, model interactions, or both")


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))


def _short(text: str | None, width: int = 70) -> str:
    from ccgpt.term.sanitize import sanitize_line

    text = sanitize_line(text or "")
    return text if len(text) <= width else text[: width - 1] + "…"


def audit_json(e) -> dict:
    return {"source": "audit", "id": e.id, "ts": e.ts, "kind": e.kind, "task": e.task, "command": e.command,
            "level": e.level, "findings": e.findings, "decision": e.decision, "exit_code": e.exit_code,
            "duration_ms": e.duration_ms, "detail": e.detail}


def interaction_json(i) -> dict:
    return {"source": "interaction", "id": i.id, "ts": i.ts, "command": i.command, "model": i.model,
            "backend": i.backend, "prompt": i.prompt, "response": i.response, "prompt_tokens": i.prompt_tokens,
            "completion_tokens": i.completion_tokens, "duration_ms": i.duration_ms}


def audit_line(e) -> str:
    parts = [_when(e.ts), f"{e.kind:<8}"]
    if e.level:
        parts.append(f"[{e.level}]")
    if e.command:
        parts.append(_short(e.command, 60))
    if e.task:
        parts.append(f'— "{_short(e.task, 50)}"')
    if e.decision:
        parts.append(f"decision: {_short(e.decision, 30)}")
    if e.exit_code is not None:
        parts.append(f"exit {e.exit_code}")
    if e.duration_ms is not None:
        parts.append(f"({e.duration_ms:.0f} ms)")
    return "  ".join(parts)


def interaction_line(i) -> str:
    model = f"{i.model or '?'}@{i.backend or '?'}"
    return f'{_when(i.ts)}  {i.command:<8}  {_short(model, 30)}  "{_short(i.prompt, 50)}" → {_short(i.response, 50)}'


def session_json(s) -> dict:
    return {"source": "chat", "id": s.id, "created": s.created, "updated": s.updated, "title": s.title,
            "model": s.model, "backend": s.backend, "messages": s.messages}


def session_line(s) -> str:
    model = f"{s.model or '?'}@{s.backend or '?'}"
    return f'{s.id:>4}  {_when(s.updated)}  {s.messages:>3} msg  {_short(model, 30)}  "{_short(s.title, 60)}"'


def print_chat_sessions(query: str | None, limit: int, as_json: bool = False) -> int:
    """The stored conversations, most recent first (`history --kind chat`, `chat --list`)."""
    from ccgpt.cli.common import print_json
    from ccgpt.store.chats import sessions
    from ccgpt.store.db import open_store

    store = open_store()
    try:
        found = sessions(store, limit=limit, query=query)
    finally:
        store.close()
    if as_json:
        print_json({"query": query, "chats": [session_json(s) for s in found]})
        return 0
    if not found:
        print("no matching conversation" if query else "no stored conversation yet (start one with `ccgpt chat`)")
        return 0
    print("conversations (most recent first; resume one with `ccgpt chat --session ID`):")
    for s in found:
        print("  " + session_line(s))
    return 0


def run(args) -> int:
    from ccgpt.cli.common import print_json
    from ccgpt.store.audit import search
    from ccgpt.store.db import open_store
    from ccgpt.store.interactions import search_interactions

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    query = " ".join(args.query).strip() or None
    if args.kind == "chat":
        return print_chat_sessions(query, args.limit, as_json=args.json)
    store = open_store()
    try:
        events = search(store, query, kind=args.kind, limit=args.limit) if args.source in ("all", "audit") else []
        # --kind names audit kinds; interactions are filtered by their command with the same word.
        talks = []
        if args.source in ("all", "interactions"):
            talks = search_interactions(store, query, limit=args.limit * (3 if args.kind else 1))
            if args.kind:
                talks = [t for t in talks if t.command == args.kind][: args.limit]
    finally:
        store.close()

    if args.json:
        print_json({"query": query, "audit": [audit_json(e) for e in events],
                    "interactions": [interaction_json(i) for i in talks]})
        return 0
    if not events and not talks:
        print("no matching history" if query else "no history yet")
        return 0
    if events:
        print("audit trail (newest first):")
        for e in events:
            print("  " + audit_line(e))
    if talks:
        if events:
            print()
        print("model interactions (newest first):")
        for i in talks:
            print("  " + interaction_line(i))
    return 0
