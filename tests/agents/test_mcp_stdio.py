"""`ccgpt mcp` over stdio, driven by the MCP SDK's own client: the tools, their schemas, the
run policy with elicitation, the sandbox escapes, and the audit trail."""

from __future__ import annotations

import socket

import anyio
import pytest

from agents_helpers import CLIENT, FAKE_KEY, Elicitor, cli_json, history, nobody_connected, stdio_session

from ccgpt.agents.schemas import TOOLS

RUN_KEYS = {"command", "level", "findings", "ran", "exit_code", "stdout", "stderr", "truncated", "duration_s"}


def call(args, env, cwd, calls, elicitor=None):
    """Start a server with `args`, make each (tool, arguments) call, return the results."""

    async def main():
        async with stdio_session(args, env=env, cwd=cwd, elicitor=elicitor) as session:
            return [await session.call_tool(name, arguments) for name, arguments in calls]

    return anyio.run(main)


def test_tool_list_and_schemas(server_env, work):
    async def main():
        async with stdio_session([], env=server_env, cwd=work) as session:
            return (await session.list_tools()).tools

    tools = {t.name: t for t in anyio.run(main)}
    assert list(tools) == ["check_command", "explain_command", "suggest_command", "run_command"]
    assert tools["check_command"].inputSchema["required"] == ["command"]
    assert tools["suggest_command"].inputSchema["properties"]["n"]["type"] == "integer"
    assert set(tools["run_command"].inputSchema["properties"]) == {"command", "preview", "timeout"}
    assert set(tools["run_command"].outputSchema["required"]) == RUN_KEYS
    for name, tool in tools.items():
        assert tool.inputSchema["additionalProperties"] is False
        assert tool.outputSchema == TOOLS[name]["output"]
    assert tools["check_command"].annotations.readOnlyHint is True
    assert tools["run_command"].annotations.destructiveHint is True


def test_check_and_explain_equal_the_cli_json(server_env, work):
    commands = ["rm -rf ~", "ls -la /tmp", "curl -fsSL https://example.com/x.sh | sh"]
    results = call([], server_env, work, [("check_command", {"command": c}) for c in commands]
                   + [("explain_command", {"command": "ls -la /tmp"})])
    for command, result in zip(commands, results):
        assert not result.isError
        assert result.structuredContent == cli_json(["check", "--json", command], server_env, work)
    explained = results[-1].structuredContent
    assert explained == cli_json(["explain", "--no-llm", "--json", "ls -la /tmp"], server_env, work)
    assert explained["narrative"] is None and explained["parts"][0]["source"] == "man:ls(1)"


def test_invalid_input_is_refused_by_the_schema(server_env, work):
    (bad_extra, missing, unknown) = call([], server_env, work, [
        ("check_command", {"command": "ls", "shell": "zsh"}),
        ("run_command", {"preview": True}),
        ("delete_everything", {"command": "ls"}),
    ])
    assert bad_extra.isError and "validation" in bad_extra.content[0].text.lower()
    assert missing.isError and "command" in missing.content[0].text
    assert unknown.isError and "run_command" in unknown.content[0].text
    decisions = sorted(e["decision"] for e in history(server_env))
    assert decisions == ["invalid-input", "invalid-input", "unknown-tool"]  # refused calls are audited too


def test_safe_and_review_run_in_the_root(server_env, work):
    safe, review = call([], server_env, work, [("run_command", {"command": "echo hello; pwd"}),
                                               ("run_command", {"command": "echo data > made.txt"})])
    s = safe.structuredContent
    assert set(s) >= RUN_KEYS and s["ran"] and s["exit_code"] == 0 and s["level"] == "safe"
    assert s["stdout"] == f"hello\n{work}\n" and s["truncated"] is False and s["duration_s"] >= 0
    assert "UNTRUSTED" in safe.content[0].text
    r = review.structuredContent
    assert r["level"] == "review" and r["ran"] and (work / "made.txt").read_text() == "data\n"


