"""OllamaBackend against a loopback server replaying Ollama's documented API (see transcripts/)."""

from __future__ import annotations

import json
import socket
import threading

import pytest
from fakeserver import FakeServer, Reply, ndjson_lines, transcript

from ccgpt.errors import BackendError, BackendUnavailable, ModelNotFound
from ccgpt.llm.base import Chunk, Message, Options
from ccgpt.llm.ollama import OllamaBackend

NOT_FOUND = Reply(404, transcript("error_model_not_found.json"))


def _only(model: str, reply: Reply):
    """A route that serves `reply` for `model` and Ollama's 404 body for any other model."""

    def handler(req):
        body = req.json() or {}
        if body.get("model") != model:
            return Reply(404, json.dumps({"error": f"model '{body.get('model')}' not found"}).encode())
        return reply

    return handler


@pytest.fixture
def server():
    srv = FakeServer().start()
    srv.route("POST", "/api/chat", _only("llama3.2", Reply(lines=ndjson_lines("chat_stream.ndjson"), content_type="application/x-ndjson")))
    srv.route("POST", "/api/generate", _only("llama3.2", Reply(lines=ndjson_lines("generate_stream.ndjson"), content_type="application/x-ndjson")))
    srv.route("GET", "/api/tags", lambda r: Reply(body=transcript("tags.json")))
    srv.route("POST", "/api/show", _only("llama3.2", Reply(body=transcript("show.json"))))
    srv.route("GET", "/api/ps", lambda r: Reply(body=transcript("ps.json")))
    srv.route("GET", "/api/version", lambda r: Reply(body=transcript("version.json")))
    srv.route("POST", "/api/pull", lambda r: Reply(lines=ndjson_lines("pull_stream.ndjson"), content_type="application/x-ndjson"))
    srv.route("DELETE", "/api/delete", _only("llama3:13b", Reply(200)))
    yield srv
    srv.stop()


@pytest.fixture
def backend(server):
    with OllamaBackend(server.url, timeout_connect=2, timeout_read=10) as b:
        yield b


