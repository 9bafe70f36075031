"""OpenAIBackend against llama-cpp-python's own OpenAI-compatible server, same embedded model.

One server per module (started with --api_key, so the unauthorised path is tested too), on a
free loopback port, with a small context to keep it quick.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time

import pytest

from ccgpt.errors import BackendError
from ccgpt.llm.base import Message, Options
from ccgpt.llm.embedded import embedded_model_path
from ccgpt.llm.openai_compat import OpenAIBackend

pytestmark = pytest.mark.slow

KEY = "sk-test-" + os.urandom(6).hex()
ALIAS = "smollm2-135m-instruct"
GREEDY = Options(temperature=0, max_tokens=12, seed=1)
ASK = [Message("system", "You are a helpful assistant."), Message("user", "What is the capital of France?")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if importlib.util.find_spec("uvicorn") is None or importlib.util.find_spec("sse_starlette") is None:
        pytest.fail("llama-cpp-python[server] is not installed; it is part of the test extra")
    port = _free_port()
    log = tmp_path_factory.mktemp("llama_server") / "server.log"
    cmd = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(embedded_model_path("smollm2-135m")), "--model_alias", ALIAS,
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "512", "--api_key", KEY,
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        probe = OpenAIBackend(url, api_key=KEY, timeout_connect=1, timeout_read=5)
        deadline = time.monotonic() + 120
        while not probe.ping():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start (exit {proc.poll()}):\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        probe.close()
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def backend(server):
    # llama.cpp's server defaults repeat_penalty to 1.1 where llama-cpp-python in process uses
    # 1.0; asking for 1.0 (through extra_body) makes both sample the same way.
    with OpenAIBackend(server, api_key=KEY, timeout_read=120, extra_body={"repeat_penalty": 1.0}) as b:
        yield b


def test_models_list(backend):
    models = backend.list_models()
    assert [m.name for m in models] == [ALIAS]
    assert models[0].backend == "openai"
    assert backend.model_info(ALIAS).name == ALIAS


def test_chat_not_streamed(backend):
    done = backend.chat(ALIAS, ASK, GREEDY)
    assert done.text.strip()  # what a 135M model says is not ours to test; that it arrives is
    assert (done.model, done.backend) == (ALIAS, "openai")
    assert done.finish_reason in ("stop", "length")
    assert done.prompt_tokens > 10 and 0 < done.completion_tokens <= 12


def test_stream_matches_not_streamed(backend):
    whole = backend.chat(ALIAS, ASK, GREEDY)
    chunks = list(backend.stream_chat(ALIAS, ASK, GREEDY))
    assert len(chunks) > 2
    assert "".join(c.text for c in chunks) == whole.text
    assert chunks[-1].done and chunks[-1].finish_reason == whole.finish_reason


def test_greedy_answers_repeat(backend):
    """The same greedy request twice gives the same text: options reach the server intact.
    (Comparing with the in-process backend is not a fair test: the server's thread and batch
    settings change the floating-point sums, which can flip a borderline first token.)"""
    assert backend.chat(ALIAS, ASK, GREEDY).text == backend.chat(ALIAS, ASK, GREEDY).text


def test_generate_via_completions(backend):
    done = backend.generate(ALIAS, "The capital of France is", Options(temperature=0, max_tokens=3))
    assert done.text
    assert done.finish_reason == "length" and done.completion_tokens == 3
    streamed = "".join(c.text for c in backend.stream_generate(ALIAS, "The capital of France is", Options(temperature=0, max_tokens=3)))
    assert streamed == done.text


def test_wrong_or_missing_key_is_refused(server):
    for key in ("sk-wrong", None):
        with OpenAIBackend(server, api_key=key) as b:
            assert b.ping() is True  # the server is there; the key problem must surface, not a fallback
            with pytest.raises(BackendError) as err:
                b.chat(ALIAS, ASK, GREEDY)
            assert "refused the API key (HTTP 401: Invalid API key)" in str(err.value)
            with pytest.raises(BackendError, match="HTTP 401"):
                b.list_models()
