"""Backend resolution (--backend, config, fallback to embedded, -m) and `ccgpt ask` end to end
against an Ollama-shaped loopback server replaying documented transcripts."""

import argparse
import json

import pytest
from fakeserver import FakeServer, Reply, transcript

from ccgpt.config import load_config
from ccgpt.errors import UsageError
from ccgpt.llm.registry import resolve_backend


def args(**kw):
    return argparse.Namespace(**{"backend": None, "model": None, **kw})


def config_for(tmp_path, url: str, extra: str = ""):
    path = tmp_path / "c.toml"
    path.write_text(
        f'[[models.llms]]\nname = "llama3.2"\nprovider = "proxy/ollama"\napi_base = "{url}"\n'
        f'[ccgpt.models]\ngeneral = "llama3.2"\nshell = "qwen2.5-coder:7b"\n{extra}'
    )
    return path


def test_configured_ollama_is_used_when_it_answers(tmp_path, ollama):
    cfg = load_config(str(config_for(tmp_path, ollama.url)))
    backend, model = resolve_backend(cfg, args(), task="general")
    assert (backend.name, model) == ("ollama", "llama3.2")
    assert resolve_backend(cfg, args(), task="shell")[1] == "qwen2.5-coder:7b"
    assert resolve_backend(cfg, args(model="mistral"), task="shell")[1] == "mistral"  # -m wins


def test_unreachable_ollama_falls_back_to_embedded_and_says_so(tmp_path, capsys):
    cfg = load_config(str(config_for(tmp_path, "http://127.0.0.1:9")))
    backend, model = resolve_backend(cfg, args(), task="general")
    assert backend.name == "embedded" and model == "smollm2-135m"
    err = capsys.readouterr().err
    assert "Ollama is not reachable at http://127.0.0.1:9" in err and "embedded" in err


def test_no_fallback_when_the_backend_was_asked_for(tmp_path):
    cfg = load_config(str(config_for(tmp_path, "http://127.0.0.1:9")))
    backend, model = resolve_backend(cfg, args(backend="ollama"), task="general")
    assert backend.name == "ollama" and model == "llama3.2"


def test_no_fallback_when_config_disables_it(tmp_path):
    cfg = load_config(str(config_for(tmp_path, "http://127.0.0.1:9", "[ccgpt]\nfallback_to_embedded = false\n")))
    assert resolve_backend(cfg, args(), task="general")[0].name == "ollama"


def test_embedded_rejects_other_model_names(tmp_path):
    cfg = load_config(str(config_for(tmp_path, "http://127.0.0.1:9")))
    with pytest.raises(UsageError, match="no embedded model named 'llama3.2' .embedded models: qwen2.5-coder-1.5b"):
        resolve_backend(cfg, args(backend="embedded", model="llama3.2"))


def test_embedded_model_is_chosen_by_flag_config_or_default(tmp_path, monkeypatch):
    cfg = load_config(str(config_for(tmp_path, "http://127.0.0.1:9")))
    backend, model = resolve_backend(cfg, args(backend="embedded", model="qwen2.5-coder-0.5b"))
    assert model == backend.model_name == "qwen2.5-coder-0.5b"
    monkeypatch.delenv("CCGPT_EMBEDDED_MODEL")
    assert resolve_backend(cfg, args(backend="embedded"))[1] == "qwen2.5-coder-1.5b"  # the default
    cfg = load_config(str(config_for(tmp_path, "http://127.0.0.1:9", '[ccgpt.embedded]\nmodel = "qwen2.5-coder-0.5b"\n')))
    assert resolve_backend(cfg, args(backend="embedded"))[1] == "qwen2.5-coder-0.5b"


def test_ollama_host_is_honoured_when_the_config_has_no_api_base(tmp_path, ollama, monkeypatch):
    path = tmp_path / "c.toml"
    path.write_text('[ccgpt.models]\ngeneral = "llama3.2"\n')
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{ollama.port}")  # the bare host:port form
    backend, _ = resolve_backend(load_config(str(path)), args())
    assert backend.name == "ollama"