def test_stream_chat_yields_pieces_then_totals(server, backend):
    msgs = [Message("system", "Be brief."), Message("user", "why is the sky blue?")]
    chunks = list(backend.stream_chat("llama3.2", msgs, Options(temperature=0, max_tokens=64, stop=["\n\n"], seed=101, top_p=0.9)))

    assert [c.text for c in chunks[:-1]] == ["The", " sky", " is", " blue — “Rayleigh”", " scattering."]
    assert not any(c.done for c in chunks[:-1])
    assert chunks[-1] == Chunk(text="", done=True, finish_reason="stop", prompt_tokens=26, completion_tokens=282)

    sent = server.last("/api/chat").json()
    assert sent["model"] == "llama3.2"
    assert sent["stream"] is True
    assert sent["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "why is the sky blue?"}]
    # Ollama's Modelfile parameter names: max_tokens becomes num_predict
    assert sent["options"] == {"temperature": 0, "top_p": 0.9, "num_predict": 64, "stop": ["\n\n"], "seed": 101}


def test_chat_collects_text_and_counts(backend):
    done = backend.chat("llama3.2", [Message("user", "why is the sky blue?")])
    assert done.text == "The sky is blue — “Rayleigh” scattering."
    assert (done.model, done.backend, done.finish_reason) == ("llama3.2", "ollama", "stop")
    assert (done.prompt_tokens, done.completion_tokens) == (26, 282)
    assert done.first_token_s is not None and done.duration_s >= done.first_token_s


def test_default_options_send_no_overrides(server, backend):
    backend.chat("llama3.2", [Message("user", "hi")])
    assert server.last("/api/chat").json()["options"] == {}


def test_generate_with_system(server, backend):
    done = backend.generate("llama3.2", "Why is the sky blue?", Options(max_tokens=4), system="You are terse.")
    assert done.text == "The sky is blue."
    assert done.finish_reason == "length"
    assert (done.prompt_tokens, done.completion_tokens) == (26, 4)
    sent = server.last("/api/generate").json()
    assert sent["prompt"] == "Why is the sky blue?"
    assert sent["system"] == "You are terse."
    assert sent["options"] == {"num_predict": 4}
    backend.generate("llama3.2", "x")
    assert "system" not in server.last("/api/generate").json()


def test_stream_generate_texts(backend):
    texts = [c.text for c in backend.stream_generate("llama3.2", "Why is the sky blue?")]
    assert "".join(texts) == "The sky is blue."


def test_missing_model_says_how_to_pull(backend):
    for call in (
        lambda: backend.chat("nosuch:7b", [Message("user", "hi")]),
        lambda: list(backend.stream_generate("nosuch:7b", "hi")),
        lambda: backend.model_info("nosuch:7b"),
    ):
        with pytest.raises(ModelNotFound) as err:
            call()
        assert str(err.value) == "model 'nosuch:7b' is not pulled — run `ccgpt models pull nosuch:7b`"


def test_error_mid_stream_is_raised_after_partial_text(server, backend):
    server.route("POST", "/api/generate", lambda r: Reply(lines=ndjson_lines("stream_error.ndjson")))
    got = []
    with pytest.raises(BackendError) as err:
        for chunk in backend.stream_generate("gemma3", "Is it?"):
            got.append(chunk.text)
    assert got == [" Yes", ".", "I", "can"]
    assert "an error was encountered while running the model" in str(err.value)


def test_stream_cut_before_done_is_an_error(server, backend):
    server.route("POST", "/api/chat", lambda r: Reply(lines=ndjson_lines("chat_stream.ndjson")[:3]))
    with pytest.raises(BackendError, match="ended the answer early"):
        backend.chat("llama3.2", [Message("user", "hi")])


def test_other_http_errors_are_one_line(server, backend):
    server.route("POST", "/api/chat", lambda r: Reply(500, b'{"error":"llama runner process has terminated:\\nexit status 2"}'))
    with pytest.raises(BackendError) as err:
        backend.chat("llama3.2", [Message("user", "hi")])
    message = str(err.value)
    assert "HTTP 500" in message and "llama runner process has terminated: exit status 2" in message
    assert "\n" not in message


def test_list_models(backend):
    models = backend.list_models()
    assert [m.name for m in models] == ["codellama:13b", "llama3:latest"]
    first = models[0]
    assert first.backend == "ollama"
    assert first.size_bytes == 7365960935
    assert (first.family, first.parameter_size, first.quantization) == ("llama", "13B", "Q4_0")
    assert first.modified_at == "2023-11-04T14:56:49.277302595-07:00"
    assert first.details["digest"].startswith("9f438cb9")


def test_model_info(server, backend):
    info = backend.model_info("llama3.2")
    assert info.name == "llama3.2"
    assert (info.family, info.parameter_size, info.quantization) == ("llama", "8.0B", "Q4_0")
    assert info.details["model_info"]["llama.context_length"] == 8192
    assert "<|start_header_id|>" in info.details["template"]
    assert server.last("/api/show").json() == {"model": "llama3.2"}


def test_ps_version_ping(backend):
    running = backend.ps()
    assert [m.name for m in running] == ["mistral:latest"]
    assert running[0].details["size_vram"] == 5137025024
    assert running[0].details["expires_at"] == "2024-06-04T14:38:31.83753-07:00"
    assert backend.version() == "0.12.6"
    assert backend.ping() is True


def test_pull_progress(server, backend):
    progress = list(backend.pull("llama3.2"))
    assert progress[0] == {"status": "pulling manifest"}
    assert progress[-1] == {"status": "success"}
    downloading = [p for p in progress if p["status"].startswith("downloading")]
    assert "completed" not in downloading[0]
    assert downloading[-1]["completed"] == downloading[-1]["total"] == 2142590208
    assert server.last("/api/pull").json() == {"model": "llama3.2", "stream": True}


def test_pull_error_in_stream(server, backend):
    lines = [b'{"status":"pulling manifest"}\n', transcript("error_pull_manifest.json")]
    server.route("POST", "/api/pull", lambda r: Reply(lines=lines))
    gen = backend.pull("nosuch")
    assert next(gen) == {"status": "pulling manifest"}
    with pytest.raises(BackendError, match="pulling 'nosuch': pull model manifest: file does not exist"):
        next(gen)


def test_pull_can_be_interrupted(server, backend):
    """Closing the progress iterator drops the connection, which is how Ollama learns a pull
    was cancelled. The server notices the client has gone when its writes start failing."""
    proceed = threading.Event()

    def endless(req):
        def lines():
            yield b'{"status":"pulling manifest"}\n'
            proceed.wait(10)
            for n in range(200_000):  # ~ 20 MB: far more than any socket buffer
                yield b'{"status":"downloading d","digest":"d","total":9999999999,"completed":%d}\n' % n

        return Reply(lines=lines())

    server.route("POST", "/api/pull", endless)
    gen = backend.pull("big")
    assert next(gen) == {"status": "pulling manifest"}
    gen.close()
    proceed.set()
    assert server.stream_ended.wait(30)
    assert server.disconnects == ["/api/pull"]


def test_delete(server, backend):
    backend.delete("llama3:13b")
    req = server.last("/api/delete")
    assert req.method == "DELETE" and req.json() == {"model": "llama3:13b"}
    with pytest.raises(ModelNotFound, match="'gone' is not pulled"):
        backend.delete("gone")


def test_api_key_is_sent_as_bearer(server):
    with OllamaBackend(server.url, api_key="sk-test") as b:
        b.version()
    assert server.last("/api/version").headers["Authorization"] == "Bearer sk-test"
    with OllamaBackend(server.url) as b:
        b.version()
    assert "Authorization" not in server.last("/api/version").headers


def test_base_url_with_path_prefix(server):
    server.route("GET", "/ollama/api/version", lambda r: Reply(body=b'{"version":"9.9.9"}'))
    with OllamaBackend(server.url + "/ollama/") as b:
        assert b.version() == "9.9.9"


def test_base_url_from_ollama_host(server, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", f"0.0.0.0:{server.port}")
    with OllamaBackend() as b:
        assert b.base_url == f"http://127.0.0.1:{server.port}"
        assert b.version() == "0.12.6"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_server():
    port = _closed_port()
    with OllamaBackend(f"http://127.0.0.1:{port}", timeout_connect=2) as b:
        assert b.ping() is False
        expected = (
            f"Ollama is not reachable at http://127.0.0.1:{port} — start it with `ollama serve` or set OLLAMA_HOST"
        )
        for call in (b.list_models, lambda: b.chat("m", [Message("user", "hi")]), lambda: next(b.pull("m"))):
            with pytest.raises(BackendUnavailable) as err:
                call()
            assert str(err.value) == expected


def test_read_timeout_is_explained(server):
    release = threading.Event()

    def stall(req):
        release.wait(10)
        return Reply(body=b"{}")

    server.route("GET", "/api/tags", stall)
    try:
        with OllamaBackend(server.url, timeout_read=0.3) as b:
            with pytest.raises(BackendError, match="sent nothing for 0.3 s"):
                b.list_models()
    finally:
        release.set()


def test_not_json_is_reported(server, backend):
    server.route("GET", "/api/tags", lambda r: Reply(body=b"<html>proxy error</html>", content_type="text/html"))
    with pytest.raises(BackendError, match="not JSON"):
        backend.list_models()
