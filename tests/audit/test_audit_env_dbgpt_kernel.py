"""Issue 14's audit parts: environments in compose files and Dockerfiles (the same check as the
live environment), DB-GPT configs, and what the kernel lets the sandbox do."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from audit_helpers import make_ctx, rules

from ccgpt.security.audit import checks_dbgpt, checks_docker, checks_ollama, checks_sandbox, sandbox_probe

REPO = Path(__file__).resolve().parents[2]

WEBUI_COMPOSE_LIST = """\
services:
  ollama:
    image: ollama/ollama
    ports: ["11434:11434"]
    environment:
      - OLLAMA_ORIGINS=*
      - OLLAMA_HOST=0.0.0.0
  open-webui:
    image: ghcr.io/open-webui/open-webui:main
    environment:
      - WEBUI_SECRET_KEY=changeme123
      - OLLAMA_BASE_URL=http://ollama:11434
"""
WEBUI_COMPOSE_MAP = """\
services:
  ollama:
    image: ollama/ollama
    environment:
      OLLAMA_ORIGINS: "http://localhost:3000,*"
      OLLAMA_HOST: "0.0.0.0:11434"
  open-webui:
    image: ghcr.io/open-webui/open-webui:main
    environment:
      WEBUI_SECRET_KEY: ${WEBUI_SECRET_KEY:?set it}
      DB_PASSWORD:
