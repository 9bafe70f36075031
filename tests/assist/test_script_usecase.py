"""The script use case: extraction, hardening, the real ShellCheck repair loop, header, saving."""

from __future__ import annotations

import os
import stat

import pytest
from tests.helpers.suggest import FakeFinding, FakeVerdict, ScriptedBackend

from ccgpt.assist import script as usecase
from ccgpt.assist.lint import lint
from ccgpt.errors import CcgptError

BAD = """```bash
#!/usr/bin/env bash
set -euo pipefail
for f in $(ls *.txt); do
  echo $f
done
```"""
GOOD = """Here is the fixed script:
```bash
#!/usr/bin/env bash
# Print the name of every .txt file.
set -euo pipefail
for f in ./*.txt; do
  echo "$f"
done
```"""


def fake_classify_script(text):
    at = text.find("rm -rf")
    if at >= 0:
        return FakeVerdict("dangerous", [FakeFinding("recursive-delete", "dangerous", "recursive delete", (at, at + 6))])
    return FakeVerdict("safe")


def test_real_shellcheck_finds_problems():
    codes = {f.code for f in lint(usecase.extract_script(BAD))}
    assert 2045 in codes or 2086 in codes  # iterating over ls output / unquoted expansion


def test_repair_loop_feeds_findings_back_and_keeps_the_fix():
    backend = ScriptedBackend([BAD, GOOD])
    result = usecase.generate(backend, "m", "print txt names", rounds=2, classify_script=fake_classify_script)
    assert len(backend.calls) == 2 and result.rounds == 1
    repair_prompt = backend.calls[1][0][-1].content
    assert "ShellCheck reported" in repair_prompt and "SC20" in repair_prompt
    assert result.lint_findings == [] and 'echo "$f"' in result.script


def test_repair_loop_stops_after_configured_rounds_and_keeps_the_best():
    backend = ScriptedBackend([BAD, "sorry, I cannot", BAD])
    result = usecase.generate(backend, "m", "t", rounds=2, classify_script=fake_classify_script)
    assert len(backend.calls) == 3 and result.rounds == 2
    assert "for f in $(ls *.txt)" in result.script and result.lint_findings


def test_zero_rounds_never_asks_again():
    backend = ScriptedBackend([BAD])
    usecase.generate(backend, "m", "t", rounds=0, classify_script=fake_classify_script)
    assert len(backend.calls) == 1


def test_harden_adds_shebang_and_strict_mode():
    out = usecase.harden("# does things\necho hi\n")
    assert out.splitlines()[:4] == ["#!/usr/bin/env bash", "# does things", "set -euo pipefail", ""]
    assert usecase.harden(out) == out
    assert usecase.harden("#!/bin/sh\nset -euo pipefail\nls\n").startswith("#!/usr/bin/env bash\nset -euo")


def test_risk_findings_have_line_numbers():
    backend = ScriptedBackend(["```bash\n#!/usr/bin/env bash\nset -euo pipefail\nrm -rf \"$1\"\n```"])
    result = usecase.generate(backend, "m", "t", rounds=0, classify_script=fake_classify_script)
    assert result.level == "dangerous" and [r.line for r in result.risks] == [3]


def test_header_and_saved_mode(tmp_path):
    backend = ScriptedBackend([GOOD])
    result = usecase.generate(backend, "tiny", "print txt names\nrm -rf ~", rounds=0, classify_script=fake_classify_script)
    text = usecase.with_header(result, when=0)
    lines = text.splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    header = lines[1 : 1 + usecase.HEADER_LINES]
    assert all(l.startswith("# ") for l in header)  # the task's newline did not become code
    assert any(l.startswith("# Task: print txt names rm -rf ~") for l in header)
    assert any(l.startswith("# Model: tiny (scripted)") for l in header)
    assert any(l.startswith("# ShellCheck: 0 finding(s)") for l in header)
    assert any(l.startswith("# Risk: safe") for l in header)
    path = usecase.save(text, tmp_path / "x.sh")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode == 0o600 and not mode & 0o111
    assert lint(path.read_text()) == []  # the header keeps the script clean


def test_never_overwrites_without_force(tmp_path):
    target = tmp_path / "x.sh"
    target.write_text("mine\n")
    with pytest.raises(CcgptError, match="exists"):
        usecase.save("new\n", target)
    assert target.read_text() == "mine\n"
    usecase.save("new\n", target, force=True)
    assert target.read_text() == "new\n" and stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.sh"]  # no temporary file left


def test_default_name():
    assert usecase.default_name("Back up ~/notes to a dated tar.gz!") == "back-up-notes-to-a.sh"
    assert usecase.default_name("???") == "script.sh"


def test_extract_script_prefers_longest_shell_fence():
    text = "```bash\nls\n```\nand the script:\n```sh\n#!/bin/bash\necho a\necho b\n```\n```python\nprint(1)\n```"
    assert usecase.extract_script(text) == "#!/bin/bash\necho a\necho b\n"


def test_line_numbers_in_header_and_review_point_at_the_saved_line():
    backend = ScriptedBackend(["```bash\n#!/usr/bin/env bash\nset -euo pipefail\nrm -rf \"$1\"\n```"])
    result = usecase.generate(backend, "m", "t", rounds=0, classify_script=fake_classify_script)
    text = usecase.with_header(result)
    saved = usecase.saved_line(result.risks[0].line)
    assert text.splitlines()[saved - 1].startswith("rm -rf")
    assert f"line {saved} recursive-delete" in text


def test_cut_off_script_is_flagged():
    backend = ScriptedBackend(["```bash\n#!/usr/bin/env bash\necho a\necho b"], finish_reason="length")
    result = usecase.generate(backend, "m", "t", rounds=0, classify_script=fake_classify_script)
    assert result.cut_off and "INCOMPLETE" in usecase.with_header(result)
