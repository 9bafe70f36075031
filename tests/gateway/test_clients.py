"""The official `ollama` and `openai` Python clients against a real gateway (fake Ollama upstream)."""

from __future__ import annotations

import base64
import struct

import ollama
import openai
import pytest

from tests.helpers.gateway import gateway
from ccgpt.store.keys import KeyStore


@pytest.fixture
def gw_url(fake, store, serve):
    ks = KeyStore(store)
    _, key = ks.create("client")
    _, app = gateway([{"name": "a", "kind": "ollama", "url": fake.url}], store=store)
    return serve(app).url, key


def test_ollama_client(gw_url):
    url, key = gw_url
    c = ollama.Client(host=url, headers={"Authorization": f"Bearer {key}"})
    names = [m.model for m in c.list().models]
    assert names == ["llama3.2:latest", "qwen2.5-coder:7b"]
    r = c.chat(model="llama3.2", messages=[{"role": "user", "content": "hello world"}],
               options={"temperature": 0.1, "seed": 3, "num_predict": 100})
    assert r.message.content == "echo: hello world" and r.done_reason == "stop" and r.eval_count == 3
    parts = list(c.chat(model="llama3.2", messages=[{"role": "user", "content": "a b c"}], stream=True))
    assert "".join(p.message.content for p in parts) == "echo: a b c"
    assert parts[-1].done and parts[-1].prompt_eval_count == 3
    g = c.generate(model="llama3.2", prompt="one two", system="be brief")
    assert g.response == "echo: one two"
    chunks = list(c.generate(model="llama3.2", prompt="x y", stream=True))
    assert "".join(ch.response for ch in chunks) == "echo: x y"
    assert c.embed(model="llama3.2", input=["a b", "c"]).embeddings[0] == [0.1, -0.2, 3.0]
    assert c.show("llama3.2").details.family == "llama"
    assert c.ps().models[0].model == "llama3.2:latest"
    with pytest.raises(ollama.ResponseError) as e:
        c.chat(model="missing", messages=[{"role": "user", "content": "x"}])
    assert e.value.status_code == 404 and "not found" in e.value.error


def test_ollama_client_without_key_is_refused(gw_url):
    url, _ = gw_url
    with pytest.raises(ollama.ResponseError) as e:
        ollama.Client(host=url).list()
    assert e.value.status_code == 401


def test_openai_client(gw_url, fake):
    url, key = gw_url
    c = openai.OpenAI(base_url=url + "/v1", api_key=key, max_retries=0)
    assert [m.id for m in c.models.list()] == ["llama3.2:latest", "qwen2.5-coder:7b"]
    r = c.chat.completions.create(model="llama3.2", messages=[
        {"role": "system", "content": "sys"}, {"role": "user", "content": "hello there"}],
        temperature=0.2, top_p=0.9, max_tokens=50, seed=7, stop=["\n\n"])
    assert r.choices[0].message.content == "echo: hello there"
    assert r.choices[0].finish_reason == "stop"
    assert r.usage.completion_tokens == 3 and r.usage.prompt_tokens == 3
    sent = fake.requests[-1][2]
    assert sent["messages"][0] == {"role": "system", "content": "sys"}
    assert sent["options"] == {"temperature": 0.2, "top_p": 0.9, "seed": 7, "num_predict": 50, "stop": ["\n\n"]}
    # streaming, with usage
    chunks = list(c.chat.completions.create(model="llama3.2", messages=[{"role": "user", "content": "s t"}],
                                            stream=True, stream_options={"include_usage": True}))
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert text == "echo: s t"
    assert [ch.choices[0].finish_reason for ch in chunks if ch.choices][-1] == "stop"
    assert chunks[-1].usage.total_tokens == 5
    # length limit
    r = c.chat.completions.create(model="llama3.2", messages=[{"role": "user", "content": "a b c d"}], max_tokens=2)
    assert r.choices[0].finish_reason == "length" and r.choices[0].message.content == "echo: a "
    # completions, streaming and not
    comp = c.completions.create(model="llama3.2", prompt="p q")
    assert comp.choices[0].text == "echo: p q"
    s = list(c.completions.create(model="llama3.2", prompt="p q", stream=True))
    assert "".join(x.choices[0].text for x in s) == "echo: p q"
    # embeddings: the client asks for base64 by default and decodes it
    e = c.embeddings.create(model="llama3.2", input=["a b c"])
    assert e.data[0].embedding == pytest.approx([0.1, -0.2, 5.0])
    # errors arrive as the client's exception types
    with pytest.raises(openai.NotFoundError):
        c.chat.completions.create(model="missing", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.BadRequestError):
        c.chat.completions.create(model="llama3.2", messages=[{"role": "user", "content": "x"}], n=2)
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=url + "/v1", api_key="ccgpt_nope_nope_nope_nope_nope", max_retries=0).models.list()


def test_base64_embedding_encoding():
    from ccgpt.gateway.translate import ollama_embed_to_openai

    out = ollama_embed_to_openai({"embeddings": [[1.5, -2.0]]}, "m", "base64")
    raw = base64.b64decode(out["data"][0]["embedding"])
    assert struct.unpack("<2f", raw) == (1.5, -2.0)
