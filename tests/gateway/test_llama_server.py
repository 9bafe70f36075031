"""llama-cpp-python's own OpenAI-compatible server (a real third-party upstream, kind "openai")
behind the gateway, called with the official clients in both dialects; then two such servers
with one killed mid-test (failover, health). Loads SmolLM2-135M in subprocesses: slow.

The servers run on one thread each (prompt evaluation included) so that, on a busy two-core
machine, they do not spin against each other and the test process. They require their own
API key, which only the gateway knows: the clients' gateway key must never reach them.

Two properties of this server shape the gateway: it ignores `stream_options.include_usage`
(streamed answers are counted by their chunks, one token each; the prompt's size is unknown),
and by default it interrupts a running stream whenever another request arrives (it then ends
the stream with no finish reason, which the gateway turns into an error, and the gateway's
own health checks leave a busy upstream alone). The first server runs with that default; the
second with `--interrupt_requests false`, because another gateway polls it while it streams.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx
import ollama
import openai
import pytest

from tests.helpers.gateway import ServerThread, free_port, gateway
from ccgpt.llm.embedded import embedded_model_path

pytestmark = pytest.mark.slow

ALIAS = "smol"
UPSTREAM_KEY = "sk-upstream-" + os.urandom(6).hex()
HI = [{"role": "user", "content": "Say hello."}]


class LlamaServer:
    def __init__(self, log_path, *extra: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.log_path = log_path
        cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(embedded_model_path("smollm2-135m")),
               "--model_alias", ALIAS, "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", "512",
               "--n_threads", "1", "--n_threads_batch", "1", "--api_key", UPSTREAM_KEY, *extra]
        with open(log_path, "wb") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)

    def _log(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:]

    def wait_ready(self) -> "LlamaServer":
        """Up, listing the model, and able to complete (a crashing llama.cpp build, as seen here
        once, must fail loudly here rather than as a puzzling gateway 502 later)."""
        headers = {"authorization": f"Bearer {UPSTREAM_KEY}"}
        for _ in range(600):  # 600 x 0.2 s at most
            if self.proc.poll() is not None:
                break
            try:
                if httpx.get(self.url + "/models", headers=headers, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            self.stop()
            pytest.fail(f"llama_cpp.server did not start in 120 s:\n{self._log()}")
        try:
            r = httpx.post(self.url + "/chat/completions", headers=headers, trust_env=False, timeout=120,
                           json={"model": ALIAS, "messages": HI, "max_tokens": 1})
            ok = r.status_code == 200
        except httpx.HTTPError:
            ok = False
        if not ok:
            rc = self.proc.poll()
            self.stop()
            pytest.fail(f"llama_cpp.server cannot complete (exit code {rc}; negative = killed by that signal); "
                        f"a llama.cpp problem, not the gateway's:\n{self._log()}")
        return self

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)  # a crash: no goodbye to open connections
        self.proc.wait(20)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def llama_pair(tmp_path_factory):
    """Two servers of the same model, started together; the failover test kills the second."""
    logs = tmp_path_factory.mktemp("llama_servers")
    servers = [LlamaServer(logs / "a.log"), LlamaServer(logs / "b.log", "--interrupt_requests", "false")]
    try:
        for s in servers:
            s.wait_ready()
        yield servers
    finally:
        for s in servers:
            s.stop()


@pytest.fixture(scope="module")
def via_gateway(llama_pair, tmp_path_factory):
    """A gateway with a key, in front of the first server only."""
    from ccgpt.store.db import open_store
    from ccgpt.store.keys import KeyStore

    store = open_store(tmp_path_factory.mktemp("llama_gw") / "ccgpt.db")
    _, key = KeyStore(store).create("client")
    _, app = gateway([{"name": "llama", "kind": "openai", "url": llama_pair[0].url, "api_key": UPSTREAM_KEY}],
                     store=store)
    with ServerThread(app) as srv:
        yield srv.url, key
    store.close()


def test_models_list_through_the_gateway(via_gateway):
    url, key = via_gateway
    oc = openai.OpenAI(base_url=url + "/v1", api_key=key, max_retries=0)
    assert [m.id for m in oc.models.list()] == [ALIAS]
    olc = ollama.Client(host=url, headers={"Authorization": f"Bearer {key}"})
    assert [m.model for m in olc.list().models] == [ALIAS]
    with pytest.raises(ollama.ResponseError) as e:
        ollama.Client(host=url).list()
    assert e.value.status_code == 401


def test_openai_client_chat_and_completions(via_gateway):
    url, key = via_gateway
    oc = openai.OpenAI(base_url=url + "/v1", api_key=key, max_retries=0, timeout=120)
    kw = dict(model=ALIAS, messages=HI, max_tokens=8, temperature=0, seed=1)
    r = oc.chat.completions.create(**kw)
    choice = r.choices[0]
    assert r.model == ALIAS and choice.message.content and choice.finish_reason in ("stop", "length")
    assert r.usage.prompt_tokens > 5 and 0 < r.usage.completion_tokens <= 8
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    chunks = list(oc.chat.completions.create(**kw, stream=True, stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert text and len(finish) == 1 and finish[0] in ("stop", "length")
    usage = chunks[-1].usage  # this server sends none in streams: the gateway counted the chunks
    pieces = sum(1 for c in chunks if c.choices and c.choices[0].delta.content)
    assert usage.completion_tokens == pieces and 0 < pieces <= 8
    assert usage.prompt_tokens == 0 and usage.total_tokens == pieces  # unknown, not guessed
    comp = oc.completions.create(model=ALIAS, prompt="The sky is", max_tokens=5, temperature=0)
    assert comp.choices[0].text and 0 < comp.usage.completion_tokens <= 5
    parts = list(oc.completions.create(model=ALIAS, prompt="The sky is", max_tokens=5, temperature=0, stream=True))
    assert "".join(p.choices[0].text for p in parts if p.choices)


def test_ollama_client_chat_and_generate(via_gateway):
    url, key = via_gateway
    olc = ollama.Client(host=url, headers={"Authorization": f"Bearer {key}"})
    opts = {"temperature": 0, "seed": 1, "num_predict": 6}
    r = olc.chat(model=ALIAS, messages=HI, options=opts)
    assert r.model == ALIAS and r.done and r.message.content and r.done_reason in ("stop", "length")
    assert 0 < r.eval_count <= 6 and r.prompt_eval_count > 5
    parts = list(olc.chat(model=ALIAS, messages=HI, options=opts, stream=True))
    assert parts[-1].done and all(not p.done for p in parts[:-1])
    assert "".join(p.message.content for p in parts)
    assert parts[-1].eval_count == sum(1 for p in parts if p.message.content) and 0 < parts[-1].eval_count <= 6
    assert parts[-1].prompt_eval_count is None  # this server does not say, so neither does the gateway
    g = olc.generate(model=ALIAS, prompt="Say hello.", system="Be brief.", options=opts)
    assert g.done and g.response and 0 < g.eval_count <= 6
    chunks = list(olc.generate(model=ALIAS, prompt="Say hello.", system="Be brief.", options=opts, stream=True))
    assert chunks[-1].done and "".join(c.response for c in chunks)
    assert chunks[-1].eval_count == sum(1 for c in chunks if c.response)


def test_wrong_upstream_key_is_the_gateways_problem(llama_pair, serve):
    """The upstream refusing the gateway's own key is a 502, not the client's 401."""
    _, app = gateway([{"name": "llama", "kind": "openai", "url": llama_pair[0].url, "api_key": "sk-wrong"}])
    url = serve(app).url
    with pytest.raises(openai.InternalServerError) as e:
        openai.OpenAI(base_url=url + "/v1", api_key="x", max_retries=0).chat.completions.create(
            model=ALIAS, messages=HI, max_tokens=2)
    assert e.value.status_code == 502 and "answered 401" in e.value.message


COUNT = [{"role": "user", "content": "Count from 1 to 1000, separated by commas."}]  # ~50 tokens


def test_a_stream_interrupted_by_the_server_is_an_error(llama_pair, serve):
    """Another request reaching the first server (stock settings) cuts the stream short: the
    client must see an error, not a shorter answer that looks complete."""
    a = llama_pair[0]
    url = serve(gateway([{"name": "llama", "kind": "openai", "url": a.url, "api_key": UPSTREAM_KEY}])[1]).url
    stream = ollama.Client(host=url).chat(model=ALIAS, messages=COUNT, stream=True,
                                          options={"temperature": 0, "num_predict": 100})
    first = next(stream)
    assert not first.done and first.message.content
    assert httpx.get(a.url + "/models", headers={"authorization": f"Bearer {UPSTREAM_KEY}"},
                     trust_env=False).status_code == 200  # someone else's request
    with pytest.raises(ollama.ResponseError) as e:
        for _ in range(100):
            assert not next(stream).done, "the answer finished before the other request arrived"
    assert "without a finish reason" in e.value.error


def test_the_gateways_health_checks_do_not_interrupt_a_stream(llama_pair, serve):
    """Health checks every 50 ms while a ~50-token answer streams from the first server."""
    from ccgpt.gateway.app import create_gateway

    spec = {"name": "llama", "kind": "openai", "url": llama_pair[0].url, "api_key": UPSTREAM_KEY}
    url = serve(create_gateway([spec], connect_timeout=2, read_timeout=60, health_interval=0.05)[1]).url
    parts = list(ollama.Client(host=url).chat(model=ALIAS, messages=COUNT, stream=True,
                                              options={"temperature": 0, "num_predict": 100}))
    assert parts[-1].done and parts[-1].done_reason in ("stop", "length")
    assert parts[-1].eval_count == sum(1 for p in parts if p.message.content) > 10


def _metric(url: str, name: str, upstream: str) -> float | None:
    text = httpx.get(url + "/metrics", trust_env=False).text
    m = re.search(rf'^{name}{{upstream="{upstream}"}} (\S+)$', text, re.M)
    return float(m.group(1)) if m else None


def test_one_of_two_upstreams_killed_mid_test(llama_pair, serve):
    from ccgpt.gateway.app import Settings, create_gateway

    a, b = llama_pair
    specs = [{"name": "a", "kind": "openai", "url": a.url, "api_key": UPSTREAM_KEY},
             {"name": "b", "kind": "openai", "url": b.url, "api_key": UPSTREAM_KEY}]
    public = dict(metrics_public=True)
    only_b = serve(gateway([specs[1]], **public)[1]).url
    streamed = serve(gateway(specs, **public)[1]).url  # failover for streamed requests
    plain = serve(gateway(specs, **public)[1]).url  # failover for whole answers
    # One that only health-checks, every 0.2 s. It runs only until it has seen the kill: its polls
    # would interrupt streams on a (stock settings), which is not what the failover part tests.
    watched_app = create_gateway(specs, settings=Settings(metrics_public=True), connect_timeout=2,
                                 read_timeout=30, health_interval=0.2)[1]
    with ServerThread(watched_app) as w:
        watched = w.url
        # Both serve the model; every gateway knows it before the kill.
        for url in (streamed, plain, watched):
            assert [m.id for m in openai.OpenAI(base_url=url + "/v1", api_key="x").models.list()] == [ALIAS]
            assert _metric(url, "ccgpt_gateway_upstream_up", "b") == 1.0

        # A long answer from b, interrupted by b dying: the client gets an error line, not a hang.
        stream = ollama.Client(host=only_b).chat(model=ALIAS, messages=COUNT, stream=True,
                                                 options={"temperature": 0, "num_predict": 100})
        first = next(stream)
        assert not first.done and first.message.content
        b.kill()
        with pytest.raises(ollama.ResponseError) as e:
            for _ in range(100):
                assert not next(stream).done, "the answer finished before the upstream was killed"
        assert "upstream b" in e.value.error

        # Without any traffic, the periodic health check notices (bounded wait; no timing asserted).
        for _ in range(300):
            if _metric(watched, "ccgpt_gateway_upstream_up", "b") == 0.0:
                break
            time.sleep(0.1)
        assert _metric(watched, "ccgpt_gateway_upstream_up", "b") == 0.0
        assert _metric(watched, "ccgpt_gateway_upstream_up", "a") == 1.0
        assert httpx.get(watched + "/healthz", trust_env=False).json() == {"status": "ok"}

    # With b dead, every request succeeds through a. Of two consecutive requests the
    # round-robin tries b first for one; that one fails over once, then b is known down.
    oc = openai.OpenAI(base_url=streamed + "/v1", api_key="x", max_retries=0, timeout=120)
    for _ in range(3):
        chunks = list(oc.chat.completions.create(model=ALIAS, messages=HI, max_tokens=4, temperature=0, stream=True))
        assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    olc = ollama.Client(host=plain)
    for _ in range(3):
        assert olc.chat(model=ALIAS, messages=HI, options={"num_predict": 4}).message.content
    for url in (streamed, plain):
        assert _metric(url, "ccgpt_gateway_upstream_failovers_total", "b") == 1.0
        assert _metric(url, "ccgpt_gateway_upstream_up", "b") == 0.0
        assert _metric(url, "ccgpt_gateway_upstream_up", "a") == 1.0
        assert httpx.get(url + "/healthz", trust_env=False).status_code == 200

    # A gateway whose only upstream died: 503 in the caller's dialect, and /healthz says so.
    with pytest.raises(ollama.ResponseError) as e:
        ollama.Client(host=only_b).chat(model=ALIAS, messages=HI, options={"num_predict": 2})
    assert e.value.status_code == 503 and "no upstream" in e.value.error
    r = httpx.get(only_b + "/healthz", trust_env=False)
    assert (r.status_code, r.json()) == (503, {"status": "unavailable"})
