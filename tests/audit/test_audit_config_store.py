"""Config file, config/data directory and store permissions: insecure and secure fixtures."""

from __future__ import annotations

import os

from audit_helpers import make_ctx, rules

from ccgpt.security.audit import checks_config, checks_store

SECURE_CONFIG = '''
[[models.llms]]
name = "qwen2.5-coder:7b"
provider = "proxy/ollama"
api_base = "http://127.0.0.1:11434"
api_key = "${env:OLLAMA_API_KEY:-}"
'''

LEAKY_CONFIG = '''
[[models.llms]]
name = "qwen2.5-coder:7b"
provider = "proxy/ollama"
api_base = "http://127.0.0.1:11434"
api_key = "sk-live-0123456789abcdef"
'''


def test_secure_config_has_no_config_findings(home):
    ctx = make_ctx(home, config_text=SECURE_CONFIG)
    assert checks_config.check(ctx) == []


def test_config_readable_by_others_is_medium_and_fixable(home):
    ctx = make_ctx(home, config_text=SECURE_CONFIG)
    os.chmod(ctx.config_path, 0o644)
    [f] = checks_config.check(ctx)
    assert (f.rule, f.severity) == ("config-permissions", "medium")
    assert f.fix == f"chmod 600 {ctx.config_path}"
    f.fixes[0].apply()
    assert checks_config.check(ctx) == []


def test_world_writable_config_is_high(home):
    ctx = make_ctx(home, config_text=SECURE_CONFIG)
    os.chmod(ctx.config_path, 0o666)
    [f] = checks_config.check(ctx)
    assert (f.rule, f.severity) == ("config-world-writable", "high")


def test_config_owned_by_someone_else_is_high(home, monkeypatch):
    ctx = make_ctx(home, config_text=SECURE_CONFIG)
    if os.geteuid() == 0:
        os.chown(ctx.config_path, 54321, 54321)
    else:  # without root we cannot give the file away: be someone else instead
        monkeypatch.setattr(checks_config, "current_uid", lambda: os.geteuid() + 1)
    found = checks_config.check(ctx)
    assert rules(found) == {"config-owner"}
    assert found[0].severity == "high"


def test_literal_secret_names_the_env_replacement_and_line(home):
    ctx = make_ctx(home, config_text=LEAKY_CONFIG)
    [f] = checks_config.check(ctx)
    assert (f.rule, f.severity) == ("config-literal-secret", "high")
    assert "models.llms[0].api_key" in f.what
    assert "${env:CCGPT_API_KEY}" in f.fix and "export CCGPT_API_KEY=" in f.fix
    assert f.line == 6
    assert "sk-live" not in f.what + f.why + f.fix  # the secret itself is never repeated


def test_no_config_file_is_info(home):
    ctx = make_ctx(home)
    assert [(f.rule, f.severity) for f in checks_config.check(ctx)] == [("config-none", "info")]


def test_malformed_config_is_reported_not_raised(home):
    ctx = make_ctx(home, config_text="[ccgpt\nbackend=")
    assert "config-invalid" in rules(checks_config.check(ctx))


def _private_dirs(ctx):
    ctx.config_dir.mkdir(parents=True, exist_ok=True)
    ctx.data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(ctx.config_dir, 0o700)
    os.chmod(ctx.data_dir, 0o700)
    ctx.store_file.write_bytes(b"")
    os.chmod(ctx.store_file, 0o600)


def test_private_dirs_and_store_have_no_findings(home):
    ctx = make_ctx(home)
    _private_dirs(ctx)
    assert checks_store.check(ctx) == []


def test_open_dirs_store_and_world_writable_files_are_found_and_fixed(home):
    ctx = make_ctx(home)
    _private_dirs(ctx)
    os.chmod(ctx.data_dir, 0o755)
    os.chmod(ctx.store_file, 0o644)
    rules_file = ctx.config_dir / "rules.toml"
    rules_file.write_text("")
    os.chmod(rules_file, 0o666)
    found = checks_store.check(ctx)
    by_rule = {f.rule: f for f in found}
    assert set(by_rule) == {"dir-permissions", "store-permissions", "world-writable"}
    assert by_rule["world-writable"].severity == "high"
    assert by_rule["world-writable"].path == str(rules_file)
    assert by_rule["dir-permissions"].path == str(ctx.data_dir)
    for f in found:
        for fx in f.fixes:
            fx.apply()
    assert checks_store.check(ctx) == []
    assert oct(os.stat(rules_file).st_mode & 0o777) == "0o600"


def test_fix_never_follows_a_symlink(home, tmp_path):
    from ccgpt.security.audit.findings import ChmodFix

    target = tmp_path / "elsewhere"
    target.write_text("")
    os.chmod(target, 0o644)
    link = tmp_path / "link"
    link.symlink_to(target)
    try:
        ChmodFix(link, 0o600).apply()
    except OSError as exc:
        assert "symbolic link" in str(exc)
    else:
        raise AssertionError("a symlink was followed")
    assert os.stat(target).st_mode & 0o777 == 0o644
