"""The man-page holes of issue 12, on this machine's real pages.

Each fragment was read in the page (`man find`, `man diff`, ...). Where a page is absent the
part must carry no help (`expect`), never a silent skip.
"""

from __future__ import annotations

import os
import shutil

from explain_helpers import expect, man_path, part

from ccgpt.explain.engine import Explainer
from ccgpt.explain.manpages import ManCache


def test_find_operators_are_cited_and_take_no_value(explain):
    cmd = "find . \\( -name '*.c' -o -name '*.h' \\) ! -type d -a -print"
    parts = explain(cmd)
    expect(part(parts, "\\(", "option"), "find", "Force precedence.")
    expect(part(parts, "\\)", "option"), "find", "Force precedence.")
    expect(part(parts, "-o", "option"), "find", "Or; expr2 is not evaluated if expr1 is true.")
    expect(part(parts, "!", "option"), "find", "True if expr is false.")
    expect(part(parts, "-a", "option"), "find", "Same as expr1 expr2.")
    expect(part(parts, "-name '*.h'", "option"), "find", "Base of file name")  # not swallowed by -o
    expect(part(parts, "-print", "option"), "find", "print the full file name")


def test_find_perm_value_is_a_value_and_picks_its_form(explain):
    parts = explain("find /tmp -perm -o=w -type f")
    expect(part(parts, "-perm -o=w", "option"), "find", "All of the permission bits mode are set")
    assert not [p for p in parts if p["text"] == "-o=w"]
    slash = explain("find . -perm /u+x")
    expect(part(slash, "-perm /u+x", "option"), "find", "Any of the permission bits mode are set")
    exact = explain("find . -perm 644")
    expect(part(exact, "-perm 644", "option"), "find", "File's permission bits are exactly mode")


def test_find_type_help_goes_past_its_first_paragraph(explain):
    p = part(explain("find . -type f"), "-type f", "option")
    expect(p, "find", "File is of type c:")
    if p["help"]:
        assert "f regular file" in p["help"] and "d directory" in p["help"]


def test_diff_optional_argument_is_not_taken_from_the_next_word(explain):
    parts = explain("diff -u -N old/ new/")
    expect(part(parts, "-u", "option"), "diff", "lines of unified context")
    expect(part(parts, "-N", "option"), "diff", "treat absent files as empty")
    expect(part(explain("diff -U 5 a b"), "-U 5", "option"), "diff", "lines of unified context")


def test_curl_proxy_takes_its_url(explain):
    parts = explain("curl --proxy http://proxy.local:3128 https://example.com")
    expect(part(parts, "--proxy http://proxy.local:3128", "option"), "curl", "Use the specified proxy.")
    assert part(parts, "https://example.com")["kind"] == "argument"


def test_bulleted_and_bracketed_pages(explain):
    jq = explain("jq -r --slurp '.items' data.json")
    expect(part(jq, "-r", "option"), "jq", "if the filter's result is a string")
    expect(part(jq, "--slurp", "option"), "jq", "read the entire input stream into a large array")
    unzip = explain("unzip -d out archive.zip")
    expect(part(unzip, "-d out", "option"), "unzip", "An optional directory to which to extract files.")


def test_other_layouts_of_real_pages(explain):
    expect(part(explain("gpg --armor --export me"), "--armor", "option"), "gpg", "Create ASCII armored output.")
    expect(part(explain("sqlite3 -header app.db"), "-header", "option"), "sqlite3", "Turn headers on or off.")
    expect(part(explain("zip -r -9 site.zip public/"), "-9", "option"), "zip", "Regulate the speed of compression")
    expect(part(explain("xz -9 disk.img"), "-9", "option"), "xz", "Select a compression preset level.")
    expect(part(explain("killall -HUP nginx"), "-HUP", "option"), "killall", "Send this signal instead of SIGTERM.")


def test_a_builtin_quotes_the_man_page_only_when_that_documents_more(explain):
    echo = explain("echo -e 'a\\tb'")
    if man_path("echo"):  # echo(1) also documents --help and --version; bash's help does not
        cmd = part(echo, "echo", "command")
        assert cmd["source"] == "man:echo(1)" and "bash runs its builtin echo" in cmd["note"]
        expect(part(echo, "-e", "option"), "echo", "enable interpretation of backslash escapes")
    # only bash's help documents printf -v: the builtin stays the source
    pf = explain("printf -v out '%s' x")
    assert part(pf, "printf", "command")["source"] == "builtin:bash"
    assert part(pf, "-v out", "option")["source"] == "builtin:bash"
    assert part(explain("cd /tmp"), "cd", "command")["source"] == "builtin:bash"
    # a page of another kind (wait(2), a system call) never stands in for a builtin
    assert part(explain("wait -n"), "wait", "command")["source"] == "builtin:bash"
    # a program by its path is never the builtin
    expect(part(explain("/bin/echo -n x"), "-n", "option"), "echo", "do not output the trailing newline")


def _tools_only(tmp_path, names):
    """A PATH holding only the named tools (bash is always kept: builtins come from it)."""
    d = tmp_path / "bin"
    d.mkdir()
    for n in {"bash", *names}:
        os.symlink(shutil.which(n), d / n)
    return str(d)


def test_without_man_the_note_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", _tools_only(tmp_path, []))
    parts = [p.to_json() for p in Explainer(ManCache(None)).explain("ls -l")]
    note = part(parts, "ls", "command")["note"]
    assert "no man page for ls" in note and "man-db" in note


def test_without_groff_the_note_names_the_package(tmp_path, monkeypatch):
    assert shutil.which("man"), "man-db is a test dependency (.ci/run installs it)"
    monkeypatch.setenv("PATH", _tools_only(tmp_path, ["man"]))
    parts = [p.to_json() for p in Explainer(ManCache(None)).explain("ls -l")]
    assert "groff-base" in part(parts, "ls", "command")["note"]
