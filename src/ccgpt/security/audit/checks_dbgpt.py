"""DB-GPT configuration files: would DB-GPT, started with them, listen beyond loopback or
encrypt its stored credentials with a known key?

The files read: the ccgpt config in use (it is also a DB-GPT config) and `configs/*.toml` of
the project. A file counts as a DB-GPT config when it has DB-GPT's tables ([models] with
llms, [system] or [service]). DB-GPT 0.8's defaults, when a table or key is left out:
`[service.web] host = "0.0.0.0"`, `port = 5670`, `[system] encrypt_key = "your_secret_key"`.

Rules (rule id: severity):
  dbgpt-listens-everywhere: high  [service.web] host is 0.0.0.0 / :: (or unset: DB-GPT's default)
  dbgpt-encrypt-key: high         [system] encrypt_key unset (DB-GPT's placeholder), a literal,
                                  or an ${env:…} whose default is a literal
"""

from __future__ import annotations

import re
from pathlib import Path

from ccgpt.security.audit.findings import AuditContext, Finding

DBGPT_DEFAULT_HOST = "0.0.0.0"
DBGPT_PLACEHOLDER_KEY = "your_secret_key"
_ENV_ONLY = re.compile(r"^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$")
_ENV_DEFAULT = re.compile(r"^\$\{env:[A-Za-z_][A-Za-z0-9_]*:-(.*)\}$")
_EVERYWHERE = {"0.0.0.0", "::", "[::]", ""}


def candidate_files(ctx: AuditContext) -> list[Path]:
    files = [ctx.config_path] if ctx.config_path is not None else []
    files += sorted((ctx.project_dir / "configs").glob("*.toml"))
    seen: set[Path] = set()
    out = []
    for f in files:
        real = Path(f).resolve()
        if real not in seen and real.is_file():
            seen.add(real)
            out.append(Path(f))
    return out


def _load(path: Path) -> dict | None:
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # an unreadable or malformed config is reported by the config check


def is_dbgpt_config(data: dict) -> bool:
    models = data.get("models")
    return (isinstance(models, dict) and "llms" in models) or "system" in data or "service" in data


def _line_of(text: str, table: str, key: str) -> int | None:
    """The line of `key =` inside `[table]` (or of the table header when the key is absent)."""
    lines = text.splitlines()
    inside = False
    header = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.strip("[] ") == table
            header = number if inside else header
        elif inside and re.match(rf"^{re.escape(key)}\s*=", stripped):
            return number
    return header


def check_file(path: Path, shown: str) -> list[Finding]:
    data = _load(path)
    if data is None or not is_dbgpt_config(data):
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    findings: list[Finding] = []
    web = (data.get("service") or {}).get("web") or {}
    host = str(web.get("host", DBGPT_DEFAULT_HOST)).strip()
    port = web.get("port", 5670)
    if host in _EVERYWHERE:
        unset = "host" not in web
        findings.append(Finding(
            "dbgpt-listens-everywhere", "high",
            f"DB-GPT started with {shown} would listen on {DBGPT_DEFAULT_HOST if unset else host}:{port}"
            + (" ([service.web] host is not set; that is DB-GPT's default)" if unset else ""),
            "DB-GPT's web server and API then answer every machine that can reach this one: chats, "
            "connected databases and the models behind it",
            "set it to loopback: [service.web] host = \"127.0.0.1\" (share it through an authenticating proxy)",
            path=shown, line=_line_of(text, "service.web", "host")))
    key = (data.get("system") or {}).get("encrypt_key")
    problem = _encrypt_key_problem(key)
    if problem:
        findings.append(Finding(
            "dbgpt-encrypt-key", "high",
            f"{shown}: DB-GPT's encrypt_key {problem}",
            "DB-GPT encrypts the database passwords and API keys it stores with this key; a known or "
            "committed key lets anyone with a copy of its database read them",
            "write [system] encrypt_key = \"${env:DBGPT_ENCRYPT_KEY}\" (no default) and set a random one: "
            "export DBGPT_ENCRYPT_KEY=\"$(openssl rand -hex 32)\"",
            path=shown, line=_line_of(text, "system", "encrypt_key")))
    return findings


def _encrypt_key_problem(key) -> str | None:
    if key is None:
        return f"is not set, so DB-GPT uses its placeholder {DBGPT_PLACEHOLDER_KEY!r}"
    value = str(key)
    if _ENV_ONLY.match(value):
        return None
    m = _ENV_DEFAULT.match(value)
    literal = m.group(1) if m else value
    if literal == DBGPT_PLACEHOLDER_KEY or re.fullmatch(r"(?i)(change.?me|secret|password|your.*key|x+|0+)\w*", literal):
        return f"is the placeholder {literal!r}" + (" (the default of its ${env:…})" if m else "")
    if m:
        return "falls back to a literal written in the file when the variable is not set"
    return "is a literal written in the file"


def check(ctx: AuditContext) -> list[Finding]:
    findings: list[Finding] = []
    for path in candidate_files(ctx):
        try:
            shown = str(path.resolve().relative_to(ctx.project_dir.resolve()))
        except ValueError:
            shown = str(path)
        findings += check_file(path, shown)
    return findings
