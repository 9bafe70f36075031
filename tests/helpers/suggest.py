"""Test doubles for the suggest/script use cases: a scripted Backend and a fixed classifier."""

from __future__ import annotations

from dataclasses import dataclass, field

from ccgpt.llm.base import Completion, Message, Options


class ScriptedBackend:
    """Implements the Backend interface; answers from a list, in order (the last repeats).
    finish_reason: one for every answer, or a list of one per answer (the last repeats)."""

    name = "scripted"

    def __init__(self, answers: list[str], finish_reason: str | None | list[str] = "stop"):
        self.answers = list(answers)
        self.finish_reasons = finish_reason if isinstance(finish_reason, list) else [finish_reason]
        self.calls: list[tuple[list[Message], Options | None]] = []

    def chat(self, model, messages, options=None):
        self.calls.append((list(messages), options))
        text = self.answers[min(len(self.calls) - 1, len(self.answers) - 1)]
        reason = self.finish_reasons[min(len(self.calls) - 1, len(self.finish_reasons) - 1)]
        return Completion(text=text, model=model, backend=self.name, finish_reason=reason)

    def stream_chat(self, model, messages, options=None):
        raise NotImplementedError

    def generate(self, model, prompt, options=None, system=None):
        return self.chat(model, [Message("user", prompt)], options)

    def list_models(self):
        return []

    def model_info(self, model):
        raise NotImplementedError

    def ping(self):
        return True

    def close(self):
        pass


@dataclass
class FakeFinding:
    rule: str
    level: str
    message: str
    span: tuple = (0, 1)


@dataclass
class FakeVerdict:
    level: str
    findings: list = field(default_factory=list)


def fake_classify(command: str) -> FakeVerdict:
    """A stand-in with fixed answers, for ranking tests that must not depend on the policy."""
    if "rm -rf ~" in command:
        return FakeVerdict("blocked", [FakeFinding("wipe-home", "blocked", "deletes home")])
    if command.startswith("rm") or command.startswith("touch"):
        return FakeVerdict("review", [FakeFinding("write", "review", "changes files")])
    return FakeVerdict("safe")


def everything_installed(name: str) -> str:
    return "/usr/bin/" + name


def fenced(cmd: str) -> str:
    return f"```bash\n{cmd}\n```"
