import pytest

from ccgpt.llm.routing import classify_task


@pytest.mark.parametrize(
    "text,task",
    [
        ("what is the capital of France", "general"),  # "capital" contains "api": must not be code
        ("find files over 100 MB and compress them", "shell"),
        ("write a python function that parses dates", "code"),
        ("explain this traceback", "code"),
        ("who wrote Hamlet", "general"),
        ("therapist recommendations", "general"),  # contains "api" and "rapist"... whole words only
        ("list processes listening on port 8080", "shell"),
        ("refactor this class", "code"),
        ("gitignore best practice", "general"),  # "git" inside a word is not git
    ],
)
def test_classify_task_uses_whole_words(text, task):
    assert classify_task(text) == task