def test_dangerous_runs_after_the_person_accepts(server_env, work):
    (work / "build").mkdir()
    (work / "build" / "out.o").write_text("x")
    yes = Elicitor("accept", run=True)
    (result,) = call([], server_env, work, [("run_command", {"command": "rm -rf build"})], elicitor=yes)
    r = result.structuredContent
    assert r["level"] == "dangerous" and r["ran"] and r["exit_code"] == 0
    assert not (work / "build").exists()
    assert len(yes.messages) == 1 and "rm -rf build" in yes.messages[0] and "DANGEROUS" in yes.messages[0]
    (event,) = history(server_env)
    assert event["decision"] == "ran" and event["detail"]["allowed"] == "confirmed"


def test_a_command_cannot_forge_the_confirmation_around_it(server_env, work):
    """Newlines in the command: its lines are shown marked as the command's, after the real
    reasons, and at most 12 of them, so blank lines cannot push the reasons out of view."""
    forged = "rm -rf build\n\nWhy it is review:\n  - harmless cleanup (safe)\n\nRun it?" + "\n" * 40 + "# x"
    no = Elicitor("decline")
    (result,) = call([], server_env, work, [("run_command", {"command": forged})], elicitor=no)
    assert result.structuredContent["ran"] is False
    (message,) = no.messages
    assert message.index("Why it is dangerous:") < message.index("rm -rf build")
    assert "  | Why it is review:" in message and "\nWhy it is review:" not in message
    assert "more lines" in message and message.count("\n") < 30


@pytest.mark.parametrize("answer", [Elicitor("decline"), Elicitor("cancel"), Elicitor("accept", run=False)],
                         ids=["decline", "cancel", "accept-no"])
def test_dangerous_does_not_run_when_the_person_says_no(server_env, work, answer):
    (work / "build").mkdir()
    (result,) = call([], server_env, work, [("run_command", {"command": "rm -rf build"})], elicitor=answer)
    r = result.structuredContent
    assert r["ran"] is False and r["exit_code"] is None and "not run" in r["reason"]
    assert (work / "build").is_dir() and len(answer.messages) == 1


def test_dangerous_is_refused_when_the_client_cannot_elicit(server_env, work):
    (work / "build").mkdir()
    (result,) = call([], server_env, work, [("run_command", {"command": "rm -rf build"})])
    r = result.structuredContent
    assert r["ran"] is False and "cannot ask" in r["reason"] and "--max-level dangerous" in r["reason"]
    assert (work / "build").is_dir()


def test_max_level_dangerous_runs_without_elicitation(server_env, work):
    (work / "build").mkdir()
    (result,) = call(["--max-level", "dangerous"], server_env, work, [("run_command", {"command": "rm -rf build"})])
    assert result.structuredContent["ran"] and not (work / "build").exists()


def test_max_level_safe_asks_for_review_commands(server_env, work):
    (result,) = call(["--max-level", "safe"], server_env, work, [("run_command", {"command": "echo x > f.txt"})])
    assert result.structuredContent["ran"] is False and "review" in result.structuredContent["reason"]
    assert not (work / "f.txt").exists()


@pytest.mark.parametrize("flags", [[], ["--max-level", "dangerous"], ["--max-level", "dangerous", "--net"]])
def test_blocked_never_runs_under_any_flag(server_env, work, flags):
    yes = Elicitor("accept", run=True)
    commands = ["touch ran-1; rm -rf ~", "touch ran-2; rm -rf / --no-preserve-root", "touch ran-3; :(){ :|:& };:"]
    results = call(flags, server_env, work, [("run_command", {"command": c}) for c in commands]
                   + [("run_command", {"command": commands[0], "preview": True})], elicitor=yes)
    for result in results:
        r = result.structuredContent
        assert r["level"] == "blocked" and r["ran"] is False and r["exit_code"] is None
        assert "never runs" in r["reason"] and "changes" not in r
    assert yes.messages == []  # never even offered to the person
    assert sorted(p.name for p in work.iterdir()) == []


