"""`ccgpt models list|show|install` for the embedded models: offline, exact JSON fields."""

from __future__ import annotations

import json

OFFLINE = {"OLLAMA_HOST": "127.0.0.1:9"}
FIELDS = {"name", "backend", "installed", "default", "path", "size", "sha256", "license", "parameter_size",
          "quantization"}


def test_list_json_has_every_embedded_model_with_the_interface_fields(ccgpt, tmp_path):
    env = {**OFFLINE, "CCGPT_MODELS_DIR": str(tmp_path / "models"), "CCGPT_EMBEDDED_MODEL": ""}
    r = ccgpt("models", "list", "--json", env=env)
    assert r.returncode == 0, r.stderr
    rows = {m["name"]: m for m in json.loads(r.stdout) if m["backend"] == "embedded"}
    assert list(rows) == ["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "smollm2-135m"]
    for row in rows.values():
        assert FIELDS <= set(row) and row["license"] == "Apache-2.0" and len(row["sha256"]) == 64
    big = rows["qwen2.5-coder-1.5b"]
    assert big["default"] and big["size"] == 1_117_320_768 and (big["parameter_size"], big["quantization"]) == (
        "1.5B", "Q4_K_M")
    assert big["installed"] is False and big["path"] is None  # nothing assembled in this directory yet
    assert rows["smollm2-135m"]["installed"] and rows["smollm2-135m"]["path"].endswith(".gguf")
    assert [n for n, m in rows.items() if m["default"]] == ["qwen2.5-coder-1.5b"]
    assert "not reachable" in r.stderr  # Ollama is down: the embedded models are listed anyway


def test_the_configured_model_is_the_default(ccgpt, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[ccgpt.embedded]\nmodel = "qwen2.5-coder-0.5b"\n')
    r = ccgpt("models", "list", "--json", "--config", str(cfg), env={**OFFLINE, "CCGPT_EMBEDDED_MODEL": ""})
    assert [m["name"] for m in json.loads(r.stdout) if m.get("default")] == ["qwen2.5-coder-0.5b"]


def test_show_works_offline_and_install_of_an_in_place_model(ccgpt, tmp_path):
    r = ccgpt("models", "show", "--json", "qwen2.5-coder-0.5b", env={**OFFLINE, "CCGPT_MODELS_DIR": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["sha256"].startswith("1d9614638d18")
    r = ccgpt("models", "install", "smollm2-135m", env=OFFLINE)
    assert r.returncode == 0 and "smollm2-135m: already installed at" in r.stdout
    r = ccgpt("models", "install", "llama3.2", env=OFFLINE)
    assert r.returncode == 2 and "not an embedded model" in r.stderr and "Traceback" not in r.stderr
