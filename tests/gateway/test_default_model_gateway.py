"""The gateway's embedded upstream on the default model (Qwen2.5-Coder-1.5B), through the official
Ollama client: the model it lists is the default, and it answers."""

from __future__ import annotations

import ollama
import pytest

from tests.helpers.gateway import ServerThread, gateway

pytestmark = pytest.mark.slow


def test_the_default_model_answers_through_the_gateway(default_model):
    _, app = gateway([{"name": "embedded", "kind": "embedded", "n_ctx": 2048}])
    with ServerThread(app) as srv:
        client = ollama.Client(host=srv.url, timeout=600)
        listed = client.list().models
        assert [m.model for m in listed] == [default_model]
        assert listed[0].details.parameter_size == "1.5B" and listed[0].details.quantization_level == "Q4_K_M"
        answer = client.chat(model=default_model, options={"temperature": 0, "num_predict": 24},
                             messages=[{"role": "user", "content": "Which shell command lists files? One word."}])
        assert "ls" in answer.message.content and answer.done
        also = client.chat(model="embedded", options={"temperature": 0, "num_predict": 24},
                           messages=[{"role": "user", "content": "Which shell command lists files? One word."}])
        assert also.message.content == answer.message.content