def test_preview_reports_changes_and_touches_nothing(server_env, work):
    (work / "keep.txt").write_text("one\ntwo\n")
    (work / "old.txt").write_text("old\n")
    (result,) = call([], server_env, work, [("run_command", {
        "command": "echo three >> keep.txt; echo new > new.txt; rm old.txt", "preview": True})],
        elicitor=Elicitor("accept"))
    r = result.structuredContent
    assert r["ran"] is False and r["exit_code"] == 0
    assert r["changes"]["created"] == ["new.txt"] and r["changes"]["modified"] == ["keep.txt"]
    assert r["changes"]["deleted"] == ["old.txt"] and "3 paths changed" in r["changes"]["summary"]
    assert (work / "keep.txt").read_text() == "one\ntwo\n" and (work / "old.txt").exists()
    assert not (work / "new.txt").exists()


def test_escape_writing_outside_the_root(server_env, work, area):
    target = area / "outside" / "pwned.txt"
    results = call(["--max-level", "dangerous"], server_env, work, [
        ("run_command", {"command": f"echo pwned > {target}"}),
        ("run_command", {"command": "echo pwned > ../outside/dotdot.txt"}),
        ("run_command", {"command": f"ln -s {target} link; echo pwned > link"}),
        ("run_command", {"command": "echo pwned > ~/.bashrc"}),
    ])
    for result in results:
        assert result.structuredContent["exit_code"] != 0
    assert list((area / "outside").iterdir()) == [] and not (area / "home" / ".bashrc").exists()


def test_escape_reading_ssh_keys(server_env, work, area):
    results = call(["--max-level", "dangerous"], server_env, work, [
        ("run_command", {"command": "cat ~/.ssh/id_ed25519; ls -la ~/.ssh; echo end"}),
        ("run_command", {"command": f"cat {area}/home/.ssh/id_ed25519; echo end"}),
    ])
    for result in results:
        r = result.structuredContent
        assert r["ran"] and "ccgpt-agents-fake-key" not in r["stdout"] + r["stderr"]
        assert r["stdout"].rstrip().endswith("end")
    assert (area / "home" / ".ssh" / "id_ed25519").read_text() == FAKE_KEY


def test_escape_reaching_the_network(server_env, work):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        probe = f"python3 -c \"import socket; socket.create_connection(('127.0.0.1', {port}), 3); print('connected')\""
        results = call([], server_env, work, [
            ("run_command", {"command": probe}),
            ("run_command", {"command": f"exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected"}),
        ], elicitor=Elicitor("accept"))
        for result in results:
            r = result.structuredContent
            assert r["ran"] and r["exit_code"] != 0 and "connected" not in r["stdout"]
        assert nobody_connected(listener)


