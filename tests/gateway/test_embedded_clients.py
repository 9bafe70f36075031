"""The official `ollama` and `openai` clients against a real gateway on a loopback port whose
upstream is the embedded model (SmolLM2-135M through llama.cpp, in the gateway's process).

What is checked is the plumbing, not a 135M model's knowledge: text arrives, the done flag and
finish reasons are right, token counts are present and agree between streamed and not
streamed (the embedded backend evaluates each request from scratch, so the same greedy
request gives the same answer), limits on tokens are honoured, and keys are enforced.
Two gateways per module, sharing the one loaded model: one with keys, one without. The model
runs on one thread (`n_threads`, as `[ccgpt.embedded]` would set it): two llama.cpp threads
spinning on a busy two-core machine made each answer several times slower.
"""

from __future__ import annotations

import re

import httpx
import ollama
import openai
import pytest

from tests.helpers.gateway import ServerThread, gateway
MODEL = "smollm2-135m"  # tests/conftest.py selects the small model for plumbing tests

pytestmark = pytest.mark.slow

N = 12  # tokens per answer: enough to see streaming, cheap on two cores
ASK = [{"role": "system", "content": "You are a helpful assistant."},
       {"role": "user", "content": "Name three colours."}]
GREEDY = {"temperature": 0, "seed": 1, "num_predict": N}
SPEC = {"name": "embedded", "kind": "embedded", "model": MODEL, "n_ctx": 512, "n_threads": 1}


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    """A gateway with keys: `client` (a user key) and `ops` (admin, for /metrics)."""
    from ccgpt.store.db import open_store
    from ccgpt.store.keys import KeyStore

    store = open_store(tmp_path_factory.mktemp("embedded_gw") / "ccgpt.db")
    ks = KeyStore(store)
    _, user = ks.create("client")
    _, admin = ks.create("ops", admin=True)
    _, app = gateway([SPEC], store=store)
    with ServerThread(app) as srv:
        yield srv.url, user, admin
    store.close()


@pytest.fixture(scope="module")
def open_gw():
    """A gateway without any key, on loopback: requests need none."""
    _, app = gateway([SPEC])
    with ServerThread(app) as srv:
        yield srv.url


@pytest.fixture(scope="module")
def olc(keyed):
    url, key, _ = keyed
    return ollama.Client(host=url, headers={"Authorization": f"Bearer {key}"})


@pytest.fixture(scope="module")
def oac(keyed):
    url, key, _ = keyed
    return openai.OpenAI(base_url=url + "/v1", api_key=key, max_retries=0, timeout=120)


def _check_counts(done_reason: str, prompt: int, completion: int) -> None:
    assert prompt > 10, "the chat template alone is more than 10 tokens"
    assert 0 < completion <= N
    assert done_reason in ("stop", "length")
    if done_reason == "length":
        assert completion == N


# ------------------------------------------------------------------ the ollama client

def test_ollama_models_list_and_show(olc):
    models = olc.list().models
    assert [m.model for m in models] == [MODEL]
    assert models[0].size > 50_000_000 and models[0].details.parameter_size == "135M"
    assert olc.show(MODEL).details.quantization_level == "Q4_1"


def test_ollama_chat_streamed_matches_not_streamed(olc):
    whole = olc.chat(model=MODEL, messages=ASK, options=GREEDY)
    assert whole.model == MODEL and whole.done and whole.message.role == "assistant"
    assert whole.message.content.strip()
    _check_counts(whole.done_reason, whole.prompt_eval_count, whole.eval_count)
    parts = list(olc.chat(model=MODEL, messages=ASK, options=GREEDY, stream=True))
    assert len(parts) > 2 and all(not p.done for p in parts[:-1]) and parts[-1].done
    assert "".join(p.message.content for p in parts) == whole.message.content
    last = parts[-1]
    assert (last.done_reason, last.prompt_eval_count, last.eval_count) == \
        (whole.done_reason, whole.prompt_eval_count, whole.eval_count)
    assert last.total_duration > 0


