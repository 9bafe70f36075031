"""What a new user trips on in the first ten minutes (issue 18): each mistake gets one clear
line, never a traceback, never silence, never a raw terminal escape."""

from __future__ import annotations

from ccgpt.config_keys import unknown_keys
from ccgpt.config import defaults


def test_a_misspelled_config_key_is_named_with_the_closest_known_one(ccgpt, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[ccgpt]\nbackendd = "embedded"\n[ccgpt.sandbox]\ntimeot = 3\n'
                   '[ccgpt.openai]\nextra_body = {repeat_penalty = 1.0}\n[ccgpt.gateway]\nzzz = 1\n')
    r = ccgpt("config", "show", "--config", str(cfg))
    assert r.returncode == 0
    warnings = [line for line in r.stderr.splitlines() if "unknown key" in line]
    assert warnings == [
        f"ccgpt: warning: {cfg}: unknown key ccgpt.backendd; did you mean ccgpt.backend?",
        f"ccgpt: warning: {cfg}: unknown key ccgpt.sandbox.timeot; did you mean ccgpt.sandbox.timeout?",
        f"ccgpt: warning: {cfg}: unknown key ccgpt.gateway.zzz (it is ignored)",
    ]  # extra_body is free-form: its keys are the server's


def test_the_shipped_configs_have_no_unknown_key():
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in (root / "configs" / "dbgpt-proxy-ollama.toml", root / "docker" / "ccgpt.toml"):
        own = tomllib.loads(path.read_text())["ccgpt"]
        assert unknown_keys(own, defaults()) == [], path


def test_an_unwritable_data_directory_is_one_clear_line(ccgpt, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    r = ccgpt("history", env={"CCGPT_DATA_DIR": str(blocker / "data")})
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        f"ccgpt: cannot write the history store in {blocker / 'data'}: not a directory "
        "(make it writable, or set CCGPT_DATA_DIR to a writable directory)"]


def test_argparse_errors_do_not_echo_terminal_escapes(ccgpt):
    r = ccgpt("config", "--\x1b]0;owned\x07\x1b[31mred")
    assert r.returncode == 2
    assert r.stderr.splitlines()[-1] == "ccgpt config: error: unrecognized arguments: --red"  # OSC and SGR gone
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr
