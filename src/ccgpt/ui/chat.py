"""The `ccgpt chat` conversation: turns, the /commands, and where each turn is kept.

On a terminal: a prompt with line editing (readline). Without one: every stdin line is a turn,
so conversations can be scripted; nothing waits on a prompt nobody can answer. Every answer
reaches the terminal through the sanitiser (ui/stream.py).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Callable

from ccgpt.llm.base import Message, Options
from ccgpt.term.sanitize import sanitize_line

HELP = "commands: /model NAME (switch model), /role NAME (switch role), /clear (forget this conversation), /exit (or Ctrl-D), /help"


@dataclass(frozen=True)
class ChatSettings:
    options: Options  # temperature, max_tokens
    stream: bool = True  # False: print each answer when it is complete (--no-stream)
    tty: bool = False  # a person at a terminal: prompts and the banner
    quiet: bool = False


@dataclass
class ChatHooks:
    """What other features add to a conversation without the loop knowing them by name."""

    # "/role" -> handler(chat, rest of the line): extra /commands
    commands: dict[str, Callable[["Chat", str], None]] = field(default_factory=dict)
    # (system prompt, this turn's text) -> the system prompt sent for this turn only (memory)
    system_for_turn: Callable[[str, str], str] | None = None


class SessionLog:
    """Keeps a conversation in the store (`store/chats.py`); a None store keeps nothing (--no-log)."""

    def __init__(self, store: Any, session_id: int | None):
        self.store = store
        self.id = session_id

    def add(self, user: str, answer: str) -> None:
        if self.store is None or self.id is None:
            return
        from ccgpt.store import chats

        chats.add_message(self.store, self.id, "user", user)
        chats.add_message(self.store, self.id, "assistant", answer)

    def clear(self) -> None:
        if self.store is not None and self.id is not None:
            from ccgpt.store import chats

            chats.clear(self.store, self.id)


def known_model(name: str, available: list[str]) -> str | None:
    """`name` as the backend knows it: exact, or Ollama's implicit `:latest` tag."""
    if name in available:
        return name
    if ":" not in name and f"{name}:latest" in available:
        return name
    return None


class Chat:
    def __init__(self, backend: Any, model: str, history: list[Message], log: SessionLog, settings: ChatSettings,
                 on_turn: Callable[[str, Any], None] | None = None, hooks: ChatHooks | None = None):
        self.backend = backend
        self.model = model
        self.history = history
        self.log = log
        self.settings = settings
        self.on_turn = on_turn or (lambda text, completion: None)
        self.hooks = hooks or ChatHooks()

    def say(self, text: str) -> None:
        print(text, file=sys.stderr)

    def loop(self, lines: Iterable[str]) -> None:
        for line in lines:
            text = line.strip()
            if not text:
                continue
            if text in ("/exit", "/quit"):
                return
            if text.startswith("/") and self.command(text):
                continue
            self.turn(text)

    def command(self, text: str) -> bool:
        """Handle a /command; False when `text` is not one (it is then sent as a message)."""
        word, _, rest = text.partition(" ")
        if word == "/help":
            self.say(HELP)
        elif word == "/clear":
            self.history = self.history[:1]
            self.log.clear()
            self.say("conversation cleared")
        elif word == "/model":
            self.switch_model(rest.strip())
        elif word in self.hooks.commands:
            self.hooks.commands[word](self, rest.strip())
        else:
            return False
        return True

    def switch_model(self, name: str) -> None:
        if not name:
            self.say(f"model: {sanitize_line(self.model)}")
            return
        from ccgpt.errors import CcgptError

        try:
            available = sorted(m.name for m in self.backend.list_models())
        except (CcgptError, OSError) as exc:
            self.say(f"cannot list the models of {self.backend.name} ({sanitize_line(str(exc))}); "
                     f"still using {sanitize_line(self.model)}")
            return
        chosen = known_model(name, available)
        if chosen is None:
            names = ", ".join(sanitize_line(n) for n in available) or "none"
            self.say(f"no model {sanitize_line(name)!r} on {self.backend.name} (models: {names}); "
                     f"still using {sanitize_line(self.model)}")
            return
        self.model = chosen
        self.say(f"now using {sanitize_line(chosen)}")

    def turn(self, text: str) -> None:
        from ccgpt.ui.stream import echo_stream

        self.history.append(Message("user", text))
        prefix = "ai> " if self.settings.tty else ""
        sent = self.history
        if self.hooks.system_for_turn is not None:  # this turn only: never kept in the history
            sent = [Message("system", self.hooks.system_for_turn(self.history[0].content, text)), *self.history[1:]]
        if self.settings.stream:
            chunks: Iterator = self.backend.stream_chat(self.model, sent, self.settings.options)
            completion = echo_stream(chunks, self.model, self.backend.name, prefix=prefix)
        else:
            from ccgpt.term.sanitize import sanitize

            completion = self.backend.chat(self.model, sent, self.settings.options)
            print(prefix + sanitize(completion.text).rstrip("\n"))
        self.history.append(Message("assistant", completion.text))
        self.log.add(text, completion.text)
        self.on_turn(text, completion)
