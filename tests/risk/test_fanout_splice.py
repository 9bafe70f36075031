"""A fan-out's match spliced into a nested shell's code (`find -exec sh -c '… {} …'`,
`xargs -I{} sh -c`, `fd -x sh -c`): the placeholder must read as one inert name in any quoting,
never as shell syntax (a false parse error), and what it stands for decides the level: every
entry under home when nothing filters the walk, a filtered match otherwise."""

from __future__ import annotations

import pytest

from ccgpt.risk import classify


@pytest.mark.parametrize("line, level", [
    # The splice must not turn into a redirect or any other syntax.
    ("find . -size +100M -exec bash -c 'gzip {}' {} \\;", "review"),
    ("find . -name '*.log' -exec sh -c 'gzip \"$1\"' _ {} \\;", "review"),
    ("find . -name '*.txt' -exec sh -c 'wc -l {}' \\;", "safe"),
    # Unfiltered walk of home: the match is every entry, quoted or not.
    ("find ~ -exec sh -c 'rm -rf \"{}\"' \\;", "blocked"),
    ("find ~ -exec sh -c \"rm -rf '{}'\" \\;", "blocked"),
    ("find ~ -print0 | xargs -0 -I{} sh -c 'rm -rf \"{}\"'", "blocked"),
    ("fd . ~ -x sh -c 'rm -rf \"{}\"'", "blocked"),
    # A filtered walk deletes some of home, not all of it.
    ("find ~ -name '*.rc' -exec sh -c 'rm -rf {}' \\;", "dangerous"),
    # Spliced into a longer path, the match still lands where that path says.
    ("find . -name '*.txt' -exec sh -c 'cat {} > ~/docs/{}' \\;", "dangerous"),
])
def test_spliced_match_levels(line, level):
    assert classify(line).level.value == level


def test_spliced_match_is_no_parse_error():
    verdict = classify("find . -size +100M -exec bash -c 'gzip {}' {} \\;")
    assert all("parse" not in f.rule for f in verdict.findings), verdict.findings


@pytest.mark.parametrize("home", ["/home/o'brien", "/home/a b", "/root"])
def test_a_quote_or_space_in_home_cannot_break_the_splice(tmp_path, home):
    from ccgpt.run.fsprobe import FilesystemProbe

    probe = FilesystemProbe(cwd=str(tmp_path), home=home)
    for line in ("find ~ -exec sh -c \"rm -rf '{}'\" \\;", "find ~ -exec sh -c 'rm -rf \"{}\"' \\;"):
        assert classify(line, probe=probe).level.value == "blocked", (home, line)