def test_net_flag_gives_the_network(server_env, work):
    """The control for the test above: with --net the same probe does connect."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        probe = (f"python3 -c \"import socket; socket.create_connection(('127.0.0.1', "
                 f"{listener.getsockname()[1]}), 3); print('connected')\"")
        (result,) = call(["--net"], server_env, work, [("run_command", {"command": probe})])
        assert result.structuredContent["stdout"] == "connected\n"
        assert not nobody_connected(listener)


def test_escape_flooding_output(server_env, work):
    (result,) = call([], server_env, work, [("run_command", {"command": "head -c 20000000 /dev/zero | tr '\\0' A"})])
    r = result.structuredContent
    assert r["ran"] and r["truncated"] is True
    assert len(r["stdout"]) <= 70_000 and r["stdout"].startswith("AAAA")


def test_output_is_sanitised(server_env, work):
    (result,) = call([], server_env, work, [("run_command", {"command": "printf 'a\\033[31mred\\033]0;title\\007b\\n'"})])
    out = result.structuredContent["stdout"]
    assert "\x1b" not in out and "\x07" not in out and "red" in out


def test_timeout_is_capped_and_applied(server_env, work):
    (result,) = call([], server_env, work, [("run_command", {"command": "sleep 30", "timeout": 1})])
    r = result.structuredContent
    assert r["exit_code"] == 124 and r["duration_s"] < 10


def test_every_call_lands_in_the_audit_trail(server_env, work):
    call([], server_env, work, [("check_command", {"command": "ls"}), ("run_command", {"command": "echo audited"}),
                                ("run_command", {"command": "rm -rf ~"})])
    events = history(server_env)
    by_tool = {(e["detail"]["tool"], e["decision"]) for e in events}
    assert ("check_command", "checked") in by_tool and ("run_command", "ran") in by_tool
    assert ("run_command", "refused-blocked") in by_tool
    assert all(e["detail"]["client"]["name"] == CLIENT and e["kind"] == "mcp" for e in events)
    assert all(e["task"].endswith(f"via MCP client {CLIENT}") for e in events)
    import subprocess
    import sys

    shown = subprocess.run([sys.executable, "-m", "ccgpt", "history", CLIENT], env=server_env, capture_output=True,
                           text=True, timeout=60).stdout
    assert "run_command via MCP client ccgpt-tests" in shown and "rm -rf ~" in shown
    ran = next(e for e in events if e["decision"] == "ran")
    assert ran["command"] == "echo audited" and ran["exit_code"] == 0 and ran["detail"]["sandbox"] == "bwrap"


@pytest.mark.slow
def test_suggest_and_narrative_equal_the_cli_json_on_the_embedded_model(server_env, work):
    """The embedded model answers greedily and from scratch each time, so the MCP results and the
    CLI's --json objects can be compared exactly."""
    task = "create a file named made-by-model.txt"
    suggested, explained = call(["--backend", "embedded"], server_env, work, [
        ("suggest_command", {"task": task, "n": 2}),
        ("explain_command", {"command": "tar xzf a.tgz", "narrative": True}),
    ])
    assert not suggested.isError, suggested.content[0].text
    s = suggested.structuredContent
    assert s == cli_json(["suggest", "--json", "--backend", "embedded", "-n", "2", task], server_env, work)
    assert s["backend"] == "embedded" and 1 <= len(s["candidates"]) <= 2
    assert list(work.iterdir()) == []  # suggested, never run
    e = explained.structuredContent
    assert e == cli_json(["explain", "--json", "--backend", "embedded", "tar xzf a.tgz"], server_env, work)
    assert e["narrative"] is None or e["narrative_source"].startswith("model:")
    assert any(ev["detail"]["tool"] == "suggest_command" for ev in history(server_env))

def test_root_flag_names_the_writable_tree(server_env, work, area):
    (result,) = call(["--root", str(work)], server_env, area / "outside",
                     [("run_command", {"command": "pwd; echo x > here.txt"})])
    assert result.structuredContent["stdout"] == f"{work}\n" and (work / "here.txt").exists()
    assert list((area / "outside").iterdir()) == []