def test_ollama_generate_streamed_matches_not_streamed(olc):
    opts = {**GREEDY, "num_predict": 6}
    whole = olc.generate(model=MODEL, prompt="Name three colours.", system="Be brief.", options=opts)
    assert whole.done and whole.response.strip() and whole.model == MODEL
    assert 0 < whole.eval_count <= 6 and whole.prompt_eval_count > 5
    chunks = list(olc.generate(model=MODEL, prompt="Name three colours.", system="Be brief.", options=opts, stream=True))
    assert "".join(c.response for c in chunks) == whole.response
    assert chunks[-1].done and (chunks[-1].eval_count, chunks[-1].prompt_eval_count, chunks[-1].done_reason) == \
        (whole.eval_count, whole.prompt_eval_count, whole.done_reason)


def test_ollama_system_prompt_reaches_the_model(olc):
    """A longer system message makes a longer prompt. (Without one, SmolLM2's template adds its
    own default system message, so "none" is not the comparison to make.)"""
    opts = {**GREEDY, "num_predict": 1}
    user = ASK[1:]
    short = olc.chat(model=MODEL, messages=[{"role": "system", "content": "Be brief."}] + user, options=opts)
    long_ = olc.chat(model=MODEL, messages=[{"role": "system", "content": "Be brief. " * 6}] + user, options=opts)
    assert long_.prompt_eval_count - short.prompt_eval_count >= 10
    assert short.eval_count == long_.eval_count == 1 and short.done_reason == "length"


def test_ollama_client_needs_the_key(keyed):
    url, _, _ = keyed
    for headers in ({}, {"Authorization": "Bearer ccgpt_wrong_wrong_wrong_wrong_wrong"}):
        with pytest.raises(ollama.ResponseError) as e:
            ollama.Client(host=url, headers=headers).chat(model=MODEL, messages=ASK, options=GREEDY)
        assert e.value.status_code == 401


def test_ollama_unknown_model_is_404(olc):
    with pytest.raises(ollama.ResponseError) as e:
        olc.chat(model="llama3.2", messages=ASK)
    assert e.value.status_code == 404


def test_the_cli_alias_embedded_works_through_the_gateway_too(olc):
    by_alias = olc.chat(model="embedded", messages=ASK, options=GREEDY)
    by_name = olc.chat(model=MODEL, messages=ASK, options=GREEDY)
    assert by_alias["message"]["content"] == by_name["message"]["content"]


# ------------------------------------------------------------------ the openai client

def test_openai_models_list(oac):
    models = oac.models.list().data
    assert [m.id for m in models] == [MODEL] and models[0].object == "model"
    assert oac.models.retrieve(MODEL).id == MODEL


def test_openai_chat_streamed_matches_not_streamed(oac):
    kw = dict(model=MODEL, messages=ASK, temperature=0, seed=1, max_tokens=N)
    r = oac.chat.completions.create(**kw)
    choice = r.choices[0]
    assert r.model == MODEL and r.object == "chat.completion"
    assert choice.message.role == "assistant" and choice.message.content.strip()
    _check_counts(choice.finish_reason, r.usage.prompt_tokens, r.usage.completion_tokens)
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    chunks = list(oac.chat.completions.create(**kw, stream=True, stream_options={"include_usage": True}))
    assert len({c.id for c in chunks}) == 1 and all(c.model == MODEL for c in chunks)
    with_choices = [c for c in chunks if c.choices]
    assert "".join(c.choices[0].delta.content or "" for c in with_choices) == choice.message.content
    assert [c.choices[0].finish_reason for c in with_choices if c.choices[0].finish_reason] == [choice.finish_reason]
    assert chunks[-1].choices == [] and chunks[-1].usage == r.usage


def test_openai_stream_without_usage_has_none(oac):
    chunks = list(oac.chat.completions.create(model=MODEL, messages=ASK, temperature=0, max_tokens=3, stream=True))
    assert all(c.usage is None for c in chunks)
    assert chunks[-1].choices[0].finish_reason in ("stop", "length")


def test_openai_completions_streamed_matches_not_streamed(oac):
    kw = dict(model=MODEL, prompt="Name three colours.", temperature=0, max_tokens=6)
    r = oac.completions.create(**kw)
    assert r.object == "text_completion" and r.model == MODEL and r.choices[0].text.strip()
    assert r.choices[0].finish_reason in ("stop", "length") and 0 < r.usage.completion_tokens <= 6
    chunks = list(oac.completions.create(**kw, stream=True, stream_options={"include_usage": True}))
    assert "".join(c.choices[0].text for c in chunks if c.choices) == r.choices[0].text
    assert chunks[-1].usage == r.usage


