"""Every help string from `--no-llm` is a quote: it occurs (whitespace-normalised) in the text
of the source it cites -- the page as `man` shows it, bash's `help`, or our syntax table.

The source texts are produced here independently of the code under test (`man -P cat`,
`bash -c help`), over the whole one-liner corpus plus a few scripts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from explain_helpers import bash_help_text, man_text

from ccgpt.explain import syntax
from ccgpt.explain.manpages import norm

pytestmark = pytest.mark.needs("man", "groff")  # quotes the machine's man pages


CORPUS = Path(__file__).resolve().parents[2] / "bench" / "data" / "oneliners.txt"
EXTRA = [
    "if [[ -n $x && -d /tmp ]]; then cd /tmp || exit 1; fi",
    "case $1 in start) systemctl start nginx;; *) echo usage >&2;; esac",
    "while read -r a b; do printf '%s\\n' \"$a\"; done < <(ls -1)",
    "f() { local x=1; return $x; }; f; declare -p x 2>/dev/null",
    "trap 'rm -f $tmp' EXIT; tmp=$(mktemp) && echo hi > \"$tmp\"",
]
_SEGMENT = re.compile(r"; (?=(?:-|)[A-Za-z0-9#] )")


def _quoted(help_text: str, source_text: str) -> bool:
    h = norm(help_text)
    if h in source_text:
        return True
    # combined options: "-l text; -a text" -- each text is a quote of its own
    segments = _SEGMENT.split(h)
    if len(segments) < 2 and not re.match(r"^-?[A-Za-z0-9#] ", h):
        return False
    return all(re.sub(r"^-?[A-Za-z0-9#] ", "", s, count=1) in source_text for s in segments)


def _source_text(source: str) -> str:
    if source == "builtin:bash":
        return bash_help_text()
    if source == "syntax:bash":
        return " || ".join(norm(v) for v in syntax.TABLE.values())
    m = re.match(r"^man:(.+)\((\w+)\)$", source)
    assert m, source
    return man_text(m.group(1), m.group(2))


def test_every_help_string_is_a_quote(explain):
    lines = [ln for ln in CORPUS.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(lines) >= 100
    checked = 0
    failures = []
    for line in lines + EXTRA:
        for p in explain(line):
            if p["help"] is None:
                assert p["source"] is None, p
                continue
            assert p["source"], p
            checked += 1
            if not _quoted(p["help"], _source_text(p["source"])):
                failures.append((line, p["text"], p["source"], p["help"][:120]))
    assert not failures, failures[:10]
    assert checked > 400


def test_segments_checker_rejects_invented_text():
    src = norm("-l     use a long listing format\n -a, --all do not ignore entries starting with .")
    assert _quoted("-l use a long listing format; -a do not ignore entries starting with .", src)
    assert not _quoted("-l use a long listing format; -a show everything", src)
    assert not _quoted("lists files nicely", src)
