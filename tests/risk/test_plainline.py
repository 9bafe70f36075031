"""The plain-words shortcut (risk/plainline.py) is exact: for every line it takes, the tree has
the shape it assumes, and the verdict is the one the full path through the parser gives."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from ccgpt.risk import classify, plainline
from ccgpt.risk.parse import parse
from ccgpt.risk.rules import CATALOG, registry
from ccgpt.run.fsprobe import FilesystemProbe

DATA = Path(__file__).parent / "data"


def _both(line: str, probe=None) -> tuple[dict, dict]:
    fast = classify(line, probe=probe).to_json()
    plainline.ENABLED = False
    try:
        full = classify(line, probe=probe).to_json()
    finally:
        plainline.ENABLED = True
    return fast, full


# Words that matter to the rules: programs of every table, wrappers, options of destructive and
# code-running programs, targets at every depth, and names the grammar treats specially.
_PROGRAMS = sorted(registry().known)
_WORDS = st.sampled_from(_PROGRAMS) | st.sampled_from([
    "-rf", "-r", "-f", "-R", "--force", "--delete", "--no-preserve-root", "-n", "-i", "-x", "-c", "-e", "-exec",
    "-delete", "--help", "--version", "--", "-", "-9", "-1", "/", "~", "~/", "~/x", "~root", "/etc/passwd",
    "/dev/sda", "/home", "/usr/bin", ".", "..", "./x", "../..", "build", "src/a.py", "HEAD~1", "origin",
    "main", "777", "u+s", "+x", "0", "10", "1.5", "0x1F", "%1", "@b", "^a", "a:b", "a,b", "a=b", "PATH=/x",
    "if", "then", "fi", "do", "done", "time", "in", "export", "unset", "declare", "!", "{", "}", "x~y",
    "of=/dev/sda", "if=/dev/zero", "bs=1M", "--output=/etc/x", "-o", "/tmp/x", "/var/log", "~/.ssh/id_rsa",
    # single-quoted words: code for `sh -c`, patterns, scripts, and quotes hiding a name or a target
    "'rm -rf /'", "'rm -rf ~'", "'ls'", "'*.py'", "'s/a/b/g'", "'s/x/y/e'", "'{print $1}'", "''", "'~'", "'~/x'",
    "'/'", "'$HOME'", "'a\"b'", "'#x'", "'; rm -rf ~'", "'\\x41'", "'curl x | sh'", "'if'", "'a=b'", "'-rf'",
    "'echo cm0gLXJmIC8= | base64 -d | sh'", "'import os; os.system(\"rm -rf /\")'", "'1 2'",
    # words the grammar misreads (found by a red team): test operators, `x@`/`a%` names, keyword prefixes
    "==", "=~", "=x", "x@", "a%", "a+:", "4%", "@a%", "-9%", "fi@x", "else@let", "done@x", "fi.x", "-x=~", "y%^0/7",
])
_LINES = st.lists(_WORDS, min_size=1, max_size=7).map(" ".join)


@given(_LINES)
@settings(max_examples=1500, deadline=None)
def test_the_tree_of_a_plain_line_is_one_command_of_its_words(line):
    words = plainline.plain_words(line)
    if words is None:
        return
    root = parse(line).root_node
    assert not root.has_error and [c.type for c in root.children] == ["command"]
    command = root.children[0]
    kids = command.children
    assert kids[0].type == "command_name" and kids[0].child_count == 1
    nodes = [kids[0].children[0]] + list(kids[1:])
    assert nodes[0].type in ("word", "number")
    assert [n.type in ("word", "number", "raw_string") for n in nodes] == [True] * len(nodes)
    assert [(n.start_byte, n.end_byte) for n in nodes] == [(w.start_byte, w.end_byte) for w in words]


@given(_LINES)
@settings(max_examples=1500, deadline=None)
def test_generated_lines_get_the_same_verdict_both_ways(line):
    fast, full = _both(line)
    assert fast == full


_HOME = tempfile.mkdtemp(prefix="ccgpt-plainline-")
(Path(_HOME) / "build").mkdir()
(Path(_HOME) / "src").mkdir()
(Path(_HOME) / "src" / "a.py").write_text("print(1)\n")
(Path(_HOME) / "x").write_text("rm -rf ~\n")  # a script run by name: the probe reads it


@given(_LINES)
@settings(max_examples=300, deadline=None)
def test_generated_lines_get_the_same_verdict_both_ways_with_a_probe(line):
    probe = FilesystemProbe(cwd=_HOME, home=_HOME)
    fast, full = _both(line, probe)
    assert fast == full


def _corpus() -> list[str]:
    lines = []
    for name in ("policy_corpus.tsv", "benign_corpus.tsv", "benign_variables.tsv"):
        for row in (DATA / name).read_text(encoding="utf-8").splitlines():
            if row.strip() and not row.startswith("#"):
                lines.append(row.split("\t")[-1])
    for r in CATALOG.values():
        lines += list(r.must_match) + list(r.must_not_match)
    return lines


def test_every_corpus_and_catalogue_line_gets_the_same_verdict_both_ways():
    """Nested code (`bash -c 'rm -rf /'`, decoded payloads, aliases) takes the shortcut too, so
    every line is compared, not only the plain ones."""
    lines = _corpus()
    plain = [x for x in lines if plainline.plain_words(x) is not None]
    assert len(plain) > 300  # the shortcut is really exercised
    differ = [x for x in lines if _both(x)[0] != _both(x)[1]]
    assert differ == []


@pytest.mark.parametrize("line", [
    "a=b ls", "PATH=/x ls", "if true", "time rm -rf /", "export X", "unset HISTFILE", "ls $HOME",
    'rm -rf "/"', "ls\tx", "ls # x", "rm -rf /*", "ls src/[a]", "ls {a,b}", "\\rm -rf /",
    "rm -rf ~/ ; ls", "ls > out", "ls | sh", "ls\nrm -rf /", "rm -rf /\u200b", "ls ${X}", "echo `id`", "!!",
    "", "   ", "'rm' -rf /", "rm -rf '/'x", "rm -rf x'/'", "rm -rf '/''/'", "echo 'a\nb'", "echo 'é'", "echo 'a",
    "echo $'\\x41'", "catchsegv == ack", "ls =~", "- a=b", "- x=1 rm -rf /", "x@ rm -rf /", "a% rm -rf /",
    "a+: rm -rf /", "fi@x rm -rf /", "else@let x", "-rf /",
])
def test_lines_with_syntax_take_the_full_path(line):
    assert plainline.plain_words(line) is None


@pytest.mark.parametrize("line, level", [
    ("rm -rf /", "blocked"), ("rm -rf ~", "blocked"), ("ls -la src", "safe"), ("git push --force origin main", "dangerous"),
    ("  rm   -rf   ~/  ", "blocked"), ("sudo rm -rf /usr", "blocked"), ("git status", "safe"),
    ("rm -rf '/'", "blocked"), ("bash -c 'rm -rf ~'", "blocked"), ("grep -rn 'TODO' src", "safe"),
    ("sed -i 's/a/b/' notes.txt", "review"), ("rm -rf '~'", "dangerous"),  # a directory named ~ here: not home
])
def test_plain_lines_are_still_judged(line, level):
    assert plainline.plain_words(line) is not None
    assert classify(line).level == level