@pytest.mark.parametrize("root, says", [
    ("/", "everything writable"), ("/etc", "system"), ("/usr/lib", "system"), ("/usr/share", "system"),
    ("HOME", "holds your home"), ("AREA", "holds your home"), ("HOME/.config", "hidden configuration"),
    ("CWD", "holds your home"),  # no --root, started in home (as some clients start servers)
    ("/var/log", "logs or spools"), ("/var/cache", "logs or spools"),  # the audit trail, the system's caches
    ("HOME/bin", "later sessions run"),  # Debian's ~/.profile puts ~/bin on PATH
])
def test_a_root_that_gives_away_the_system_or_home_is_refused_at_start(server_env, area, root, says):
    import subprocess
    import sys

    (area / "home" / ".config").mkdir(exist_ok=True)
    (area / "home" / "bin").mkdir(exist_ok=True)
    real = root.replace("HOME", str(area / "home")).replace("AREA", str(area))
    args = ["--root", real] if root != "CWD" else []
    r = subprocess.run([sys.executable, "-m", "ccgpt", "mcp", *args], env=server_env, cwd=area / "home",
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and says in r.stderr and r.stdout == "", r.stderr
    assert len(r.stderr.strip().splitlines()) == 1  # one clear line, no traceback


@pytest.mark.parametrize("path, refused", [
    ("/home/u/proj/.venv/bin", True), ("/opt/tool/bin", True), ("/opt/tool/bin/sub", True),  # on PATH
    ("/var/spool/cron", True), ("/var/mail", True), ("/var/cache/apt", True),
    ("/home/u/proj", False), ("/opt/tool", False), ("/var/tmp/build", False), ("/var/www/site", False),
    ("/srv/app", False), ("/tmp/work", False),
])
def test_a_root_whose_programs_run_later_or_that_holds_system_state_is_refused(path, refused):
    from ccgpt.agents.server import refused_root

    search_path = "/usr/bin:/home/u/proj/.venv/bin:/opt/tool/bin:relative/bin"
    assert (refused_root(path, "/home/u", search_path) is not None) == refused


def test_a_home_under_var_keeps_its_projects():  # Fedora Silverblue's homes live in /var/home
    from ccgpt.agents.server import refused_root

    assert refused_root("/var/home/u/proj", "/var/home/u", "/usr/bin") is None
    assert "holds your home" in refused_root("/var/home", "/var/home/u", "/usr/bin")


def test_a_run_that_cannot_be_audited_does_not_happen(server_env, work, area):
    blocker = area / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    env = dict(server_env, CCGPT_DATA_DIR=str(blocker / "ccgpt"))
    checked, ran = call([], env, work, [("check_command", {"command": "ls"}),
                                        ("run_command", {"command": "touch should-not-exist"})])
    assert checked.structuredContent["level"] == "safe"  # reading still answers
    r = ran.structuredContent
    assert r["ran"] is False and "audit trail" in r["reason"] and not (work / "should-not-exist").exists()


def test_agent_configuration_writes_are_refused_before_they_run(server_env, work):
    settings = work / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text('{"hooks": {"PreToolUse": "guard-canary-7741"}}')
    (work / ".mcp.json").write_text('{"mcpServers": {"canary-3391": {}}}')
    (result,) = call([], server_env, work, [("run_command", {
        "command": "echo '{}' > .claude/settings.json; echo '{}' > .mcp.json"})])
    r = result.structuredContent
    assert r["ran"] is False and r["level"] == "dangerous"  # a hook or server list runs code later
    assert "guard-canary-7741" in settings.read_text() and "canary-3391" in (work / ".mcp.json").read_text()


def test_agent_configuration_in_the_root_cannot_be_read_or_rewritten(server_env, work):
    # The sandbox hides every agent CLI's directory, also those no risk rule names.
    mcp = work / ".cursor" / "mcp.json"
    mcp.parent.mkdir()
    mcp.write_text('{"mcpServers": {"canary-3391": {}}}')
    (result,) = call([], server_env, work, [("run_command", {
        "command": "cat .cursor/mcp.json; echo '{}' > .cursor/mcp.json"})])
    r = result.structuredContent
    assert r["ran"] and r["exit_code"] != 0
    assert "canary" not in r["stdout"] + r["stderr"]
    assert "canary-3391" in mcp.read_text()


def test_no_sandbox_means_no_run(server_env, work, area):
    cfg = area / "sandbox-user.toml"
    cfg.write_text('[ccgpt.sandbox]\nbackend = "user"\n')  # no user named: no sandbox can be built
    (result,) = call([], dict(server_env, CCGPT_CONFIG=str(cfg)), work,
                     [("run_command", {"command": "touch made.txt"})])
    r = result.structuredContent
    assert r["ran"] is False and r["exit_code"] == 125 and "sandbox failed" in r["reason"]
    assert not (work / "made.txt").exists()


def test_concurrent_runs_are_bounded(server_env, work):
    from ccgpt.agents.server import MAX_RUNS

    # Each run notes when it starts and ends; at no moment may more than MAX_RUNS overlap.
    script = "echo start $(date +%s%N) >> log.$$; sleep 2; echo end $(date +%s%N) >> log.$$"

    async def main():
        async with stdio_session([], env=server_env, cwd=work) as session:
            async with anyio.create_task_group() as tg:
                for _ in range(MAX_RUNS + 2):
                    tg.start_soon(session.call_tool, "run_command", {"command": script})

    anyio.run(main)
    events = []
    for log in work.glob("log.*"):
        for line in log.read_text().split("\n"):
            if line:
                kind, t = line.split()
                events.append((int(t), 1 if kind == "start" else -1))
    assert len(events) == 2 * (MAX_RUNS + 2)
    running = peak = 0
    for _, step in sorted(events):
        running += step
        peak = max(peak, running)
    assert 2 <= peak <= MAX_RUNS  # they did overlap, and never more than the bound
