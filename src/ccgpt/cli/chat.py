"""`ccgpt chat [-c] [--session ID] [--list]`: an interactive conversation, stored and resumable.

On a terminal: a prompt with line editing and history (readline), and the commands
/model NAME, /role NAME, /clear, /exit, /help (ui/chat.py). Without a terminal: every stdin line is one
turn. The conversation's id is shown when it starts and ends; `--list` (or
`ccgpt history --kind chat`) lists the stored ones with their first line.
"""

from __future__ import annotations

import sys

from ccgpt.errors import UsageError


def configure(parser) -> None:
    parser.add_argument("-c", "--continue", dest="resume", action="store_true", help="resume the latest conversation")
    parser.add_argument("--session", type=int, metavar="ID", help="resume conversation ID")
    parser.add_argument("--list", action="store_true", help="list the stored conversations (id, date, first line) and exit")
    parser.add_argument("-s", "--system", help="system prompt for a new conversation")
    parser.add_argument("-t", "--temperature", type=float, help="sampling temperature")
    parser.add_argument("--max-tokens", type=int, metavar="N", help="cap each answer's length in tokens")
    parser.add_argument("--no-stream", action="store_true", help="print each answer when it is complete")
    parser.add_argument("--role", metavar="NAME", help="start with a role preset (`ccgpt roles list`)")
    from ccgpt.cli.memory_flags import add_flags

    add_flags(parser)


def _lines(interactive: bool):
    if not interactive:
        for line in sys.stdin:
            yield line.rstrip("\n")
        return
    import readline  # noqa: F401  - enables line editing and history for input()

    while True:
        try:
            yield input("you> ")
        except EOFError:
            print()
            return


def _resume(store, args, history) -> int | None:
    """The id of the conversation to continue (its messages appended to `history`), or None."""
    from ccgpt.llm.base import Message
    from ccgpt.store import chats

    if not (args.session or args.resume):
        return None
    session_id = args.session or chats.latest_session(store)
    if session_id is None:
        raise UsageError("no earlier conversation to continue; start one with `ccgpt chat`")
    if not chats.session_exists(store, session_id):
        raise UsageError(f"no conversation with id {session_id}")
    history += [Message(role, content) for role, content in chats.messages(store, session_id)]
    return session_id


def run(args) -> int:
    from ccgpt.assist.ask import SYSTEM_PROMPT
    from ccgpt.assist.memory import with_memory
    from ccgpt.assist.roles import get_role
    from ccgpt.cli.chat_role import apply_role, slash_role
    from ccgpt.cli.common import common_options, interactive, load_config
    from ccgpt.cli.memory_flags import recall_for
    from ccgpt.llm.base import Message, Options
    from ccgpt.llm.registry import resolve_backend
    from ccgpt.store import chats
    from ccgpt.store.db import open_store
    from ccgpt.store.interactions import log_quietly, logging_enabled
    from ccgpt.term.sanitize import sanitize_line
    from ccgpt.ui.chat import HELP, Chat, ChatHooks, ChatSettings, SessionLog
    from ccgpt.ui.waiting import with_progress

    if args.list:
        from ccgpt.cli.history import print_chat_sessions

        return print_chat_sessions(None, limit=20, as_json=args.json)
    if args.json:
        raise UsageError("chat is interactive; use `ccgpt ask --json` for machine output")
    if args.max_tokens is not None and args.max_tokens < 1:
        raise UsageError("--max-tokens must be at least 1")
    cfg = load_config(args)
    opts = common_options(args)
    keep = logging_enabled(cfg, opts)
    store = open_store() if keep or args.resume or args.session else None
    history: list[Message] = [Message("system", args.system or SYSTEM_PROMPT)]
    session_id = _resume(store, args, history) if store is not None else None
    resumed = session_id is not None
    role = get_role(args.role) if args.role else None
    backend, model = resolve_backend(cfg, opts, task=role.task if role else "general", quiet=opts.quiet)
    temperature = args.temperature
    if role:
        model, temperature = apply_role(role, history, args, backend.name, model)
    if keep and store is not None and session_id is None:
        session_id = chats.create_session(store, model, backend.name)
    tty = interactive()
    if tty and not opts.quiet:
        what = (f"resuming conversation {session_id} ({len(history) - 1} messages)" if resumed
                else f"conversation {session_id}" if session_id else "not stored (--no-log)")
        print(f"ccgpt chat with {sanitize_line(model)} on {backend.name}, {what}. {HELP}", file=sys.stderr)
    settings = ChatSettings(Options(temperature=temperature, max_tokens=args.max_tokens),
                            stream=not args.no_stream, tty=tty, quiet=opts.quiet)
    current = {"role": role}

    def switch_role(chat, name: str) -> None:
        chat.model, chat.settings.options.temperature, current["role"] = slash_role(
            name, chat.history, args, backend.name, chat.model, current["role"], chat.settings.options.temperature)

    hooks = ChatHooks(commands={"/role": switch_role},
                      system_for_turn=lambda system, text: with_memory(system, recall_for(cfg, args, backend, text)))
    chat = Chat(with_progress(backend, opts.quiet), model, history,
                SessionLog(store if keep else None, session_id), settings,
                on_turn=lambda text, completion: log_quietly(cfg, opts, "chat", text, completion, session_id=session_id),
                hooks=hooks)
    try:
        chat.loop(_lines(tty))
    finally:
        backend.close()
        if store is not None:
            _farewell(store, session_id if keep else None, opts.quiet)
            store.close()
    return 0


def _farewell(store, session_id: int | None, quiet: bool) -> None:
    """Say where the conversation is kept; forget one that never got a message."""
    from ccgpt.store import chats

    if session_id is None:
        return
    if chats.delete_if_empty(store, session_id):
        return
    if not quiet:
        print(f"ccgpt: conversation {session_id} saved; resume it with `ccgpt chat --session {session_id}`",
              file=sys.stderr)
