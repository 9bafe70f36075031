"""Config lookup order, ${env:…} interpolation, secrets, and bad input."""

from pathlib import Path

import pytest

from ccgpt.config import load_config, template_text
from ccgpt.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_shipped_config_is_the_template_and_private():
    shipped = ROOT / "configs" / "dbgpt-proxy-ollama.toml"
    assert shipped.read_text() == template_text()


def test_shipped_config_is_a_valid_dbgpt_ollama_config(monkeypatch):
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    cfg = load_config(str(ROOT / "configs" / "dbgpt-proxy-ollama.toml"))
    llm = cfg.llms[0]
    assert llm["provider"] == "proxy/ollama"
    assert llm["api_base"] == "http://127.0.0.1:11434"
    assert llm["api_key"] == ""  # from ${env:OLLAMA_API_KEY:-}, never a literal
    assert cfg.literal_secrets == []


def test_lookup_order(tmp_path, monkeypatch, private_home):
    explicit = write(tmp_path / "explicit.toml", '[ccgpt]\nbackend = "openai"\n')
    from_env = write(tmp_path / "env.toml", '[ccgpt]\nbackend = "embedded"\n')
    user = write(private_home / ".config" / "ccgpt" / "config.toml", "[ccgpt.sandbox]\ntimeout = 7\n")
    monkeypatch.chdir(tmp_path)
    assert load_config().path == user
    assert load_config().get("sandbox.timeout") == 7
    monkeypatch.setenv("CCGPT_CONFIG", str(from_env))
    assert load_config().get("backend") == "embedded"
    assert load_config(str(explicit)).get("backend") == "openai"


def test_checkout_config_is_used_only_in_the_running_ccgpt_s_own_checkout(tmp_path, monkeypatch, private_home):
    # A random repository with the same file name must not redirect prompts, and neither may one
    # that also names the project in its pyproject.toml (one line any repository can carry).
    write(tmp_path / "configs" / "dbgpt-proxy-ollama.toml", '[ccgpt]\nbackend = "openai"\n')
    monkeypatch.chdir(tmp_path)
    assert load_config().path is None
    write(tmp_path / "pyproject.toml", '[project]\nname = "codexcontinue"\n')
    assert load_config().path is None
    from ccgpt.paths import user_config_file

    user = write(user_config_file(), '[ccgpt]\nbackend = "embedded"\n')
    assert load_config().path == user and load_config().chosen_by == "user config"  # yours, not the repository's
    # The source tree this ccgpt runs from is a checkout: its configs/ file is used there.
    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)
    assert load_config().chosen_by == "checkout"
    assert load_config().path == root / "configs" / "dbgpt-proxy-ollama.toml"


def test_defaults_fill_what_the_file_leaves_out(tmp_path):
    cfg = load_config(str(write(tmp_path / "c.toml", "[ccgpt.sandbox]\ntimeout = 5\n")))
    assert cfg.get("sandbox.timeout") == 5
    assert cfg.source("sandbox.timeout") == "file"
    assert cfg.get("sandbox.memory_mb") == 2048
    assert cfg.source("sandbox.memory_mb") == "default"


def test_env_interpolation_with_and_without_default(tmp_path, monkeypatch):
    path = write(
        tmp_path / "c.toml",
        '[ccgpt.openai]\napi_base = "${env:MY_BASE:-http://127.0.0.1:1/v1}"\n'
        '[ccgpt.gateway]\nhost = "${env:GW_HOST}"\n',
    )
    monkeypatch.delenv("MY_BASE", raising=False)
    monkeypatch.delenv("GW_HOST", raising=False)
    # no default and not set: a clear error naming the key and the variable (as DB-GPT does)
    with pytest.raises(ConfigError, match=r"gateway\.host = \$\{env:GW_HOST\} but GW_HOST is not set"):
        load_config(str(path))
    monkeypatch.setenv("GW_HOST", "127.0.0.1")
    cfg = load_config(str(path))
    assert cfg.get("openai.api_base") == "http://127.0.0.1:1/v1"
    assert cfg.get("gateway.host") == "127.0.0.1"
    monkeypatch.setenv("MY_BASE", "http://10.0.0.1:8000/v1")
    cfg = load_config(str(path))
    assert cfg.get("openai.api_base") == "http://10.0.0.1:8000/v1"
    assert cfg.source("openai.api_base") == "env:MY_BASE"


def test_literal_secret_warns_and_names_the_env_form(tmp_path, capsys):
    path = write(tmp_path / "c.toml", '[[models.llms]]\nname = "m"\nprovider = "proxy/ollama"\napi_key = "abc123"\n')
    cfg = load_config(str(path))
    assert [s.key for s in cfg.literal_secrets] == ["models.llms[0].api_key"]
    err = capsys.readouterr().err
    assert "literal secret" in err and "${env:" in err and "abc123" not in err


def test_literal_secret_is_an_error_when_strict(tmp_path):
    path = write(tmp_path / "c.toml", '[ccgpt]\nstrict = true\n[[models.llms]]\napi_key = "abc123"\n')
    with pytest.raises(ConfigError, match="strict"):
        load_config(str(path))


@pytest.mark.parametrize(
    "text,message",
    [("[ccgpt\nbackend=", "malformed TOML"), ('[ccgpt]\nbackend = "gpt5"\n', "unknown backend"), ("ccgpt = 3\n", "must be a table")],
)
def test_bad_config_gives_one_clear_error(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_config(str(write(tmp_path / "c.toml", text)))


def test_unreadable_and_missing_config(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(str(tmp_path))  # a directory


@pytest.mark.parametrize(
    "args,message",
    [
        (["config", "show", "--config", "/nonexistent/c.toml"], "config file not found"),
        (["ask", "--backend", "gpt5", "hi"], "invalid choice"),
    ],
)
def test_cli_bad_input_is_one_line_and_nonzero(ccgpt, args, message):
    r = ccgpt(*args)
    assert r.returncode != 0
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_cli_malformed_toml(ccgpt, tmp_path):
    bad = write(tmp_path / "bad.toml", "[ccgpt\n")
    r = ccgpt("config", "show", "--config", str(bad))
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "malformed TOML" in r.stderr


def test_config_init_writes_0600_and_refuses_to_overwrite(ccgpt, tmp_path):
    target = tmp_path / "new.toml"
    assert ccgpt("config", "init", str(target)).returncode == 0
    assert (target.stat().st_mode & 0o777) == 0o600
    assert target.read_text() == template_text()
    r = ccgpt("config", "init", str(target))
    assert r.returncode == 1 and "--force" in r.stderr


def test_config_show_masks_secrets(ccgpt, tmp_path):
    path = write(tmp_path / "c.toml", '[[models.llms]]\nname = "m"\napi_key = "supersecretvalue123"\n')
    r = ccgpt("config", "show", "--config", str(path))
    assert r.returncode == 0
    assert "supersecretvalue123" not in r.stdout + r.stderr
    assert "masked" in r.stdout


def test_config_show_names_the_variable_a_value_came_from(ccgpt, tmp_path):
    path = write(tmp_path / "c.toml", '[[models.llms]]\nname = "m"\napi_base = "${env:MY_OLLAMA:-http://127.0.0.1:11434}"\n')
    r = ccgpt("config", "show", "--json", "--config", str(path), env={"MY_OLLAMA": "http://10.1.2.3:11434"})
    import json

    rows = {v["key"]: v for v in json.loads(r.stdout)["values"]}
    assert rows["models.llms[0].api_base"] == {"key": "models.llms[0].api_base", "value": "http://10.1.2.3:11434", "source": "env:MY_OLLAMA"}