def test_ask_streams_and_json_reports_tokens(ccgpt, tmp_path, ollama):
    cfg = config_for(tmp_path, ollama.url)
    r = ccgpt("ask", "--config", str(cfg), "why is the sky blue?")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "The sky is blue — “Rayleigh” scattering.\n"
    sent = ollama.last("/api/chat").json()
    assert sent["model"] == "llama3.2" and sent["stream"] is True
    assert sent["messages"][-1] == {"role": "user", "content": "why is the sky blue?"}

    r = ccgpt("ask", "--json", "--config", str(cfg), "why is the sky blue?")
    out = json.loads(r.stdout)
    assert out["backend"] == "ollama" and out["model"] == "llama3.2"
    assert out["text"] == "The sky is blue — “Rayleigh” scattering."
    assert out["prompt_tokens"] == 26 and out["completion_tokens"] == 282


def test_ask_adds_piped_stdin_as_context(ccgpt, tmp_path, ollama):
    cfg = config_for(tmp_path, ollama.url)
    r = ccgpt("ask", "--config", str(cfg), "write a commit message", input="diff --git a/x b/x\n+hello\n")
    assert r.returncode == 0, r.stderr
    content = ollama.last("/api/chat").json()["messages"][-1]["content"]
    assert content.startswith("write a commit message") and "<context>\ndiff --git a/x b/x\n+hello\n" in content


def test_ask_output_is_sanitised(ccgpt, tmp_path):
    hostile = [
        {"model": "m", "message": {"role": "assistant", "content": "safe \u001b]52;c;cm0gLXJmIH4K\u0007text"}, "done": False},
        {"model": "m", "message": {"role": "assistant", "content": " \u001b[2Jmore\u202e"}, "done": False},
        {"model": "m", "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop"},
    ]
    srv = FakeServer().start()
    try:
        srv.route("GET", "/api/version", lambda r: Reply(body=b'{"version":"0.5.0"}'))
        srv.route("POST", "/api/chat", lambda r: Reply(lines=[json.dumps(x).encode() + b"\n" for x in hostile]))
        cfg = config_for(tmp_path, srv.url)
        r = ccgpt("ask", "--config", str(cfg), "hi")
        assert r.stdout == "safe text more<U+202E>\n"
        r = ccgpt("ask", "--json", "--config", str(cfg), "hi")
        assert "\\u001b" in r.stdout and "\x1b" not in r.stdout  # JSON escapes, never raw
    finally:
        srv.stop()


def test_ask_logs_to_history_unless_no_log(ccgpt, tmp_path, ollama, private_home):
    from ccgpt.store.db import open_store
    from ccgpt.store.interactions import search_interactions

    cfg = config_for(tmp_path, ollama.url)
    env = {"HOME": str(private_home)}
    assert ccgpt("ask", "--config", str(cfg), "sky question one", env=env).returncode == 0
    assert ccgpt("ask", "--no-log", "--config", str(cfg), "sky question two", env=env).returncode == 0
    store = open_store()
    prompts = [i.prompt for i in search_interactions(store, "sky question")]
    assert prompts == ["sky question one"]
    [row] = search_interactions(store, "one")
    assert (row.backend, row.model, row.completion_tokens) == ("ollama", "llama3.2", 282)


def test_missing_model_error_says_what_to_do(ccgpt, tmp_path):
    srv = FakeServer().start()
    try:
        srv.route("GET", "/api/version", lambda r: Reply(body=b'{"version":"0.5.0"}'))
        srv.route("POST", "/api/chat", lambda r: Reply(404, transcript("error_model_not_found.json")))
        r = ccgpt("ask", "--config", str(config_for(tmp_path, srv.url)), "hi")
        assert r.returncode == 1
        assert "ccgpt models pull" in r.stderr and "Traceback" not in r.stderr
    finally:
        srv.stop()
