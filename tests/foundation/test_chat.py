"""`ccgpt chat`: turns carry the history, conversations are stored and resumable, and the
/commands work. Driven through the real CLI against an Ollama-shaped loopback server."""

import json

import pytest
from fakeserver import Reply, transcript

ANSWER = "The sky is blue — “Rayleigh” scattering."


@pytest.fixture
def cfg(tmp_path, ollama):
    path = tmp_path / "c.toml"
    path.write_text(f'[[models.llms]]\nname = "llama3.2"\nprovider = "proxy/ollama"\napi_base = "{ollama.url}"\n'
                    '[ccgpt.models]\ngeneral = "llama3.2"\n')
    return str(path)


def sent_messages(ollama):
    return [r.json()["messages"] for r in ollama.requests if r.path == "/api/chat"]


def test_each_turn_carries_the_conversation(ccgpt, cfg, ollama):
    r = ccgpt("chat", "--config", cfg, input="first question\nsecond question\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{ANSWER}\n{ANSWER}\n"
    first, second = sent_messages(ollama)
    assert [m["role"] for m in first] == ["system", "user"]
    assert [(m["role"], m["content"]) for m in second[1:]] == [
        ("user", "first question"), ("assistant", ANSWER), ("user", "second question")]


def test_continue_resumes_the_latest_conversation(ccgpt, cfg, ollama, private_home):
    env = {"HOME": str(private_home)}
    assert ccgpt("chat", "--config", cfg, input="remember the word teal\n", env=env).returncode == 0
    r = ccgpt("chat", "-c", "--config", cfg, input="what was the word?\n", env=env)
    assert r.returncode == 0, r.stderr
    resumed = sent_messages(ollama)[-1]
    assert [m["content"] for m in resumed[1:]] == ["remember the word teal", ANSWER, "what was the word?"]


def test_session_by_id_and_unknown_id(ccgpt, cfg, private_home):
    env = {"HOME": str(private_home)}
    assert ccgpt("chat", "--config", cfg, input="hello\n", env=env).returncode == 0
    assert ccgpt("chat", "--session", "1", "--config", cfg, input="again\n", env=env).returncode == 0
    r = ccgpt("chat", "--session", "99", "--config", cfg, input="x\n", env=env)
    assert r.returncode == 2 and "no conversation with id 99" in r.stderr


def test_continue_without_any_conversation_is_a_clear_error(ccgpt, cfg):
    r = ccgpt("chat", "-c", "--config", cfg, input="x\n")
    assert r.returncode == 2 and "no earlier conversation" in r.stderr


def test_slash_commands(ccgpt, cfg, ollama):
    ollama.route("GET", "/api/tags", lambda r: Reply(body=transcript("tags.json")))  # codellama:13b, llama3:latest
    r = ccgpt("chat", "--config", cfg, input="one\n/clear\n/model mistral\n/model llama3\ntwo\n/exit\nnever sent\n")
    assert r.returncode == 0, r.stderr
    assert "conversation cleared" in r.stderr
    # an unknown model is refused when it is named, with the ones that exist; the chat goes on
    assert "no model 'mistral' on ollama (models: codellama:13b, llama3:latest); still using llama3.2" in r.stderr
    assert "now using llama3" in r.stderr  # llama3 is llama3:latest
    first, second = [r.json() for r in ollama.requests if r.path == "/api/chat"]
    assert first["model"] == "llama3.2" and second["model"] == "llama3"
    assert [m["content"] for m in second["messages"][1:]] == ["two"]  # /clear forgot "one"
    assert len(sent_messages(ollama)) == 2  # nothing after /exit


def test_no_log_stores_nothing(ccgpt, cfg, private_home):
    env = {"HOME": str(private_home)}
    assert ccgpt("chat", "--no-log", "--config", cfg, input="secret plans\n", env=env).returncode == 0
    r = ccgpt("chat", "-c", "--config", cfg, input="x\n", env=env)
    assert r.returncode == 2  # nothing was stored to continue from


def test_json_is_refused_for_chat(ccgpt, cfg):
    r = ccgpt("chat", "--json", "--config", cfg, input="")
    assert r.returncode == 2 and "ccgpt ask --json" in r.stderr


def test_interactive_prompt_in_a_terminal(cfg, private_home):
    import os
    import sys

    import pexpect

    from pathlib import Path

    env = {**os.environ, "HOME": str(private_home), "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"), "NO_COLOR": "1", "TERM": "xterm"}
    child = pexpect.spawn(sys.executable, ["-m", "ccgpt", "chat", "--config", cfg], env=env, encoding="utf-8", timeout=30)
    try:
        child.expect(r"ccgpt chat with llama3\.2 on ollama, conversation 1\. ")  # the id, from the start
        child.expect("you> ")
        child.sendline("why is the sky blue?")
        child.expect("ai> The sky is blue")
        child.expect("you> ")
        child.sendline("/exit")
        child.expect_exact("conversation 1 saved; resume it with `ccgpt chat --session 1`")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_session_id_at_the_end_and_listed_by_history(ccgpt, cfg, private_home):
    env = {"HOME": str(private_home)}
    r = ccgpt("chat", "--config", cfg, input="plan the trip to Oslo\nand then?\n", env=env)
    assert r.returncode == 0 and "conversation 1 saved; resume it with `ccgpt chat --session 1`" in r.stderr
    assert ccgpt("chat", "--config", cfg, input="second talk\n", env=env).returncode == 0
    assert ccgpt("chat", "--config", cfg, input="", env=env).stderr == ""  # no message: nothing kept, nothing said
    listed = ccgpt("history", "--kind", "chat", env=env)
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("conversations (most recent first")
    assert lines[1].split()[0] == "2" and lines[1].endswith('"second talk"')
    assert lines[2].split()[0] == "1" and "4 msg" in lines[2] and lines[2].endswith('"plan the trip to Oslo"')
    assert len(lines) == 3
    assert ccgpt("chat", "--list", env=env).stdout == listed.stdout
    data = json.loads(ccgpt("history", "--kind", "chat", "--json", "oslo", env=env).stdout)
    assert [(c["id"], c["title"], c["messages"]) for c in data["chats"]] == [(1, "plan the trip to Oslo", 4)]


def test_max_tokens_and_no_stream(ccgpt, cfg, ollama):
    r = ccgpt("chat", "--config", cfg, "--max-tokens", "7", "--no-stream", input="hi\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{ANSWER}\n"
    assert sent_messages(ollama) and [q.json() for q in ollama.requests if q.path == "/api/chat"][0]["options"]["num_predict"] == 7


def test_history_kind_must_be_known(ccgpt):
    r = ccgpt("history", "--kind", "bogus")
    assert r.returncode == 2 and "invalid choice: 'bogus'" in r.stderr and "chat" in r.stderr
