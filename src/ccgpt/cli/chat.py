"""`ccgpt chat [-c] [--session ID]`: an interactive conversation, stored and resumable.

On a terminal: a prompt with line editing and history (readline), and the commands
/model NAME, /clear, /exit, /help. Without a terminal: every stdin line is one turn, so
conversations can be scripted; nothing ever waits on a prompt nobody can answer.
"""

from __future__ import annotations

import sys

from ccgpt.errors import UsageError

HELP = "commands: /model NAME (switch model), /clear (forget this conversation), /exit (or Ctrl-D), /help"


def configure(parser) -> None:
    parser.add_argument("-c", "--continue", dest="resume", action="store_true", help="resume the latest conversation")
    parser.add_argument("--session", type=int, metavar="ID", help="resume conversation ID")
    parser.add_argument("-s", "--system", help="system prompt for a new conversation")
    parser.add_argument("-t", "--temperature", type=float, help="sampling temperature")


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


def run(args) -> int:
    from ccgpt.assist.ask import SYSTEM_PROMPT
    from ccgpt.cli.common import common_options, interactive, load_config
    from ccgpt.llm.base import Message, Options
    from ccgpt.llm.registry import resolve_backend
    from ccgpt.term.sanitize import sanitize_line
    from ccgpt.store import chats
    from ccgpt.store.db import open_store
    from ccgpt.store.interactions import log_quietly, logging_enabled
    from ccgpt.ui.stream import echo_stream

    if args.json:
        raise UsageError("chat is interactive; use `ccgpt ask --json` for machine output")
    cfg = load_config(args)
    opts = common_options(args)
    backend, model = resolve_backend(cfg, opts, task="general", quiet=opts.quiet)
    keep = logging_enabled(cfg, opts)
    store = open_store() if keep or args.resume or args.session else None
    history: list[Message] = [Message("system", args.system or SYSTEM_PROMPT)]
    session_id = None
    if store is not None and (args.session or args.resume):
        session_id = args.session or chats.latest_session(store)
        if session_id is None:
            raise UsageError("no earlier conversation to continue; start one with `ccgpt chat`")
        if not chats.session_exists(store, session_id):
            raise UsageError(f"no conversation with id {session_id}")
        history += [Message(role, content) for role, content in chats.messages(store, session_id)]
    tty = interactive()
    if tty and not args.quiet:
        resumed = f", resuming conversation {session_id} ({len(history) - 1} messages)" if session_id else ""
        print(f"ccgpt chat with {sanitize_line(model)} on {backend.name}{resumed}. {HELP}", file=sys.stderr)
    options = Options(temperature=args.temperature)
    try:
        for line in _lines(tty):
            text = line.strip()
            if not text:
                continue
            if text in ("/exit", "/quit"):
                break
            if text == "/help":
                print(HELP, file=sys.stderr)
                continue
            if text == "/clear":
                history = history[:1]
                if store and session_id:
                    chats.clear(store, session_id)
                print("conversation cleared", file=sys.stderr)
                continue
            if text.startswith("/model"):
                name = text[len("/model") :].strip()
                if not name:
                    print(f"model: {sanitize_line(model)}", file=sys.stderr)
                else:
                    model = name
                    print(f"now using {sanitize_line(model)}", file=sys.stderr)
                continue
            history.append(Message("user", text))
            if tty:
                sys.stdout.write("ai> ")
            completion = echo_stream(backend.stream_chat(model, history, options), model, backend.name)
            history.append(Message("assistant", completion.text))
            if keep and store:
                if session_id is None:
                    session_id = chats.create_session(store, model, backend.name)
                chats.add_message(store, session_id, "user", text)
                chats.add_message(store, session_id, "assistant", completion.text)
                log_quietly(cfg, opts, "chat", text, completion, session_id=session_id)
    finally:
        backend.close()
        if store:
            store.close()
    return 0
