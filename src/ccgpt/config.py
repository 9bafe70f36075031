"""Configuration: find the TOML file, interpolate `${env:…}`, apply defaults, track sources.

Lookup order (first that exists wins): --config, $CCGPT_CONFIG,
./configs/dbgpt-proxy-ollama.toml when the working directory is a ccgpt checkout, the user
config file (`ccgpt config path`). With none, the built-in defaults apply.

Why the checkout condition: a config found in *any* working directory would let a cloned
repository redirect your prompts to a server of its choosing. And "a checkout" means the source
tree of the ccgpt that is running (an editable install, `make install`), not a directory that
looks like one: a `pyproject.toml` naming the project is one line any repository can carry, and
its config would replace yours (your deny rules, the sandbox's settings, where prompts and API
keys go).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from ccgpt.errors import ConfigError

CHECKOUT_CONFIG = Path("configs") / "dbgpt-proxy-ollama.toml"
_ENV_REF = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*?))?\}")
_SECRET_KEY = re.compile(r"(?:^|_)(api_?key|access_?key|secret_?key|encrypt_?key|token|secret|password|passwd)$",
                         re.IGNORECASE)
# The tables ccgpt reads; the others ([system], [service.web] ...) are DB-GPT's own and are
# left as written (ccgpt neither needs their values nor may fail on DB-GPT's variables).
READ_TABLES = ("ccgpt", "models")


class UnsetVariable(ConfigError):
    """`${env:NAME}` without a default, and NAME is not set: an error, as in DB-GPT."""

    def __init__(self, key: str, name: str):
        super().__init__(f"{key} = ${{env:{name}}} but {name} is not set; set it, or give a default: "
                         f"${{env:{name}:-VALUE}}")
        self.key, self.name = key, name


def template_text() -> str:
    return (Path(__file__).parent / "data" / "default_config.toml").read_text(encoding="utf-8")


def _load_toml(text: str, origin: str) -> dict:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: malformed TOML: {exc}") from None


_DEFAULTS: dict | None = None


def defaults() -> dict:
    """The [ccgpt] table of the shipped template, with `${env:…}` left unexpanded."""
    global _DEFAULTS
    if _DEFAULTS is None:
        _DEFAULTS = _load_toml(template_text(), "built-in defaults")["ccgpt"]
    return _DEFAULTS


def is_checkout(directory: Path) -> bool:
    """Whether `directory` is the source tree this ccgpt runs from (src/ccgpt/ under it)."""
    pyproject = directory / "pyproject.toml"
    try:
        if directory.resolve() != Path(__file__).resolve().parents[2]:
            return False
        return (directory / CHECKOUT_CONFIG).is_file() and 'name = "codexcontinue"' in pyproject.read_text(
            encoding="utf-8"
        )
    except OSError:
        return False


def find_config_file(explicit: str | None = None) -> tuple[Path | None, str]:
    """Return (path or None, why it was chosen)."""
    if explicit:
        return Path(explicit), "--config"
    env = os.environ.get("CCGPT_CONFIG")
    if env:
        return Path(env), "$CCGPT_CONFIG"
    cwd = Path.cwd()
    if is_checkout(cwd):
        return cwd / CHECKOUT_CONFIG, "checkout"
    from ccgpt.paths import user_config_file

    user = user_config_file()
    if user.is_file():
        return user, "user config"
    return None, "built-in defaults"


# Plain classes, not dataclasses: `dataclasses` imports `inspect` (~6 ms), and `ccgpt check`
# imports this module on its start-up path.
class SecretFinding:
    def __init__(self, key: str, suggestion: str):
        self.key = key  # dotted path, e.g. models.llms[0].api_key
        self.suggestion = suggestion  # the ${env:…} form to write instead

    def __repr__(self) -> str:
        return f"SecretFinding({self.key!r}, {self.suggestion!r})"


class Config:
    def __init__(self, path: Path | None, chosen_by: str, raw: dict, ccgpt: dict,
                 sources: dict[str, str], literal_secrets: list[SecretFinding],
                 file_sources: dict[str, str] | None = None):
        self.path = path
        self.chosen_by = chosen_by
        self.raw = raw  # the whole file after interpolation
        self.ccgpt = ccgpt  # the [ccgpt] table merged over defaults
        self.sources = sources  # dotted key -> "default" | "file" | "env:NAME"
        self.literal_secrets = literal_secrets
        self.file_sources = file_sources or {}  # full dotted key -> "env:NAME", for interpolated values

    @property
    def llms(self) -> list[dict]:
        return list(self.raw.get("models", {}).get("llms", []) or [])

    def get(self, key: str, default=None):
        """A dotted key inside the [ccgpt] table: get("sandbox.timeout")."""
        node = self.ccgpt
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def section(self, name: str) -> dict:
        value = self.get(name, {})
        return dict(value) if isinstance(value, dict) else {}

    def source(self, key: str) -> str:
        return self.sources.get(key, "default")


def _interpolate(value, dotted: str, sources: dict[str, str]):
    """Expand ${env:NAME:-default} in every string; remember which variable a value came from."""
    if isinstance(value, dict):
        return {k: _interpolate(v, f"{dotted}.{k}" if dotted else k, sources) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, f"{dotted}[{i}]", sources) for i, v in enumerate(value)]
    if isinstance(value, str) and "${env:" in value:
        used: list[str] = []

        def expand(m: re.Match) -> str:
            name, fallback = m.group(1), m.group(2)
            if name in os.environ:
                used.append(name)
                return os.environ[name]
            if fallback is None:
                raise UnsetVariable(dotted, name)
            return fallback

        result = _ENV_REF.sub(expand, value)
        sources[dotted] = f"env:{used[0]}" if used else "file (default of ${env:…})"
        return result
    return value


def is_secret_name(name: str) -> bool:
    """Whether a key or variable is named like a secret (api_key, WEBUI_SECRET_KEY, DB_PASSWORD)."""
    return bool(_SECRET_KEY.search(name)) and not name.lower().endswith("_env")


def _find_literal_secrets(value, dotted: str, out: list[SecretFinding]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            path = f"{dotted}.{k}" if dotted else k
            if isinstance(v, str) and v and is_secret_name(k) and "${env:" not in v:
                env_name = re.sub(r"[^A-Z0-9]+", "_", f"CCGPT_{k}".upper())
                out.append(SecretFinding(path, f'{k} = "${{env:{env_name}}}"'))
            else:
                _find_literal_secrets(v, path, out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _find_literal_secrets(v, f"{dotted}[{i}]", out)


def _merge(base: dict, over: dict, prefix: str, sources: dict[str, str]) -> dict:
    merged = dict(base)
    for k, v in over.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            merged[k] = _merge(base[k], v, key + ".", sources)
        else:
            merged[k] = v
            sources.setdefault(key, "file")
    return merged


def load_config(explicit: str | None = None, *, warn: bool = True) -> Config:
    path, why = find_config_file(explicit)
    data: dict = {}
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read config file {path}: {getattr(exc, 'strerror', None) or exc}") from None
        data = _load_toml(text, str(path))

    secrets: list[SecretFinding] = []
    _find_literal_secrets(data, "", secrets)
    file_sources: dict[str, str] = {}
    try:
        raw = {k: _interpolate(v, k, file_sources) if k in READ_TABLES else v for k, v in data.items()}
    except UnsetVariable as exc:
        raise ConfigError(f"{path}: {exc}") from None
    own = raw.get("ccgpt", {})
    if not isinstance(own, dict):
        raise ConfigError(f"{path}: [ccgpt] must be a table")
    sources: dict[str, str] = {}
    for k, v in file_sources.items():
        if k.startswith("ccgpt."):
            sources[k[len("ccgpt.") :]] = v
    merged = _merge(_interpolate(defaults(), "", {}), own, "", sources)
    cfg = Config(path, why, raw, merged, sources, secrets, file_sources)

    backend = cfg.get("backend")
    if backend not in ("ollama", "openai", "embedded"):
        raise ConfigError(f"{path}: unknown backend {backend!r} in [ccgpt] (use ollama, openai or embedded)")
    if warn:
        from ccgpt.config_keys import warnings

        for line in warnings(own, defaults(), str(path)):
            print(f"ccgpt: warning: {line}", file=sys.stderr)
    if secrets:
        lines = [f"{path}: {s.key} is a literal secret; write {s.suggestion} and set the variable" for s in secrets]
        if cfg.get("strict"):
            raise ConfigError(lines[0] + " (strict = true)")
        if warn:
            for line in lines:
                print(f"ccgpt: warning: {line}", file=sys.stderr)
    return cfg