def test_openai_stop_sequence_cuts_the_answer(oac):
    """A word from the greedy answer, given as a stop sequence, ends the same answer just before it."""
    kw = dict(model=MODEL, messages=ASK, temperature=0, max_tokens=16)
    full = oac.chat.completions.create(**kw).choices[0].message.content
    words = [w for w in re.findall(r"[A-Za-z]{3,}", full) if full.index(w) > 0]
    assert words, f"the greedy answer has no word after its start to stop on: {full!r}"
    cut = oac.chat.completions.create(**kw, stop=[words[0]]).choices[0]
    assert cut.finish_reason == "stop"
    assert cut.message.content == full[:full.index(words[0])]


def test_openai_seed_gives_repeatable_sampling(oac):
    """At temperature 1 the answer depends on the seed (so both reach the sampler); the same seed
    twice gives the same text."""
    kw = dict(model=MODEL, messages=ASK, temperature=1.0, top_p=1.0, max_tokens=8)
    answers = [oac.chat.completions.create(**kw, seed=seed).choices[0].message.content for seed in (1, 2, 3, 1)]
    assert answers[0] == answers[3] and answers[0]
    assert len(set(answers)) > 1, f"three seeds, one answer: temperature or seed was lost: {answers}"


def test_openai_client_needs_the_key(keyed):
    url, _, _ = keyed
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=url + "/v1", api_key="ccgpt_wrong_wrong_wrong_wrong_wrong",
                      max_retries=0).chat.completions.create(model=MODEL, messages=ASK, max_tokens=2)


def test_metrics_count_the_tokens_the_clients_were_told(keyed, oac):
    """Usage reported to the client is what /metrics counts, for this model and key."""
    url, _, admin = keyed

    def counters() -> tuple[float, float]:
        text = httpx.get(url + "/metrics", headers={"authorization": f"Bearer {admin}"}, trust_env=False).text
        out = []
        for kind in ("prompt", "completion"):
            m = re.search(rf'^ccgpt_gateway_{kind}_tokens_total{{model="{MODEL}",key="client"}} (\S+)$', text, re.M)
            out.append(float(m.group(1)) if m else 0.0)
        return out[0], out[1]

    p0, c0 = counters()
    r = oac.chat.completions.create(model=MODEL, messages=ASK, temperature=0, max_tokens=4)
    chunks = list(oac.chat.completions.create(model=MODEL, messages=ASK, temperature=0, max_tokens=4, stream=True,
                                              stream_options={"include_usage": True}))
    p1, c1 = counters()
    assert p1 - p0 == r.usage.prompt_tokens + chunks[-1].usage.prompt_tokens
    assert c1 - c0 == r.usage.completion_tokens + chunks[-1].usage.completion_tokens


# ------------------------------------------------------------------ no keys on loopback

def test_without_keys_both_clients_work_unauthenticated(open_gw):
    olc = ollama.Client(host=open_gw)  # sends no Authorization header at all
    assert [m.model for m in olc.list().models] == [MODEL]
    parts = list(olc.chat(model=MODEL, messages=ASK, options={**GREEDY, "num_predict": 4}, stream=True))
    assert parts[-1].done and 0 < parts[-1].eval_count <= 4 and "".join(p.message.content for p in parts)
    g = olc.generate(model=MODEL, prompt="Hi", options={**GREEDY, "num_predict": 4})
    assert g.done and g.response and 0 < g.eval_count <= 4

    # the openai client always sends a key; with no keys configured, any is ignored
    oac = openai.OpenAI(base_url=open_gw + "/v1", api_key="anything", max_retries=0, timeout=120)
    assert [m.id for m in oac.models.list()] == [MODEL]
    r = oac.chat.completions.create(model=MODEL, messages=ASK, temperature=0, max_tokens=4)
    assert r.choices[0].message.content and 0 < r.usage.completion_tokens <= 4
    c = list(oac.completions.create(model=MODEL, prompt="Hi", temperature=0, max_tokens=4, stream=True))
    assert "".join(x.choices[0].text for x in c if x.choices)
