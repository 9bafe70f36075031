"""shell.parse: the fast grammar loader, and the guard against a tree-sitter-bash crash."""

import subprocess
import sys

from ccgpt.risk.parse import parse


def test_parses_and_keeps_byte_offsets_with_high_plane_characters():
    text = "echo {\U000b2048} && ls"
    names, stack = [], [parse(text).root_node]
    while stack:
        node = stack.pop()
        if node.type == "command_name":
            names.append(text.encode()[node.start_byte:node.end_byte])
        stack.extend(node.children)
    assert sorted(names) == [b"echo", b"ls"]


def test_the_crashing_input_no_longer_kills_the_process():
    # tree-sitter-bash 0.25 dies with SIGSEGV on this input; run it in a child to prove it survives.
    code = "from ccgpt.risk.parse import parse; parse('{\\U000b2048'); parse(b'x {\\xf4\\x8f\\xbf\\xbf'); print('alive')"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "alive", r.stderr


def test_explain_survives_it_too(ccgpt):
    r = ccgpt("explain", "--no-llm", "--json", "echo {\U000b2048")
    assert r.returncode == 0, r.stderr
