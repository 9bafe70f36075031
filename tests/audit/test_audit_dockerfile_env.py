"""Dockerfile ENV through the same environment rules as compose services: the ENV reader on
hostile inputs (what BuildKit would set, not what a line-by-line grep sees), the severity the
project's compose files give a Dockerfile they build, and the real CLI on real files."""

from __future__ import annotations

import json
from pathlib import Path

from audit_helpers import make_ctx, run_ccgpt

from ccgpt.security.audit import checks_docker, dockerfile


def _env(text: str) -> list[tuple[str, str, int]]:
    return [(e.name, e.value, e.line) for e in dockerfile.env_settings(text)]


def _env_findings(tmp_path: Path, text: str, name: str = "Dockerfile") -> list[tuple[str, str, int | None]]:
    path = tmp_path / name
    path.write_text(text)
    return [(f.rule, f.severity, f.line) for f in checks_docker.check_dockerfile(path, name)
            if f.rule in ("ollama-bind-all", "ollama-origins-any", "env-literal-secret")]


# ---- the reader -------------------------------------------------------------------------------

def test_a_continuation_hides_the_value_on_the_next_line():
    # BuildKit appends the next line as it is: the value is 0.0.0.0, not "" and a stray word.
    assert _env("FROM x\nENV OLLAMA_HOST=\\\n0.0.0.0\n") == [("OLLAMA_HOST", "0.0.0.0", 2)]
    assert _env("FROM x\nENV OLLAMA_HOST=0.0.\\\n0.0\n") == [("OLLAMA_HOST", "0.0.0.0", 2)]
    # a trailing blank after the backslash still continues; a second pair on its own line is found there
    assert _env("FROM x\nENV A=1 \\  \n    OLLAMA_ORIGINS=*\n") == [("A", "1", 2), ("OLLAMA_ORIGINS", "*", 3)]


def test_lower_case_instruction_and_both_syntaxes():
    assert _env("from x\nenv OLLAMA_HOST 0.0.0.0\n") == [("OLLAMA_HOST", "0.0.0.0", 2)]
    assert _env("FROM x\nEnV OLLAMA_HOST=0.0.0.0\n") == [("OLLAMA_HOST", "0.0.0.0", 2)]
    # the old form: everything after the name is the value
    assert _env("FROM x\nENV GREETING hello  big world\n") == [("GREETING", "hello  big world", 2)]


def test_quotes_and_escapes():
    assert _env('FROM x\nENV OLLAMA_HOST="0.0.0.0"\n') == [("OLLAMA_HOST", "0.0.0.0", 2)]
    assert _env("FROM x\nENV OLLAMA_HOST '0.0.0.0:11434'\n") == [("OLLAMA_HOST", "0.0.0.0:11434", 2)]
    assert _env('FROM x\nENV A="two words" B=two\\ words C=\'$HOME\' D="say \\"hi\\""\n') == [
        ("A", "two words", 2), ("B", "two words", 2), ("C", "$HOME", 2), ("D", 'say "hi"', 2)]


def test_commented_lines_set_nothing():
    assert _env("FROM x\n# ENV OLLAMA_HOST=0.0.0.0\n  #ENV OLLAMA_ORIGINS=*\n") == []
    # a comment inside a continuation is dropped, and the instruction goes on after it
    assert _env("FROM x\nENV A=1 \\\n# OLLAMA_HOST=0.0.0.0 \\\n    B=2\n") == [("A", "1", 2), ("B", "2", 4)]
    # a comment ending in a backslash does not swallow the next line
    assert _env("FROM x\n# ENV OLLAMA_HOST=0.0.0.0 \\\nENV X=1\n") == [("X", "1", 3)]


def test_escape_directive_only_before_anything_else():
    text = "# escape=`\nFROM x\nENV OLLAMA_HOST=0.0.`\n0.0 P=C:\\dir\n"
    assert _env(text) == [("OLLAMA_HOST", "0.0.0.0", 3), ("P", "C:\\dir", 4)]
    # after a comment it is a comment: the backtick is an ordinary character again
    assert _env("# hello\n# escape=`\nFROM x\nENV A=b`\n") == [("A", "b`", 4)]


def test_arg_defaults_and_earlier_env_feed_values():
    text = ("ARG BIND=0.0.0.0\nARG UNUSED=1\nFROM x\nARG BIND\nARG PORT=11434\n"
            "ENV OLLAMA_HOST=${BIND}:$PORT FALLBACK=${NOPE:-dflt} FROM_BUILD=$NOPE\n")
    assert _env(text) == [("OLLAMA_HOST", "0.0.0.0:11434", 6), ("FALLBACK", "dflt", 6), ("FROM_BUILD", "$NOPE", 6)]
    # a global ARG is not in a stage that does not declare it again (Docker's scoping)
    assert _env("ARG BIND=0.0.0.0\nFROM x\nENV OLLAMA_HOST=$BIND\n") == [("OLLAMA_HOST", "$BIND", 3)]
    # all pairs of one ENV see the values before it (Docker's documented example)
    assert _env("FROM x\nENV abc=hello\nENV abc=bye def=$abc\n")[-1] == ("def", "hello", 3)


