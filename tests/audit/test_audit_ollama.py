"""Ollama: OLLAMA_HOST, OLLAMA_ORIGINS, answering beyond loopback, version against the table."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from audit_helpers import make_ctx, rules

from ccgpt.security.audit import checks_ollama, network
from ccgpt.security.audit.vulndb import affecting, load_table, parse_version


@pytest.mark.parametrize(
    "value, host, port, everywhere",
    [
        ("0.0.0.0", "0.0.0.0", 11434, True),
        ("0.0.0.0:8080", "0.0.0.0", 8080, True),
        (":11434", "", 11434, True),
        ("[::]:11434", "::", 11434, True),
        ("127.0.0.1", "127.0.0.1", 11434, False),
        ("http://localhost", "localhost", 80, False),
        ("https://gpu.example:8443/", "gpu.example", 8443, False),
        ("", "127.0.0.1", 11434, False),
    ],
)
def test_parse_ollama_host(value, host, port, everywhere):
    hp = network.parse_ollama_host(value)
    assert (hp.host, hp.port, hp.binds_everywhere) == (host, port, everywhere)


@pytest.mark.parametrize("value", ["0.0.0.0", ":11434", "0.0.0.0:11434", "http://[::]:11434"])
def test_ollama_host_binding_everywhere_is_high(home, value):
    found = checks_ollama.check(make_ctx(home, env={"OLLAMA_HOST": value}))
    [f] = [f for f in found if f.rule == "ollama-bind-all"]
    assert f.severity == "high" and "127.0.0.1" in f.fix


@pytest.mark.parametrize("value", ["127.0.0.1", "127.0.0.1:11434", "localhost:11434"])
def test_loopback_ollama_host_is_fine(home, value):
    found = checks_ollama.check(make_ctx(home, env={"OLLAMA_HOST": value}))
    assert not rules(found) & {"ollama-bind-all", "ollama-remote-plaintext", "ollama-exposed"}


def test_remote_plain_http_ollama_is_medium(home):
    found = checks_ollama.check(make_ctx(home, env={"OLLAMA_HOST": "http://gpu.example:11434"}))
    assert {f.severity for f in found if f.rule == "ollama-remote-plaintext"} == {"medium"}
    found = checks_ollama.check(make_ctx(home, env={"OLLAMA_HOST": "https://gpu.example:443"}))
    assert "ollama-remote-plaintext" not in rules(found)


@pytest.mark.parametrize("value", ["*", "http://*", "https://*,http://localhost:3000"])
def test_origins_open_to_every_site_is_high(home, value):
    found = checks_ollama.check(make_ctx(home, env={"OLLAMA_ORIGINS": value}))
    assert [f.severity for f in found if f.rule == "ollama-origins-any"] == ["high"]


def test_specific_origins_are_fine(home):
    found = checks_ollama.check(make_ctx(home, env={"OLLAMA_ORIGINS": "http://localhost:3000,app://*"}))
    assert "ollama-origins-any" not in rules(found)


def test_old_ollama_version_lists_its_cves(home, fake_ollama):
    srv = fake_ollama("0.1.33")
    found = checks_ollama.check(make_ctx(home, env={"OLLAMA_HOST": f"127.0.0.1:{srv.port}"}, probe=True))
    [f] = [f for f in found if f.rule == "ollama-vulnerable-version"]
    assert f.severity == "high"
    for cve in ("CVE-2024-37032", "CVE-2024-39720", "CVE-2024-39722", "CVE-2024-45436", "CVE-2026-7482"):
        assert cve in f.what
    assert "CVE-2024-28224" not in f.what  # fixed in 0.1.29
    assert "upgrade Ollama to 0.17.1 or later" in f.fix


def test_config_api_base_is_where_the_version_is_read(home, fake_ollama):
    srv = fake_ollama("0.16.0")
    config = f'[[models.llms]]\nname = "m"\nprovider = "proxy/ollama"\napi_base = "http://127.0.0.1:{srv.port}"\n'
    found = checks_ollama.check(make_ctx(home, config_text=config, probe=True))
    [f] = [f for f in found if f.rule == "ollama-vulnerable-version"]
    assert "CVE-2026-7482" in f.what and "0.16.0" in f.what


def test_current_ollama_version_is_clean(home, fake_ollama):
    srv = fake_ollama("0.32.4")
    found = checks_ollama.check(make_ctx(home, env={"OLLAMA_HOST": f"127.0.0.1:{srv.port}"}, probe=True))
    assert "ollama-vulnerable-version" not in rules(found)
    assert [f.severity for f in found if f.rule == "ollama-version"] == ["info"]


def test_unreachable_ollama_is_info_only(home):
    from audit_helpers import free_port

    found = checks_ollama.check(make_ctx(home, env={"OLLAMA_HOST": f"127.0.0.1:{free_port()}"}, probe=True))
    assert [f.severity for f in found if f.rule == "ollama-unreachable"] == ["info"]


def test_ollama_answering_on_all_interfaces_is_found(home, fake_ollama):
    srv = fake_ollama("0.32.4", bind="0.0.0.0")
    found = checks_ollama.check(make_ctx(home, env={"OLLAMA_HOST": f"127.0.0.1:{srv.port}"}, probe=True))
    if network.local_addresses():
        [f] = [f for f in found if f.rule == "ollama-exposed"]
        assert f.severity == "high"
    else:  # a machine with loopback only: the listener table still shows the wide socket
        assert "ollama-port-listening" in rules(found)
    # Without probing, the kernel's listener table alone still tells.
    found = checks_ollama.check(make_ctx(home, env={"OLLAMA_HOST": f"127.0.0.1:{srv.port}"}, probe=False))
    assert [f.severity for f in found if f.rule == "ollama-port-listening"] == ["medium"]


def test_ollama_on_loopback_only_is_not_exposed(home, fake_ollama):
    srv = fake_ollama("0.32.4", bind="127.0.0.1")
    found = checks_ollama.check(make_ctx(home, env={"OLLAMA_HOST": f"127.0.0.1:{srv.port}"}, probe=True))
    assert not rules(found) & {"ollama-exposed", "ollama-port-listening"}


def test_wide_listener_detection_reads_the_kernel_table(fake_ollama):
    wide = fake_ollama("0.32.4", bind="0.0.0.0")
    narrow = fake_ollama("0.32.4", bind="127.0.0.1")
    assert network.wide_listeners(wide.port) == ["0.0.0.0"]
    assert network.wide_listeners(narrow.port) == []


def test_version_parsing_orders_prereleases_before_releases():
    assert parse_version("0.17.1-rc0") < parse_version("0.17.1") < parse_version("0.17.2")
    assert parse_version("v0.3.14") == (0, 3, 14, 1)
    with pytest.raises(ValueError):
        parse_version("dev")


def test_the_shipped_table_is_well_formed_and_dated():
    table = load_table()
    assert table.updated <= dt.date.today() + dt.timedelta(days=1)
    ids = [v.id for v in table.vulnerabilities]
    assert len(ids) == len(set(ids)) >= 10
    for v in table.vulnerabilities:
        assert re.fullmatch(r"CVE-\d{4}-\d{4,}", v.id)
        assert v.severity in ("high", "medium", "low")
        assert bool(v.fixed) != bool(v.affected_through), v.id  # exactly one bound
        assert v.source.startswith("https://")
        parse_version(v.fixed or v.affected_through)


def test_table_semantics_fixed_and_affected_through():
    table = load_table()
    ids = lambda version: {v.id for v in affecting(version, table)}  # noqa: E731
    assert "CVE-2024-37032" in ids("0.1.33") and "CVE-2024-37032" not in ids("0.1.34")
    assert "CVE-2025-0312" in ids("0.3.14") and "CVE-2025-0312" not in ids("0.3.15")
    assert "CVE-2026-7482" in ids("0.17.1-rc1") and "CVE-2026-7482" not in ids("0.17.1")
    assert ids("0.32.4") == set()