"""


def _by_rule(found, rule):
    return [f for f in found if f.rule == rule]


def test_compose_environment_list_form(tmp_path):
    path = tmp_path / "docker-compose.yml"
    path.write_text(WEBUI_COMPOSE_LIST)
    found = checks_docker.check_compose(path, "docker-compose.yml")
    [origins] = _by_rule(found, "ollama-origins-any")
    assert origins.severity == "high" and "service ollama" in origins.what and origins.path == "docker-compose.yml"
    [bind] = _by_rule(found, "ollama-bind-all")
    assert bind.severity == "high"  # 11434 is published on every interface
    [secret] = _by_rule(found, "env-literal-secret")
    assert "service open-webui" in secret.what and "WEBUI_SECRET_KEY" in secret.what
    assert "changeme123" not in secret.what + secret.fix  # the audit never repeats a secret


def test_compose_environment_map_form_and_values_from_the_shell(tmp_path):
    path = tmp_path / "compose.yaml"
    path.write_text(WEBUI_COMPOSE_MAP)
    found = checks_docker.check_compose(path, "compose.yaml")
    assert _by_rule(found, "ollama-origins-any")  # "*" among other origins
    [bind] = _by_rule(found, "ollama-bind-all")
    assert bind.severity == "low"  # no published port: reachable on its compose network only
    assert not _by_rule(found, "env-literal-secret")  # ${VAR:?…} and an empty value are not literals


def test_dockerfile_env_both_syntaxes(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("FROM ollama/ollama\nENV OLLAMA_ORIGINS *\n"
                    "ENV WEBUI_SECRET_KEY=changeme123 OLLAMA_HOST=0.0.0.0:11434 \\\n    OTHER=\"two words\"\nUSER 1000\n")
    found = checks_docker.check_dockerfile(path, "Dockerfile")
    [origins] = _by_rule(found, "ollama-origins-any")
    assert origins.line == 2
    [secret] = _by_rule(found, "env-literal-secret")
    assert secret.line == 3 and "WEBUI_SECRET_KEY" in secret.what
    # the same rule as a compose service's; no compose file builds it, so how it is run decides: low
    [bind] = _by_rule(found, "ollama-bind-all")
    assert (bind.severity, bind.line, bind.path) == ("low", 3, "Dockerfile")
    assert "docker run -p 11434:11434" in bind.why


def test_the_live_environment_gets_the_same_rules(home):
    ctx = make_ctx(home, env={"OLLAMA_ORIGINS": "*", "OLLAMA_HOST": "0.0.0.0", "WEBUI_SECRET_KEY": "x" * 20})
    found = checks_ollama.check(ctx)
    assert {"ollama-origins-any", "ollama-bind-all"} <= rules(found)
    assert "env-literal-secret" not in rules(found)  # the environment is where secrets belong


def test_shipped_dbgpt_config_is_safe(home, monkeypatch):
    monkeypatch.delenv("DBGPT_ENCRYPT_KEY", raising=False)
    assert checks_dbgpt.check_file(REPO / "configs" / "dbgpt-proxy-ollama.toml", "configs/dbgpt-proxy-ollama.toml") == []


def test_dbgpt_config_without_system_and_service_web(tmp_path):
    path = tmp_path / "dbgpt.toml"
    path.write_text('[models]\n[[models.llms]]\nname = "m"\nprovider = "proxy/ollama"\n')
    found = checks_dbgpt.check_file(path, "dbgpt.toml")
    assert [(f.rule, f.severity) for f in found] == [("dbgpt-listens-everywhere", "high"), ("dbgpt-encrypt-key", "high")]
    assert "0.0.0.0:5670" in found[0].what and "your_secret_key" in found[1].what


def test_dbgpt_literal_placeholder_and_defaulted_keys(tmp_path):
    def key_finding(system: str, web: str = 'host = "127.0.0.1"'):
        path = tmp_path / "c.toml"
        path.write_text(f"[system]\n{system}\n[service.web]\n{web}\n")
        return [f.what for f in checks_dbgpt.check_file(path, "c.toml")]

    assert "placeholder 'your_secret_key'" in key_finding('encrypt_key = "your_secret_key"')[0]
    assert "literal" in key_finding('encrypt_key = "k3y-f0r-my-db"')[0]
    assert "falls back to a literal" in key_finding('encrypt_key = "${env:K:-abc123def}"')[0]
    assert "placeholder" in key_finding('encrypt_key = "${env:K:-your_secret_key}"')[0]
    assert key_finding('encrypt_key = "${env:DBGPT_ENCRYPT_KEY}"') == []
    listens = key_finding('encrypt_key = "${env:K}"', 'host = "0.0.0.0"\nport = 7000')
    assert listens == ["DB-GPT started with c.toml would listen on 0.0.0.0:7000"]


def test_audit_reads_the_projects_dbgpt_configs(home, tmp_path):
    project = tmp_path / "proj"
    (project / "configs").mkdir(parents=True)
    (project / "configs" / "dbgpt.toml").write_text('[service.web]\nhost = "::"\n[system]\nencrypt_key = "${env:K}"\n')
    (project / "configs" / "other.toml").write_text('[tool]\nx = 1\n')  # not a DB-GPT config
    found = checks_dbgpt.check(make_ctx(home, project=project))
    assert [(f.rule, f.path, f.line) for f in found] == [("dbgpt-listens-everywhere", "configs/dbgpt.toml", 2)]


def test_root_without_a_user_namespace_is_high():
    found = checks_sandbox.kernel_findings(True, lambda: (False, "unshare: Operation not permitted"),
                                           lambda: (False, "cgroup v1: no writable memory hierarchy"))
    assert [(f.rule, f.severity) for f in found] == [("sandbox-root-no-userns", "high"), ("sandbox-no-cgroup", "medium")]
    ok = checks_sandbox.kernel_findings(True, lambda: (True, "bwrap created one"), lambda: (True, "cgroup v1"))
    assert [(f.rule, f.severity) for f in ok] == [("sandbox-userns", "info"), ("sandbox-cgroup", "info")]
    user = checks_sandbox.kernel_findings(False, lambda: (False, "never asked"), lambda: (True, "cgroup v2"))
    assert [f.rule for f in user] == ["sandbox-cgroup"]  # not root: nothing to keep out


def test_docker_backend_skips_the_kernel_checks(home):
    ctx = make_ctx(home, config_text='[ccgpt.sandbox]\nbackend = "docker"\n')
    found = checks_sandbox.check(ctx, bwrap=lambda: (False, "x"), docker=lambda: True, root=lambda: True,
                                 userns=lambda: (False, "x"), cgroup=lambda: (False, "x"))
    assert rules(found) == {"sandbox-available"}


def test_real_user_namespace_probe_agrees_with_the_machine():
    ok, detail = sandbox_probe.user_namespace()
    tool = shutil.which("bwrap") or shutil.which("unshare")
    assert tool, "bubblewrap is a test dependency (.ci/run installs it)"
    argv = ([tool, "--ro-bind", "/", "/", "--unshare-user", "true"] if tool.endswith("bwrap")
            else [tool, "--user", "true"])
    assert ok == (subprocess.run(argv, capture_output=True).returncode == 0), detail


def test_cgroup_finding_is_what_the_sandbox_will_do():
    from ccgpt.run.probe import capabilities

    ok, detail = sandbox_probe.cgroup_limits()
    sandbox = capabilities().cgroup
    assert ok == (sandbox is not None), detail
    if ok:
        assert detail == sandbox