# ---- the rules --------------------------------------------------------------------------------

def test_hostile_spellings_are_flagged_on_their_line(tmp_path):
    text = ("FROM ollama/ollama\n"
            "env OLLAMA_ORIGINS \"*\"\n"
            "ENV PORT=11434 \\\n"
            "    OLLAMA_HOST=\\\n"
            "0.0.0.0:11434\n"
            "ARG KEY=changeme123\n"
            "ENV WEBUI_SECRET_KEY=$KEY API_TOKEN=${TOKEN}\n"
            "USER 1000\n")
    assert sorted(_env_findings(tmp_path, text)) == [
        ("env-literal-secret", "high", 7),  # the ARG default is a literal in the file; ${TOKEN} is not
        ("ollama-bind-all", "low", 4),
        ("ollama-origins-any", "high", 2),
    ]


def test_commented_out_and_loopback_values_are_not_flagged(tmp_path):
    text = ("FROM ollama/ollama\n# ENV OLLAMA_HOST=0.0.0.0\n#ENV OLLAMA_ORIGINS=*\n"
            "ENV OLLAMA_HOST=127.0.0.1:11434 OLLAMA_ORIGINS=http://localhost:3000 \\\n"
            "  # WEBUI_SECRET_KEY=changeme123\n  OTHER=1\nUSER 1000\n")
    assert _env_findings(tmp_path, text) == []


def _project(root: Path, compose: str) -> Path:
    (root / "docker").mkdir()
    (root / "docker" / "ollama.Dockerfile").write_text(
        "FROM ollama/ollama\nENV OLLAMA_MODELS=/models \\\n    OLLAMA_HOST=0.0.0.0:11434\nUSER 1000\n")
    (root / "compose.yaml").write_text(compose)
    return root


_BUILDS = "services:\n  ollama:\n    build: {context: ., dockerfile: docker/ollama.Dockerfile}\n"


def test_a_compose_service_building_the_dockerfile_decides_the_severity(home, tmp_path):
    def bind(compose: str) -> list[tuple[str, str | None, int | None]]:
        root = tmp_path / f"p{len(list(tmp_path.iterdir()))}"
        root.mkdir()
        found = checks_docker.check(make_ctx(home, project=_project(root, compose)))
        return [(f.severity, f.path, f.line) for f in found if f.rule == "ollama-bind-all"]

    published = _BUILDS + "    ports: [\"11434:11434\"]\n"
    assert bind(published) == [("high", "docker/ollama.Dockerfile", 3)]
    assert bind(_BUILDS + "    network_mode: host\n") == [("high", "docker/ollama.Dockerfile", 3)]
    assert bind(_BUILDS + "    ports: [\"127.0.0.1:11434:11434\"]\n") == [("low", "docker/ollama.Dockerfile", 3)]
    assert bind(_BUILDS) == [("low", "docker/ollama.Dockerfile", 3)]
    # a compose file that builds something else says nothing about this one: low, as unknown
    assert bind("services:\n  web:\n    build: .\n    ports: [\"80:80\"]\n") == [("low", "docker/ollama.Dockerfile", 3)]


def test_the_cli_reports_dockerfile_env_like_a_compose_service(home):
    project = Path.cwd()
    (project / "Dockerfile").write_text(
        "FROM ollama/ollama\nenv OLLAMA_ORIGINS=\"*\"\nENV OLLAMA_HOST \\\n  0.0.0.0\nUSER 1000\n")
    (project / "ollama.Dockerfile").write_text("FROM ollama/ollama\n# ENV OLLAMA_ORIGINS=*\nUSER 1000\n")
    (project / "docker-compose.yml").write_text(
        "services:\n  ollama:\n    build: .\n    ports: [\"11434:11434\"]\n"
        "  webui:\n    image: ghcr.io/open-webui/open-webui:main\n    environment:\n      - OLLAMA_ORIGINS=*\n")
    proc = run_ccgpt(["audit", "--offline", "--json"], home)
    assert proc.returncode == 3, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    env_rules = ("ollama-origins-any", "ollama-bind-all")
    got = sorted((f["rule"], f["severity"], f["path"], f["line"]) for f in findings if f["rule"] in env_rules)
    assert got == [
        ("ollama-bind-all", "high", "Dockerfile", 3),  # the compose service building it publishes 11434
        ("ollama-origins-any", "high", "Dockerfile", 2),
        ("ollama-origins-any", "high", "docker-compose.yml", 5),
    ]
    from_dockerfile = next(f for f in findings if f["rule"] == "ollama-origins-any" and f["path"] == "Dockerfile")
    from_compose = next(f for f in findings if f["rule"] == "ollama-origins-any" and f["path"] == "docker-compose.yml")
    assert set(from_dockerfile) == set(from_compose)  # one JSON shape
    assert from_dockerfile["what"].startswith("ENV in Dockerfile: OLLAMA_ORIGINS=*")
    text = run_ccgpt(["audit", "--offline"], home).stdout
    assert "(Dockerfile:3)" in text and "(Dockerfile:2)" in text
