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


def test_common_flags_inside_a_command_line_belong_to_that_command(ccgpt):
    # `-q` is grep's here; taking it as ccgpt's --quiet would explain a different command.
    r = ccgpt("explain", "--no-llm", "--json", "grep", "-q", "foo", "file.txt")
    assert r.returncode == 0, r.stderr
    import json

    assert json.loads(r.stdout)["command"] == "grep -q foo file.txt"
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_registered_command_has_a_module(name):
    import importlib

    module = importlib.import_module(COMMANDS[name][0])
    assert callable(module.configure) and callable(module.run)
