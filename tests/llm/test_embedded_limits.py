"""The embedded model's guards: a default token cap and a stop for answers stuck in a loop."""

from __future__ import annotations

import pytest

from ccgpt.llm.base import Message
from ccgpt.llm.embedded import DEFAULT_MAX_TOKENS, EmbeddedBackend
from ccgpt.llm.embedded.repetition import looping, trim


def test_a_repeated_tail_is_seen_and_trimmed():
    stuck = "Here is the command:\n" + "bash:\n" * 60
    assert looping(stuck) == 6
    assert trim(stuck, 6) == "Here is the command:\nbash:\nbash:\n"
    assert looping("-" * 200) == 1


@pytest.mark.parametrize("text", [
    "The find command walks a directory tree and prints each path that matches. " * 2,
    "| name | size |\n|------|------|\n| a    | 1    |\n| b    | 2    |\n",
    "for i in 1 2 3; do\n  echo $i\ndone\n" * 2,
    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n21\n22\n23\n24\n25\n26\n27\n",
])
def test_ordinary_text_is_not_a_loop(text):
    assert looping(text) is None


@pytest.mark.slow
def test_an_answer_without_max_tokens_is_capped_or_stopped():
    b = EmbeddedBackend(n_ctx=2048)
    done = b.chat("embedded", [Message("user", "Write the word bash: on a line, again and again, forever.")])
    assert done.finish_reason in ("length", "stop") and done.completion_tokens <= DEFAULT_MAX_TOKENS
    if done.finish_reason == "length" and done.completion_tokens < DEFAULT_MAX_TOKENS:
        assert looping(done.text[-400:])  # stopped early: because it was repeating itself
