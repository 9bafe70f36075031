"""`ccgpt explain` as a user runs it: JSON contract, terminal picture, errors, scripts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from explain_helpers import man_path

KINDS = {"command", "subcommand", "option", "argument", "operator", "redirect", "assignment",
         "substitution", "keyword"}


def _json(ccgpt, *args, **kw):
    r = ccgpt("explain", "--json", "--no-llm", *args, **kw)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout), r


def test_json_contract(ccgpt):
    j, _ = _json(ccgpt, "ls -la /tmp")
    assert set(j) >= {"command", "level", "findings", "parts", "narrative"}
    assert j["command"] == "ls -la /tmp" and j["narrative"] is None
    for p in j["parts"]:
        assert set(p) >= {"text", "span", "kind", "help", "source"}
        assert p["kind"] in KINDS
        assert j["command"][p["span"][0]:p["span"][1]] == p["text"]
        assert p["source"] is None or p["source"].startswith(("man:", "builtin:bash", "syntax:bash"))
    kinds = {p["text"]: p["kind"] for p in j["parts"]}
    assert kinds == {"ls": "command", "-la": "option", "/tmp": "argument"}
    if man_path("ls"):
        assert [p for p in j["parts"] if p["kind"] == "option"][0]["source"] == "man:ls(1)"


def test_words_are_joined_and_sh_explain_alias(ccgpt):
    j, _ = _json(ccgpt, "grep", "-c", "x", "file")
    assert j["command"] == "grep -c x file"
    r = subprocess.run([sys.executable, "-c", "import sys; from ccgpt.cli.main import sh_explain; "
                        "sys.argv=['sh-explain','--json','--no-llm','cd']; sys.exit(sh_explain())"],
                       capture_output=True, text=True, env={**__import__('os').environ,
                                                            "PYTHONPATH": str(__import__('explain_helpers').__file__.rsplit('/tests/', 1)[0] + '/src')})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["parts"][0]["source"] == "builtin:bash"


@pytest.mark.needs("man", "groff")
def test_terminal_picture_plain_when_not_a_tty(ccgpt):
    r = ccgpt("explain", "--no-llm", "tar -xzvf a.tgz | wc -l")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "\x1b" not in out  # not a TTY: no colour
    lines = out.splitlines()
    cmd_line = next(ln for ln in lines if ln.strip() == "tar -xzvf a.tgz | wc -l")
    marks = lines[lines.index(cmd_line) + 1]
    col = cmd_line.index("-xzvf")
    assert marks[col] == "┬"  # the marker sits under the part's first character
    assert "└─ -xzvf a.tgz (option)" in out
    assert "└─ | (operator)" in out


def test_escape_sequences_in_the_command_are_not_printed(ccgpt):
    r = ccgpt("explain", "--no-llm", "echo \x1b]52;c;aGk=\x07 \x1b[2J hi")
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout


def test_typo_option(ccgpt):
    j, _ = _json(ccgpt, "ls --colour=x")
    opt = [p for p in j["parts"] if p["kind"] == "option"][0]
    assert opt["help"] is None
    if man_path("ls"):
        assert "did you mean --color" in opt["note"]


def test_script_file(ccgpt, tmp_path):
    script = tmp_path / "backup.sh"
    script.write_text("#!/bin/bash\nset -e\nfor d in /etc /home; do\n  tar czf \"/backup/$(basename $d).tgz\" \"$d\"\ndone\n")
    j, _ = _json(ccgpt, "--file", str(script))
    kinds = [(p["text"], p["kind"]) for p in j["parts"]]
    assert ("set", "command") in kinds and ("for", "keyword") in kinds and ("tar", "command") in kinds
    assert ("basename", "command") in kinds  # inside a substitution inside a string
    text = r = ccgpt("explain", "--no-llm", "--file", str(script))
    assert r.returncode == 0 and "2:1" in text.stdout  # scripts: parts are listed by line:column


def test_garbage_and_errors_are_one_line(ccgpt, tmp_path):
    for bad in [")))", 'echo "unterminated', "if then fi fi"]:
        r = ccgpt("explain", "--no-llm", bad)
        assert r.returncode == 2, (bad, r.stdout, r.stderr)
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
        assert "does not parse" in r.stderr
    r = ccgpt("explain", "--no-llm", "   ")
    assert r.returncode == 2 and "nothing to explain" in r.stderr
    r = ccgpt("explain", "--no-llm", "--file", str(tmp_path / "missing.sh"))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "cannot read" in r.stderr
    binary = tmp_path / "bin"
    binary.write_bytes(b"\x7fELF\x00\x00")
    r = ccgpt("explain", "--no-llm", "--file", str(binary))
    assert r.returncode == 2 and "not a text file" in r.stderr


def test_stdin_when_no_words(ccgpt):
    r = ccgpt("explain", "--json", "--no-llm", input="du -sh *\n")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["command"] == "du -sh *"


def test_no_llm_path_imports_nothing_heavy(tmp_path):
    code = ("import sys, os; os.environ['CCGPT_DATA_DIR'] = sys.argv[1]\n"
            "from ccgpt.cli.explain import build\nbuild('find . -name x -exec gzip {} +')\n"
            "heavy = [m for m in ('httpx', 'llama_cpp', 'starlette', 'ccgpt.llm.registry') if m in sys.modules]\n"
            "print(heavy)")
    src = __import__("explain_helpers").__file__.rsplit("/tests/", 1)[0] + "/src"
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                       env={**__import__("os").environ, "PYTHONPATH": src})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_risk_level_and_findings_are_part_of_the_answer(ccgpt):
    import json

    r = ccgpt("explain", "--no-llm", "--json", "ls -la > listing.txt && rm -rf ~")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["level"] == "blocked"
    rules = {f["rule"] for f in out["findings"]}
    assert {"wipe-home", "write-files"} <= rules
    marked = {p["text"]: p.get("findings", []) for p in out["parts"]}
    # each finding sits on the part it is about, not on every word of the line
    assert marked["> listing.txt"] == ["write-files"]
    assert marked["rm"] == ["wipe-home"]
    assert marked["ls"] == [] and marked["-la"] == [] and marked["&&"] == []
