"""The extraction corpus: real-looking model outputs (several verbatim from SmolLM2-135M)
and the commands a person would pick out of them."""

from pathlib import Path

import pytest

from ccgpt.assist.extract import extract_commands, strip_trailing_comment

CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.txt"))
# A fixed idea of what is installed, so the corpus means the same on every machine.
PROGRAMS = {"ls", "du", "find", "xargs", "wc", "df", "apt-get", "tree", "tar", "sort", "head", "grep",
            "git", "cat", "ps", "echo", "bash", "sudo", "python", "rm"}


def load(path: Path) -> tuple[str, list[str]]:
    raw = path.read_bytes().decode("utf-8")
    text, _, expected = raw.partition("==== expected\n")
    return text, [line for line in expected.split("\n") if line.strip()]


def test_corpus_is_substantial():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus(path):
    text, expected = load(path)
    assert extract_commands(text, is_program=PROGRAMS.__contains__) == expected


def test_limit_keeps_order():
    text = "```\nls\n```\n```\npwd\n```\n```\ndate\n```"
    assert extract_commands(text, 2, is_program={"ls", "pwd", "date"}.__contains__) == ["ls", "pwd"]


def test_escape_sequences_are_kept_for_the_risk_engine():
    # Extraction does not hide anything: the risk engine must see the escape to flag it.
    out = extract_commands("```bash\necho hi\x1b[2J\n```")
    assert out == ["echo hi\x1b[2J"]


@pytest.mark.parametrize(
    "line, want",
    [
        ("ls -la  # list", "ls -la"),
        ("echo '# not a comment'", "echo '# not a comment'"),
        ('echo "a # b" # c', 'echo "a # b"'),
        ("echo a#b", "echo a#b"),
        ("echo \\# hash", "echo \\# hash"),
    ],
)
def test_strip_trailing_comment(line, want):
    assert strip_trailing_comment(line) == want


def test_empty_and_garbage():
    assert extract_commands("") == []
    assert extract_commands("```\n\n```\n```\n") == []
    assert extract_commands("👉🏰👉🏰👉🏰\n\nThis is a list of files.") == []
