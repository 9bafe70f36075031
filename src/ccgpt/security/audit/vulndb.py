"""The shipped table of Ollama versions with published vulnerabilities, and version matching."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).resolve().parents[2] / "data" / "ollama_vulnerabilities.toml"


@dataclass(frozen=True)
class Vulnerability:
    id: str
    severity: str
    summary: str
    source: str
    fixed: str | None = None
    affected_through: str | None = None
    name: str | None = None

    def affects(self, version: tuple) -> bool:
        if self.fixed:
            return version < parse_version(self.fixed)
        if self.affected_through:
            return version <= parse_version(self.affected_through)
        return False


@dataclass(frozen=True)
class Table:
    updated: _dt.date
    vulnerabilities: tuple[Vulnerability, ...]


def load_table(path: Path = TABLE) -> Table:
    import tomllib

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    vulns = tuple(
        Vulnerability(
            id=v["id"],
            severity=v["severity"],
            summary=v["summary"],
            source=v["source"],
            fixed=v.get("fixed"),
            affected_through=v.get("affected_through"),
            name=v.get("name"),
        )
        for v in data.get("vulnerability", [])
    )
    updated = data["updated"]
    if isinstance(updated, _dt.datetime):
        updated = updated.date()
    return Table(updated, vulns)


_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+~]?(.*))?$")


def parse_version(text: str) -> tuple:
    """`0.3.14` -> (0, 3, 14, 1); a pre-release (`0.17.1-rc0`) sorts before its release,
    because a fix that landed in 0.17.1 may not be in its release candidates."""
    m = _VERSION.match(text.strip())
    if not m:
        raise ValueError(f"not a version: {text!r}")
    major, minor, patch, rest = m.groups()
    release = 0 if (rest and not rest.startswith("+")) else 1
    return (int(major), int(minor or 0), int(patch or 0), release)


def affecting(version: str, table: Table) -> list[Vulnerability]:
    parsed = parse_version(version)
    return [v for v in table.vulnerabilities if v.affects(parsed)]
