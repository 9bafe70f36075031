"""Grounding: the programs a task names, their SYNOPSIS lines from this machine's real man pages,
in the task's own turn of the prompt (after the cached prefix), cleaned, and off when the
setting says so.

The pages are the real ones (man-db and groff, as `ccgpt explain` reads them); the lines are
checked against what `man` itself prints, not against the code under test.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess

import pytest
from tests.helpers.fake_ollama import FakeOllama
from tests.helpers.suggest import ScriptedBackend, everything_installed, fenced

from ccgpt.assist import prompts
from ccgpt.assist.grounding import MAX_LINES, MAX_PROGRAMS, Grounder, programs_for
from ccgpt.assist.suggest import Suggester
from ccgpt.explain.manpages import ManCache, synopsis
from ccgpt.explain.manparse import parse_synopsis

needs_man = pytest.mark.needs("man", "groff")


def man_synopsis(program: str) -> str:
    """The SYNOPSIS section as `man` prints it, whitespace-normalised (the independent reference)."""
    out = subprocess.run(["man", program], capture_output=True, text=True, timeout=30,
                         env={**os.environ, "MANWIDTH": "2000", "MANPAGER": "cat", "PAGER": "cat", "LC_ALL": "C.UTF-8"})
    text = re.sub(r".\x08", "", out.stdout)
    section = re.search(r"^SYNOPSIS\n(.*?)^\S", text, re.S | re.M)
    assert section, out.stderr
    return " ".join(section.group(1).split())


def test_programs_come_from_the_tasks_words_and_its_verbs():
    assert programs_for("find the files over 100 MB and compress them") == ["find", "tar", "gzip"]
    assert programs_for("sort names.txt and drop duplicates") == ["sort", "uniq"]
    assert programs_for("search for TODO in every source file") == ["grep"]


def test_words_that_only_look_like_programs_are_not_taken():
    # "last", "file", "size", "column" are programs too; "python files" names a kind of file;
    # "deploy.sh" is a file name.
    assert programs_for("show the last file by size in the first column") == []
    assert programs_for("list all python files") == []
    assert programs_for("run deploy.sh") == []


def test_only_installed_programs_are_taken():
    assert programs_for("use zzfrobnicate to sort it", which=shutil.which) == ["sort"]


@needs_man
def test_the_synopsis_is_the_real_pages():
    title, lines = synopsis("sort", ManCache(None))
    assert title and "sort" in title
    reference = man_synopsis("sort")
    assert lines and all(line in reference for line in lines)
    assert "sort [OPTION]... [FILE]..." in lines


@needs_man
def test_the_block_names_each_program_and_quotes_its_page_bounded():
    block = Grounder(ManCache(None)).block("pack logs into an archive with tar, then search it and count lines")
    assert block.splitlines()[0].startswith("Synopsis from this machine's manual pages")
    named = [ln.split(":")[0] for ln in block.splitlines()[1:] if not ln.startswith("  ")]
    assert named == ["tar", "grep", "wc"] and len(named) <= MAX_PROGRAMS
    tar = block.split("tar:")[1].split("\ngrep:")[0].splitlines()[1:]
    assert 0 < len(tar) <= MAX_LINES
    reference = man_synopsis("tar")
    assert all(line.strip() in reference for line in tar)
    assert not any("usage" == line.split()[-1] for line in tar)  # tar's sub-headings are not forms


def test_control_characters_in_a_page_are_stripped():
    rendered = ("NAME\n       evil - a page with escapes\nSYNOPSIS\n       evil \x1b[31m[-r]\x1b[0m FILE\x07\x08\n"
                "           [--more]\x1b]0;title\x07\nDESCRIPTION\n       text\n")
    assert parse_synopsis(rendered) == ["evil [-r] FILE [--more]"]


@needs_man
def test_a_real_page_with_control_characters_yields_clean_lines(tmp_path, monkeypatch):
    man1 = tmp_path / "man" / "man1"
    man1.mkdir(parents=True)
    page = (".TH CCGPTEVIL 1\n.SH NAME\nccgptevil \\- test page\n.SH SYNOPSIS\n"
            ".B ccgptevil\n[\\-x] \x1b[2J\x1b]0;owned\x07 FILE\n.SH DESCRIPTION\nNothing.\n")
    (man1 / "ccgptevil.1.gz").write_bytes(gzip.compress(page.encode()))
    monkeypatch.setenv("MANPATH", str(tmp_path / "man"))
    block = Grounder(ManCache(None), which=lambda p: "/bin/" + p if p == "ccgptevil" else None).block(
        "run ccgptevil on it")
    assert "ccgptevil [-x]" in block and "FILE" in block
    # groff drops the ESC bytes itself; what is left is printable, and no control character remains
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", block)


@needs_man
def test_a_generic_synopsis_is_left_out_but_the_name_line_stays():
    block = Grounder(ManCache(None)).block("sort names.txt with sort")
    assert block.splitlines()[1:] == ["sort: " + synopsis("sort", ManCache(None))[0]]
    assert "[OPTION]" in man_synopsis("sort")  # what was left out


def synopsis_lines(prompt_text: str) -> list[str]:
    return [ln.strip() for ln in prompt_text.splitlines() if ln.startswith("  ")]


@needs_man
def test_grounding_goes_after_the_fixed_prefix_and_leaves_it_unchanged():
    def run(ground):
        backend = ScriptedBackend([fenced("gzip -k notes.txt")])
        s = Suggester(backend, "m", "OS: Linux", explain=lambda c: "", which=everything_installed, ground=ground,
                      grounder=Grounder(ManCache(None)))
        s.suggest("compress notes.txt with gzip, keeping the original", 1)
        return backend.calls[0]

    (plain, plain_opts), (grounded, opts) = run(False), run(True)
    fixed = prompts.SUGGEST_PREFIX_LENGTH
    assert opts.fixed_prefix == plain_opts.fixed_prefix == fixed
    assert grounded[:fixed] == plain[:fixed]  # the cached prefix (and so its key) is the same
    assert synopsis_lines(plain[-1].content) == []
    last = grounded[-1].content
    quoted = synopsis_lines(last)
    reference = man_synopsis("gzip") + " " + man_synopsis("tar")  # "compress" also implies tar
    assert quoted and all(line in reference for line in quoted)
    # inside the context block, which the system prompt treats as data; the task stays last
    assert last.index("OS: Linux") < last.index(quoted[0]) < last.index("</context>") < last.index("<task>")


@needs_man
def test_the_setting_turns_grounding_on_and_off(ccgpt, tmp_path):
    # The real CLI against a loopback Ollama-speaking server that records each prompt.
    server = FakeOllama().start()
    try:
        prompts_sent = {}
        for value in ("true", "false", "unset"):
            config = tmp_path / f"{value}.toml"
            config.write_text("[ccgpt.suggest]\n" + (f"ground = {value}\n" if value != "unset" else ""))
            server.requests.clear()
            r = ccgpt("--config", str(config), "suggest", "--json", "--backend", "ollama", "-m", "llama3.2:latest",
                      "-n", "1", "compress notes.txt with gzip", env={"OLLAMA_HOST": f"127.0.0.1:{server.port}"},
                      cwd=tmp_path)
            assert "unknown key" not in r.stderr, r.stderr
            chats = [body for _, target, body in server.requests if target == "/api/chat" and body]
            assert chats, r.stderr
            prompts_sent[value] = json.dumps(chats[0]["messages"][-1]["content"])
    finally:
        server.stop()
    assert "gzip: " in prompts_sent["true"] and "manual pages" in prompts_sent["true"]
    assert "manual pages" not in prompts_sent["false"] and "<task>compress notes.txt with gzip</task>" in prompts_sent["false"]
    assert prompts_sent["unset"] == prompts_sent["false"]  # off by default: no accuracy gain measured


@pytest.mark.slow
@needs_man
def test_the_default_model_answers_with_grounding(default_model, tmp_path):
    from ccgpt.llm.embedded import EmbeddedBackend

    (tmp_path / "server.log").write_text("x\n")
    backend = EmbeddedBackend(model=default_model, n_ctx=4096, n_threads=1)
    s = Suggester(backend, "embedded", "OS: Linux", explain=lambda c: "", ground=True, grounder=Grounder(ManCache(None)))
    result = s.suggest("compress server.log with gzip", 1)
    assert "gzip [ -acdfhklLnNrtvV19 ]" in result.prompt  # what gzip's page says, in the task's turn
    assert result.candidates and result.candidates[0].command.startswith("gzip")
    assert s.ground_ms < 5000 and (tmp_path / "server.log").exists()  # suggest runs nothing
