"""The model narrative: built from the grounded parts, marked model:NAME, checked, optional."""

from __future__ import annotations

from ccgpt.assist import narrative
from ccgpt.errors import BackendUnavailable
from ccgpt.llm.base import Completion
from ccgpt.options import CommonOptions

RESULT = {"command": "ls -la /tmp", "level": "safe", "findings": [],
          "parts": [{"text": "ls", "kind": "command", "help": "list directory contents", "source": "man:ls(1)"},
                    {"text": "-la", "kind": "option", "help": "-l use a long listing format; -a do not ignore "
                     "entries starting with .", "source": "man:ls(1)"},
                    {"text": "/tmp", "kind": "argument", "help": None, "source": None}]}


class FakeBackend:
    name = "fake"

    def __init__(self, text):
        self.text, self.seen = text, None

    def chat(self, model, messages, options=None):
        self.seen = messages
        return Completion(text=self.text, model=model, backend="fake")

    def close(self):
        pass


def _args():
    return CommonOptions(quiet=True)


def test_prompt_carries_every_grounded_part():
    msgs = narrative.build_messages(RESULT)
    user = msgs[-1].content
    for p in RESULT["parts"]:
        assert repr(p["text"]) in user
    assert "use a long listing format" in user and "[man:ls(1)]" in user and "(no documentation found)" in user
    assert "ONLY" in msgs[0].content


def test_narrative_is_marked_and_checked(monkeypatch):
    fake = FakeBackend("Lists /tmp in long format, including hidden entries. Risk: safe.")
    monkeypatch.setattr("ccgpt.llm.registry.resolve_backend", lambda cfg, args, task, quiet=False: (fake, "tiny"))
    result = dict(RESULT)
    text, note = narrative.narrate(_args(), result)
    assert text.startswith("Lists /tmp") and note is None
    assert result["narrative_source"] == "model:tiny"
    assert fake.seen[-1].content == narrative.build_messages(RESULT)[-1].content


def test_narrative_inventing_options_is_dropped(monkeypatch):
    fake = FakeBackend("Lists /tmp recursively thanks to -R.")
    monkeypatch.setattr("ccgpt.llm.registry.resolve_backend", lambda cfg, args, task, quiet=False: (fake, "tiny"))
    text, note = narrative.narrate(_args(), dict(RESULT))
    assert text is None and "-R" in note


def test_unreachable_model_is_a_note_not_an_error(monkeypatch):
    def boom(cfg, args, task, quiet=False):
        raise BackendUnavailable("Ollama is not reachable at http://127.0.0.1:11434")

    monkeypatch.setattr("ccgpt.llm.registry.resolve_backend", boom)
    text, note = narrative.narrate(_args(), dict(RESULT))
    assert text is None and note.startswith("no narrative")


def test_short_summary_drops_repeats_and_a_cut_off_sentence():
    from ccgpt.assist.narrative import short_summary

    looping = "It archives files. It compresses them. It archives files. It archives files. And then it"
    assert short_summary(looping) == "It archives files. It compresses them."
    many = "One. Two. Three. Four. Five. Six."
    assert short_summary(many) == "One. Two. Three. Four."
    assert short_summary("   ") == ""


def test_letters_of_combined_flags_are_not_invented():
    from ccgpt.assist.narrative import invented_options

    assert invented_options("-l gives a long listing and -a shows hidden files", "ls -la /tmp") == []
    assert invented_options("-R recurses", "ls -la") == ["-R"]
