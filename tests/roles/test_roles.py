"""Roles: the built-in set, the user's TOML files (valid, invalid -> one clear line), and
their use by `ask --role`, `chat --role` and `/role`."""

import json
import os
import stat

import pytest

from ccgpt.assist.roles import BUILTIN, RoleError, all_roles, get_role, load_role_file


def _roles_dir(home):
    d = home / ".config" / "ccgpt" / "roles"
    d.mkdir(parents=True, exist_ok=True)
    return d


def test_the_builtin_roles():
    assert {"shell", "code", "explain", "commit", "review", "general"} <= set(BUILTIN)
    assert all(r.system and r.description and r.builtin for r in BUILTIN.values())


def test_a_valid_user_role(private_home):
    d = _roles_dir(private_home)
    (d / "terse.toml").write_text('description = "short answers"\nsystem = "Be terse."\nmodel = "llama3.2"\n'
                                  'temperature = 0.3\ntask = "code"\n')
    role = get_role("terse")
    assert (role.name, role.system, role.model, role.temperature, role.task, role.builtin) == (
        "terse", "Be terse.", "llama3.2", 0.3, "code", False)


@pytest.mark.parametrize("text,problem", [
    ('system = "unterminated\n', "malformed TOML"),
    ('description = "x"\n', "`system` (the role's instructions) must be a non-empty string"),
    ('system = "s"\ntemperature = 9\n', "`temperature` must be a number from 0 to 2"),
    ('system = "s"\ntask = "poetry"\n', "`task` must be one of shell, code, general"),
    ('system = "s"\nsytem = "typo"\n', "unknown key 'sytem'"),
])
def test_invalid_role_files_are_one_clear_error(private_home, text, problem):
    path = _roles_dir(private_home) / "bad.toml"
    path.write_text(text)
    with pytest.raises(RoleError) as err:
        load_role_file(path)
    assert str(err.value).startswith(f"{path}: ") and problem in str(err.value) and "\n" not in str(err.value)


def test_a_user_file_replaces_the_builtin_of_its_name(private_home):
    (_roles_dir(private_home) / "commit.toml").write_text('system = "Write commit messages in French."\n')
    roles, warnings = all_roles()
    commit = [r for r in roles if r.name == "commit"]
    assert len(commit) == 1 and not commit[0].builtin and warnings == []


def test_roles_cli_list_show_new(ccgpt, private_home):
    d = _roles_dir(private_home)
    (d / "broken.toml").write_text("system = \n")
    r = ccgpt("roles", "list", "--json")
    assert r.returncode == 0
    listed = json.loads(r.stdout)
    assert all(set(x) == {"name", "description", "model", "builtin"} for x in listed)
    assert {x["name"] for x in listed} == set(BUILTIN)
    assert r.stderr.count("\n") == 1 and "broken.toml: malformed TOML" in r.stderr

    r = ccgpt("roles", "new", "sql", "--system", "You write SQL.", "-m", "sqlcoder", "--task", "code")
    assert r.returncode == 0, r.stderr
    path = d / "sql.toml"
    assert r.stdout.strip() == str(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert get_role("sql").model == "sqlcoder"
    assert ccgpt("roles", "new", "sql", "--system", "x").returncode == 1  # exists
    assert {"name": "sql", "description": "based on general", "model": "sqlcoder", "builtin": False} in json.loads(
        ccgpt("roles", "list", "--json").stdout)
    shown = json.loads(ccgpt("roles", "show", "sql", "--json").stdout)
    assert shown["system"] == "You write SQL." and shown["task"] == "code"
    r = ccgpt("roles", "show", "broken")
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "malformed TOML" in r.stderr
    r = ccgpt("roles", "show", "nope")
    assert r.returncode == 2 and "no role named 'nope'" in r.stderr


def test_ask_with_a_role_uses_its_prompt_model_and_temperature(ccgpt, cfg, scripted, private_home):
    (_roles_dir(private_home) / "pirate.toml").write_text(
        'system = "Answer like a pirate."\nmodel = "mistral"\ntemperature = 1.5\n')
    scripted.answers = ["arr"]
    r = ccgpt("ask", "--role", "pirate", "--config", cfg, "hello")
    assert r.returncode == 0 and r.stdout == "arr\n"
    sent = scripted.chats()[-1]
    assert sent["messages"][0]["content"] == "Answer like a pirate."
    assert sent["model"] == "mistral" and sent["options"]["temperature"] == 1.5
    ccgpt("ask", "--role", "pirate", "-m", "llama3.2", "-t", "0", "-s", "plain", "--config", cfg, "hello")
    sent = scripted.chats()[-1]
    assert (sent["model"], sent["options"]["temperature"], sent["messages"][0]["content"]) == ("llama3.2", 0, "plain")
    ccgpt("ask", "--role", "shell", "--config", cfg, "what is the weather")
    assert scripted.chats()[-1]["model"] == "shellmodel"  # the shell role routes to the shell model


def test_ask_with_a_broken_role_is_one_line(ccgpt, cfg, private_home):
    (_roles_dir(private_home) / "bad.toml").write_text("system = [\n")
    r = ccgpt("ask", "--role", "bad", "--config", cfg, "hi")
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "bad.toml: malformed TOML" in r.stderr


def test_chat_role_switches_the_system_prompt_of_the_next_turn(ccgpt, cfg, scripted):
    scripted.answers = ["ok"]
    r = ccgpt("chat", "--role", "shell", "--config", cfg, input="one\n/role review\ntwo\n/role nope\n/role\n")
    assert r.returncode == 0, r.stderr
    first, second = scripted.chats()
    assert first["messages"][0]["content"] == BUILTIN["shell"].system
    assert second["messages"][0]["content"] == BUILTIN["review"].system
    assert "now in role review" in r.stderr and "no role named 'nope'" in r.stderr and "role: review" in r.stderr
