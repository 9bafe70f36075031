"""Gateway settings (with a real store for keys) and sandbox availability."""

from __future__ import annotations

import os

from audit_helpers import make_ctx, rules

from ccgpt.security.audit import checks_gateway, checks_sandbox


def _gateway(host="127.0.0.1", cors='[]', tls_cert="", tls_key="", log_content="false"):
    return (
        f'[ccgpt.gateway]\nhost = "{host}"\nport = 11435\ncors_origins = {cors}\n'
        f'tls_cert = "{tls_cert}"\ntls_key = "{tls_key}"\nlog_content = {log_content}\n'
    )


def _add_key(store_file, revoked=None):
    from ccgpt.store.db import open_store

    store = open_store(store_file)
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO api_keys(name, prefix, hash, created, revoked) VALUES (?, ?, ?, ?, ?)",
            (f"k{os.urandom(4).hex()}", "ccgpt_ab", "x", 0.0, revoked),
        )
    store.close()


def test_default_gateway_is_clean(home):
    assert checks_gateway.check(make_ctx(home, config_text=_gateway())) == []


def test_network_gateway_without_keys_or_tls(home):
    ctx = make_ctx(home, config_text=_gateway(host="0.0.0.0"))
    found = {f.rule: f.severity for f in checks_gateway.check(ctx)}
    assert found == {"gateway-no-keys": "high", "gateway-no-tls": "medium"}


def test_revoked_keys_do_not_count(home):
    ctx = make_ctx(home, config_text=_gateway(host="0.0.0.0"))
    _add_key(ctx.store_file, revoked=1.0)
    assert "gateway-no-keys" in rules(checks_gateway.check(ctx))


def test_network_gateway_with_keys_and_private_tls_key_is_clean(home, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("cert")
    key.write_text("key")
    os.chmod(key, 0o600)
    ctx = make_ctx(home, config_text=_gateway(host="0.0.0.0", tls_cert=cert, tls_key=key))
    _add_key(ctx.store_file)
    assert checks_gateway.check(ctx) == []
    os.chmod(key, 0o644)
    [f] = checks_gateway.check(ctx)
    assert (f.rule, f.severity) == ("gateway-tls-key-permissions", "high")
    f.fixes[0].apply()
    assert checks_gateway.check(ctx) == []


def test_audit_does_not_create_a_store(home):
    ctx = make_ctx(home, config_text=_gateway(host="0.0.0.0"))
    checks_gateway.check(ctx)
    assert not ctx.store_file.exists()


def test_cors_any_and_logged_content(home):
    ctx = make_ctx(home, config_text=_gateway(cors='["*"]', log_content="true"))
    found = {f.rule: f.severity for f in checks_gateway.check(ctx)}
    assert found == {"gateway-cors-any": "medium", "gateway-log-content": "low"}
    ctx = make_ctx(home, config_text=_gateway(host="0.0.0.0", cors='["*"]'))
    assert {f.severity for f in checks_gateway.check(ctx) if f.rule == "gateway-cors-any"} == {"high"}


BACKEND_RULES = {"sandbox-available", "sandbox-unavailable", "sandbox-disabled"}


def backend(found):
    """The findings about the sandbox backend (the kernel's are tested in test_audit_env_dbgpt_kernel.py)."""
    return [(f.rule, f.severity) for f in found if f.rule in BACKEND_RULES]


def test_sandbox_unavailable_is_medium(home):
    ctx = make_ctx(home)
    found = checks_sandbox.check(ctx, bwrap=lambda: (False, "bwrap is not installed"), docker=lambda: False)
    assert backend(found) == [("sandbox-unavailable", "medium")]
    assert "bubblewrap" in next(f for f in found if f.rule == "sandbox-unavailable").fix


def test_sandbox_available_through_bwrap_or_docker(home):
    ctx = make_ctx(home)
    found = checks_sandbox.check(ctx, bwrap=lambda: (True, "/usr/bin/bwrap"), docker=lambda: False)
    assert backend(found) == [("sandbox-available", "info")]
    found = checks_sandbox.check(ctx, bwrap=lambda: (False, "no bwrap"), docker=lambda: True)
    assert backend(found) == [("sandbox-available", "info")]


def test_sandbox_turned_off_in_config(home):
    ctx = make_ctx(home, config_text='[ccgpt.sandbox]\nbackend = "none"\n')
    assert [(f.rule, f.severity) for f in checks_sandbox.check(ctx)] == [("sandbox-disabled", "medium")]


def test_real_bwrap_probe_agrees_with_the_machine():
    import shutil
    import subprocess

    ok, detail = checks_sandbox.bwrap_works()
    if shutil.which("bwrap") is None:
        assert not ok and "not installed" in detail
    else:
        direct = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-all", "true"], capture_output=True)
        assert ok == (direct.returncode == 0)
