import pytest
from fakeserver import FakeServer, Reply, ndjson_lines, transcript


@pytest.fixture
def ollama():
    """An Ollama-shaped loopback server answering /api/version and a streamed /api/chat
    (Ollama's documented example transcript)."""
    srv = FakeServer().start()
    srv.route("GET", "/api/version", lambda r: Reply(body=transcript("version.json")))
    srv.route("POST", "/api/chat", lambda r: Reply(lines=ndjson_lines("chat_stream.ndjson"), content_type="application/x-ndjson"))
    yield srv
    srv.stop()
