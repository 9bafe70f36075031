import pytest

from ccgpt import __version__
from ccgpt.cli.main import COMMANDS


def test_version_and_help(ccgpt):
    r = ccgpt("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"ccgpt {__version__}"
    r = ccgpt("--help")
    assert r.returncode == 0
    for name in COMMANDS:
        assert f"  {name} " in r.stdout


def test_unknown_command_is_a_usage_error(ccgpt):
    r = ccgpt("frobnicate")
    assert r.returncode == 2
    assert "unknown command 'frobnicate'" in r.stderr and "Traceback" not in r.stderr


def test_ask_without_prompt_or_stdin_is_a_usage_error(ccgpt):
    r = ccgpt("ask", input="")
    assert r.returncode == 2 and "nothing to ask" in r.stderr


def test_global_flags_may_come_before_the_command(ccgpt, tmp_path):
    r = ccgpt("--json", "config", "path")
    assert r.returncode == 0 and r.stdout.startswith("{")
